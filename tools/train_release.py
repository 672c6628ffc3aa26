"""Train the paper-preset release on a CPU-only machine in the stretches that working sessions allow, then package it.

The release is six runs on all of 2DMD (`combined_mixed_all_train`): both targets, seeds 1-3, each one 400 epochs
of the paper's trial. On 2 cores each takes hours, longer than a session, so:

    python tools/train_release.py train 150     # restore parked runs, train for 150 minutes, park them again
    git add parked && git commit                # a fresh checkout of the next session resumes from there
    python tools/train_release.py package       # once all six are finished: sparse-megnet-2dmd in the package

Before that, `package --seeds 1-2` packages the seeds finished so far as an interim release (version 0.9.N, N the
seeds' count), so that the package ships paper-preset models while the last seeds train.

Two single-thread runs at a time: on 2 cores they train more epochs per hour together than one run on both cores,
and a third process only slows the others. When one run finishes, its core takes the next unfinished run, so the
cores stay busy to the end. The glibc settings keep freed memory for reuse (nbs/05_train, Performance).
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
from park_runs import park, restore  # noqa: E402

from defect2d.cli import parse_seeds  # noqa: E402
from defect2d.data import TARGETS  # noqa: E402
from defect2d.experiments import preset_config, run_directory, run_finished  # noqa: E402

EXPERIMENT, SEEDS = "combined_mixed_all_train", (1, 2, 3)
RELEASE = dict(name="sparse-megnet-2dmd", version="1.0.0")
MALLOC = dict(MALLOC_MMAP_THRESHOLD_="33554432", MALLOC_TRIM_THRESHOLD_="1073741824", MALLOC_TOP_PAD_="268435456")
TIME_LIMIT_EXIT = 3   # `defect2d train`'s exit code when the time limit stopped a run: it resumes next time


def release_runs(runs_root: Path) -> list[tuple[str, int, Path]]:
    "The release's runs in training order (seed by seed, so that a partial ensemble covers both targets)."
    return [(target, seed, run_directory(runs_root, preset_config("paper", target, experiment=EXPERIMENT), seed))
            for seed in SEEDS for target in TARGETS]


def train(minutes: float, runs_root: Path, workers: int = 2):
    deadline = time.monotonic() + 60 * minutes
    print("\n".join(restore(runs_root)) or "nothing parked")
    defect2d = str(Path(sys.executable).parent / "defect2d")
    # on a fresh machine, parse 2DMD into the cache once, on both cores, instead of in each run at the same time
    subprocess.run([defect2d, "data", "check"], check=True, stdout=subprocess.DEVNULL)
    env = os.environ | MALLOC
    running: dict[tuple[str, int], subprocess.Popen] = {}
    failed: dict[tuple[str, int], int] = {}
    while True:
        for key, process in list(running.items()):
            code = process.poll()
            if code is None: continue
            del running[key]
            if code not in (0, TIME_LIMIT_EXIT): failed[key] = code
        left = (deadline - time.monotonic()) / 60
        waiting = [(t, s) for t, s, d in release_runs(runs_root)
                   if (t, s) not in running and (t, s) not in failed and not run_finished(d)]
        # a run started with less than a few minutes left would spend them on its data and compilation
        while waiting and len(running) < workers and left > 5:
            target, seed = waiting.pop(0)
            log = open(runs_root / f"release_{target}_{seed}.log", "a")
            running[target, seed] = subprocess.Popen(
                [defect2d, "train", target, "--preset", "paper", "--seeds", str(seed),
                 "--experiment", EXPERIMENT, "--out", str(runs_root), "--threads", "1", "--compile", "--quiet",
                 "--time-limit", f"{left:.1f}"], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
            print(f"started {target} seed {seed} for {left:.0f} minutes", flush=True)
        if not running: break
        time.sleep(10)
    print("\n".join(park(runs_root / EXPERIMENT, runs_root)))
    for target, seed, directory in release_runs(runs_root):
        print(f"{target} seed {seed}: {'finished' if run_finished(directory) else 'unfinished'}")
    if failed: sys.exit("failed (see runs/release_*.log): " + ", ".join(f"{t} seed {s} exit code {c}" for (t, s), c in failed.items()))


def package(runs_root: Path, seeds: tuple[int, ...] = SEEDS):
    restore(runs_root)
    runs = [(t, s, d) for t, s, d in release_runs(runs_root) if s in seeds]
    unfinished = [f"{t} seed {s}" for t, s, d in runs if not run_finished(d)]
    if unfinished: sys.exit("not finished yet: " + ", ".join(unfinished))
    complete = tuple(seeds) == SEEDS
    # the release's name stays the same, so that load_model() prefers it at once; its version says what it holds
    version = RELEASE["version"] if complete else f"0.9.{len(seeds)}"
    members = f"{len(seeds)} seeds per target ({', '.join(map(str, seeds))})"
    description = ("Sparse MEGNet, the paper's trials d6b7ce45 (formation energy) and 831cc496 (gap), 400 epochs each, "
                   f"trained on all of 2DMD; {members}"
                   + ("" if complete else f"; interim release until seeds {', '.join(str(s) for s in SEEDS if s not in seeds)} finish"))
    subprocess.run([sys.executable, str(REPO / "tools" / "package_models.py"), "--preset", "paper",
                    "--seeds", ",".join(map(str, seeds)), "--runs", str(runs_root), "--name", RELEASE["name"],
                    "--version", version, "--description", description], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("train", help="train for a while, then park").add_argument("minutes", type=float)
    packaging = sub.add_parser("package", help="package the finished runs as the release")
    packaging.add_argument("--seeds", default=f"{SEEDS[0]}-{SEEDS[-1]}", help="an interim release of these seeds only")
    parser.add_argument("--runs", default=str(REPO / "runs"), help="root of the run directories")
    args = parser.parse_args()
    runs_root = Path(args.runs).resolve()
    runs_root.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DEFECT2D_DATA"): parser.error("set DEFECT2D_DATA to the 2DMD root")
    if args.action == "train": return train(args.minutes, runs_root)
    seeds = tuple(sorted(parse_seeds(args.seeds)))
    if not set(seeds) <= set(SEEDS): parser.error(f"the release's seeds are {SEEDS}")
    package(runs_root, seeds)


if __name__ == "__main__":
    main()
