"""Benchmark: loading all of 2DMD cold (empty parsed-structure cache) and warm (cached), and checking it.

Usage: python benchmarks/data_load.py [--root PATH] [--repeats N] [--out FILE.json]

Each measurement runs in a fresh Python process, so imports and nothing else are shared with the
caller; the cold run gets an empty cache folder of its own. Prints a Markdown table of wall times
(median over --repeats for the warm runs) and writes the raw numbers as JSON with --out.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

LOAD = "from defect2d.data import DefectCollection; c = DefectCollection({root!r}); print(len(c))"
CHECK = "from defect2d.data import DefectCollection, check_collection; print(check_collection(DefectCollection({root!r}))['ok'])"


def timed(code: str, cache: str) -> float:
    "Wall time of running `code` in a fresh interpreter with DEFECT2D_CACHE=cache."
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ | {"DEFECT2D_CACHE": cache},
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None, help="2DMD root (default: $DEFECT2D_DATA, else the cache)")
    parser.add_argument("--repeats", type=int, default=3, help="warm repetitions (median reported)")
    parser.add_argument("--out", default=None, help="write the raw numbers here as JSON")
    args = parser.parse_args()
    from defect2d.data import data_root
    root = str(data_root(args.root))
    imports = statistics.median(timed("import defect2d.data", tempfile.mkdtemp()) for _ in range(args.repeats))
    with tempfile.TemporaryDirectory() as cache:
        cold = timed(LOAD.format(root=root), cache)
        warm = [timed(LOAD.format(root=root), cache) for _ in range(args.repeats)]
        check = [timed(CHECK.format(root=root), cache) for _ in range(args.repeats)]
    result = {"root": root, "cpus": os.cpu_count(), "python": platform.python_version(), "import_s": imports,
              "cold_load_s": cold, "warm_load_s": statistics.median(warm), "warm_check_s": statistics.median(check),
              "warm_load_all_s": warm, "warm_check_all_s": check}
    print(f"| measurement ({os.cpu_count()} cores) | wall time (s) |\n|---|---|")
    print(f"| `import defect2d.data` | {imports:.1f} |")
    print(f"| load all of 2DMD, cold (parse every CIF) | {cold:.1f} |")
    print(f"| load all of 2DMD, warm (parsed-structure cache), median of {args.repeats} | {result['warm_load_s']:.1f} |")
    print(f"| load and check all of 2DMD, warm, median of {args.repeats} | {result['warm_check_s']:.1f} |")
    if args.out:
        with open(args.out, "w") as f: json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
