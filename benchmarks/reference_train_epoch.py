"""Run inside the reference environment (benchmarks/setup_reference.sh): time megnetsparse 0.0.10's own
training epoch (`MEGNetTrainer.train_one_epoch`: its model, its torch-geometric loader, its loss and scheduler
step) on graphs exported by benchmarks/train_epoch.py, and print JSON.

The graphs are defect2d's (the reference's own EOS converter fails with current and period pymatgen), so both
sides train on identical inputs; the reference package's code does everything else. Nothing of defect2d is
imported here.

Usage: python reference_train_epoch.py EXPORT.pt OUT_STATE.pt [--epochs 2] [--threads 2] [--device cpu] [--flush]

The export may carry starting weights in the reference's own parameter names; --flush switches on torch's
flushing of subnormal floats for this process (the package's code is the same).
"""
import argparse
import json
import resource
import statistics
import time
import warnings

import numpy as np
import torch
from MEGNetSparse.model import MEGNet
from MEGNetSparse.struct2graph import MyTensor
from MEGNetSparse.trainer import MEGNetTrainer
from MEGNetSparse.utils import Scaler
from torch.utils.data import WeightedRandomSampler
from torch_geometric.data import Data
from torch_geometric.loader import DataLoader

warnings.filterwarnings("ignore")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("export")
    parser.add_argument("state_out")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu or cuda: the reference trainer's own `device`")
    parser.add_argument("--flush", action="store_true", help="torch.set_flush_denormal(True) for the process")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.flush: torch.set_flush_denormal(True)
    e = torch.load(args.export, weights_only=False)
    h = e["hparams"]
    # graphs as the reference's converter returns them (bond_batch a MyTensor of zeros, for edgeless graphs)
    graphs = [Data(x=g["x"], edge_index=g["edge_index"], edge_attr=g["edge_attr"], state=g["state"], y=float(y),
                   bond_batch=MyTensor(np.zeros(g["edge_index"].shape[1])).long(), weight=float(w))
              for g, y, w in zip(e["graphs"], e["y"], e["weights"], strict=True)]
    config = {"model": {"add_z_bond_coord": True, "cutoff": h["cutoff"], "edge_embed_size": 10, "atom_features": "werespecies",
                        "add_eos_features": False, "embedding_size": h["embedding_size"], "nblocks": h["n_blocks"],
                        "state_input_shape": 2, "vertex_aggregation": h["vertex_aggregation"],
                        "global_aggregation": h["global_aggregation"], "train_batch_size": h["batch_size"], "test_batch_size": 128},
              "optim": {"lr_initial": 1e-3, "scheduler": "ReduceLROnPlateau", "factor": h["factor"], "patience": h["patience"],
                        "threshold": h["threshold"], "min_lr": 1e-5}}
    # its constructor passes `verbose` to ReduceLROnPlateau, which torch 2.13 no longer accepts: build the trainer
    # object without it and set what `train_one_epoch` uses, exactly as the constructor would
    trainer = MEGNetTrainer.__new__(MEGNetTrainer)
    trainer.config, trainer.device, trainer.scaler = config, args.device, Scaler()
    torch.manual_seed(0)
    # its model with the real edge width (22: Gaussians of d and |dz|, and the two EOS features)
    trainer.model = MEGNet(edge_input_shape=graphs[0].edge_attr.shape[1], node_input_shape=2, state_input_shape=2,
                           embedding_size=h["embedding_size"], n_blocks=h["n_blocks"],
                           vertex_aggregation=h["vertex_aggregation"], global_aggregation=h["global_aggregation"])
    if e.get("initial_weights") is not None:
        # every parameter but the ln 2 shifts, constants that its initialisation has set already
        missing, unexpected = trainer.model.load_state_dict(e["initial_weights"], strict=False)
        if unexpected or any(not key.endswith("shift") for key in missing):
            raise SystemExit(f"starting weights do not fit the reference network: missing {missing}, unexpected {unexpected}")
    torch.save(trainer.model.state_dict(), args.state_out)
    check = next(iter(DataLoader(graphs[:e["check_size"]], batch_size=e["check_size"], shuffle=False)))
    with torch.no_grad():
        check_out = trainer.model(check.x, check.edge_index, check.edge_attr, check.state, check.batch, check.bond_batch).squeeze(-1)
    trainer.model.to(args.device)   # as its constructor does
    trainer.optimizer = torch.optim.Adam(trainer.model.parameters(), lr=1e-3)
    trainer.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(trainer.optimizer, factor=h["factor"], patience=h["patience"],
                                                                   threshold=h["threshold"], min_lr=1e-5)
    trainer.train_structures = graphs
    trainer.scaler.fit(graphs)
    trainer.target_name = e["target"]
    # the paper's resampling: as many draws as defect2d's epoch, with replacement, by fold weight
    sampler = WeightedRandomSampler(torch.tensor(e["weights"]).float(), e["samples_per_epoch"], replacement=True)
    trainer.trainloader = DataLoader(graphs, batch_size=h["batch_size"], sampler=sampler, num_workers=0)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds, maes = [], []
    for _ in range(args.epochs):
        start = time.perf_counter()
        mae, _ = trainer.train_one_epoch()
        if args.device.startswith("cuda"): torch.cuda.synchronize()
        seconds.append(time.perf_counter() - start)
        maes.append(float(mae))
    print(json.dumps({"epoch_seconds": seconds, "median_epoch_s": statistics.median(seconds), "train_mae": maes,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "rss_before_training_mib": rss_before, "check_output": check_out.tolist(),
                      "torch": torch.__version__, "threads": torch.get_num_threads(), "device": args.device,
                      "peak_gpu_mib": torch.cuda.max_memory_allocated() / 2**20 if args.device.startswith("cuda") else None}))


if __name__ == "__main__":
    main()
