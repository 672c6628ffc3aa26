#!/usr/bin/env bash
# Set up everything defect2d needs, idempotently: a virtual environment in .venv, torch 2.13.0 installed
# first and pinned (any other torch requirement would pull gigabytes of CUDA packages), then defect2d
# itself, editable, with its dev extras. Re-runs are instant until setup.py, settings.ini or this file change.
# Sourced by tools/main.sh and tools/test.sh; run it directly to set up only.
set -euo pipefail
# a relative data path is the caller's: made absolute before anything changes directory (the notebook tests run each
# notebook from nbs/, where the README's ../shared/2dmd would point elsewhere)
if [ -n "${DEFECT2D_DATA:-}" ]; then export DEFECT2D_DATA="$(realpath -m -- "$DEFECT2D_DATA")"; fi
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

apt_install() {  # apt_install WHAT-FOR PACKAGE...: only as root on a Debian machine (CI's); elsewhere install them yourself
  local purpose=$1; shift
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing $* (apt-get) for $purpose"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } >/dev/null \
      || echo "warning: could not install $*; $purpose will fail" >&2
  fi
}

# The docs check opens the site in a real browser: Debian's Chromium and its WebDriver (or use Chrome).
if ! command -v chromedriver >/dev/null || ! { command -v chromium >/dev/null || command -v google-chrome >/dev/null; }; then
  apt_install "the docs check" chromium chromium-driver
fi
# torch.compile on a CPU (the trainer's --compile, tested in nbs/05_train) builds its kernels with a C++ compiler.
if ! command -v g++ >/dev/null; then apt_install "torch.compile on CPU" g++; fi
