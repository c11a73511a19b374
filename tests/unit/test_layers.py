"""The house's layers import one way (STYLE.md): nothing below components/ imports components/, callbacks/ or
pages/; routes.py does not import callbacks/; text/ imports no other layer; analytics/ is free of Dash, Flask
and SQL. Read from the source with ast (imports inside functions count too), nothing is imported."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI = {"components", "callbacks", "pages"}
RULES = [
    ("analytics", UI),
    ("data_access", UI),
    ("services", UI),
    ("text", UI | {"analytics", "data_access", "services", "security"}),
    ("analytics", {"dash", "flask", "sqlalchemy"}),
    ("routes.py", {"callbacks"}),
]


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import statement in the file, relative ones resolved."""
    package = path.relative_to(root).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found += [(node.lineno, module)] if node.module else [(node.lineno, f"{module}.{a.name}")
                                                                   for a in node.names]
    return sorted(found)


def violations(target: str, forbidden: set[str], root: Path = ROOT) -> list[str]:
    path = root / target
    files = [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    return [f"{f.relative_to(root)}:{line} imports {module}"
            for f in files for line, module in imported_modules(f, root)
            if module.split(".")[0] in forbidden]


@pytest.mark.parametrize(("target", "forbidden"), RULES, ids=[f"{t}-{'-'.join(sorted(f))}" for t, f in RULES])
def test_layer_imports_only_downwards(target, forbidden):
    assert (ROOT / target).exists()
    assert violations(target, forbidden) == []


def test_the_walk_sees_imports_inside_functions_and_relative_ones(tmp_path):
    (tmp_path / "text" / "sub").mkdir(parents=True)
    (tmp_path / "text" / "sub" / "probe.py").write_text(
        "import math\ndef f():\n    from components import ids\n    import dash.html\n"
        "from .. import format\nfrom ...callbacks import ssr\n")
    assert violations("text", {"components", "dash", "callbacks"}, tmp_path) == [
        "text/sub/probe.py:3 imports components", "text/sub/probe.py:4 imports dash.html",
        "text/sub/probe.py:6 imports callbacks"]
    assert (5, "text.format") in imported_modules(tmp_path / "text" / "sub" / "probe.py", tmp_path)
