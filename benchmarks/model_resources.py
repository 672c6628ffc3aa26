"""The resource claim (issue 5): what each model of the paper costs to train and to run, on the same machine and
the same structures, with each model's paper preset (its trial's architecture, batch size and recipe).

Each model is measured in a process of its own (so its peak memory is its own), on the same sample of training
structures (`--per-dataset` from each dataset's training fold) and test structures:
  - training: seconds per training structure over a few optimisation steps (after one warm-up step), and, from it,
    seconds per epoch and per run at the paper's epoch size and epoch count (labelled "projected": the full run is
    not timed here);
  - inference: structures per second, no gradients, the preset's evaluation batch size;
  - peak resident memory of the process (CPU) or peak allocated GPU memory (CUDA);
  - matminer + CatBoost: seconds of featurization per structure and core (the paper's featurizers), the
    dominant cost, and the regressor's prediction rate on those features.

Usage:
    python benchmarks/model_resources.py [--target formation_energy_per_site] [--device cpu] [--threads 2]
    python benchmarks/model_resources.py --models sparse_megnet --compile --out benchmarks/results/model_resources_compiled.json
(--compile: the networks through torch.compile, as `defect2d train --compile`; its rows say "compiled"). The timed steps
are at most what the sample's training structures fill after the warm-up batch (3 batches of 64 with --per-dataset 32).
Needs 2DMD (the data setting). Writes benchmarks/results/model_resources.json and prints a Markdown table.
"""
import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

MODELS = ("sparse_megnet", "full_megnet", "schnet", "gemnet", "catboost")
RESULTS = Path(__file__).parent / "results" / "model_resources.json"


def peak_memory_mib(device) -> float:
    import torch
    if device.type == "cuda": return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_network(config, data, device, steps: int, compile: bool = False) -> dict:
    "The trainer's own epoch (loss, clipping, optimiser and schedule steps) on `steps` batches, after a one-batch warm-up epoch."
    import numpy as np
    import torch
    from defect2d.train import GraphLoader, Trainer
    size = config.batch_size
    rows = data.train[np.random.RandomState(0).permutation(len(data.train))]   # every dataset in the timed batches
    loader = lambda part: GraphLoader(data.pack, part, batch_size=size, target=config.target)
    trainer = Trainer(config.build_model(0), loader(rows[:size]), scaler=data.scaler(config.target),
                      settings=config.train_settings(0), directory=os.devnull, target=config.target, progress=False, device=device,
                      compile=compile)
    model = trainer.model
    if hasattr(model, "fit_scale_factors"): model.fit_scale_factors(b.to(device) for b in trainer.train_loader)
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    trainer.train_epoch()                                          # warm-up (and compilation)
    trainer.train_loader = loader(rows[size:size * (steps + 1)])
    sync(); start = time.perf_counter()
    trainer.train_epoch()
    sync()
    seconds, graphs = time.perf_counter() - start, trainer.train_loader.num_samples
    test = GraphLoader(data.pack, data.test, batch_size=config.test_batch_size, target=config.target)
    model.eval()
    with torch.no_grad():
        for batch in test: trainer.forward(batch.to(device)); break   # warm-up (and compilation)
        sync(); start = time.perf_counter()
        for batch in test: trainer.forward(batch.to(device))
        sync()
    predict_s = time.perf_counter() - start
    return {"train_s_per_structure": seconds / graphs, "train_structures_timed": graphs,
            "predict_structures_per_s": len(data.test) / predict_s, "parameters": sum(p.numel() for p in model.parameters()),
            "atoms_per_structure": float(np.diff(data.pack.node_ptr.cpu().numpy()).mean()),
            "stored_edges_per_structure": float(np.diff(data.pack.edge_ptr.cpu().numpy()).mean())}


def measure_catboost(config, data, threads: int, dataset_sizes: dict[str, int]) -> dict:
    "The paper's featurizers on the sample, uncached; they bound both training and prediction (1000 trees predict in microseconds)."
    from defect2d.baselines.catboost import CatBoostSettings, structure_features
    settings = CatBoostSettings(**config.architecture)
    # one process: the per-structure cost without a pool's start-up (a pool divides it by the cores, see `threads`).
    # Timed per dataset, because the cost differs by host (h-BN's flat layer makes the Voronoi tessellations of
    # OrbitalFieldMatrix several times slower) and the sample's two structures per dataset over-weight the small sets:
    # the cost of all of 2DMD weights each dataset's cost per structure by its size.
    by_dataset, by_featurizer, n_features, structures = {}, {}, 0, 0
    for subset in data.graphs.datasets:
        features, cost = structure_features([subset], settings.featurizers, cache=False, workers=1)
        by_dataset[subset.name] = sum(c["seconds_per_structure_core"] or 0 for c in cost.values())
        for name, c in cost.items():
            total = by_featurizer.setdefault(name, {"computed": 0, "failed": 0, "seconds": 0.0})
            for key in ("computed", "failed", "seconds"): total[key] += c[key]
        n_features, structures = features.shape[1], structures + len(features)
    for total in by_featurizer.values(): total["seconds_per_structure_core"] = total["seconds"] / max(total["computed"], 1)
    all_2dmd_core_s = sum(by_dataset[name] * dataset_sizes[name] for name in by_dataset)
    per_structure = all_2dmd_core_s / sum(dataset_sizes[name] for name in by_dataset)   # as 2DMD's structures weigh
    return {"featurize_s_per_structure_core": per_structure, "featurize_s_per_structure_core_by_dataset": by_dataset,
            "featurize_2dmd_core_hours": all_2dmd_core_s / 3600, "featurize_by_featurizer": by_featurizer,
            "n_features": n_features, "featurized_structures": structures, "predict_structures_per_s": threads / per_structure}


