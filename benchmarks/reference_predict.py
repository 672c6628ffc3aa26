"""Run inside the reference environment (benchmarks/setup_reference.sh): time megnetsparse 0.0.10's prediction
path on given structures and print JSON: `convert_to_sparse_representation` per structure (as its inference
notebook does), then `MEGNetTrainer.predict_structures` (its converter in joblib workers, its model, batches of 50)
once per target model.

Its EOS features need an EOS-augmented unit cell that its code no longer builds with the pymatgen it installs,
so both models run without them (20 edge features instead of defect2d's 22); everything else is the paper's
architecture. Nothing of defect2d is imported here.

Usage: python reference_predict.py STRUCTURES.json [--threads 2]
"""
import argparse
import json
import resource
import time
import warnings

import numpy as np
import torch
from MEGNetSparse.dense2sparse import convert_to_sparse_representation
from MEGNetSparse.model import MEGNet
from MEGNetSparse.struct2graph import AtomFeaturesExtractor, FlattenGaussianDistanceConverter, SimpleCrystalConverter
from MEGNetSparse.trainer import MEGNetTrainer
from MEGNetSparse.utils import Scaler
from pymatgen.core import Structure

warnings.filterwarnings("ignore")


def trainer_for(model: dict) -> MEGNetTrainer:
    "The trainer as its constructor builds it (which torch 2.13 rejects for its `verbose` scheduler argument)."
    trainer = MEGNetTrainer.__new__(MEGNetTrainer)
    trainer.device, trainer.scaler = "cpu", Scaler()
    bonds = FlattenGaussianDistanceConverter(centers=np.linspace(0, model["cutoff"], 10))
    atoms = AtomFeaturesExtractor("werespecies")
    trainer.converter = SimpleCrystalConverter(bond_converter=bonds, atom_converter=atoms, cutoff=model["cutoff"],
                                               add_z_bond_coord=True, add_eos_features=False)
    torch.manual_seed(0)
    trainer.model = MEGNet(edge_input_shape=bonds.get_shape(), node_input_shape=atoms.get_shape(), state_input_shape=2,
                           embedding_size=model["embedding_size"], n_blocks=model["n_blocks"],
                           vertex_aggregation=model["vertex_aggregation"], global_aggregation=model["global_aggregation"])
    return trainer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("structures")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = json.load(open(args.structures))
    structures = [Structure.from_dict(d) for d in data["structures"]]
    unit_cell, supercell = Structure.from_dict(data["unit_cell"]), tuple(data["supercell"])
    start = time.perf_counter()
    sparse = [convert_to_sparse_representation(s, unit_cell, supercell, skip_eos=True) for s in structures]
    sparse_seconds = time.perf_counter() - start
    predict_seconds, predictions = {}, {}
    for target, model in data["models"].items():
        trainer = trainer_for(model)
        start = time.perf_counter()
        predictions[target] = trainer.predict_structures(sparse).numpy().ravel()[:5].tolist()
        predict_seconds[target] = time.perf_counter() - start
    print(json.dumps({"structures": len(structures), "sparse_seconds": sparse_seconds, "predict_seconds": predict_seconds,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "sample_predictions": predictions}))


if __name__ == "__main__":
    main()
