"""Training speed of the paper preset on this machine: seconds per epoch and peak memory, defect2d against the
reference implementation megnetsparse 0.0.10 side by side on the same graphs and hyperparameters, and a check
that both networks compute the same function (the reference's initial weights loaded into defect2d's MEGNet).

Usage:
    python benchmarks/train_epoch.py --reference-python $(bash benchmarks/setup_reference.sh) [--epochs 2] [--threads 2] [--compile] [--device cuda]

Needs 2DMD (the data setting). Writes benchmarks/results/train_epoch.json (train_epoch_compiled.json with --compile,
which times defect2d's network both eager and through torch.compile, as `defect2d train --compile` trains it,
their epochs alternating; the reference runs as published) and prints a Markdown table. Compiling happens in
the first epoch: use --epochs 3 or more so that the median is of compiled epochs.
"""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from defect2d.data import DefectCollection
from defect2d.experiments import ExperimentData, preset_config
from defect2d.models.megnet import MEGNet
from defect2d.train import Trainer, git_revision

CHECK_SIZE = 64  # graphs in the batch on which both networks must agree


def reference_to_ours(state: dict) -> dict:
    "Map megnetsparse's parameter names onto defect2d's MEGNet (same layers, other names)."
    names = {"phi_e": "edge_update", "phi_v": "node_update", "phi_u": "state_update", "preprocess_e": "preprocess_edge",
             "preprocess_v": "preprocess_node", "preprocess_u": "preprocess_state"}
    out = {}
    for key, value in state.items():
        parts = key.split(".")
        if parts[-1] == "shift": continue   # its ln 2 constant is a parameter; ours is a buffer
        if parts[0] == "m1": parts = ["blocks", "0"] + parts[1:]
        elif parts[0] == "blocks": parts = ["blocks", str(int(parts[1]) + 1)] + parts[2:]
        elif parts[0] in ("se", "sv"): parts = ["edge_readout" if parts[0] == "se" else "node_readout"] + parts[1:]
        elif parts[0] == "hiddens": parts = ["head"] + parts[1:]
        if len(parts) > 2 and parts[0] == "blocks": parts[2] = names.get(parts[2], parts[2])
        out[".".join(parts)] = value
    return out


