"""Where a paper-preset training step spends its time on the CPU, against the arithmetic no implementation can skip.

On the paper's formation-energy preset (d6b7ce45, `combined_mixed_weighted_test`, weighted resampling), over the
same training batches:
- the step's wall time, unprofiled (forward, backward, Adam; the batches are gathered beforehand);
- matrix products: their FLOPs, forward and backward (torch's `FlopCounterMode`), and the time torch's profiler
  records in them (`aten::mm`, `aten::addmm`), hence their rate; as a yardstick, the rate of one large square
  product on the same threads (the machine's practical peak for float32 products);
- the shifted softplus after every layer: elements through it, and the time in `aten::softplus` and
  `aten::softplus_backward`;
- Adam's step on the network's parameters, with the fused kernel (as `Trainer` runs it) and with torch's default
  loop over parameters.
The products and the softplus are the network's arithmetic, as defect2d arranges it: the edge update's node and
state terms once per node and per graph, the first block's edges once per class of equal inputs (`edge_classes`) and
its edge features once per distinct row, every other edge row once. Their time is the step's floor; step / floor
bounds what removing everything else could still gain. Going below it means computing less, not computing faster.
The step is timed on batches gathered beforehand, so it leaves out gathering them, finding their edge classes
included; that is timed on its own.
With --reference-python, megnetsparse 0.0.10 trains two epochs on the same graphs (the median is used) in the same
sitting, so its step time and the floor come from the same state of the host.

Usage:
    python benchmarks/compute_floor.py [--threads 2] [--steps 60] [--reference-python $(bash benchmarks/setup_reference.sh)]

Needs 2DMD (the data setting). Writes benchmarks/results/compute_floor_threadsN.json and prints a table.
"""
import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile
from torch.utils.flop_counter import FlopCounterMode

from defect2d.data import DefectCollection
from defect2d.experiments import ExperimentData, preset_config
from defect2d.graph import edge_classes
from defect2d.models.megnet import ShiftedSoftplus
from defect2d.train import Trainer, git_revision

PRODUCTS = ("aten::mm", "aten::addmm")
SOFTPLUS = ("aten::softplus", "aten::softplus_backward")
WARMUP = 5


def square_product_rate(size: int = 1024, repeats: int = 20) -> float:
    "GFLOP/s of one [size, size] @ [size, size] float32 product on the current threads."
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(3): a @ b
    start = time.perf_counter()
    for _ in range(repeats): a @ b
    return 2 * size ** 3 * repeats / (time.perf_counter() - start) / 1e9


