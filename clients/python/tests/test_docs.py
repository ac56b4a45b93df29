"""Every Python block of the docs runs as printed: against the real exporter where it
needs no framework Debian lacks, else its aiwatch imports and constructor calls are run
with the framework's base class (real, or its stand-in: frameworks.py)."""

from __future__ import annotations

import ast
import importlib
import re
from typing import List, Tuple

import pytest

from frameworks import fresh_integration, install_keras, install_lightning, install_transformers
from support import REPO, TOKEN, Exporter, run_python

DOCS = [REPO / "docs" / "python.md", REPO / "docs" / "training.md", REPO / "clients" / "python" / "README.md"]
FRAMEWORKS = ("transformers", "lightning", "pytorch_lightning", "keras", "tensorflow")
INTEGRATIONS = ("aiwatch.huggingface", "aiwatch.lightning", "aiwatch.keras")


def python_blocks() -> List[Tuple[str, str]]:
    blocks = []
    for path in DOCS:
        text = path.read_text()
        for index, match in enumerate(re.finditer(r"```python\n(.*?)```", text, re.S)):
            blocks.append((f"{path.relative_to(REPO)}#{index + 1}", match.group(1)))
    return blocks


BLOCKS = python_blocks()


def test_the_docs_have_python_examples() -> None:
    assert len(BLOCKS) >= 10


def imported_modules(tree: ast.AST) -> List[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("where, code", BLOCKS, ids=[where for where, _ in BLOCKS])
def test_a_docs_block(where: str, code: str, exporter: Exporter, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = ast.parse(code, filename=where)
    needs = [m for m in imported_modules(tree) if m.split(".")[0] in FRAMEWORKS or m in INTEGRATIONS]
    if not needs:
        result = run_python(code, env={"AIWATCH_URL": exporter.url, "AIWATCH_INGEST_TOKEN": TOKEN})
        assert result.returncode == 0 and result.stderr == "", f"{where}: {result.stderr}"
        text = exporter.metrics()
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "aiwatch.Run":
                run_id = call.args[0].value  # type: ignore[attr-defined]
                assert f'run_id="{run_id}' in text, f"{where}: run {run_id} not on /metrics"
        return
    install_transformers(monkeypatch)
    install_lightning(monkeypatch)
    install_keras(monkeypatch)
    namespace = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("aiwatch"):
            module = fresh_integration(node.module) if node.module in INTEGRATIONS else importlib.import_module(node.module)
            for alias in node.names:
                namespace[alias.asname or alias.name] = getattr(module, alias.name)
    assert namespace, f"{where}: a framework example that imports nothing from aiwatch"
    constructed = 0
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in namespace:
            instance = eval(compile(ast.Expression(call), where, "eval"), dict(namespace))  # noqa: S307
            assert type(instance).__name__ == call.func.id
            constructed += 1
    assert constructed, f"{where}: no aiwatch class constructed"
