from typing import Iterator, Tuple

import torch
from torch import Tensor


class BPRSampler:
    r"""Samples BPR triplets :obj:`(user, positive item, negative item)` over
    the training edges of a bipartite user-item graph.

    Every epoch (one iteration over the sampler) visits each training edge
    once, in an order shuffled by a :class:`torch.Generator` seeded with
    :obj:`seed`, and pairs it with an item drawn uniformly among the items that
    are *not* one of the user's training positives. Negatives are drawn for
    the whole batch at once; draws that hit a positive (found by
    :func:`torch.searchsorted` on sorted :obj:`user * num_items + item` keys)
    are redrawn until none is left.

    Args:
        edge_index (torch.Tensor): The training edges, :obj:`[2, E]` user
            and item indices.
        num_items (int): The number of items.
        batch_size (int, optional): Triplets per batch.
            (default: :obj:`1024`)
        seed (int, optional): Seed of the sampler's generator.
            (default: :obj:`0`)
    """
    def __init__(self, edge_index: Tensor, num_items: int,
                 batch_size: int = 1024, seed: int = 0) -> None:
        if edge_index.dim() != 2 or edge_index.size(0) != 2:
            raise ValueError(f"'edge_index' must have shape [2, E] (got "
                             f"{list(edge_index.shape)})")
        if edge_index.size(1) == 0:
            raise ValueError("'edge_index' holds no training edges to "
                             "sample from")
        if int(edge_index[1].max()) >= num_items:
            raise ValueError(f"'edge_index' names item "
                             f"{int(edge_index[1].max())}, but there are "
                             f"only {num_items} items")
        if batch_size <= 0:
            raise ValueError(f"'batch_size' must be positive "
                             f"(got {batch_size})")
        self.edge_index = edge_index.cpu()
        self.num_items = num_items
        self.batch_size = batch_size
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)
        self.positive_keys = torch.unique(self.edge_index[0] * num_items +
                                          self.edge_index[1])
        count = torch.bincount(self.positive_keys // num_items)
        if bool((count >= num_items).any()):
            user = int((count >= num_items).nonzero()[0])
            raise ValueError(f"User {user} has every item as a training "
                             f"positive, so no negative can be sampled")

    def negatives(self, user: Tensor) -> Tensor:
        r"""Draws one negative item per entry of :obj:`user`, never one of
        that user's training positives."""
        neg = torch.randint(self.num_items, user.shape,
                            generator=self.generator)
        todo = torch.arange(user.numel())
        while todo.numel() > 0:
            key = user[todo] * self.num_items + neg[todo]
            pos = torch.searchsorted(self.positive_keys, key)
            pos = pos.clamp(max=self.positive_keys.numel() - 1)
            todo = todo[self.positive_keys[pos] == key]
            neg[todo] = torch.randint(self.num_items, todo.shape,
                                      generator=self.generator)
        return neg

    def __len__(self) -> int:
        return -(-self.edge_index.size(1) // self.batch_size)

    def __iter__(self) -> Iterator[Tuple[Tensor, Tensor, Tensor]]:
        perm = torch.randperm(self.edge_index.size(1),
                              generator=self.generator)
        for batch in perm.split(self.batch_size):
            user, pos = self.edge_index[:, batch]
            yield user, pos, self.negatives(user)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.edge_index.size(1)}, '
                f'num_items={self.num_items}, batch_size={self.batch_size})')
