"""Structures per second for generate → sparse → predict, defect2d against the reference implementation
megnetsparse 0.0.10 side by side on the same structures and the paper's architectures (one network per target,
d6b7ce45 and 831cc496, untrained: speed does not depend on the weights).

defect2d is timed on three paths: from pymatgen structures (`Predictor.predict`, as for uploads), from the
generator's site arrays without building structures (`generate_structures(as_numbers=True)` → `defect_cloud` →
`Predictor.predict_clouds`), and the shipped ensemble on the structures. The reference converts each structure with
`convert_to_sparse_representation` and predicts with `MEGNetTrainer.predict_structures` (benchmarks/reference_predict.py).

Usage:
    python benchmarks/predict_throughput.py --reference-python $(bash benchmarks/setup_reference.sh) [--n 10000] [--threads 2]

Writes benchmarks/results/predict_throughput.json and prints a Markdown table.
"""
import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from defect2d.data import TARGETS
from defect2d.experiments import preset_config
from defect2d.generate import HIGH_DENSITY_TYPE_CAP, defective_structure, generate_structures, material
from defect2d.inference import load_model, untrained_predictor
from defect2d.sparse import defect_cloud
from defect2d.train import git_revision

COUNTS = (4, 9, 14, 19, 24)  # MoS2's high-density defect counts (2.5 % … 12.5 % of 192 sites)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference-python", help="python of the megnetsparse environment (benchmarks/setup_reference.sh)")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default="benchmarks/results/predict_throughput.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    host = material("MoS2")
    reference = host.reference()
    shipped = load_model()
    ours = untrained_predictor(shipped.scopes, members=1, preset="paper", changes={})   # the paper trials' networks
    per_count = args.n // len(COUNTS)
    timings = {}

    start = time.perf_counter()
    numbers = np.concatenate([generate_structures(host, per_count, n_defects=k, max_concentration_per_type=HIGH_DENSITY_TYPE_CAP["MoS2"],
                                                  seed=k, as_numbers=True) for k in COUNTS])
    timings["generate (site arrays, deduplicated)"] = time.perf_counter() - start
    start = time.perf_counter()
    structures = [defective_structure(reference, row) for row in numbers]
    timings["build pymatgen structures"] = time.perf_counter() - start
    n = len(structures)

    # warm-up, untimed: EOS shells of the references and torch's first calls are paid once per process
    ours.predict(structures[:20], progress=False); shipped.predict(structures[:20], progress=False)
    start = time.perf_counter()
    keep = numbers != 0
    clouds = [defect_cloud((reference.lattice, row[k], reference.frac_coords[k]), reference) for row, k in zip(numbers, keep, strict=True)]
    timings["sparse from site arrays"] = time.perf_counter() - start
    start = time.perf_counter()
    ours.predict_clouds(clouds)
    timings["graphs + predict, both targets (from clouds)"] = time.perf_counter() - start
    start = time.perf_counter()
    frame = ours.predict(structures, progress=False)
    timings["predict from structures (place + graphs + predict), both targets"] = time.perf_counter() - start
    assert frame["status"].eq("ok").all()
    start = time.perf_counter()
    shipped.predict(structures, progress=False)
    timings[f"shipped ensemble {shipped.name} ({sum(len(m) for m in shipped.members.values())} networks), from structures"] = time.perf_counter() - start
    ours_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    result = {"structures": n, "threads": args.threads, "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
              "python": sys.version.split()[0], "torch": torch.__version__, "defect2d_revision": git_revision()}, "defect2d_seconds": timings, "defect2d_peak_rss_mib": ours_peak}
    ours_structure_path = timings["predict from structures (place + graphs + predict), both targets"]
    ours_array_path = timings["generate (site arrays, deduplicated)"] + timings["sparse from site arrays"] + timings["graphs + predict, both targets (from clouds)"]
    rows = [("defect2d: structures → sparse → predict (2 targets)", ours_structure_path),
            ("defect2d: generate → sparse → predict (2 targets, no pymatgen)", ours_array_path)]
    if args.reference_python:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "structures.json"
            models = {t: {k: getattr(preset_config("paper", t), k) for k in ("cutoff", "embedding_size", "n_blocks", "vertex_aggregation", "global_aggregation")}
                      for t in TARGETS}
            path.write_text(json.dumps({"structures": [s.as_dict() for s in structures], "unit_cell": host.reference().unit_cell.as_dict(),
                                        "supercell": list(host.cell), "models": models}))
            script = Path(__file__).with_name("reference_predict.py")
            done = subprocess.run([args.reference_python, str(script), str(path), "--threads", str(args.threads)],
                                  capture_output=True, text=True, check=True)
        reference_result = json.loads(done.stdout.strip().splitlines()[-1])
        result["reference"] = reference_result
        reference_total = reference_result["sparse_seconds"] + sum(reference_result["predict_seconds"].values())
        rows.append(("megnetsparse 0.0.10: structures → sparse → predict (2 targets)", reference_total))
        result["speedup_structures_path"] = reference_total / ours_structure_path
        result["speedup_generate_path"] = reference_total / ours_array_path
    result["rows"] = [{"path": p, "seconds": s, "structures_per_second": n / s} for p, s in rows]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(f"| path ({n} MoS2 8x8 structures, {args.threads} threads) | seconds | structures/s |\n|---|---|---|")
    for p, s in rows: print(f"| {p} | {s:.1f} | {n / s:.0f} |")
    for k, v in timings.items(): print(f"  {k}: {v:.2f} s")


if __name__ == "__main__":
    main()
