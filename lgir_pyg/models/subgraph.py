r"""The neighbourhood of a mini-batch: the sampled subgraph of a
bipartite training graph and its normalisation, on which a graph
recommender computes a batch exactly (one layer) or without bias."""
from typing import NamedTuple, Optional, Sequence, Tuple

import torch
from torch import Tensor


class Subgraph(NamedTuple):
    r"""A mini-batch subgraph of :class:`NeighborhoodSampler`, in the
    homogeneous view of the bipartite graph (users :obj:`0, ...,
    num_users - 1`, then items)."""
    #: The nodes of the subgraph in ascending order (users first), as global
    #: homogeneous indices.
    node: Tensor
    #: The message-passing edges :obj:`[2, M]` (source, target) as local
    #: indices into :obj:`node`.
    edge_index: Tensor
    #: Each node's number of training neighbours in the whole graph, not
    #: counting the left-out pairs.
    degree: Tensor
    #: Per edge, the target's :obj:`degree` over its sampled neighbours
    #: (:obj:`1` where all were taken): weighting the sampled messages by it
    #: estimates the sum over all neighbours without bias.
    edge_scale: Tensor

    def index(self, node: Tensor) -> Tensor:
        r"""The local indices of the global homogeneous :obj:`node`."""
        return torch.searchsorted(self.node, node)


def subgraph_gcn_norm(subgraph: Subgraph, self_loops: str = 'none',
                      dtype: Optional[torch.dtype] = None
                      ) -> Tuple[Tensor, Tensor]:
    r"""The symmetric normalisation :math:`\hat{\mathbf{D}}^{-1/2}
    \hat{\mathbf{A}} \hat{\mathbf{D}}^{-1/2}` of the whole graph's training
    adjacency without the left-out pairs, restricted to the edges of
    :obj:`subgraph`: degrees are the whole graph's (:attr:`Subgraph.degree`),
    so the sub-graph's messages into a node whose neighbours are all in it
    are exactly those of the full graph. Returns :obj:`(edge_index,
    edge_weight)`, local.

    Args:
        subgraph (Subgraph): The subgraph.
        self_loops (str, optional): :obj:`"none"`, :obj:`"all"` (a loop of
            weight one on every node) or :obj:`"isolated"` (on nodes without
            neighbours), as in :class:`lgir_pyg.nn.LGIR`.
            (default: :obj:`"none"`)
        dtype (torch.dtype, optional): The type of the weights; the default
            floating point type if :obj:`None`. (default: :obj:`None`)
    """
    dtype = dtype or torch.get_default_dtype()
    degree = subgraph.degree.to(dtype)
    if self_loops == 'all':
        loop = torch.ones_like(degree)
    elif self_loops == 'isolated':
        loop = (degree == 0).to(dtype)
    else:
        loop = torch.zeros_like(degree)
    degree = degree + loop
    inv_sqrt = degree.pow(-0.5).masked_fill(degree == 0, 0.)
    src, dst = subgraph.edge_index
    weight = inv_sqrt[src] * inv_sqrt[dst] * subgraph.edge_scale.to(dtype)
    if self_loops == 'none':
        return subgraph.edge_index, weight
    node = torch.arange(degree.numel(), device=degree.device)
    edge_index = torch.cat([subgraph.edge_index,
                            torch.stack([node, node])], dim=1)
    return edge_index, torch.cat([weight, loop * inv_sqrt.pow(2)])


