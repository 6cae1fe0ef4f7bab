"""The apps read each other one way (STYLE.md, issue 18): targets imports none of the apps built on it,
and projects none of those built on projects. Migrations aside: they name what they depend on."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_IMPORTED = {
    "targets": {"projects", "ledger", "supervision", "reader", "drafting"},
    "projects": {"ledger", "supervision", "reader", "drafting"},
}


def imported_apps(path: Path) -> set[tuple[int, str]]:
    """(line, top-level package) of every import in `path`, relative imports left out."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {(node.lineno, alias.name.partition(".")[0]) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.lineno, node.module.partition(".")[0]))
    return found


def forbidden_imports(app: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.relative_to(ROOT / app).parts
        for line, package in sorted(imported_apps(path))
        if package in NOT_IMPORTED[app]
    ]


@pytest.mark.parametrize("app", sorted(NOT_IMPORTED))
def test_an_app_imports_none_of_the_apps_built_on_it(app):
    assert forbidden_imports(app) == []


def test_the_check_finds_an_import_of_an_app_built_on_targets(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "import ledger.api\nfrom supervision.models import ExtensionRequest\nfrom . import services\n"
        "def f():\n    from projects import loading\n",
        encoding="utf-8",
    )
    assert imported_apps(module) == {(1, "ledger"), (2, "supervision"), (5, "projects")}
