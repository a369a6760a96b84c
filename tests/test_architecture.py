"""The layers and apps of docs/architecture.md, checked on the code: the rules and the domain
never import a page module, the rules import no model, each app imports only the apps below
it, and no module of ours imports itself again through others (no import circle)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Which apps each app may import: an app builds on the ones below it, never on one above
# (docs/architecture.md). `reports` reads both domains; `tracker` (settings, URLs) joins all.
APPS = {
    "kpis": set(),
    "tasks": {"kpis"},
    "identity": {"kpis"},
    "reports": {"kpis", "tasks"},
    "api": {"kpis", "tasks", "tracker"},
    "catalog": {"kpis", "tasks", "plans"},
    # Five-year plans build on kpis; their review is written by the bulletin's renderers.
    "plans": {"kpis", "reports"},
    "accounts": {"kpis", "identity", "tracker"},
    "tracker": {"kpis", "tasks", "identity", "reports", "api", "catalog", "plans", "accounts"},
}

RULES = [
    "kpis/progress.py",
    "kpis/periods.py",
    "kpis/plausibility.py",
    "kpis/charts.py",
    "kpis/extraction.py",
    "kpis/vocabulary.py",
    "kpis/scales.py",
    "tasks/rules.py",
    "plans/rules.py",
    "plans/charts.py",
    "plans/extraction.py",
]
DOMAIN = [
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "kpis" / "models").glob("*.py")),
    "kpis/readings.py",
    "kpis/bilingual.py",
    "kpis/roles.py",
    "kpis/triggers.py",
    "kpis/units.py",
    "identity/models.py",
    "tasks/models.py",
    "plans/models.py",
    "accounts/models.py",
    "accounts/roles.py",
]
PAGES = {
    "views",
    "forms",
    "filters",
    "tables",
    "exports",
    "resources",
    "bulletins",
    "webhooks",
    "caching",
    "admin",
    "extraction_admin",
    "snapshots",
    "templatetags",
    "errors",
}


def imported_modules(path):
    """Every module `path` imports, at its top or inside a function."""
    tree = ast.parse((ROOT / path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            # `from kpis import exports` imports a module by its name.
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def our_page_modules(modules):
    return sorted(
        name for name in modules if name.split(".")[0] in APPS and PAGES & set(name.split("."))
    )


@pytest.mark.parametrize("path", RULES + DOMAIN)
def test_rules_and_models_import_no_page_module(path):
    assert our_page_modules(imported_modules(path)) == []


@pytest.mark.parametrize("path", RULES)
def test_the_rules_import_no_model_and_no_database(path):
    modules = set(imported_modules(path))
    assert not {name for name in modules if name.endswith(".models") or name == "django.db"}


def test_the_checker_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    sample = tmp_path / "sample.py"
    sample.write_text("def take():\n    from kpis import exports\n")
    monkeypatch.setattr("tests.test_architecture.ROOT", tmp_path)
    assert our_page_modules(imported_modules("sample.py")) == ["kpis.exports"]


def our_modules():
    """Every module of the project's apps, by dotted name ("kpis.models"), with its path."""
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
            found[name] = relative
    return found


def our_imports(path, modules):
    """The modules of ours (of `modules`) that `path` imports, at its top or inside a
    function: `from kpis import exports` imports kpis.exports, `from kpis.models import
    Actual` imports kpis.models."""
    tree = ast.parse((ROOT / path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in modules
                else node.module
                for alias in node.names
            ]
        else:
            continue
        yield from (name for name in names if name in modules)


def import_graph():
    """Each module of ours -> the modules of ours it imports."""
    modules = our_modules()
    return {name: set(our_imports(path, modules)) - {name} for name, path in modules.items()}


def upward_imports(graph):
    """(module, imported module) pairs where an app imports one it may not."""
    return sorted(
        (module, imported)
        for module, imports in graph.items()
        for imported in imports
        if (app := module.split(".")[0]) != (other := imported.split(".")[0])
        and other not in APPS[app]
    )


def import_circle(graph):
    """One import circle as [a, b, ..., a], or None: a depth-first search that meets a
    module still on its path."""
    on_path, done = [], set()

    def visit(module):
        if module in on_path:
            return on_path[on_path.index(module) :] + [module]
        if module in done:
            return None
        on_path.append(module)
        for imported in sorted(graph.get(module, ())):
            circle = visit(imported)
            if circle:
                return circle
        on_path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        circle = visit(module)
        if circle:
            return circle
    return None


def test_each_app_imports_only_the_apps_below_it():
    assert upward_imports(import_graph()) == []


def test_no_module_of_ours_is_in_an_import_circle():
    assert import_circle(import_graph()) is None


def test_kpis_imports_nothing_of_tasks_identity_or_reports():
    kpis = {name: imports for name, imports in import_graph().items() if name.startswith("kpis")}
    assert {imported.split(".")[0] for imports in kpis.values() for imported in imports} <= {"kpis"}


def test_the_checker_finds_an_upward_import_inside_a_function(tmp_path, monkeypatch):
    for app in APPS:
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "tasks" / "models.py").write_text("")
    (tmp_path / "kpis" / "views.py").write_text("def page():\n    from tasks import models\n")
    monkeypatch.setattr("tests.test_architecture.ROOT", tmp_path)
    assert upward_imports(import_graph()) == [("kpis.views", "tasks.models")]


def test_the_checker_finds_an_import_circle_through_three_modules(tmp_path, monkeypatch):
    (tmp_path / "kpis").mkdir()
    (tmp_path / "kpis" / "admin.py").write_text("from kpis import forms\n")
    (tmp_path / "kpis" / "forms.py").write_text("from kpis.views import page\n")
    (tmp_path / "kpis" / "views.py").write_text("def page():\n    from kpis import admin\n")
    monkeypatch.setattr("tests.test_architecture.ROOT", tmp_path)
    monkeypatch.setattr("tests.test_architecture.APPS", {"kpis": set()})
    assert import_circle(import_graph()) == ["kpis.admin", "kpis.forms", "kpis.views", "kpis.admin"]


def test_each_module_of_the_kpis_models_package_stays_under_1200_lines():
    """The models grew into a package by concern (sources, records, indicators, figures,
    departments, judgements, documents); none of its modules may grow back past 1,200 lines."""
    sizes = {
        path.name: len(path.read_text().splitlines())
        for path in (ROOT / "kpis" / "models").glob("*.py")
    }
    assert len(sizes) > 5
    assert {name: size for name, size in sizes.items() if size >= 1200} == {}
