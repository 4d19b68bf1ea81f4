#!/usr/bin/env bash
# Sets up the project and runs the whole test suite, on every core (pytest-xdist; the tests
# that must run alone wait for the others: tests/parallel.py). Arguments go to pytest, so
# `bash scripts/test.sh -n 0` runs in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -n auto --dist worksteal "$@"
