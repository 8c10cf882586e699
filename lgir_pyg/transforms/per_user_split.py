from typing import Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.data.datapipes import functional_transform
from torch_geometric.transforms import BaseTransform

from lgir_pyg.datasets.tables import EDGE_TYPE, REV_EDGE_TYPE

EdgeType = Tuple[str, str, str]


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
    (and :obj:`time`), the held-out pairs in :obj:`val_edge_label_index` and
    :obj:`test_edge_label_index`; the reverse edge type is rebuilt from the
    training edges, and :obj:`data['user'].num_train_interactions` counts
    each user's training edges. Held-out pairs never enter message passing.

    Args:
        strategy (str, optional): :obj:`"temporal"` or :obj:`"random"`.
            (default: :obj:`"temporal"`)
        val_ratio (float, optional): Validation share per user for
            :obj:`"random"`. (default: :obj:`0.1`)
        test_ratio (float, optional): Test share per user for
            :obj:`"random"`. (default: :obj:`0.2`)
        seed (int, optional): Seed of the random strategy.
            (default: :obj:`0`)
        edge_type (tuple, optional): The interaction edge type.
            (default: :obj:`('user', 'interacts', 'job')`)
        rev_edge_type (tuple, optional): Its reverse, rebuilt from training
            edges. (default: :obj:`('job', 'rev_interacts', 'user')`)
    """
    def __init__(
        self,
        strategy: str = 'temporal',
        val_ratio: float = 0.1,
        test_ratio: float = 0.2,
        seed: int = 0,
        edge_type: EdgeType = EDGE_TYPE,
        rev_edge_type: EdgeType = REV_EDGE_TYPE,
    ) -> None:
        if strategy not in ('temporal', 'random'):
            raise ValueError(f"'strategy' must be 'temporal' or 'random' "
                             f"(got {strategy!r})")
        if not (0 <= val_ratio < 1 and 0 <= test_ratio < 1
                and val_ratio + test_ratio < 1):
            raise ValueError(f"'val_ratio' ({val_ratio}) and 'test_ratio' "
                             f"({test_ratio}) must be in [0, 1) with a sum "
                             f"below 1")
        self.strategy = strategy
        self.val_ratio = val_ratio
        self.test_ratio = test_ratio
        self.seed = seed
        self.edge_type = edge_type
        self.rev_edge_type = rev_edge_type

    def forward(self, data: HeteroData) -> HeteroData:
        store = data[self.edge_type]
        if 'val_edge_label_index' in store:
            raise ValueError(f"{self.edge_type} is already split")
        src, dst = store.edge_index
        num_users = data[self.edge_type[0]].num_nodes

        if self.strategy == 'temporal':
            time = store.get('time')
            if time is None:
                raise ValueError(f"The temporal split needs 'time' on "
                                 f"{self.edge_type}; use strategy='random'")
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
        edge_index = store.edge_index
        for key, value in list(store.items()):
            if isinstance(value, Tensor) and value.dim() > 0 and (
                    value.size(-1) == edge_index.size(1)) and key != (
                        'edge_index'):
                store[key] = value[..., train]
        store.edge_index = edge_index[:, train]
        store.val_edge_label_index = edge_index[:, val]
        store.test_edge_label_index = edge_index[:, test]
        if self.rev_edge_type is not None:
            data[self.rev_edge_type].edge_index = store.edge_index.flip(0)
        data[self.edge_type[0]].num_train_interactions = torch.bincount(
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
        if self.strategy == 'temporal':
            return f'{self.__class__.__name__}(strategy=temporal)'
        return (f'{self.__class__.__name__}(strategy=random, '
                f'val_ratio={self.val_ratio}, test_ratio={self.test_ratio}, '
                f'seed={self.seed})')
