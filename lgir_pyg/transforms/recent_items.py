r"""What a user's prompt shows, read from the graph: the users' texts and the
texts of each user's most recent *training* items. Only :obj:`edge_index`
is read, so validation and test items can never leak into a prompt."""
from typing import List, Optional

import torch
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.errors import DataError, UsageError


def node_texts(data: HeteroData, node_type: str) -> List[str]:
    r"""The texts :obj:`data[node_type].text`, checked to be strings."""
    texts = data[node_type].get('text')
    if texts is None:
        raise DataError(f"data['{node_type}'] has no 'text'")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise DataError(f"data['{node_type}'].text[{i}] must be a "
                            f"string (got {type(text).__name__})")
    return texts


def recent_training_items(data: HeteroData, k: int = 5,
                          edge_type: Optional[EdgeType] = None
                          ) -> List[List[int]]:
    r"""Returns, per user, the indices of up to :obj:`k` most recent
    *training* items (most recent first; ties by item index) of the
    interaction edge type (:obj:`edge_type`, or the one non-reverse edge
    type of :obj:`data`); without :obj:`time` on the edges their order
    stands for time."""
    if k < 0:
        raise UsageError(f"'k' must be non-negative (got {k})")
    edge_type = interaction_edge_type(data, edge_type)
    store = data[edge_type]
    user, item = store.edge_index
    time = store.get('time')
    if time is None:  # Without timestamps, edge order stands for time.
        time = torch.arange(user.numel())
    perm = torch.argsort(item, stable=True)
    perm = perm[torch.argsort(time[perm], descending=True, stable=True)]
    perm = perm[torch.argsort(user[perm], stable=True)]
    out: List[List[int]] = [[] for _ in range(data[edge_type[0]].num_nodes)]
    for u, i in zip(user[perm].tolist(), item[perm].tolist()):
        if len(out[u]) < k:
            out[u].append(i)
    return out


def recent_item_texts(data: HeteroData, k: int = 5,
                      edge_type: Optional[EdgeType] = None
                      ) -> List[List[str]]:
    r"""The texts of the items of :func:`recent_training_items`, per user,
    most recent first."""
    edge_type = interaction_edge_type(data, edge_type)
    items = recent_training_items(data, k, edge_type)
    item_text = node_texts(data, edge_type[2])
    return [[item_text[i] for i in user_items] for user_items in items]
