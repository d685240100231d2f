"""House rules that code review alone would let slip."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assessment"
PURE_MODULES = ["scoring.py", "charts.py", "excel.py", "text.py", "frameworks/__init__.py",
                "votes.py", "aggregates.py", "org_charts.py", "org_excel.py", "org_csv.py"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_domain_modules_import_neither_flask_nor_the_database(module):
    forbidden = {
        name for name in _imports(PACKAGE / module)
        if name.split(".")[0] in {"flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug"}
        or name.lstrip(".") in {"models", "extensions", "services"}
    }
    assert not forbidden, f"{module} imports {forbidden}"


def test_no_application_code_imports_pyplot():
    offenders = [
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if any(name.startswith(("matplotlib.pyplot", "pylab")) for name in _imports(path))
    ]
    assert offenders == []


def test_templates_never_mark_user_text_safe():
    templates = Path(__file__).resolve().parent.parent / "templates"
    offenders = [str(p) for p in templates.rglob("*.html") if "| safe" in p.read_text()
                 or "|safe" in p.read_text()]
    assert offenders == []
