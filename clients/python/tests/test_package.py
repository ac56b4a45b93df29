"""The package as users get it: installable with pip, no import-time side effects."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from aiwatch import __version__
from support import REPO, TOKEN, Exporter, run_python


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
        "assert sys.excepthook is sys.__excepthook__\n"
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


def install_commands() -> str:
    """The docs' install block (docs/python.md, "Install"), exactly as printed."""
    text = (REPO / "docs" / "python.md").read_text()
    section = text[text.index("## Install"):text.index("## A training run")]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "docs/python.md: expected one sh block under Install"
    return blocks[0]


def test_the_documented_venv_install_works_offline(tmp_path: Path, exporter: Exporter) -> None:
    commands = install_commands()
    assert "python3 -m venv" in commands and "pip install" in commands
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "clients" / "python", clone / "clients" / "python",
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "build", "*.egg-info"))
    shutil.copy(REPO / "docs" / "python.md", tmp_path / "python.md")
    # Offline: no index, and none of this machine's pip configuration (a local mirror or
    # wheel folder) may help. Debian's python3 first on PATH, as on a user's machine.
    environment = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    install = subprocess.run(["bash", "-euo", "pipefail", "-c", commands], cwd=clone, env=environment,
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    assert install.stdout.strip().splitlines()[-1] == __version__
    venv_python = clone / ".venv" / "bin" / "python"
    # The installed copy, not the clone's source, sends a run to a real exporter.
    check = subprocess.run(
        [str(venv_python), "-c",
         "import aiwatch, sys\n"
         "assert aiwatch.__file__.startswith(sys.prefix), aiwatch.__file__\n"
         f"run = aiwatch.Run('venv-install', 'docs', url={exporter.url!r}, token={TOKEN!r})\n"
         "run.log(1, loss=0.5)\n"
         "assert run.finish(timeout=10)\n"],
        cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60,
    )
    assert check.returncode == 0, check.stderr
    assert 'run_id="venv-install"' in exporter.metrics()
