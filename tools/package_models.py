"""Package finished `combined_mixed_all_train` runs as a pre-trained release shipped inside the package.

    python tools/package_models.py --preset quick --seeds 1-3 --name sparse-megnet-2dmd-quick --version 0.1.0

Each run directory must be finished (`defect2d train TARGET --preset P --seeds S --experiment combined_mixed_all_train`).
The hosts and defect types the release knows are read from the training data (DEFECT2D_DATA or --root).
"""
import argparse

from defect2d.cli import parse_seeds
from defect2d.data import TARGETS, DefectCollection
from defect2d.experiments import preset_config, run_directory
from defect2d.inference import PRETRAINED_DIR, package_model, training_scopes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="paper")
    parser.add_argument("--seeds", default="1-3")
    parser.add_argument("--runs", default="runs", help="root of the run directories")
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--root", default=None, help="2DMD root (default: $DEFECT2D_DATA, else the cache)")
    parser.add_argument("--out", default=str(PRETRAINED_DIR))
    parser.add_argument("--description", default="")
    args = parser.parse_args()
    experiment = "combined_mixed_all_train"
    runs = [run_directory(args.runs, preset_config(args.preset, t, experiment=experiment), seed)
            for t in TARGETS for seed in parse_seeds(args.seeds)]
    scopes = training_scopes(DefectCollection(args.root), experiment)
    folder = package_model(runs, args.name, scopes, version=args.version, out=args.out, description=args.description)
    print(f"wrote {folder}")


if __name__ == "__main__":
    main()
