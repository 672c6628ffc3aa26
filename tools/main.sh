#!/usr/bin/env bash
# The main job, from a fresh machine: set up, load and validate all of 2DMD, print its summary, then reproduce
# the paper's Sparse (MEGNet) tables for both targets into outputs/reproduce (quick preset unless PRESET=paper),
# and generate MoS2 candidates and predict them with the shipped models (outputs/main).
# The data are found by the documented rule: $DEFECT2D_DATA, else the copy installed in the cache.
# Training runs resume from their checkpoints under runs/ when the command is repeated.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
defect2d data check
defect2d data info
for target in formation_energy_per_site homo_lumo_gap_min; do
  defect2d reproduce --target "$target" --preset "${PRESET:-quick}" --repeats "${REPEATS:-1}" --out outputs/reproduce --runs runs
done
# the product path: candidate structures by the 2DMD protocol, predicted by the shipped ensemble
defect2d generate MoS2 --n 200 --n-defects 6 --max-per-type 4 --seed 0 --out outputs/main/candidates
defect2d predict outputs/main/candidates --quiet -o outputs/main/predictions.csv
