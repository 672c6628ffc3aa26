#!/usr/bin/env bash
# Set up everything defect2d needs, idempotently: a virtual environment in .venv, torch 2.13.0 installed
# first and pinned (any other torch requirement would pull gigabytes of CUDA packages), then defect2d
# itself, editable, with its dev extras. Re-runs are instant until setup.py, settings.ini or this file change.
# Sourced by tools/main.sh and tools/test.sh; run it directly to set up only.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

quiet_pip() {  # pip, minus the machine-level notices about absent local indexes
  "$repo/.venv/bin/python" -m pip "$@" 2> >(grep -v "WARNING: Location 'file:" >&2)
}

if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
stamp=.venv/.defect2d-setup
wanted="$(cat setup.py settings.ini tools/setup.sh | sha256sum | cut -c1-32)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  quiet_pip install --quiet --disable-pip-version-check torch==2.13.0
  quiet_pip install --quiet --disable-pip-version-check -e ".[dev]"
  echo "$wanted" > "$stamp"
fi
export PATH="$repo/.venv/bin:$PATH"
