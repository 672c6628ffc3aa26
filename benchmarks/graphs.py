"""Benchmark: sparse conversion (with EOS features) and graph building, structures per second over all of 2DMD.

Usage: python benchmarks/graphs.py [--root PATH] [--out FILE.json] [--reference-python PATH] [--reference-eos N]

Measured, each on the structures already parsed (the parsed-structure cache is warmed first):
- single process: defect cloud + graph arrays, sparse paper converter (cutoff 12 Å, werespecies, |dz|, EOS),
  over all 14,866 structures; and the full-structure converter (cutoff 5 Å) likewise;
- GraphDataset on all cores, cold (empty graph cache, conversion included) and warm (read from the cache);
- side by side with the reference implementation (megnetsparse 0.0.10, set up in its own virtual environment
  by benchmarks/setup_reference.sh) on the same 100 high-density MoS2 structures, when --reference-python is
  given: without EOS features on all 100, with EOS features on the first --reference-eos of them (it
  recomputes the shells for every structure, so it is slow).
Prints a Markdown table; --out writes the raw numbers as JSON.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pymatgen.io.cif import CifWriter

from defect2d.data import DefectCollection
from defect2d.fixtures import scoped_env
from defect2d.graph import GraphDataset, converter_for
from defect2d.sparse import PristineReference

here = Path(__file__).resolve().parent


def rate_single_process(datasets, converter, limit=None):
    "Structures per second converting structure arrays -> defect cloud -> graph arrays in this process."
    items = []
    for d in datasets:
        a, t = d.structures, d.table
        for k, (sid, base, cell) in enumerate(zip(t.index, t["base"], t["cell"], strict=True)):
            items.append((sid, PristineReference.build(d.unit_cells[base], cell), a.lattices[k],
                          a.numbers[a.offsets[k]:a.offsets[k + 1]], a.frac_coords[a.offsets[k]:a.offsets[k + 1]]))
    items = items[:limit] if limit else items
    for reference in {id(item[1]): item[1] for item in items}.values():
        _ = reference.shells  # EOS shells are computed once per material; keep that out of the timing
    start = time.perf_counter()
    for sid, reference, lattice, numbers, frac in items:
        converter.arrays(converter.cloud((lattice, numbers, frac), reference, id=sid))
    return len(items) / (time.perf_counter() - start), len(items)


def timed_dataset(datasets, converter):
    start = time.perf_counter()
    graphs = GraphDataset(datasets, converter)
    return time.perf_counter() - start, len(graphs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--reference-python", default=None, help="python of the megnetsparse virtual environment")
    parser.add_argument("--reference-eos", type=int, default=5, help="structures for the reference's EOS timing")
    args = parser.parse_args()
    twodmd = DefectCollection(args.root)
    datasets = list(twodmd)
    sparse, full = converter_for("sparse-z-were-eos", cutoff=12.0), converter_for("full", cutoff=5.0)
    result = {"cpus": os.cpu_count(), "structures": len(twodmd)}
    print("timing single-process conversion ...", file=sys.stderr)
    result["sparse_single_per_s"], _ = rate_single_process(datasets, sparse)
    result["full_single_per_s"], result["full_single_n"] = rate_single_process(datasets, full)
    with tempfile.TemporaryDirectory() as tmp, scoped_env(DEFECT2D_CACHE=tmp):
        for name, conv in (("sparse", sparse), ("full", full)):
            # an empty graph cache; the structures are already loaded in `datasets`
            print(f"timing GraphDataset ({name}) cold and warm ...", file=sys.stderr)
            cold, n = timed_dataset(datasets, conv)
            warm, _ = timed_dataset(datasets, conv)
            result[f"{name}_cold_all_cores_per_s"], result[f"{name}_warm_per_s"] = n / cold, n / warm
            result[f"{name}_cold_s"], result[f"{name}_warm_s"] = cold, warm
    mos2 = twodmd["high_density_defects/MoS2_500"]
    # 100 structures take tens of milliseconds: report the median of 5 runs, as the reference script does
    median_rate = lambda conv: statistics.median(rate_single_process([mos2], conv, limit=100)[0] for _ in range(5))
    result["mos2_100_sparse_single_per_s"] = median_rate(sparse)
    result["mos2_100_sparse_no_eos_single_per_s"] = median_rate(converter_for("sparse-z-were", cutoff=12.0))
    if args.out:  # our numbers are kept even if the reference run below fails
        with open(args.out, "w") as f: json.dump(result, f, indent=1)
    if args.reference_python:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for k in range(100): CifWriter(mos2.structure(k)).write_file(tmp / f"{mos2.ids[k]}.cif")
            CifWriter(mos2.unit_cell).write_file(tmp / "unit_cell.cif")
            done = subprocess.run([args.reference_python, str(here / "reference_megnetsparse.py"), str(tmp), "--cutoff", "12",
                                   "--eos-structures", str(args.reference_eos)], capture_output=True, text=True)
            if done.returncode == 0: result["reference"] = json.loads(done.stdout.strip().splitlines()[-1])
            else:
                result["reference_error"] = done.stderr[-2000:]
                print(f"the reference run failed:\n{result['reference_error']}", file=sys.stderr)
    rows = [("sparse, paper converter (EOS), 1 process, all 2DMD", result["sparse_single_per_s"]),
            ("sparse, GraphDataset cold, all cores (incl. process start)", result["sparse_cold_all_cores_per_s"]),
            ("sparse, GraphDataset warm (cache)", result["sparse_warm_per_s"]),
            ("full (5 Å), 1 process, all 2DMD", result["full_single_per_s"]),
            ("full (5 Å), GraphDataset cold, all cores", result["full_cold_all_cores_per_s"]),
            ("full (5 Å), GraphDataset warm (cache)", result["full_warm_per_s"]),
            ("100 MoS2 high density, sparse with EOS, 1 process, median of 5", result["mos2_100_sparse_single_per_s"]),
            ("100 MoS2 high density, sparse without EOS, 1 process, median of 5", result["mos2_100_sparse_no_eos_single_per_s"])]
    if "reference" in result:
        rows += [("reference megnetsparse 0.0.10, same 100, without EOS, 1 process, median of 5", result["reference"]["no_eos_per_s"])]
        if result["reference"].get("eos_per_s") is not None:
            rows += [(f"reference megnetsparse 0.0.10, first {args.reference_eos}, with EOS, 1 process", result["reference"]["eos_per_s"])]
    print(f"| measurement ({os.cpu_count()} cores) | structures/s |\n|---|---|")
    for label, value in rows: print(f"| {label} | {value:,.1f} |")
    if args.out:  # again, now with the reference's numbers (or its error)
        with open(args.out, "w") as f: json.dump(result, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
