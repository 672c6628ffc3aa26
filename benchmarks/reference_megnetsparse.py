"""Run inside the reference environment (benchmarks/setup_reference.sh): time megnetsparse 0.0.10's own sparse
conversion and graph building on a folder of CIFs (plus unit_cell.cif), one process, and print JSON.

Usage: python reference_megnetsparse.py FOLDER [--cutoff 12] [--cell 8 8 1] [--eos-structures 5]
Only the reference package's public API is called; nothing of defect2d is imported here.
"""
import argparse
import json
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
from MEGNetSparse.dense2sparse import convert_to_sparse_representation
from MEGNetSparse.struct2graph import AtomFeaturesExtractor, FlattenGaussianDistanceConverter, SimpleCrystalConverter
from pymatgen.core import Structure

warnings.filterwarnings("ignore")


def rate(structures, unit_cell, cell, converter, skip_eos):
    start = time.perf_counter()
    for s in structures:
        sparse = convert_to_sparse_representation(s, unit_cell, cell, skip_eos=skip_eos)
        converter.convert(sparse)
    return len(structures) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--cutoff", type=float, default=12.0)
    parser.add_argument("--cell", type=int, nargs=3, default=[8, 8, 1])
    parser.add_argument("--eos-structures", type=int, default=5)
    args = parser.parse_args()
    folder = Path(args.folder)
    unit_cell = Structure.from_file(folder / "unit_cell.cif")
    structures = [Structure.from_file(p) for p in sorted(folder.glob("*.cif")) if p.name != "unit_cell.cif"]
    bonds = FlattenGaussianDistanceConverter(centers=np.linspace(0, args.cutoff, 10))
    plain = SimpleCrystalConverter(atom_converter=AtomFeaturesExtractor("werespecies"), bond_converter=bonds,
                                   cutoff=args.cutoff, add_z_bond_coord=True, add_eos_features=False)
    with_eos = SimpleCrystalConverter(atom_converter=AtomFeaturesExtractor("werespecies"), bond_converter=bonds,
                                      cutoff=args.cutoff, add_z_bond_coord=True, add_eos_features=True)
    runs = [rate(structures, unit_cell, args.cell, plain, skip_eos=True) for _ in range(5)]
    result = {"structures": len(structures), "no_eos_per_s": statistics.median(runs), "no_eos_runs": runs}
    try: result["eos_per_s"] = rate(structures[:args.eos_structures], unit_cell, args.cell, with_eos, skip_eos=False)
    except Exception as e:  # its EOS path depends on pymatgen's site-property internals of its era
        result["eos_per_s"], result["eos_error"] = None, f"{type(e).__name__}: {e}"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
