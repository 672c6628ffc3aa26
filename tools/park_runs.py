"""Park long training runs in the repository, so that a later working session on a fresh checkout resumes them.

On a CPU-only machine one paper-preset run on all of 2DMD takes longer than a working session, and a fresh checkout
keeps only what was committed (run folders are ignored). Parking copies what each run needs to go on under `parked/`:

- an unfinished run: its resumable state (`state.pt`: weights, optimizer, scheduler, random states), metrics and manifest;
- a finished one: the saved model, metrics and manifest, all that `tools/package_models.py` reads.

    python tools/park_runs.py park runs/combined_mixed_all_train      # then commit parked/
    python tools/park_runs.py restore                                 # on the fresh checkout, before `defect2d train`

`restore` never replaces a run that is further along than its parked copy. Once the release is packaged, delete
`parked/` in a commit of its own.
"""
import argparse
import shutil
from pathlib import Path

from defect2d.experiments import run_finished

REPO = Path(__file__).resolve().parent.parent
PARKED = REPO / "parked"
UNFINISHED_FILES = ("state.pt", "metrics.csv", "manifest.json")
FINISHED_FILES = ("model.pt", "metrics.csv", "manifest.json")


def epochs_done(run: Path) -> int:
    "Epochs a run folder has finished, read from its metrics (one row per epoch); 0 without any."
    metrics = run / "metrics.csv"
    if not metrics.is_file(): return 0
    return max(0, len(metrics.read_text().strip().splitlines()) - 1)


def run_folders(root: Path) -> list[Path]:
    "Every run folder below `root` (a folder holding a training state or a saved model)."
    return sorted({p.parent for name in ("state.pt", "model.pt") for p in root.rglob(name)})


def park(root: Path, runs_root: Path) -> list[str]:
    lines = []
    for run in run_folders(root):
        files = FINISHED_FILES if run_finished(run) else UNFINISHED_FILES
        target = PARKED / run.relative_to(runs_root)
        if target.exists(): shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in files:
            if (run / name).is_file(): shutil.copy2(run / name, target / name)
        lines.append(f"parked {run.relative_to(runs_root)}: {'finished' if run_finished(run) else 'epoch'} {epochs_done(run)}")
    return lines


def restore(runs_root: Path) -> list[str]:
    lines = []
    for copy in run_folders(PARKED):
        run = runs_root / copy.relative_to(PARKED)
        if run_finished(run) or epochs_done(run) >= epochs_done(copy):
            lines.append(f"kept {run.relative_to(runs_root)}: already at epoch {epochs_done(run)}")
            continue
        if run.exists(): shutil.rmtree(run)
        shutil.copytree(copy, run)
        lines.append(f"restored {run.relative_to(runs_root)}: epoch {epochs_done(run)}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["park", "restore"])
    parser.add_argument("folder", nargs="?", default=None, help="park: the runs below this folder (default: all of --runs)")
    parser.add_argument("--runs", default=str(REPO / "runs"), help="root of the run directories")
    args = parser.parse_args()
    runs_root = Path(args.runs).resolve()
    if args.action == "park":
        root = Path(args.folder).resolve() if args.folder else runs_root
        if not root.is_relative_to(runs_root): parser.error(f"{root} is not below the runs root {runs_root}")
        lines = park(root, runs_root)
    else:
        lines = restore(runs_root)
    print("\n".join(lines) or "nothing to do")


if __name__ == "__main__":
    main()
