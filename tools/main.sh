#!/usr/bin/env bash
# The main job, from a fresh machine: set up, then load and validate all of 2DMD and print its summary.
# The data are found by the documented rule: $DEFECT2D_DATA, else the copy installed in the cache.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
defect2d data check
defect2d data info
