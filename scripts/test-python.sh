#!/usr/bin/env bash
# Runs clients/python's pytest suite (npm test runs it after vitest; it needs dist/, which
# npm test builds first). The interpreter must have torch and pytest: $AIWATCH_PYTHON, else
# Debian's /usr/bin/python3, where python3-torch and python3-pytest install (a pyenv or
# venv python3 earlier on PATH does not see them). Where they are missing the tests are
# skipped with a notice; under CI=true that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${AIWATCH_PYTHON:-/usr/bin/python3}"
if ! "$python" -c "import torch, pytest" >/dev/null 2>&1; then
  message="$python cannot import torch and pytest: run scripts/install-deps.sh (Debian packages python3-torch, python3-pytest)"
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true and $message" >&2
    exit 1
  fi
  echo "SKIPPED clients/python tests: $message" >&2
  exit 0
fi
export PYTHONPATH="clients/python/src${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec "$python" -m pytest -q -p no:cacheprovider clients/python/tests "$@"
