r"""The node and edge types of a LGIR graph come with the data: these
helpers find the interaction edge type of a
:class:`~torch_geometric.data.HeteroData` instead of assuming its name."""
from typing import Optional, Tuple

from torch_geometric.data import HeteroData

from lgir_pyg.errors import DataError

EdgeType = Tuple[str, str, str]

REV_PREFIX = 'rev_'  # The reverse-relation prefix of PyG's ToUndirected.


def reverse_edge_type(edge_type: EdgeType) -> EdgeType:
    r"""The reverse of :obj:`edge_type` by PyG's naming,
    :obj:`(dst, "rev_<rel>", src)`."""
    src, rel, dst = edge_type
    return dst, REV_PREFIX + rel, src


def interaction_edge_type(data: HeteroData,
                          edge_type: Optional[EdgeType] = None) -> EdgeType:
    r"""Returns :obj:`edge_type` after checking that :obj:`data` has it, or,
    if it is :obj:`None`, the one edge type of :obj:`data` whose relation
    does not start with :obj:`"rev_"` (the user-item interactions, users as
    the source). Raises :class:`~lgir_pyg.errors.DataError` when there is no
    such edge type or more than one."""
    if edge_type is not None:
        edge_type = tuple(edge_type)
        if edge_type not in data.edge_types:
            raise DataError(f"The graph has no edge type {edge_type}; it "
                            f"has {data.edge_types}")
        return edge_type
    candidates = [t for t in data.edge_types
                  if not t[1].startswith(REV_PREFIX)]
    if len(candidates) != 1:
        raise DataError(f"Cannot infer the interaction edge type: the graph "
                        f"has {len(candidates)} non-reverse edge types "
                        f"{candidates}; pass 'edge_type'")
    return candidates[0]