def optimizer_step_ms(model: torch.nn.Module, fused: bool, repeats: int = 100) -> float:
    "Milliseconds per Adam step on a copy of the model's parameters, with the fused kernel or torch's default loop."
    params = [torch.nn.Parameter(p.detach().clone()) for p in model.parameters()]
    for p in params: p.grad = torch.randn_like(p)
    optimizer = torch.optim.Adam(params, lr=1e-3, fused=fused)
    for _ in range(5): optimizer.step()
    start = time.perf_counter()
    for _ in range(repeats): optimizer.step()
    return 1000 * (time.perf_counter() - start) / repeats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=60, help="training steps measured (after a few of warm-up)")
    parser.add_argument("--reference-python", help="python of the reference environment (benchmarks/setup_reference.sh)")
    parser.add_argument("--out", help="result file (default: benchmarks/results/compute_floor_threadsN.json)")
    args = parser.parse_args()
    args.out = args.out or str(Path(__file__).parent / "results" / f"compute_floor_threads{args.threads}.json")
    torch.set_num_threads(args.threads)
    config = preset_config("paper", "formation_energy_per_site")
    data = ExperimentData(DefectCollection(), config.converter(), config.experiment)
    loader = data.loaders(config, seed=0)[0]
    trainer = Trainer(config.build_model(0), loader, scaler=data.scaler(config.target), settings=config.train_settings(0),
                      directory=tempfile.mkdtemp(), target=config.target, progress=False)
    batches = []
    for batch in loader:   # the epoch's first batches, gathered once so that only the step is timed
        batches.append(batch)
        if len(batches) == WARMUP + args.steps: break
    warmup, batches = batches[:WARMUP], batches[WARMUP:]
    # finding the edge classes is part of gathering a batch, outside the timed step
    class_seconds = []
    for b in batches:
        start = time.perf_counter()
        edge_classes(b.x, b.edge_index, b.edge_attr, b.state, b.batch.index_select(0, b.edge_index[0]))
        class_seconds.append(time.perf_counter() - start)

    def step(batch):
        loss, _ = trainer._loss_and_errors(batch)
        trainer.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        trainer.optimizer.step()

    for batch in warmup: step(batch)
    # the same batches computed as before each grouping, in turn with them: the first block's edge features preprocessed
    # once per class instead of once per distinct row (the feature groups set to the classes), and every edge on its own
    per_class = [dataclasses.replace(b, edge_feature_class=b.edge_class, edge_feature_first=b.edge_class_first) for b in batches]
    edge_by_edge = [dataclasses.replace(b, edge_class=None, edge_class_first=None, edge_feature_class=None, edge_feature_first=None)
                    for b in batches]
    step_seconds, per_class_seconds, edge_by_edge_seconds = [], [], []
    variants = ((batches, step_seconds), (per_class, per_class_seconds), (edge_by_edge, edge_by_edge_seconds))
    for k in range(len(batches)):
        for group, times in variants[k % 3:] + variants[:k % 3]:   # each goes first every third batch
            start = time.perf_counter(); step(group[k]); times.append(time.perf_counter() - start)

    # the arithmetic of the same steps: product FLOPs and softplus elements (counted, not timed)
    softplus_elements = 0
    def count(module, inputs, output):
        nonlocal softplus_elements
        softplus_elements += output.numel()
    hooks = [m.register_forward_hook(count) for m in trainer.model.modules() if isinstance(m, ShiftedSoftplus)]
    with FlopCounterMode(display=False) as flops:
        for batch in batches: step(batch)
    for hook in hooks: hook.remove()
    product_flops = flops.get_total_flops()

    # their time, from the profiler (it adds its own overhead to the step, not to these kernels)
    with profile(activities=[ProfilerActivity.CPU]) as profiler:
        for batch in batches: step(batch)
    self_seconds = {e.key: e.self_cpu_time_total / 1e6 for e in profiler.key_averages()}
    product_s = sum(self_seconds.get(k, 0.0) for k in PRODUCTS) / len(batches)
    softplus_s = sum(self_seconds.get(k, 0.0) for k in SOFTPLUS) / len(batches)
    step_s = statistics.median(step_seconds)
    result = {
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "threads": args.threads, "torch": torch.__version__,
                    "defect2d_revision": git_revision()},
        "preset": config.to_dict(), "steps": len(batches), "steps_per_epoch": len(loader),
        "edges_per_step": sum(b.edge_attr.shape[0] for b in batches) / len(batches),
        "edge_classes_per_step": sum(len(b.edge_class_first) for b in batches if b.edge_class_first is not None) / len(batches),
        "edge_features_per_step": sum(len(b.edge_feature_first) for b in batches if b.edge_feature_first is not None) / len(batches),
        "nodes_per_step": sum(b.x.shape[0] for b in batches) / len(batches),
        "median_step_ms": 1000 * step_s,
        "median_step_ms_features_per_class": 1000 * statistics.median(per_class_seconds),
        "median_step_ms_edge_by_edge": 1000 * statistics.median(edge_by_edge_seconds),
        "median_edge_classes_ms": 1000 * statistics.median(class_seconds),
        "product_gflop_per_step": product_flops / len(batches) / 1e9,
        "product_ms_per_step": 1000 * product_s,
        "product_gflop_per_s": product_flops / len(batches) / product_s / 1e9,
        "square_product_gflop_per_s": square_product_rate(),
        "softplus_elements_per_step": softplus_elements / len(batches),
        "softplus_ms_per_step": 1000 * softplus_s,
        "softplus_ns_per_element": 1e9 * softplus_s / (softplus_elements / len(batches)),
        "floor_ms_per_step": 1000 * (product_s + softplus_s),
        # the largest parts of the rest, by the profiler's self time (its own overhead included)
        "rest_ms_per_step": dict([(name, 1000 * t / len(batches)) for name, t in sorted(self_seconds.items(), key=lambda kv: -kv[1])
                                  if name not in PRODUCTS + SOFTPLUS][:10]),
        "optimizer_fused": all(group["fused"] for group in trainer.optimizer.param_groups),
        "adam_step_ms": {"fused": optimizer_step_ms(trainer.model, True), "unfused": optimizer_step_ms(trainer.model, False)},
    }
    result["floor_share"] = result["floor_ms_per_step"] / result["median_step_ms"]
    if args.reference_python:
        sys.path.insert(0, str(Path(__file__).parent))
        from train_epoch import export   # the same graphs and hyperparameters as the training benchmark
        with tempfile.TemporaryDirectory() as tmp:
            export(data, config, loader.num_samples, Path(tmp) / "graphs.pt")
            done = subprocess.run([args.reference_python, str(Path(__file__).parent / "reference_train_epoch.py"),
                                   str(Path(tmp) / "graphs.pt"), str(Path(tmp) / "state.pt"), "--epochs", "2",
                                   "--threads", str(args.threads)], capture_output=True, text=True)
        if done.returncode: sys.exit(f"reference run failed:\n{done.stderr[-3000:]}")
        reference = json.loads(done.stdout.strip().splitlines()[-1])
        result["reference_ms_per_step"] = 1000 * reference["median_epoch_s"] / len(loader)
        # the speed-up over the reference if defect2d's step were its products and softplus alone
        result["reference_over_floor"] = result["reference_ms_per_step"] / result["floor_ms_per_step"]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    r = result
    print(f"| per step ({args.threads} threads, {r['edges_per_step']:.0f} edges, {r['edge_classes_per_step']:.0f} "
          f"classes and {r['edge_features_per_step']:.0f} distinct edge features in the first block) | ms |\n|---|---|")
    print(f"| whole step | {r['median_step_ms']:.1f} |")
    print(f"| whole step, first block's edge features once per class | {r['median_step_ms_features_per_class']:.1f} |")
    print(f"| whole step, first block edge by edge | {r['median_step_ms_edge_by_edge']:.1f} |")
    print(f"| finding a batch's edge classes (when it is gathered) | {r['median_edge_classes_ms']:.1f} |")
    print(f"| matrix products: {r['product_gflop_per_step']:.2f} GFLOP at {r['product_gflop_per_s']:.0f} GFLOP/s "
          f"(square product: {r['square_product_gflop_per_s']:.0f}) | {r['product_ms_per_step']:.1f} |")
    print(f"| shifted softplus: {r['softplus_elements_per_step'] / 1e6:.1f} M elements at {r['softplus_ns_per_element']:.2f} ns "
          f"| {r['softplus_ms_per_step']:.1f} |")
    print(f"| floor (products + softplus), {100 * r['floor_share']:.0f} % of the step | {r['floor_ms_per_step']:.1f} |")
    print(f"| Adam step, fused (unfused) | {r['adam_step_ms']['fused']:.1f} ({r['adam_step_ms']['unfused']:.1f}) |")
    if "reference_ms_per_step" in r:
        print(f"| megnetsparse whole step | {r['reference_ms_per_step']:.1f} |")
        print(f"at most {r['reference_over_floor']:.2f}x the reference's speed without cutting arithmetic")


if __name__ == "__main__":
    main()
