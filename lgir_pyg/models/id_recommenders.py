r"""Recommenders of interactions alone: popularity, and PyG's LightGCN
(BPR-MF with no layers)."""
from typing import Optional, Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.nn.models import LightGCN

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.models.base import FixedEmbedding, GraphRecommender
from lgir_pyg.models.subgraph import Subgraph, subgraph_gcn_norm


def popularity(data: HeteroData,
               edge_type: Optional[EdgeType] = None) -> FixedEmbedding:
    r"""Scores every item by its number of training interactions."""
    edge_type = interaction_edge_type(data, edge_type)
    count = torch.bincount(data[edge_type].edge_index[1],
                           minlength=data[edge_type[2]].num_nodes)
    return FixedEmbedding(torch.ones(data[edge_type[0]].num_nodes, 1),
                          count.float().view(-1, 1), 'pop', edge_type)


class LightGCNRecommender(GraphRecommender):
    r"""PyG's :class:`~torch_geometric.nn.models.LightGCN`, used as it is,
    on the homogeneous view of the bipartite graph: users are nodes
    :obj:`[0, num_users)`, items :obj:`[num_users, num_users + num_items)`.
    With :obj:`num_layers=0` it is matrix factorisation (BPR-MF). Its
    mini-batch path runs the same layers on the batch's subgraph, see
    :class:`GraphRecommender`.

    Args:
        data (HeteroData): The split graph.
        embedding_dim (int, optional): Embedding size. (default: :obj:`64`)
        num_layers (int, optional): Propagation layers. (default: :obj:`3`)
        lambda_reg (float, optional): :math:`L_2` regularisation of the
            batch's embeddings in the BPR loss. (default: :obj:`1e-4`)
        mask_targets (bool, optional): Leave each batch's positive edges
            out of message passing, see :class:`GraphRecommender`.
            (default: :obj:`True`)
        edge_type (tuple, optional): The interaction edge type; inferred if
            :obj:`None`. (default: :obj:`None`)
    """
    def __init__(self, data: HeteroData, embedding_dim: int = 64,
                 num_layers: int = 3, lambda_reg: float = 1e-4,
                 mask_targets: bool = True,
                 edge_type: Optional[EdgeType] = None) -> None:
        super().__init__(data, mask_targets and num_layers > 0, edge_type)
        self.lambda_reg = lambda_reg
        self.model = LightGCN(self.num_users + self.num_items, embedding_dim,
                              num_layers)

    def embed(self, edge_index: Tensor) -> Tuple[Tensor, Tensor]:
        user, item = edge_index[0], edge_index[1] + self.num_users
        emb = self.model.get_embedding(
            torch.stack([torch.cat([user, item]), torch.cat([item, user])]))
        return emb[:self.num_users], emb[self.num_users:]

    def embed_subgraph(self, subgraph: Subgraph) -> Tensor:
        x = self.model.embedding(subgraph.node)
        edge_index, edge_weight = subgraph_gcn_norm(subgraph, dtype=x.dtype)
        # LightGCN.get_embedding's layer sum on the subgraph; propagate()
        # takes the weights as they are (forward() would renormalise them
        # by the subgraph's own degrees).
        out = x * self.model.alpha[0]
        for i, conv in enumerate(self.model.convs):
            x = conv.propagate(edge_index, x=x, edge_weight=edge_weight)
            out = out + x * self.model.alpha[i + 1]
        return out

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.model})'
