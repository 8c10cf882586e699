from typing import Dict, Optional

import torch
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type

# Training-interaction groups used throughout LGIR's evaluation.
GROUPS = {'1': (1, 1), '2': (2, 2), '3-5': (3, 5), '6+': (6, None)}
# Nodes without training interactions: cold items, or users of a split
# that leaves some users without training pairs.
COLD_GROUP = {'0': (0, 0)}


def group_of(num_train: torch.Tensor,
             cold: bool = False) -> Dict[str, torch.Tensor]:
    r"""Returns a boolean mask per training-interaction group
    (:obj:`1`, :obj:`2`, :obj:`3-5`, :obj:`6+`).

    Args:
        num_train (torch.Tensor): The training interactions of each node.
        cold (bool, optional): If set to :obj:`True`, starts with the group
            :obj:`0` of nodes without training interactions.
            (default: :obj:`False`)
    """
    masks = {}
    for name, (low, high) in {**(COLD_GROUP if cold else {}),
                              **GROUPS}.items():
        mask = num_train >= low
        if high is not None:
            mask &= num_train <= high
        masks[name] = mask
    return masks


def dataset_stats(data: HeteroData,
                  edge_type: Optional[EdgeType] = None) -> Dict[str, object]:
    r"""Counts of a split LGIR graph: nodes, pairs, held-out pairs, cold
    test items and users per training-interaction group. The users and
    items are the source and destination node types of the interaction
    edge type :obj:`edge_type` (inferred if :obj:`None`, see
    :func:`~lgir_pyg.datasets.graph.interaction_edge_type`)."""
    user_type, _, item_type = edge_type = interaction_edge_type(
        data, edge_type)
    store = data[edge_type]
    train, test = store.edge_index, store.test_edge_label_index
    num_users = data[user_type].num_nodes
    warm_items = torch.zeros(data[item_type].num_nodes, dtype=torch.bool)
    warm_items[train[1]] = True
    num_train = torch.bincount(train[0], minlength=num_users)
    return {
        'edge_type': edge_type,
        'users': num_users,
        'items': data[item_type].num_nodes,
        'pairs': train.size(1) + store.val_edge_label_index.size(1) +
        test.size(1),
        'train_pairs': train.size(1),
        'val_pairs': store.val_edge_label_index.size(1),
        'test_pairs': test.size(1),
        'cold_test_pairs': int((~warm_items[test[1]]).sum()),
        'users_with_empty_text': sum(
            t == '' for t in data[user_type].get('text', [])),
        'users_by_train_interactions': {
            name: int(mask.sum())
            for name, mask in group_of(num_train).items()
        },
    }


def format_stats(stats: Dict[str, object]) -> str:
    r"""The lines that :obj:`lgir data stats` prints, naming the node and
    edge types of the graph."""
    user_type, relation, item_type = stats['edge_type']
    lines = [f"{'interactions':>24}: ({user_type}, {relation}, "
             f"{item_type})"]
    names = {'users': f'users ({user_type})', 'items': f'items ({item_type})'}
    lines += [f'{names.get(key, key):>24}: {value:,}'
              for key, value in stats.items() if isinstance(value, int)]
    lines.append('users by training interactions:')
    lines += [f'{name:>24}: {count:,}' for name, count in
              stats['users_by_train_interactions'].items()]
    return '\n'.join(lines)
