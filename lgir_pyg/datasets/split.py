r"""The split every dataset applies by default: held-out interactions per
user, temporal or random."""
from numbers import Integral, Real
from typing import Optional, Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.data.datapipes import functional_transform
from torch_geometric.transforms import BaseTransform

from lgir_pyg.datasets.graph import (EdgeType, interaction_edge_type,
                                     reverse_edge_type)
from lgir_pyg.errors import DataError, UsageError


@functional_transform('per_user_split')
class PerUserSplit(BaseTransform):
    r"""Holds out evaluation interactions per user, the way LGIR is evaluated.

    With :obj:`strategy="temporal"` (default), each user's interactions are
    ordered by time (ties by job index): users with :math:`\geq 3`
    interactions give the last one to test and the second-to-last to
    validation; users with exactly 2 give the last one to test; users with 1
    keep it for training. With :obj:`strategy="random"`, each user's
    interactions are shuffled with :obj:`seed` and
    :obj:`round(n * test_ratio)` go to test, :obj:`round(n * val_ratio)` to
    validation, always leaving at least one for training.

    Afterwards the edge store holds training edges only in :obj:`edge_index`
    and the held-out pairs in :obj:`val_edge_label_index` and
    :obj:`test_edge_label_index`. Every other edge attribute (a tensor whose
    first dimension is the number of edges, e.g. :obj:`time` or an
    :obj:`edge_attr` of shape :obj:`[E, F]`) is sliced along dim 0: its
    training rows stay under its name, the held-out rows move to
    :obj:`val_<name>` and :obj:`test_<name>`, so nothing is lost. The reverse
    edge type, if the graph has it, is rebuilt from the training edges with
    all their attributes; :obj:`data[user_type].num_train_interactions`
    counts each user's training edges. Held-out pairs never enter message
    passing.

    Args:
        strategy (str, optional): :obj:`"temporal"` or :obj:`"random"`.
            (default: :obj:`"temporal"`)
        val_ratio (float, optional): Validation share per user for
            :obj:`"random"`. (default: :obj:`0.1`)
        test_ratio (float, optional): Test share per user for
            :obj:`"random"`. (default: :obj:`0.2`)
        seed (int, optional): Seed of the random strategy.
            (default: :obj:`0`)
        edge_type (tuple, optional): The interaction edge type; inferred if
            the graph has exactly one edge type whose relation does not start
            with :obj:`"rev_"`. (default: :obj:`None`)
        rev_edge_type (tuple, optional): Its reverse, rebuilt from the
            training edges (created if missing). If :obj:`None`, the reverse
            by PyG's naming (:obj:`(dst, "rev_<rel>", src)`) is rebuilt when
            the graph has it; no reverse is ever invented.
            (default: :obj:`None`)
    """
    def __init__(
        self,
        strategy: str = 'temporal',
        val_ratio: float = 0.1,
        test_ratio: float = 0.2,
        seed: int = 0,
        edge_type: Optional[EdgeType] = None,
        rev_edge_type: Optional[EdgeType] = None,
    ) -> None:
        if not isinstance(strategy, str) or strategy not in ('temporal',
                                                             'random'):
            raise UsageError(f"'strategy' must be 'temporal' or 'random' "
                             f"(got {strategy!r})")
        for arg, value, kind, what in (
            ('val_ratio', val_ratio, Real, 'a number'),
            ('test_ratio', test_ratio, Real, 'a number'),
            ('seed', seed, Integral, 'an integer'),
        ):
            if isinstance(value, bool) or not isinstance(value, kind):
                raise UsageError(f"'{arg}' must be {what} (got {value!r})")
        if strategy == 'random' and not (
                0 <= val_ratio < 1 and 0 <= test_ratio < 1
                and 0 < val_ratio + test_ratio < 1):
            raise UsageError(f"'val_ratio' ({val_ratio}) and 'test_ratio' "
                             f"({test_ratio}) must be in [0, 1) with a sum "
                             f"in (0, 1)")
        self.strategy = strategy
        self.val_ratio = val_ratio
        self.test_ratio = test_ratio
        self.seed = seed
        self.edge_type = edge_type
        self.rev_edge_type = rev_edge_type

    def forward(self, data: HeteroData) -> HeteroData:
        edge_type = interaction_edge_type(data, self.edge_type)
        rev_edge_type = self.rev_edge_type
        if rev_edge_type is None and reverse_edge_type(
                edge_type) in data.edge_types:
            rev_edge_type = reverse_edge_type(edge_type)
        store = data[edge_type]
        if 'val_edge_label_index' in store:
            raise DataError(f"{edge_type} is already split")
        user_store = data[edge_type[0]]
        if 'num_nodes' not in user_store:
            raise DataError(f"data['{edge_type[0]}'] needs 'num_nodes' "
                            f"(the number of users, including users without "
                            f"interactions) to be split")
        src, dst = store.edge_index
        num_users = user_store.num_nodes

        if self.strategy == 'temporal':
            time = store.get('time')
            if time is None:
                raise DataError(f"The temporal split needs 'time' on "
                                f"{edge_type}; use strategy='random'")
            # Sort by (user, time, job): lexsort via stable sorts, last key
            # first.
            perm = torch.argsort(dst, stable=True)
            perm = perm[torch.argsort(time[perm], stable=True)]
        else:
            gen = torch.Generator().manual_seed(self.seed)
            perm = torch.randperm(src.numel(), generator=gen)
        perm = perm[torch.argsort(src[perm], stable=True)]

        count = torch.bincount(src, minlength=num_users)
        start = torch.cumsum(count, 0) - count
        rank_from_end = count[src[perm]] - 1 - (
            torch.arange(perm.numel()) - start[src[perm]])
        num_test, num_val = self._num_held_out(count)
        role = torch.zeros(perm.numel(), dtype=torch.long)  # 0: train
        role[rank_from_end < num_test[src[perm]]] = 2
        is_val = (rank_from_end >= num_test[src[perm]]) & (
            rank_from_end < (num_test + num_val)[src[perm]])
        role[is_val] = 1

        # Keep the original edge order within each role.
        train, val, test = (perm[role == r].sort().values for r in range(3))
        num_edges = src.numel()
        edge_attrs = [key for key, value in store.items()
                      if key != 'edge_index' and isinstance(value, Tensor)
                      and value.dim() > 0 and value.size(0) == num_edges]
        for key in edge_attrs:
            value = store[key]
            store[key] = value[train]
            store[f'val_{key}'] = value[val]
            store[f'test_{key}'] = value[test]
        edge_index = store.edge_index
        store.edge_index = edge_index[:, train]
        store.val_edge_label_index = edge_index[:, val]
        store.test_edge_label_index = edge_index[:, test]
        if rev_edge_type is not None:
            # Rebuilt whole, so no stale attribute of the full graph stays.
            if rev_edge_type in data.edge_types:
                del data[rev_edge_type]
            rev = data[rev_edge_type]
            rev.edge_index = store.edge_index.flip(0)
            for key in edge_attrs:
                rev[key] = store[key]
        user_store.num_train_interactions = torch.bincount(
            store.edge_index[0], minlength=num_users)
        return data

    def _num_held_out(self, count: Tensor) -> Tuple[Tensor, Tensor]:
        if self.strategy == 'temporal':
            num_test = (count >= 2).long()
            num_val = (count >= 3).long()
        else:
            num_test = torch.round(count * self.test_ratio).long()
            num_test = torch.minimum(num_test, count - 1)
            num_val = torch.round(count * self.val_ratio).long()
            num_val = torch.minimum(num_val, count - 1 - num_test)
        return num_test.clamp(min=0), num_val.clamp(min=0)

    def __repr__(self) -> str:
        args = f'strategy={self.strategy}'
        if self.strategy == 'random':
            args += (f', val_ratio={self.val_ratio}, test_ratio='
                     f'{self.test_ratio}, seed={self.seed}')
        for name in ('edge_type', 'rev_edge_type'):
            if getattr(self, name) is not None:
                args += f', {name}={getattr(self, name)}'
        return f'{self.__class__.__name__}({args})'


def default_split(split):
    r"""The split of a dataset class: :class:`PerUserSplit` for
    :obj:`"default"`, else :obj:`split` itself (a transform, or :obj:`None`
    for no split); anything else raises
    :class:`~lgir_pyg.errors.UsageError`."""
    if isinstance(split, str) and split == 'default':
        return PerUserSplit()
    if split is not None and not callable(split):
        raise UsageError(f"'split' must be 'default', None or a transform "
                         f"such as PerUserSplit('random') (got {split!r})")
    return split
