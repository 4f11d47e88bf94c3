#!/usr/bin/env bash
# Install everything into .venv (CPU torch first) and open bridge on its built-in demo knowledge base.
set -euo pipefail
cd "$(dirname "$0")"
exec make --no-print-directory run
