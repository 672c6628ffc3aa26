"""A compiled training step on the CPU with and without torch's deterministic algorithms: time per step and repeatability.

Compiled on several CPU threads, inductor writes the scatter sums of the network (and the gradients of its gathers) as
loops of atomic adds, which add in whatever order the threads reach them; torch's deterministic mode makes inductor
call aten's kernels instead. This script measures both effects on the paper's formation-energy preset (d6b7ce45):
- time per step: the two modes alternate step by step on the same batches in one process (one compiled graph for
  each mode), so a slower spell of the host hits both; the median over the steps is reported;
- repeatability: the largest difference between the parameter gradients of repeated forward and backward passes on
  the same batch (4 batches, `--repeats` passes each).

Usage:
    python benchmarks/deterministic_compile.py [--threads 2] [--steps 60] [--out FILE]

Needs 2DMD (the data setting). Writes benchmarks/results/deterministic_compile[_threadsN].json and prints a table.
"""
import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch

from defect2d.data import DefectCollection
from defect2d.experiments import ExperimentData, preset_config


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=60, help="timed steps per mode")
    parser.add_argument("--repeats", type=int, default=8, help="backward passes per batch compared for repeatability")
    parser.add_argument("--out", help="result file (default: benchmarks/results/deterministic_compile_threadsN.json)")
    args = parser.parse_args()
    args.out = args.out or str(Path(__file__).parent / "results" / f"deterministic_compile_threads{args.threads}.json")
    torch.set_num_threads(args.threads)
    config = preset_config("paper", "formation_energy_per_site")
    data = ExperimentData(DefectCollection(), config.converter(), config.experiment)
    loader = data.loaders(config, seed=0)[0]
    loader.set_epoch(0)
    batches = []
    for batch in loader:
        batches.append(batch)
        if len(batches) == args.steps + 3: break
    model = config.build_model(0)
    compiled = torch.compile(model, dynamic=True)   # as `Trainer(compile=True)` compiles it
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    scaler = data.scaler(config.target)

    def step(batch):
        optimizer.zero_grad(set_to_none=True)
        loss = ((compiled(batch) - scaler.transform(batch.y)) ** 2).mean()
        loss.backward()
        optimizer.step()

    def gradients(batch):
        model.zero_grad(set_to_none=True)
        compiled(batch).sum().backward()
        return torch.cat([p.grad.flatten() for p in model.parameters()])

    modes = (False, True)
    for deterministic in modes:   # compile each mode's graph before timing
        torch.use_deterministic_algorithms(deterministic)
        for batch in batches[:3]: step(batch)
    seconds = {mode: [] for mode in modes}
    for batch in batches[3:]:
        for deterministic in modes:
            torch.use_deterministic_algorithms(deterministic)
            start = time.perf_counter(); step(batch); seconds[deterministic].append(time.perf_counter() - start)
    spread = {}
    for deterministic in modes:
        torch.use_deterministic_algorithms(deterministic)
        spread[deterministic] = 0.0
        for batch in batches[:4]:
            runs = [gradients(batch) for _ in range(args.repeats)]
            spread[deterministic] = max([spread[deterministic]] + [float((g - runs[0]).abs().max()) for g in runs])
    torch.use_deterministic_algorithms(False)
    rows = {("deterministic" if mode else "default"): {"median_step_ms": 1000 * statistics.median(seconds[mode]),
                                                      "step_ms": [1000 * s for s in seconds[mode]],
                                                      "max_gradient_difference_between_repeats": spread[mode]} for mode in modes}
    result = {"machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "threads": args.threads,
                          "torch": torch.__version__}, "preset": config.to_dict(), "steps": args.steps, "repeats": args.repeats,
              "modes": rows, "gain": rows["default"]["median_step_ms"] / rows["deterministic"]["median_step_ms"]}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(f"| compiled, {args.threads} threads | ms per step (median of {args.steps}) | largest gradient difference between repeats |")
    print("|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['median_step_ms']:.1f} | {row['max_gradient_difference_between_repeats']:.2g} |")
    print(f"deterministic mode: {result['gain']:.2f}x the default's speed")


if __name__ == "__main__":
    main()
