"""A small mutation run, by hand: break the rules on purpose and see which tests notice.

    python scripts/mutate.py --list              # the mutants, numbered
    python scripts/mutate.py [--only N,M] [--jobs 2] [--log mutants.log]

Each mutant changes one operator or constant in one of the modules (or methods) named in
TARGETS, in a copy of the working tree (one a job, under /tmp), and runs the tests that
exercise that code with `-x`. A mutant no test fails "survives": a missing test, or a change
that means the same (an equivalent mutant). `show(N)` prints what mutant N changes. The last
run, its survivors and what was done about them are in docs/testing.md.
"""

import argparse
import ast
import copy
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent

RULE_TESTS = [
    "tests/test_progress.py",
    "tests/test_periods.py",
    "tests/test_across_years.py",
    "tests/test_seasonal_pace.py",
    "tests/test_public_page.py",
    "tests/test_open_data.py",
    "tests/test_numbers.py",
    "tests/test_explanations.py",
    "tests/test_scorecard.py",
    "tests/test_my_updates.py",
    "tests/test_reminders.py",
    "tests/test_models.py",
]
WORKFLOW_TESTS = [
    "tests/test_workflow.py",
    "tests/test_models.py",
    "tests/test_permissions.py",
    "tests/test_admin_entry.py",
    "tests/test_import.py",
    "tests/test_explanations.py",
    "tests/test_target_revisions.py",
    "tests/test_task_workflow.py",
]

# (file, the functions and methods to mutate or None for all, the tests to run)
TARGETS = [
    ("kpis/progress.py", None, RULE_TESTS),
    ("kpis/periods.py", None, RULE_TESTS),
    ("kpis/roles.py", None, WORKFLOW_TESTS),
    # The figure's own rules: withdrawing a target, and its hooks into the workflow.
    ("kpis/models/indicators.py", {"withdraw"}, WORKFLOW_TESTS),
    (
        "kpis/models/figures.py",
        {"authored_change", "publish", "return_for_correction"},
        WORKFLOW_TESTS,
    ),
    # The review workflow of figures, milestones and statements.
    (
        "kpis/workflow.py",
        {
            "reviewer_refusal",
            "is_editable_by",
            "record_entry",
            "check_version",
            "save_edit",
            "submit",
            "publish",
            "return_for_correction",
        },
        WORKFLOW_TESTS,
    ),
]

SWAPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.And: ast.Or,
    ast.Or: ast.And,
}


def inside(tree, names):
    """The nodes to mutate: all of them, or those inside the functions named."""
    if names is None:
        yield from ast.walk(tree)
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in names:
            yield from ast.walk(node)


