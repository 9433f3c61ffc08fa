"""The layout holds: every package sits in the import contract, and no project import
hides inside a function (the way to dodge a circle the contract would see)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"][
    "importlinter"
]
PACKAGES = set(CONFIG["root_packages"])


def _layered() -> set[str]:
    (layers,) = [c for c in CONFIG["contracts"] if c["type"] == "layers"]
    return {name.strip() for layer in layers["layers"] for name in layer.split("|")}


def test_every_python_package_of_the_repository_is_in_the_contract() -> None:
    found = {
        p.parent.name
        for p in ROOT.glob("*/__init__.py")
        if p.parent.name not in {"tests", "benchmarks", "scripts"}
    }
    assert found == PACKAGES
    assert _layered() == PACKAGES


def test_the_import_contract_is_kept() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


def _function_imports(path: Path, base: Path = ROOT) -> list[str]:
    """Imports of project modules inside a function, except ``AppConfig.ready``
    (where Django wants an app's start-up wiring)."""
    tree = ast.parse(path.read_text("utf-8"))
    out = []
    for fn in ast.walk(tree):
        if (
            not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
            or fn.name == "ready"
        ):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if not node.level else ["." * node.level]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name.startswith(".") or name.split(".")[0] in PACKAGES:
                    out.append(f"{path.relative_to(base)}:{node.lineno} {name}")
    return out


def test_no_project_import_inside_a_function() -> None:
    found = [
        hit
        for pkg in sorted(PACKAGES)
        for path in sorted((ROOT / pkg).rglob("*.py"))
        if "migrations" not in path.parts
        for hit in _function_imports(path)
    ]
    assert found == []


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "class C:\n    def ready(self):\n        from . import checks\n\n"
        "def f():\n    from layers import models\n    import numpy\n    return models\n"
    )
    assert _function_imports(probe, tmp_path) == ["probe.py:6 layers"]
