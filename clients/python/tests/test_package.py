"""The package as users get it: installable with pip, no import-time side effects."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from aiwatch import __version__
from support import REPO, run_python


def test_importing_everything_starts_nothing_and_imports_no_framework() -> None:
    result = run_python(
        "import sys, threading, atexit\n"
        "import logging, http.client, ssl, json, email.utils  # stdlib modules that register their own\n"
        "before = atexit._ncallbacks()\n"
        "import aiwatch, aiwatch.huggingface, aiwatch.lightning, aiwatch.keras, aiwatch.pytorch\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "heavy = [m for m in ('torch', 'transformers', 'lightning', 'pytorch_lightning', 'keras', 'tensorflow') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert atexit._ncallbacks() == before, atexit._ncallbacks()\n"
        "print('clean')\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"


def test_pip_installs_it_from_a_clone(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(REPO / "clients" / "python", source, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    target = tmp_path / "site"
    # No build isolation: the test machine has no package index; setuptools is Debian's.
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps",
         "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr
    check = subprocess.run(
        [sys.executable, "-c", "import aiwatch, sys; print(aiwatch.__version__, aiwatch.__file__)"],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60,
    )
    version, location = check.stdout.split()
    assert version == __version__
    assert location.startswith(str(target))
    assert (target / "aiwatch" / "py.typed").exists()