def ours(data, config, epochs: int, compile_modes: tuple[bool, ...] = (False,), device: str = "cpu") -> dict[bool, dict]:
    "defect2d's epochs, per compile mode; with two modes their epochs alternate, so that a slower spell of the host hits both."
    train_loaders = {mode: data.loaders(config, seed=0)[0] for mode in compile_modes}
    trainers = {mode: Trainer(config.build_model(0), train_loaders[mode], scaler=data.scaler(config.target),
                              settings=config.train_settings(0), directory=tempfile.mkdtemp(), target=config.target,
                              progress=False, compile=mode, device=device) for mode in compile_modes}
    sync = torch.cuda.synchronize if str(device).startswith("cuda") else (lambda: None)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds, maes = {mode: [] for mode in compile_modes}, {mode: [] for mode in compile_modes}
    for _ in range(epochs):
        for mode, trainer in trainers.items():
            sync(); start = time.perf_counter()
            row = trainer.train_epoch(); trainer.epoch += 1
            sync(); seconds[mode].append(time.perf_counter() - start); maes[mode].append(row["train_mae"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # of the process: with two modes, of both trainers
    return {mode: {"epoch_seconds": seconds[mode], "median_epoch_s": statistics.median(seconds[mode]), "train_mae": maes[mode],
                   "peak_rss_mib": peak, "rss_before_training_mib": rss_before, "samples_per_epoch": train_loaders[mode].num_samples,
                   "steps_per_epoch": len(train_loaders[mode]), "compiled": mode, "device": str(device),
                   "peak_gpu_mib": torch.cuda.max_memory_allocated() / 2**20 if str(device).startswith("cuda") else None}
            for mode in compile_modes}


def export(data, config, samples_per_epoch: int, path: Path) -> None:
    "The training graphs, targets and weights as plain tensors for the reference script."
    pack, train = data.pack.to("cpu"), data.train   # on the CPU, where the reference's own loader keeps its graphs
    column = pack.targets.index(config.target)
    graphs = []
    for k in train:
        a, b, c, d = (int(pack.node_ptr[k]), int(pack.node_ptr[k + 1]), int(pack.edge_ptr[k]), int(pack.edge_ptr[k + 1]))
        graphs.append({"x": pack.x[a:b].clone(), "edge_index": pack.edge_index[:, c:d].clone(), "edge_attr": pack.edge_attr[c:d].clone(),
                       "state": pack.state[k:k + 1].clone()})
    torch.save({"graphs": graphs, "y": pack.y[train, column].tolist(), "weights": data.weights[train].tolist(),
                "samples_per_epoch": samples_per_epoch, "target": config.target, "check_size": CHECK_SIZE,
                "hparams": {"cutoff": config.cutoff, "embedding_size": config.embedding_size, "n_blocks": config.n_blocks,
                            "vertex_aggregation": config.vertex_aggregation, "global_aggregation": config.global_aggregation,
                            "batch_size": config.batch_size, "factor": config.factor, "patience": config.patience,
                            "threshold": config.threshold}}, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-python", help="python of the reference environment (benchmarks/setup_reference.sh)")
    parser.add_argument("--target", default="formation_energy_per_site")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compile", action="store_true", help="train defect2d's network through torch.compile")
    parser.add_argument("--device", default="cpu", help="cpu or cuda, for both implementations")
    parser.add_argument("--out", help="result file (default: benchmarks/results/train_epoch[_compiled].json)")
    args = parser.parse_args()
    suffix = ("_compiled" if args.compile else "") + ("" if args.device == "cpu" else f"_{args.device.split(':')[0]}")
    args.out = args.out or str(Path(__file__).parent / "results" / f"train_epoch{suffix}.json")
    torch.set_num_threads(args.threads)
    config = preset_config("paper", args.target)
    data = ExperimentData(DefectCollection(), config.converter(), config.experiment, device=args.device)   # as training places it
    result = {"machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "threads": args.threads,
                          "torch": torch.__version__, "defect2d_revision": git_revision(),
                          "device": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"}, "preset": config.to_dict()}
    measured = ours(data, config, args.epochs, (False, True) if args.compile else (False,), args.device)
    result["defect2d"] = measured[args.compile]
    if args.compile:   # the eager network timed alongside, epoch for epoch
        result["defect2d_eager"] = measured[False]
        result["compile_gain"] = measured[False]["median_epoch_s"] / measured[True]["median_epoch_s"]
    if args.reference_python:
        with tempfile.TemporaryDirectory() as tmp:
            export(data, config, result["defect2d"]["samples_per_epoch"], Path(tmp) / "graphs.pt")
            done = subprocess.run([args.reference_python, str(Path(__file__).parent / "reference_train_epoch.py"), str(Path(tmp) / "graphs.pt"),
                                   str(Path(tmp) / "state.pt"), "--epochs", str(args.epochs), "--threads", str(args.threads),
                                   "--device", args.device],
                                  capture_output=True, text=True)
            if done.returncode: sys.exit(f"reference run failed:\n{done.stderr[-3000:]}")
            reference = json.loads(done.stdout.strip().splitlines()[-1])
            # same function: the reference's initial weights in our network, the same first graphs
            model = MEGNet(2, data.converter.edge_dim, embedding_size=config.embedding_size, n_blocks=config.n_blocks,
                           vertex_aggregation=config.vertex_aggregation, global_aggregation=config.global_aggregation)
            model.load_state_dict(reference_to_ours(torch.load(Path(tmp) / "state.pt", weights_only=True)))
            with torch.no_grad():
                check = model.eval()(data.pack.batch(torch.as_tensor(data.train[:CHECK_SIZE], device=data.pack.device)).to("cpu"))
            reference["max_output_difference"] = float(np.abs(check.numpy() - np.array(reference.pop("check_output"))).max())
        result["megnetsparse"] = reference
        result["speedup"] = reference["median_epoch_s"] / result["defect2d"]["median_epoch_s"]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    d, r = result["defect2d"], result.get("megnetsparse")
    print(f"| implementation | s/epoch (median of {args.epochs}) | peak RSS, MiB |\n|---|---|---|")
    if args.compile: print(f"| defect2d | {result['defect2d_eager']['median_epoch_s']:.1f} | |")
    print(f"| defect2d{' (compiled)' if args.compile else ''} | {d['median_epoch_s']:.1f} | {d['peak_rss_mib']:.0f} |")
    if r:
        print(f"| megnetsparse 0.0.10 | {r['median_epoch_s']:.1f} | {r['peak_rss_mib']:.0f} |")
        print(f"speed-up {result['speedup']:.2f}x; same function: max output difference {r['max_output_difference']:.2e}")


if __name__ == "__main__":
    main()
