from typing import Dict

import torch
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.tables import EDGE_TYPE

# Training-interaction groups used throughout LGIR's evaluation.
GROUPS = {'1': (1, 1), '2': (2, 2), '3-5': (3, 5), '6+': (6, None)}


def group_of(num_train: torch.Tensor) -> Dict[str, torch.Tensor]:
    r"""Returns a boolean mask per training-interaction group
    (:obj:`1`, :obj:`2`, :obj:`3-5`, :obj:`6+`)."""
    masks = {}
    for name, (low, high) in GROUPS.items():
        mask = num_train >= low
        if high is not None:
            mask &= num_train <= high
        masks[name] = mask
    return masks


def dataset_stats(data: HeteroData) -> Dict[str, object]:
    r"""Counts of a split LGIR graph: nodes, pairs, held-out pairs, cold
    test jobs and users per training-interaction group."""
    store = data[EDGE_TYPE]
    train, test = store.edge_index, store.test_edge_label_index
    warm_jobs = torch.zeros(data['job'].num_nodes, dtype=torch.bool)
    warm_jobs[train[1]] = True
    num_train = data['user'].num_train_interactions
    return {
        'users': data['user'].num_nodes,
        'jobs': data['job'].num_nodes,
        'pairs': train.size(1) + store.val_edge_label_index.size(1) +
        test.size(1),
        'train_pairs': train.size(1),
        'val_pairs': store.val_edge_label_index.size(1),
        'test_pairs': test.size(1),
        'cold_test_pairs': int((~warm_jobs[test[1]]).sum()),
        'users_with_empty_text': sum(t == '' for t in data['user'].text),
        'users_by_train_interactions': {
            name: int(mask.sum())
            for name, mask in group_of(num_train).items()
        },
    }


def format_stats(stats: Dict[str, object]) -> str:
    lines = [f'{key:>24}: {value:,}' for key, value in stats.items()
             if isinstance(value, int)]
    lines.append('users by training interactions:')
    lines += [f'{name:>24}: {count:,}' for name, count in
              stats['users_by_train_interactions'].items()]
    return '\n'.join(lines)
