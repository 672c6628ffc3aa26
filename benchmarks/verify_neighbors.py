"""Verify the neighbour list against pymatgen's find_points_in_spheres on every structure of 2DMD.

Usage: python benchmarks/verify_neighbors.py [--root PATH] [--workers N] [--out FILE.json]

For each structure, representation (sparse clouds, full structures) and cutoff the models use, the multiset of
(centre, neighbour, image) must be identical (pymatgen's i == j pairs removed, as the paper does) and the
distances equal within 1e-9 Å. Prints the number of differing structures per (dataset, representation,
cutoff); exits 1 if any differ. The same comparison runs on a sample in nbs/02_graph.ipynb.
"""
import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from pymatgen.optimization.neighbors import find_points_in_spheres

CUTOFFS = {"sparse": (5.0, 8.0, 12.0, 13.0), "full": (5.0, 8.0, 10.0)}  # full: MEGNet/GemNet 5 Å, SchNet 8 and 10 Å


def canonical(i, j, images, d):
    "Edges as one sorted integer array [E, 5] and distances in the same order."
    keys = np.column_stack([i, j, images]).astype(np.int64)
    order = np.lexsort(keys.T[::-1])
    return keys[order], np.asarray(d)[order]


def same(cloud, cutoff) -> bool:
    from defect2d.graph import periodic_neighbors
    lattice = np.asarray(cloud.lattice, float)
    cart = np.ascontiguousarray(cloud.frac_coords @ lattice)
    i, j, images, d = find_points_in_spheres(cart, cart, r=cutoff, pbc=np.array([1, 1, 1], np.int64), lattice=lattice, tol=1e-8)
    keep = i != j
    theirs, their_d = canonical(i[keep], j[keep], np.rint(images[keep]), d[keep])
    ours, our_d = canonical(*periodic_neighbors(cloud.frac_coords, lattice, cutoff))
    return ours.shape == theirs.shape and bool((ours == theirs).all()) and bool(np.allclose(our_d, their_d, rtol=0, atol=1e-9))


def verify(args):
    root, name, cutoffs_by_representation = args
    from defect2d.data import DefectCollection
    from defect2d.sparse import dataset_clouds
    dataset = DefectCollection(root, datasets=[name])[name]
    out = {}
    for representation, cutoffs in cutoffs_by_representation.items():
        clouds = dataset_clouds(dataset, representation=representation)
        for cutoff in cutoffs:
            out[f"{representation} {cutoff:g} A"] = sum(not same(c, cutoff) for c in clouds)
    return name, len(dataset), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--out", default=None)
    parser.add_argument("--full-cutoffs", type=float, nargs="+", default=None,
                        help="cutoffs for full structures instead of the models' 5, 8, 10 Å (e.g. 12 13)")
    args = parser.parse_args()
    cutoffs = CUTOFFS | ({"full": tuple(args.full_cutoffs)} if args.full_cutoffs else {})
    from defect2d.data import data_root, find_datasets
    root = data_root(args.root)
    names = [p.relative_to(root).as_posix() for p in find_datasets(root)]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool: results = list(pool.map(verify, [(str(root), n, cutoffs) for n in names]))
    total = sum(n for _, n, _ in results)
    differing = sum(v for _, _, r in results for v in r.values())
    for name, n, r in results: print(f"{name} ({n} structures): " + ", ".join(f"{k}: {v} differ" for k, v in r.items()))
    print(f"{total} structures, {sum(len(c) for c in cutoffs.values())} settings each: {differing} differ "
          f"({time.perf_counter() - start:.0f} s)")
    if args.out:
        with open(args.out, "w") as f: json.dump({n: r for n, _, r in results}, f, indent=1)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
