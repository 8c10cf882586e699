r"""Recommenders of text embeddings without training: the cosine of user
and item texts, and of the mean of a user's own and training items'
texts."""
from typing import Optional

import torch.nn.functional as F
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import EdgeType
from lgir_pyg.models.base import FixedEmbedding, text_features


def text_cosine(data: HeteroData, user_features: str = 'x',
                item_features: str = 'x',
                edge_type: Optional[EdgeType] = None) -> FixedEmbedding:
    r"""Scores by the cosine similarity of the user's and the item's text
    embeddings :obj:`user_features` and :obj:`item_features` (zero-shot)."""
    edge_type, user_x, item_x = text_features(data, user_features,
                                             item_features, edge_type)
    return FixedEmbedding(F.normalize(user_x, dim=-1),
                          F.normalize(item_x, dim=-1), 'text', edge_type)


def item_mean(data: HeteroData, user_features: str = 'x',
             item_features: str = 'x',
             edge_type: Optional[EdgeType] = None) -> FixedEmbedding:
    r"""Represents each user by the mean of the normalised text embeddings
    of their own text and of their training items, and scores by cosine
    similarity (no training)."""
    edge_type, user_x, item_x = text_features(data, user_features,
                                             item_features, edge_type)
    user, item = data[edge_type].edge_index
    user_x, item_x = F.normalize(user_x, dim=-1), F.normalize(item_x, dim=-1)
    total = user_x.index_add(0, user, item_x[item])
    return FixedEmbedding(F.normalize(total, dim=-1), item_x, 'job-mean',
                          edge_type)