def one(model: str, target: str, per_dataset: int, device_name: str, threads: int, steps: int, compile: bool) -> dict:
    import torch
    from defect2d.data import TEST, TRAIN, DefectCollection, experiment_folds
    from defect2d.experiments import ExperimentData, preset_config
    from defect2d.train import paper_resampling_size
    torch.set_num_threads(threads)
    device = torch.device(device_name)
    config = preset_config("paper", target, model)
    collection = DefectCollection()
    # CatBoost's cost is its features (about 5 s per structure here; model_resources.json): a couple of structures per dataset measure it
    subset = (2, 0) if model == "catboost" else (per_dataset, per_dataset // 2)
    data = ExperimentData(collection, config.converter(), config.experiment, device=device, subset=subset)
    folds = experiment_folds(collection, config.experiment)
    train_weights = folds.loc[folds["fold"] == TRAIN, "weight"].to_numpy()
    per_epoch = paper_resampling_size(train_weights) if config.resample else len(train_weights)
    row = {"model": model, "target": target, "trial": config.trial, "device": str(device), "threads": threads,
           "sample": {"train": len(data.train), "test": len(data.test)}, "paper_structures_per_epoch": per_epoch,
           "paper_epochs": config.epochs if model != "catboost" else None, "compiled": compile and model != "catboost"}
    if model == "catboost": row |= measure_catboost(config, data, threads, {d.name: len(d) for d in collection})
    else:
        row |= measure_network(config, data, device, steps, compile)
        row["projected_epoch_s"] = row["train_s_per_structure"] * per_epoch
        row["projected_run_h"] = row["projected_epoch_s"] * config.epochs / 3600
    row["peak_memory_mib"] = peak_memory_mib(device)
    row["test_structures_in_fold"] = int((folds["fold"] == TEST).sum())
    return row


def table(rows: list[dict]) -> str:
    lines = ["| model | trial | train s / structure | projected epoch | projected run | predict structures/s | peak memory |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["model"] == "catboost":
            lines.append(f"| catboost | {r['trial']} | featurize {r['featurize_s_per_structure_core']:.2f} s / structure / core | – | "
                         f"features for 2DMD ≈ {r['featurize_2dmd_core_hours'] / r['threads']:.1f} h on {r['threads']} cores | "
                         f"{r['predict_structures_per_s']:.2f} (featurization-bound) | {r['peak_memory_mib']:.0f} MiB |")
        else:
            lines.append(f"| {r['model']} | {r['trial']} | {r['train_s_per_structure'] * 1000:.1f} ms | {r['projected_epoch_s'] / 60:.1f} min | "
                         f"{r['projected_run_h']:.1f} h ({r['paper_epochs']} epochs) | {r['predict_structures_per_s']:.1f} | {r['peak_memory_mib']:.0f} MiB |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--target", default="formation_energy_per_site")
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--per-dataset", type=int, default=32, help="training structures per dataset in the sample (test: half)")
    p.add_argument("--steps", type=int, default=6, help="timed optimisation steps per model")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--compile", action="store_true", help="networks through torch.compile (write to another --out)")
    p.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", default=str(RESULTS))
    a = p.parse_args()
    if a.one:
        print(json.dumps(one(a.models, a.target, a.per_dataset, a.device, a.threads, a.steps, a.compile)))
        return
    # a partial run (--models) replaces its models' rows and keeps the others
    previous = json.loads(Path(a.out).read_text())["rows"] if Path(a.out).is_file() and a.models != ",".join(MODELS) else []
    rows = []
    for model in a.models.split(","):
        run = subprocess.run([sys.executable, __file__, "--one", "--models", model, "--target", a.target, "--per-dataset", str(a.per_dataset),
                              "--steps", str(a.steps), "--device", a.device, "--threads", str(a.threads)] + ["--compile"] * a.compile,
                             capture_output=True, text=True)
        if run.returncode: sys.exit(f"{model} failed:\n{run.stderr[-3000:]}")
        rows.append(json.loads(run.stdout.strip().splitlines()[-1]))
        print(f"{model}: done", file=sys.stderr)
    rows = [r for r in previous if r["model"] not in {r["model"] for r in rows}] + rows
    rows.sort(key=lambda r: MODELS.index(r["model"]))
    import torch
    result = {"machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": platform.python_version(),
                          "torch": torch.__version__, "device": a.device,
                          "device_name": torch.cuda.get_device_name(0) if a.device.startswith("cuda") else platform.processor()},
              "settings": vars(a) | {"one": None}, "rows": rows}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, indent=1))
    print(table(rows))


if __name__ == "__main__":
    main()
