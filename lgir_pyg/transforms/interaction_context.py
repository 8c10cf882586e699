from typing import List, Optional

from torch_geometric.data import HeteroData
from torch_geometric.data.datapipes import functional_transform
from torch_geometric.transforms import BaseTransform

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.transforms.recent_items import node_texts, recent_item_texts


def user_context(data: HeteroData, k: int = 5,
                 edge_type: Optional[EdgeType] = None) -> List[str]:
    r"""The text an IRC prompt shows the LLM, without the LLM: each user's
    self-description followed by their :obj:`k` most recent training item
    texts. Encoding it directly is the no-LLM control of the benchmarks."""
    edge_type = interaction_edge_type(data, edge_type)
    out = []
    for text, items in zip(node_texts(data, edge_type[0]),
                           recent_item_texts(data, k, edge_type)):
        parts = (t.strip().rstrip('.') for t in [text] + items)
        out.append('. '.join(p for p in parts if p))
    return out


@functional_transform('interaction_context')
class InteractionContext(BaseTransform):
    r"""Stores the text an IRC prompt shows the LLM, without the LLM, as
    :obj:`data[user_type].context`: each user's self-description followed by
    the texts of their :obj:`k` most recent *training* interactions (see
    :func:`user_context`). Encoding it directly is the no-LLM
    control of the benchmarks (functional name:
    :obj:`interaction_context`).

    Args:
        k (int, optional): Training interactions per user.
            (default: :obj:`5`)
        edge_type (tuple, optional): The interaction edge type; inferred if
            :obj:`None`. (default: :obj:`None`)
    """
    def __init__(self, k: int = 5,
                 edge_type: Optional[EdgeType] = None) -> None:
        self.k = k
        self.edge_type = edge_type

    def forward(self, data: HeteroData) -> HeteroData:
        edge_type = interaction_edge_type(data, self.edge_type)
        data[edge_type[0]].context = user_context(data, self.k, edge_type)
        return data

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(k={self.k})'
