"""Would edge classes pay in MEGNet's later blocks? Counts of equal rows, block by block, on paper-preset batches.

`edge_classes` lets the first block compute each class of edges with equal inputs once. Equal inputs stay equal
through a block only as long as everything they are computed from is equal, so the classes of the later blocks
follow by colour refinement (the Weisfeiler-Lehman scheme), exactly, from integer labels:
- an edge's class in block k: its end nodes' colours, its own colour and its graph's colour entering block k;
- a node's colour after block k: its colour before, its graph's colour, and the multiset of the block-k classes of
  the edges into it (equal multisets give equal sums, means and maxima);
- a graph's colour after block k: its colour before and the multisets of its edges' classes and nodes' colours.
These classes are the coarsest that no implementation could tell apart without looking at values, so their count
bounds what any grouping of the later blocks could save. Counts, not times: this runs beside other work.

Usage:
    python benchmarks/later_block_classes.py [--batches 60]

Needs 2DMD (the data setting). Writes benchmarks/results/later_block_classes.json and prints a table.
"""
import argparse
import json
import platform
from pathlib import Path

import torch

from defect2d.data import DefectCollection
from defect2d.experiments import ExperimentData, preset_config
from defect2d.train import git_revision


def labels(*columns: torch.Tensor) -> torch.Tensor:
    "One integer label per row, equal exactly where all the integer columns are equal."
    return torch.unique(torch.stack([c.long() for c in columns], 1), dim=0, return_inverse=True)[1]


def value_labels(values: torch.Tensor) -> torch.Tensor:
    "Labels of the rows of a float32 tensor, equal where the rows are equal bit for bit."
    return torch.unique(values.float().contiguous().view(torch.int32), dim=0, return_inverse=True)[1]


def multiset_labels(segment: torch.Tensor, label: torch.Tensor, size: int) -> torch.Tensor:
    "One label per segment, equal exactly where the segments hold the same multiset of labels (empty ones included)."
    if len(label) == 0: return torch.zeros(size, dtype=torch.long)   # every segment empty: one multiset
    order = torch.argsort(segment * (int(label.max()) + 1) + label)   # by segment, then label
    segment, label = segment[order], label[order]
    counts = torch.bincount(segment, minlength=size)
    position = torch.arange(len(segment)) - (torch.cumsum(counts, 0) - counts)[segment]
    padded = torch.full((size, int(counts.max())), -1, dtype=torch.long)
    padded[segment, position] = label
    return torch.unique(padded, dim=0, return_inverse=True)[1]


def refine(batch, n_blocks: int) -> list[dict]:
    "Per block: edge classes, and node and graph colours after it."
    source, target = batch.edge_index
    node_graph, n_nodes, n_graphs = batch.batch, len(batch.x), batch.num_graphs
    edge_graph = node_graph.index_select(0, source)
    node, edge, graph = value_labels(batch.x), value_labels(batch.edge_attr), value_labels(batch.state)
    counts = []
    for _ in range(n_blocks):
        edge = labels(node[target], node[source], edge, graph[edge_graph])
        node = labels(node, graph[node_graph], multiset_labels(target, edge, n_nodes))
        graph = labels(graph, multiset_labels(edge_graph, edge, n_graphs), multiset_labels(node_graph, node, n_graphs))
        counts.append(dict(edge_classes=int(edge.max()) + 1, node_colours=int(node.max()) + 1, graph_colours=int(graph.max()) + 1))
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=60, help="the first batches of the first epoch (seed 0)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "later_block_classes.json"))
    args = parser.parse_args()
    config = preset_config("paper", "formation_energy_per_site")
    data = ExperimentData(DefectCollection(), config.converter(), config.experiment)
    loader = data.loaders(config, seed=0)[0]
    totals, edges, nodes, graphs, seen = None, 0, 0, 0, 0
    for batch in loader:
        counts = refine(batch, config.n_blocks)
        # the first block's exact classes must be those that the loader's hashed `edge_classes` found
        if batch.edge_class_first is not None and counts[0]["edge_classes"] != len(batch.edge_class_first):
            raise AssertionError(f"block 1: {counts[0]['edge_classes']} exact classes, edge_classes found {len(batch.edge_class_first)}")
        totals = counts if totals is None else [{k: t[k] + c[k] for k in t} for t, c in zip(totals, counts, strict=True)]
        edges, nodes, graphs, seen = edges + batch.edge_attr.shape[0], nodes + len(batch.x), graphs + batch.num_graphs, seen + 1
        if seen == args.batches: break
    per_batch = [{k: v / seen for k, v in t.items()} for t in totals]
    result = {"machine": {"platform": platform.platform(), "torch": torch.__version__, "defect2d_revision": git_revision()},
              "preset": config.to_dict(), "batches": seen, "edges_per_batch": edges / seen, "nodes_per_batch": nodes / seen,
              "graphs_per_batch": graphs / seen, "blocks": per_batch}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(f"per batch ({seen} batches): {result['edges_per_batch']:.0f} edges, {result['nodes_per_batch']:.0f} nodes, "
          f"{result['graphs_per_batch']:.0f} graphs\n| block | edge classes | share of edges | node colours after | graph colours after |\n|---|---|---|---|---|")
    for k, b in enumerate(per_batch, 1):
        print(f"| {k} | {b['edge_classes']:.0f} | {b['edge_classes'] / result['edges_per_batch']:.1%} | "
              f"{b['node_colours']:.0f} | {b['graph_colours']:.1f} |")


if __name__ == "__main__":
    main()
