"""Training speed of the paper preset on this machine: seconds per epoch and peak memory, defect2d against the
reference implementation megnetsparse 0.0.10 side by side on the same graphs and hyperparameters, and a check
that both networks compute the same function (the reference's initial weights loaded into defect2d's MEGNet).

Usage:
    python benchmarks/train_epoch.py --reference-python $(bash benchmarks/setup_reference.sh) [--epochs 2] [--threads 2] [--compile] [--device cuda]
        [--target homo_lumo_gap_min] [--weights RUN/model.pt] [--compare-flush]

Needs 2DMD (the data setting). Writes benchmarks/results/train_epoch.json (train_epoch_compiled.json with --compile,
which times defect2d's network both eager and through torch.compile, as `defect2d train --compile` trains it,
their epochs alternating; the reference runs as published) and prints a Markdown table. Compiling happens in
the first epoch: use --epochs 3 or more so that the median is of compiled epochs.

--weights starts both networks from a trained defect2d model (a run's model.pt or state.pt) instead of a fresh
initialisation: late in training the gradients hold subnormal floats, which a fresh network has few of, and
which cost the CPU a slow path. --compare-flush times defect2d with and without its flushing of subnormals
(`Trainer(flush_denormal=...)`, epochs alternating), and the reference also with torch's flushing switched on
for its process (`--flush`; its code unchanged); the reference row of the table stays the published one.
With --weights or --target the result file's name says so.
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
from defect2d.models.checkpoint import TrainedModel
from defect2d.models.megnet import MEGNet
from defect2d.train import Trainer, git_revision

CHECK_SIZE = 64  # graphs in the batch on which both networks must agree


# megnetsparse's module names and defect2d's for the same layers
REFERENCE_PARTS = {"phi_e": "edge_update", "phi_v": "node_update", "phi_u": "state_update", "preprocess_e": "preprocess_edge",
                   "preprocess_v": "preprocess_node", "preprocess_u": "preprocess_state"}
REFERENCE_TOP = {"se": "edge_readout", "sv": "node_readout", "hiddens": "head"}
OUR_PARTS, OUR_TOP = ({ours: reference for reference, ours in names.items()} for names in (REFERENCE_PARTS, REFERENCE_TOP))


def reference_to_ours(state: dict) -> dict:
    "Map megnetsparse's parameter names onto defect2d's MEGNet (same layers, other names)."
    out = {}
    for key, value in state.items():
        parts = key.split(".")
        if parts[-1] == "shift": continue   # its ln 2 constant is a parameter; ours is a buffer
        if parts[0] == "m1": parts = ["blocks", "0"] + parts[1:]
        elif parts[0] == "blocks": parts = ["blocks", str(int(parts[1]) + 1)] + parts[2:]
        else: parts = [REFERENCE_TOP.get(parts[0], parts[0])] + parts[1:]
        if len(parts) > 2 and parts[0] == "blocks": parts[2] = REFERENCE_PARTS.get(parts[2], parts[2])
        out[".".join(parts)] = value
    return out


def ours_to_reference(state: dict) -> dict:
    "The inverse of `reference_to_ours` (without the reference's ln 2 shifts, which its own initialisation sets)."
    out = {}
    for key, value in state.items():
        parts = key.split(".")
        if parts[0] == "blocks":
            block = int(parts[1])
            parts = (["m1"] if block == 0 else ["blocks", str(block - 1)]) + [OUR_PARTS.get(parts[2], parts[2])] + parts[3:]
        else: parts = [OUR_TOP.get(parts[0], parts[0])] + parts[1:]
        out[".".join(parts)] = value
    return out


def trained_weights(path: str|Path) -> dict:
    "A network's weights from a defect2d model checkpoint (model.pt, checked by `TrainedModel.load`) or a run's state.pt."
    if Path(path).name == "state.pt": return torch.load(path, map_location="cpu", weights_only=True)["model"]
    return TrainedModel.load(path).model.state_dict()


def ours(data, config, epochs: int, modes: dict[str, dict], device: str = "cpu", weights: dict|None = None) -> dict[str, dict]:
    "defect2d's epochs per mode (`Trainer` options); with several modes their epochs alternate, so that a slower spell of the host hits all."
    def model():
        network = config.build_model(0)
        if weights is not None: network.load_state_dict(weights)
        return network
    train_loaders = {mode: data.loaders(config, seed=0)[0] for mode in modes}
    trainers = {mode: Trainer(model(), train_loaders[mode], scaler=data.scaler(config.target),
                              settings=config.train_settings(0), directory=tempfile.mkdtemp(), target=config.target,
                              progress=False, device=device, **options) for mode, options in modes.items()}
    sync = torch.cuda.synchronize if str(device).startswith("cuda") else (lambda: None)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds, maes = {mode: [] for mode in modes}, {mode: [] for mode in modes}
    for _ in range(epochs):
        for mode, trainer in trainers.items():
            sync(); start = time.perf_counter()
            row = trainer.train_epoch(); trainer.epoch += 1
            sync(); seconds[mode].append(time.perf_counter() - start); maes[mode].append(row["train_mae"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # of the process: with two modes, of both trainers
    return {mode: {"epoch_seconds": seconds[mode], "median_epoch_s": statistics.median(seconds[mode]), "train_mae": maes[mode],
                   "peak_rss_mib": peak, "rss_before_training_mib": rss_before, "samples_per_epoch": train_loaders[mode].num_samples,
                   "steps_per_epoch": len(train_loaders[mode]), "compiled": trainers[mode].environment["compiled"],
                   "flush_denormal": trainers[mode].flush_denormal, "device": str(device),
                   "peak_gpu_mib": torch.cuda.max_memory_allocated() / 2**20 if str(device).startswith("cuda") else None}
            for mode in modes}


def export(data, config, samples_per_epoch: int, path: Path, weights: dict|None = None) -> None:
    "The training graphs, targets and sample weights as plain tensors for the reference script, and the network's starting weights if given."
    pack, train = data.pack.to("cpu"), data.train   # on the CPU, where the reference's own loader keeps its graphs
    column = pack.targets.index(config.target)
    graphs = []
    for k in train:
        a, b, c, d = (int(pack.node_ptr[k]), int(pack.node_ptr[k + 1]), int(pack.edge_ptr[k]), int(pack.edge_ptr[k + 1]))
        graphs.append({"x": pack.x[a:b].clone(), "edge_index": pack.edge_index[:, c:d].clone(), "edge_attr": pack.edge_attr[c:d].clone(),
                       "state": pack.state[k:k + 1].clone()})
    torch.save({"graphs": graphs, "y": pack.y[train, column].tolist(), "weights": data.weights[train].tolist(),
                "samples_per_epoch": samples_per_epoch, "target": config.target, "check_size": CHECK_SIZE,
                "initial_weights": None if weights is None else ours_to_reference(weights),
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
    parser.add_argument("--weights", help="start both networks from this trained defect2d model.pt or state.pt")
    parser.add_argument("--compare-flush", action="store_true", help="also time both implementations without/with flushing subnormal floats")
    parser.add_argument("--out", help="result file (default: benchmarks/results/train_epoch[_TARGET][_trained][_compiled][_DEVICE].json)")
    args = parser.parse_args()
    suffix = ("" if args.target == "formation_energy_per_site" else f"_{args.target}") + ("_trained" if args.weights else "") + \
             ("_compiled" if args.compile else "") + ("" if args.device == "cpu" else f"_{args.device.split(':')[0]}")
    args.out = args.out or str(Path(__file__).parent / "results" / f"train_epoch{suffix}.json")
    torch.set_num_threads(args.threads)
    config = preset_config("paper", args.target)
    data = ExperimentData(DefectCollection(), config.converter(), config.experiment, device=args.device)   # as training places it
    result = {"machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "threads": args.threads,
                          "torch": torch.__version__, "defect2d_revision": git_revision(),
                          "device": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"}, "preset": config.to_dict()}
    weights = trained_weights(args.weights) if args.weights else None
    result["weights"] = args.weights or "fresh initialisation"
    modes = {"defect2d": {"compile": args.compile}}
    if args.compile: modes["defect2d_eager"] = {"compile": False}   # the eager network timed alongside, epoch for epoch
    if args.compare_flush: modes["defect2d_ieee"] = {"compile": args.compile, "flush_denormal": False}
    result |= ours(data, config, args.epochs, modes, args.device, weights)
    if args.compile: result["compile_gain"] = result["defect2d_eager"]["median_epoch_s"] / result["defect2d"]["median_epoch_s"]
    if args.compare_flush: result["flush_gain"] = result["defect2d_ieee"]["median_epoch_s"] / result["defect2d"]["median_epoch_s"]
    if args.reference_python:
        with tempfile.TemporaryDirectory() as tmp:
            export(data, config, result["defect2d"]["samples_per_epoch"], Path(tmp) / "graphs.pt", weights)
            def reference_run(*flags) -> dict:
                done = subprocess.run([args.reference_python, str(Path(__file__).parent / "reference_train_epoch.py"), str(Path(tmp) / "graphs.pt"),
                                       str(Path(tmp) / "state.pt"), "--epochs", str(args.epochs), "--threads", str(args.threads),
                                       "--device", args.device, *flags],
                                      capture_output=True, text=True)
                if done.returncode: sys.exit(f"reference run failed:\n{done.stderr[-3000:]}")
                return json.loads(done.stdout.strip().splitlines()[-1])
            if args.compare_flush:
                result["megnetsparse_flushed"] = reference_run("--flush")
                del result["megnetsparse_flushed"]["check_output"]   # the same network as the run checked below
            reference = reference_run()   # last: its state.pt is the one checked below
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
    if args.compare_flush: print(f"| defect2d{' (compiled)' if args.compile else ''}, IEEE subnormals | {result['defect2d_ieee']['median_epoch_s']:.1f} | |")
    print(f"| defect2d{' (compiled)' if args.compile else ''} | {d['median_epoch_s']:.1f} | {d['peak_rss_mib']:.0f} |")
    if r:
        print(f"| megnetsparse 0.0.10 | {r['median_epoch_s']:.1f} | {r['peak_rss_mib']:.0f} |")
        if args.compare_flush: print(f"| megnetsparse 0.0.10, subnormals flushed | {result['megnetsparse_flushed']['median_epoch_s']:.1f} | |")
        print(f"speed-up {result['speedup']:.2f}x; same function: max output difference {r['max_output_difference']:.2e}")


if __name__ == "__main__":
    main()
