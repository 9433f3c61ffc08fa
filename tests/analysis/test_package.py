"""The analysis package is pure: importing every module of it loads no Django."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_no_module_of_the_package_imports_django() -> None:
    code = (
        "import importlib, pkgutil, sys, analysis\n"
        "names = [m.name for m in pkgutil.iter_modules(analysis.__path__, 'analysis.')]\n"
        "assert len(names) > 10, names\n"
        "for n in names: importlib.import_module(n)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'rest_framework', 'geoapp', 'layers', 'accounts'})\n"
        "sys.exit(', '.join(bad) or None)\n"
    )
    env = {"PATH": "", "PYTHONPATH": str(ROOT)}  # no DJANGO_SETTINGS_MODULE
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
