from typing import Iterator, Tuple

import torch
from torch import Tensor


class BPRSampler:
    r"""Samples BPR triplets :obj:`(user, positive job, negative job)` over
    the training edges of a bipartite user-job graph.

    Every epoch (one iteration over the sampler) visits each training edge
    once, in an order shuffled by a :class:`torch.Generator` seeded with
    :obj:`seed`, and pairs it with a job drawn uniformly among the jobs that
    are *not* one of the user's training positives. Negatives are drawn for
    the whole batch at once; draws that hit a positive (found by
    :func:`torch.searchsorted` on sorted :obj:`user * num_jobs + job` keys)
    are redrawn until none is left.

    Args:
        edge_index (torch.Tensor): The training edges, :obj:`[2, E]` user
            and job indices.
        num_jobs (int): The number of jobs.
        batch_size (int, optional): Triplets per batch.
            (default: :obj:`1024`)
        seed (int, optional): Seed of the sampler's generator.
            (default: :obj:`0`)
    """
    def __init__(self, edge_index: Tensor, num_jobs: int,
                 batch_size: int = 1024, seed: int = 0) -> None:
        if edge_index.dim() != 2 or edge_index.size(0) != 2:
            raise ValueError(f"'edge_index' must have shape [2, E] (got "
                             f"{list(edge_index.shape)})")
        if edge_index.size(1) == 0:
            raise ValueError("'edge_index' holds no training edges to "
                             "sample from")
        if int(edge_index[1].max()) >= num_jobs:
            raise ValueError(f"'edge_index' names job "
                             f"{int(edge_index[1].max())}, but there are "
                             f"only {num_jobs} jobs")
        if batch_size <= 0:
            raise ValueError(f"'batch_size' must be positive "
                             f"(got {batch_size})")
        self.edge_index = edge_index.cpu()
        self.num_jobs = num_jobs
        self.batch_size = batch_size
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)
        self.positive_keys = torch.unique(self.edge_index[0] * num_jobs +
                                          self.edge_index[1])
        count = torch.bincount(self.positive_keys // num_jobs)
        if bool((count >= num_jobs).any()):
            user = int((count >= num_jobs).nonzero()[0])
            raise ValueError(f"User {user} has every job as a training "
                             f"positive, so no negative can be sampled")

    def negatives(self, user: Tensor) -> Tensor:
        r"""Draws one negative job per entry of :obj:`user`, never one of
        that user's training positives."""
        neg = torch.randint(self.num_jobs, user.shape,
                            generator=self.generator)
        todo = torch.arange(user.numel())
        while todo.numel() > 0:
            key = user[todo] * self.num_jobs + neg[todo]
            pos = torch.searchsorted(self.positive_keys, key)
            pos = pos.clamp(max=self.positive_keys.numel() - 1)
            todo = todo[self.positive_keys[pos] == key]
            neg[todo] = torch.randint(self.num_jobs, todo.shape,
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
                f'num_jobs={self.num_jobs}, batch_size={self.batch_size})')
