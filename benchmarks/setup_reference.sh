#!/usr/bin/env bash
# A separate virtual environment with the reference implementation, megnetsparse 0.0.10 from PyPI, for the
# side-by-side benchmarks. It lives in .bench/ (ignored) and never touches the project's own environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .bench/megnetsparse/bin/python ]; then
  python3 -m venv .bench/megnetsparse
  .bench/megnetsparse/bin/pip install --quiet torch==2.13.0 2> >(grep -v "WARNING: Location 'file:" >&2)
  # the pymatgen and numpy of the reference's era (2023)
  .bench/megnetsparse/bin/pip install --quiet megnetsparse==0.0.10 torch-geometric "pymatgen==2023.5.31" "numpy<2" joblib tqdm 2> >(grep -v "WARNING: Location 'file:" >&2)
fi
echo "$(pwd)/.bench/megnetsparse/bin/python"
