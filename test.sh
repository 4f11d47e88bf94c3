#!/usr/bin/env bash
# Install everything into .venv (CPU torch first) and run the whole test suite: ruff, import contracts, mypy, pytest.
set -euo pipefail
cd "$(dirname "$0")"
exec make --no-print-directory test
