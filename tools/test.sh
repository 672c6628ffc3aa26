#!/usr/bin/env bash
# The tests, from a fresh machine: set up, then
#  1. notebooks are clean and the library, README and module index are in sync with them;
#  2. the exported library passes the linter, and the notebooks have nothing the docs build trips over;
#  3. the `defect2d data check` command validates the real 2DMD (when found), filling the parsed-structure cache;
#  4. every notebook runs once, under nbdev_test's rules (cells flagged `data` too when 2DMD is found; `slow` and `gpu`
#     never), each in a fresh interpreter (tools/docs.py execute); the executed copies are kept for the docs build;
#  5. with 2DMD, papermill runs the paper notebooks (nbs/paper) in the quick preset; they assert their own bounds;
#  6. the docs site is built offline from those executed copies (tools/docs.py build --executed) and every page is opened
#     in headless Chromium (tools/docs.py check): missing pages, broken links, missing API sections fail it.
# Each step runs even when an earlier one failed; the last line counts them.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

passed=0; failed=0; failures=()
step() {  # step NAME COMMAND...
  local name="$1"; shift
  echo "=== $name"
  local start=$SECONDS
  if "$@"; then passed=$((passed + 1)); echo "--- $name: passed in $((SECONDS - start)) s"
  else failed=$((failed + 1)); failures+=("$name"); echo "--- $name: FAILED after $((SECONDS - start)) s"; fi
}

in_sync() {
  local before after
  before="$(git status --porcelain --untracked-files=all -- nbs defect2d README.md | sort)"
  nbdev_export && nbdev_clean && python tools/make_readme.py || return 1
  after="$(git status --porcelain --untracked-files=all -- nbs defect2d README.md | sort)"
  if [ "$before" != "$after" ]; then
    echo "nbdev_export, nbdev_clean or tools/make_readme.py changed files; run them and commit:"
    diff <(echo "$before") <(echo "$after") | grep '^>' | head -20
    git --no-pager diff --stat -- nbs defect2d README.md | tail -20
    return 1
  fi
}

flags=""
if python -c "from defect2d.data import data_root; data_root()" 2>/dev/null; then
  flags="data"
  echo "2DMD found at $(python -c 'from defect2d.data import data_root; print(data_root())'): running the data cells"
else
  echo "2DMD not found (set DEFECT2D_DATA or run 'defect2d data add'): skipping the cells flagged 'data'"
fi

step "notebooks and library in sync" in_sync
step "lint (ruff) of the library" ruff check --quiet defect2d tools benchmarks
# seconds here instead of a failed docs build at the end: cells the page build cannot execute, subtitles it cuts
step "notebooks fit for the docs build" python tools/docs.py lint
# the data check first: it parses 2DMD once into the cache, which the notebooks then share
if [ -n "$flags" ]; then step "defect2d data check on 2DMD" defect2d data check; fi
# one execution serves as the notebook tests and as the pages' outputs: running nbdev_test and then the docs build
# executed every notebook twice, the longest part of the tests
step "every notebook executes (nbdev_test's rules)" python tools/docs.py execute --flags "$flags"

paper_notebooks() {  # executed copies go to outputs/paper (ignored), never back into nbs/
  mkdir -p outputs/paper
  local nb
  for nb in nbs/paper/*.ipynb; do
    echo "papermill $nb"
    papermill "$nb" "outputs/paper/$(basename "$nb")" -p preset quick -p repeats 1 --cwd . --no-progress-bar || return 1
  done
}
if [ -n "$flags" ]; then step "paper notebooks (papermill, quick preset)" paper_notebooks; fi
step "docs site: offline build of the processed notebooks" python tools/docs.py build --executed --flags "$flags"
step "docs site: every page in headless Chromium" python tools/docs.py check

echo
if [ "$failed" -gt 0 ]; then echo "failed steps: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
