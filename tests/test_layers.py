"""The dependency rule: views → export → services → models, never upward; Qt only in views."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "desktop"
LAYERS = ["models", "services", "export", "views"]  # each may import only those before it
QT_ALLOWED = {"views", "app.py"}


def imports(path: Path, source: str | None = None) -> set[str]:
    """Absolute module names imported by a file (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.name


@pytest.mark.parametrize("path", files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layer_rule(path: Path) -> None:
    layer = layer_of(path)
    found = imports(path)
    if layer not in QT_ALLOWED:
        qt = sorted(n for n in found if n.startswith("PySide6"))
        assert not qt, f"{path.name} is below views but imports {qt}"
    if layer in LAYERS:
        forbidden = LAYERS[LAYERS.index(layer) + 1:] + ["app", "cli"]
        bad = sorted(n for n in found for f in forbidden
                     if n == f"desktop.{f}" or n.startswith(f"desktop.{f}."))
        assert not bad, f"{path.name} ({layer}) imports a higher layer: {bad}"


def test_scanner_resolves_relative_imports() -> None:
    """The scanner sees through relative imports, so the rule above can fail."""
    fake = PACKAGE / "services" / "probe.py"
    found = imports(fake, "from ..views.main_window import MainWindow\n"
                          "from . import records\nfrom PySide6 import QtWidgets\n")
    assert "desktop.views.main_window" in found
    assert "desktop.services.records" in found
    assert "PySide6" in found


def test_headless_modules_do_not_load_qt() -> None:
    """Importing the CLI, services and export must not pull in Qt (checked in a clean process)."""
    import subprocess
    import sys

    code = ("import sys, desktop.cli, desktop.services.demo, desktop.services.workspace, "
            "desktop.export; print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent)
    assert out.stdout.strip() == "False"