class NeighborhoodSampler(torch.nn.Module):
    r"""Gathers the :math:`L`-hop neighbourhood of the nodes of a training
    batch from a CSR of a bipartite training graph, leaving out given pairs
    (a batch's positive edges) as if they were not in the graph, so that a
    batch costs what its neighbourhood holds, not what the graph holds.

    Nodes are in the homogeneous view of the graph: users :obj:`0, ...,
    num_users - 1`, items :obj:`num_users, ..., num_users + num_items - 1`.
    A pair given more than once counts once. Hop :math:`h` takes, for every
    node found at hop :math:`h - 1` (the seeds at hop one),
    :obj:`num_neighbors[h - 1]` of its neighbours uniformly without
    replacement (all of them for :obj:`-1` or fewer neighbours), as PyG's
    :class:`~torch_geometric.loader.LinkNeighborLoader` does; edges point
    from the neighbour to the node. With :obj:`-1` at every hop an
    :math:`L`-layer model on the subgraph, normalised by
    :func:`subgraph_gcn_norm`, computes the seeds' embeddings exactly as on
    the full graph.

    Its CSR lives in buffers that follow :meth:`torch.nn.Module.to` and are
    not part of the state dict. One sample costs time in the size of the
    neighbourhood, not of the graph.

    Args:
        edge_index (torch.Tensor): The training pairs :obj:`[2, E]`, users
            in row 0 and items in row 1, each indexed within its type.
        num_users (int): The number of users.
        num_items (int): The number of items.
    """
    def __init__(self, edge_index: Tensor, num_users: int,
                 num_items: int) -> None:
        super().__init__()
        self.num_users = num_users
        self.num_items = num_items
        num_nodes = num_users + num_items
        key = torch.unique(edge_index[0] * num_items + edge_index[1])
        user, item = key // num_items, key % num_items + num_users
        row, col = torch.cat([user, item]), torch.cat([item, user])
        perm = torch.argsort(row, stable=True)
        degree = torch.bincount(row, minlength=num_nodes)
        self.register_buffer('pair_key', key, persistent=False)
        self.register_buffer('col', col[perm], persistent=False)
        self.register_buffer('degree', degree, persistent=False)
        self.register_buffer('row_start', torch.cumsum(degree, 0) - degree,
                             persistent=False)
        # The local index of each node while a sample is built (-1 outside
        # of it): a scatter into it replaces a hash map.
        self.register_buffer('_local', torch.full((num_nodes, ), -1),
                             persistent=False)

    @property
    def num_edges(self) -> int:
        r"""The number of distinct training pairs."""
        return self.pair_key.numel()

    def sample(self, seed: Tensor, exclude: Optional[Tensor] = None,
               num_neighbors: Sequence[int] = (-1, )) -> Subgraph:
        r"""Returns the :class:`Subgraph` of the neighbourhood of
        :obj:`seed`.

        Args:
            seed (torch.Tensor): Distinct homogeneous node indices.
            exclude (torch.Tensor, optional): User-item pairs :obj:`[2, M]`
                (indexed within their types) left out of the graph; pairs
                that are not training pairs are ignored.
                (default: :obj:`None`)
            num_neighbors (Sequence[int], optional): Neighbours per node at
                each hop; :obj:`-1` takes all. (default: :obj:`(-1, )`)
        """
        num_nodes = self.degree.numel()
        ex_user, ex_item = self._excluded(exclude)
        # Directed keys of the left-out pairs, both ways.
        ex_key = torch.cat([ex_user * num_nodes + ex_item,
                            ex_item * num_nodes + ex_user])
        local = self._local
        local[seed] = torch.arange(seed.numel(), device=seed.device)
        empty = seed.new_empty(0)
        nodes, srcs, dsts = [seed], [empty], [empty]
        frontier, num_found = seed, seed.numel()
        for fanout in num_neighbors:
            count = self.degree[frontier]
            dst = torch.repeat_interleave(frontier, count)
            start = torch.repeat_interleave(self.row_start[frontier] -
                                            (torch.cumsum(count, 0) - count),
                                            count)
            src = self.col[start + torch.arange(dst.numel(),
                                                device=dst.device)]
            if ex_key.numel() > 0:
                keep = ~torch.isin(dst * num_nodes + src, ex_key)
                src, dst = src[keep], dst[keep]
            if fanout >= 0:
                keep = self._pick(dst, fanout)
                src, dst = src[keep], dst[keep]
            srcs.append(src)
            dsts.append(dst)
            new = torch.unique(src[local[src] < 0])
            local[new] = torch.arange(num_found, num_found + new.numel(),
                                      device=new.device)
            num_found += new.numel()
            nodes.append(new)
            frontier = new

        node = torch.sort(torch.cat(nodes)).values
        local[node] = torch.arange(node.numel(), device=node.device)
        src, dst = local[torch.cat(srcs)], local[torch.cat(dsts)]
        degree = self.degree[node]
        for end in (ex_user, ex_item):
            inside = local[end]
            inside = inside[inside >= 0]
            degree = degree - torch.bincount(inside, minlength=node.numel())
        sampled = torch.bincount(dst, minlength=node.numel())
        edge_scale = degree[dst] / sampled[dst]
        local[node] = -1
        return Subgraph(node, torch.stack([src, dst]), degree, edge_scale)

    def _excluded(self, exclude: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        # The distinct left-out training pairs as homogeneous (user, item).
        if exclude is None or exclude.numel() == 0:
            empty = self.pair_key.new_empty(0)
            return empty, empty
        key = torch.unique(exclude[0] * self.num_items + exclude[1])
        pos = torch.searchsorted(self.pair_key, key)
        pos = pos.clamp(max=max(self.pair_key.numel() - 1, 0))
        key = key[self.pair_key[pos] == key]
        return key // self.num_items, key % self.num_items + self.num_users

    @staticmethod
    def _pick(dst: Tensor, fanout: int) -> Tensor:
        # Rank each target's candidates in a random order and keep the
        # first `fanout` of each.
        order = torch.argsort(torch.rand(dst.numel(), device=dst.device))
        order = order[torch.argsort(dst[order], stable=True)]
        _, count = torch.unique_consecutive(dst[order], return_counts=True)
        rank = torch.arange(dst.numel(), device=dst.device) - \
            torch.repeat_interleave(torch.cumsum(count, 0) - count, count)
        keep = torch.zeros_like(dst, dtype=torch.bool)
        keep[order[rank < fanout]] = True
        return keep

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.num_edges}, '
                f'num_users={self.num_users}, num_items={self.num_items})')