def sites(tree, names):
    """Each place a mutant can be made, as (index in ast.walk order, description)."""
    found = []
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    wanted = {id(node) for node in inside(tree, names)}
    for index, node in enumerate(ast.walk(tree)):
        if id(node) not in wanted or id(node) in docstrings:
            continue
        line = getattr(node, "lineno", "?")
        if isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    found.append((index, ("compare", position), f"{line}: {type(op).__name__}"))
        elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in SWAPS:
            found.append((index, ("op",), f"{line}: {type(node.op).__name__}"))
        elif isinstance(node, ast.BoolOp):
            found.append((index, ("op",), f"{line}: {type(node.op).__name__}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            found.append((index, ("drop-not",), f"{line}: not"))
        elif isinstance(node, ast.Constant) and type(node.value) in (bool, int):
            found.append((index, ("constant",), f"{line}: {node.value!r}"))
    return found


def mutant(tree, index, how):
    tree = copy.deepcopy(tree)
    node = list(ast.walk(tree))[index]
    if how[0] == "compare":
        node.ops[how[1]] = SWAPS[type(node.ops[how[1]])]()
    elif how[0] == "op":
        node.op = SWAPS[type(node.op)]()
    elif how[0] == "drop-not":
        replacement = node.operand
        for parent in ast.walk(tree):
            for field, value in ast.iter_fields(parent):
                if value is node:
                    setattr(parent, field, replacement)
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        if item is node:
                            value[i] = replacement
    elif how[0] == "constant":
        if isinstance(node.value, bool):
            node.value = not node.value
        else:
            node.value = node.value + 1
    return ast.unparse(tree)


def all_mutants(base):
    for path, names, tests in TARGETS:
        source = (base / path).read_text()
        tree = ast.parse(source)
        for index, how, description in sites(tree, names):
            yield path, tree, index, how, description, tests


def copy_tree(tree_dir):
    """A copy of the working tree to mutate (the virtualenv and Node modules stay here)."""
    subprocess.run(["rm", "-rf", str(tree_dir)], check=True)
    excluded = ["--exclude=.venv", "--exclude=node_modules", "--exclude=.git"]
    subprocess.run(["rsync", "-a", *excluded, f"{ROOT}/", str(tree_dir)], check=True)


def run_mutant(tree_dir, path, tree, index, how, tests):
    """Whether the tests kill the mutant: "killed" or "survived"."""
    original = (tree_dir / path).read_text()
    (tree_dir / path).write_text(mutant(tree, index, how))
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly"]
    command += ["-p", "no:cacheprovider", *tests]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    try:
        run = subprocess.run(command, cwd=tree_dir, env=env, capture_output=True, timeout=600)
        return "survived" if run.returncode == 0 else "killed"
    except subprocess.TimeoutExpired:
        return "killed (timeout)"
    finally:
        (tree_dir / path).write_text(original)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--only", default="", help="mutant numbers, comma-separated")
    parser.add_argument("--log", default="mutants.log")
    parser.add_argument("--tree", default="/tmp/mutation-tree")
    parser.add_argument("--reuse-tree", action="store_true", help="keep an existing copy")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    tree_dir = pathlib.Path(args.tree)
    if not (args.reuse_tree and tree_dir.exists()):
        copy_tree(tree_dir)
    mutants = list(all_mutants(tree_dir))
    if args.list:
        for number, (path, _, _, _, description, _) in enumerate(mutants):
            print(number, path, description)
        print(len(mutants), "mutants")
        return
    only = {int(n) for n in args.only.split(",") if n} or set(range(len(mutants)))
    if args.jobs > 1:
        # One worker a core, each with its own copy of the tree, on every jobs-th mutant.
        numbers = sorted(only)
        for job in range(args.jobs):
            pathlib.Path(f"{args.log}.{job}").unlink(missing_ok=True)  # no earlier run's lines
        workers = []
        for job in range(args.jobs):
            share = ",".join(map(str, numbers[job :: args.jobs]))
            if share:
                command = [sys.executable, __file__, "--jobs", "1", "--only", share]
                command += ["--log", f"{args.log}.{job}", "--tree", f"{tree_dir}-{job}"]
                workers.append(subprocess.Popen(command))
        for worker in workers:
            worker.wait()
        lines = []
        for job in range(len(workers)):
            lines += pathlib.Path(f"{args.log}.{job}").read_text().splitlines()
        lines.sort(key=lambda line: int(line.split()[0]))
        pathlib.Path(args.log).write_text("\n".join(lines) + "\n")
        survived = [line for line in lines if " survived " in line]
        print(f"{len(survived)} of {len(lines)} mutants survived", file=sys.stderr)
        return
    with open(args.log, "a") as log:
        for number, (path, tree, index, how, description, tests) in enumerate(mutants):
            if number not in only:
                continue
            started = time.monotonic()
            outcome = run_mutant(tree_dir, path, tree, index, how, tests)
            line = f"{number} {path} {description} {outcome} {time.monotonic() - started:.0f}s"
            print(line, flush=True)
            log.write(line + "\n")
            log.flush()


if __name__ == "__main__":
    main()


def show(number, base=pathlib.Path("/tmp/mutation-tree")):
    """The lines mutant `number` changes, as a diff of the module as it is run."""
    import difflib

    path, tree, index, how, _description, _tests = list(all_mutants(base))[number]
    before = ast.unparse(tree).splitlines()
    after = mutant(tree, index, how).splitlines()
    return "\n".join(
        line
        for line in difflib.unified_diff(before, after, path, path, n=1, lineterm="")
        if not line.startswith(("---", "+++"))
    )


def changed_lines(number, base):
    """The (removed, added) lines of mutant `number` in the tree `base`."""
    diff = show(number, base).splitlines()
    removed = tuple(line[1:].strip() for line in diff if line.startswith("-"))
    added = tuple(line[1:].strip() for line in diff if line.startswith("+"))
    return removed, added


def same_mutants(numbers, before, after):
    """For each mutant of the tree `before`, the mutant of the tree `after` that makes the
    same change to the same line (the code may have moved), or None where that line is gone."""
    wanted = {number: changed_lines(number, before) for number in numbers}
    found = {}
    count = len(list(all_mutants(after)))
    index = {}
    for number in range(count):
        index.setdefault(changed_lines(number, after), number)
    for number, change in wanted.items():
        found[number] = index.get(change)
    return found
