"""The layers of docs/architecture.md, checked on the code: the rules and the domain never
import a page module, and the rules import no model."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

RULES = [
    "kpis/progress.py",
    "kpis/periods.py",
    "kpis/plausibility.py",
    "kpis/charts.py",
    "kpis/extraction.py",
    "tasks/rules.py",
    "plans/rules.py",
    "plans/charts.py",
    "plans/extraction.py",
]
DOMAIN = [
    "kpis/models.py",
    "kpis/readings.py",
    "kpis/bilingual.py",
    "kpis/roles.py",
    "kpis/triggers.py",
    "identity/models.py",
    "tasks/models.py",
    "plans/models.py",
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
    "review",
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


OUR_APPS = ("kpis", "tasks", "identity", "plans")
KPIS_MODULES = sorted(str(path.relative_to(ROOT)) for path in ROOT.glob("kpis/**/*.py"))


def our_page_modules(modules):
    return sorted(
        name for name in modules if name.split(".")[0] in OUR_APPS and PAGES & set(name.split("."))
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


@pytest.mark.parametrize("path", KPIS_MODULES)
def test_kpis_never_imports_the_plans_built_on_it(path):
    assert not [name for name in imported_modules(path) if name.split(".")[0] == "plans"]
