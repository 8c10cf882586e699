from typing import Callable, Dict, Optional, Sequence, Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.metrics import (
    LinkPredMAP,
    LinkPredMRR,
    LinkPredNDCG,
    LinkPredRecall,
)
from torch_geometric.metrics.link_pred import LinkPredMetricData

from lgir_pyg.datasets.stats import group_of
from lgir_pyg.nn.functional import select_pairs
from lgir_pyg.datasets.tables import EDGE_TYPE

EdgeType = Tuple[str, str, str]
Score = Callable[[Tensor], Tensor]

DEFAULT_METRICS = ('ndcg@5', 'map@5', 'mrr', 'recall@10', 'recall@20')
METRICS = {'ndcg': LinkPredNDCG, 'map': LinkPredMAP, 'recall': LinkPredRecall}
PROTOCOLS = ('full', 'sampled')
SPLITS = ('val', 'test')


def _parse_metric(name: str) -> Tuple[type, Optional[int]]:
    if name == 'mrr':
        return LinkPredMRR, None
    kind, _, k = name.partition('@')
    if kind not in METRICS or not k.isdigit() or int(k) <= 0:
        raise ValueError(f"Unknown metric {name!r}; use 'mrr' or "
                         f"'<{'|'.join(METRICS)}>@<k>', e.g. 'ndcg@5'")
    return METRICS[kind], int(k)


def _rank(scores: Tensor, is_label: Tensor) -> Tensor:
    # Ties are broken against the held-out jobs, so a model that scores
    # everything alike earns nothing.
    perm = is_label.to(torch.uint8).argsort(dim=1, stable=True)
    order = scores.gather(1, perm).argsort(dim=1, descending=True,
                                           stable=True)
    return perm.gather(1, order)


class Evaluator:
    r"""Evaluates any recommender on the held-out interactions of a split
    LGIR graph (see :class:`lgir_pyg.transforms.PerUserSplit`), the same way
    for every model: models only score, the evaluator owns the protocol.

    A model is given as a callable :obj:`score(user_index)` returning the
    scores :obj:`[len(user_index), num_jobs]` of every job for those users.

    * :obj:`protocol="full"` ranks all jobs for each user with held-out
      jobs, excluding the user's training jobs (and, for :obj:`"test"`,
      validation jobs); one example per user.
    * :obj:`protocol="sampled"` ranks each held-out job against
      :obj:`num_sampled_negatives` distinct jobs the user never interacted
      with in any split; one example per held-out pair. The negatives are
      drawn once per split from :obj:`seed`, so every model sees the same.

    Ties are broken against the held-out jobs. Metrics are PyG's
    :class:`~torch_geometric.metrics.LinkPredNDCG`,
    :class:`~torch_geometric.metrics.LinkPredMAP`,
    :class:`~torch_geometric.metrics.LinkPredRecall` and
    :class:`~torch_geometric.metrics.LinkPredMRR` (over the whole ranking).

    :meth:`evaluate` returns the mean of each metric and the number of
    examples (:obj:`"count"`), broken down by the user's number of training
    interactions (:obj:`"groups"`: :obj:`1`, :obj:`2`, :obj:`3-5`,
    :obj:`6+`) and by whether the held-out job has a training interaction
    (:obj:`"warm_cold"`: :obj:`warm`, :obj:`cold`; a user with both kinds
    of held-out jobs counts in both, ranked against that kind only). An
    empty slice has :obj:`None` metrics. With :obj:`per_user=True` it adds
    :obj:`"per_user"`: the user of each example and every metric's value
    per example, in an order fixed by the split and protocol, for paired
    comparisons between models.

    Args:
        data (HeteroData): The split graph.
        metrics (Sequence[str], optional): Metric names, :obj:`"mrr"` or
            :obj:`"ndcg@k"`, :obj:`"map@k"`, :obj:`"recall@k"`.
            (default: :obj:`("ndcg@5", "map@5", "mrr", "recall@10",
            "recall@20")`)
        num_sampled_negatives (int, optional): Negatives per held-out pair
            of the sampled protocol. (default: :obj:`99`)
        seed (int, optional): Seed of the sampled negatives.
            (default: :obj:`0`)
        batch_size (int, optional): Users scored at once.
            (default: :obj:`512`)
        edge_type (tuple, optional): The interaction edge type.
            (default: :obj:`('user', 'interacts', 'job')`)
    """
    def __init__(
        self,
        data: HeteroData,
        metrics: Sequence[str] = DEFAULT_METRICS,
        num_sampled_negatives: int = 99,
        seed: int = 0,
        batch_size: int = 512,
        edge_type: EdgeType = EDGE_TYPE,
    ) -> None:
        store = data[edge_type]
        if 'val_edge_label_index' not in store:
            raise ValueError(f"{edge_type} has no 'val_edge_label_index'; "
                             f"split the graph first (PerUserSplit)")
        for name in metrics:
            _parse_metric(name)
        if num_sampled_negatives <= 0 or batch_size <= 0:
            raise ValueError("'num_sampled_negatives' and 'batch_size' must "
                             "be positive")
        self.metrics = tuple(metrics)
        self.num_sampled_negatives = num_sampled_negatives
        self.seed = seed
        self.batch_size = batch_size
        self.num_users = data[edge_type[0]].num_nodes
        self.num_jobs = data[edge_type[2]].num_nodes

        train = store.edge_index
        val = store.val_edge_label_index
        test = store.test_edge_label_index
        self.label_index = {'val': val, 'test': test}
        self.exclude_index = {'val': train, 'test': torch.cat([train, val],
                                                              dim=1)}
        self.interacted_index = torch.cat([train, val, test], dim=1)
        self.num_train = torch.bincount(train[0], minlength=self.num_users)
        self.warm_job = torch.zeros(self.num_jobs, dtype=torch.bool)
        self.warm_job[train[1]] = True
        self._candidates: Dict[str, Tensor] = {}

    def sampled_candidates(self, split: str) -> Tensor:
        r"""The candidates of the sampled protocol, one row per held-out
        pair of :obj:`split`: the sampled negatives, then the held-out job
        (last column)."""
        if split not in self._candidates:
            self._candidates[split] = self._sample_candidates(split)
        return self._candidates[split]

    def _sample_candidates(self, split: str) -> Tensor:
        user, job = self.label_index[split]
        num_free = self.num_jobs - torch.bincount(
            torch.unique(self.interacted_index[0] * self.num_jobs +
                         self.interacted_index[1]) // self.num_jobs,
            minlength=self.num_users)
        if bool((num_free[user] < self.num_sampled_negatives).any()):
            raise ValueError(f"Some users interacted with all but "
                             f"{int(num_free[user].min())} jobs: fewer than "
                             f"num_sampled_negatives="
                             f"{self.num_sampled_negatives}")
        # Seeded per split, so the candidates do not depend on call order.
        gen = torch.Generator().manual_seed(self.seed + SPLITS.index(split))
        out = []
        for start in range(0, user.numel(), self.batch_size):
            batch = user[start:start + self.batch_size]
            # The k smallest of uniform keys are a uniform sample of k
            # distinct jobs; interacted jobs get keys above every other.
            keys = torch.rand(batch.numel(), self.num_jobs, generator=gen)
            row, col = select_pairs(batch, self.interacted_index)
            keys[row, col] = 2.0
            out.append(keys.topk(self.num_sampled_negatives, dim=1,
                                 largest=False).indices)
        return torch.cat([torch.cat(out), job.view(-1, 1)], dim=1)

    def _score(self, score: Score, user: Tensor) -> Tensor:
        out = score(user)
        if not isinstance(out, Tensor) or out.shape != (user.numel(),
                                                        self.num_jobs):
            shape = list(out.shape) if isinstance(out, Tensor) else type(out)
            raise ValueError(f"score(user_index) must return a tensor of "
                             f"shape [{user.numel()}, {self.num_jobs}] "
                             f"(got {shape})")
        if not bool(torch.isfinite(out).all()):
            bad = user[~torch.isfinite(out).all(dim=1)]
            raise ValueError(f"score(user_index) returned NaN or infinite "
                             f"scores for {bad.numel()} users (first: user "
                             f"{int(bad[0])})")
        return out.detach().float().cpu()

    @torch.no_grad()
    def evaluate(self, score: Score, split: str = 'val',
                 protocol: str = 'full', per_user: bool = False) -> Dict:
        r"""Evaluates the scoring function :obj:`score` on :obj:`split`
        (:obj:`"val"` or :obj:`"test"`) with :obj:`protocol`
        (:obj:`"full"` or :obj:`"sampled"`)."""
        if split not in SPLITS:
            raise ValueError(f"'split' must be one of {SPLITS} "
                             f"(got {split!r})")
        if protocol not in PROTOCOLS:
            raise ValueError(f"'protocol' must be one of {PROTOCOLS} "
                             f"(got {protocol!r})")
        labels = self.label_index[split]
        if labels.size(1) == 0:
            raise ValueError(f"The {split!r} split holds no held-out pairs")
        if protocol == 'full':
            example_user = labels[0].unique()
            num_candidates = self.num_jobs
        else:
            candidates = self.sampled_candidates(split)
            example_user = labels[0]
            num_candidates = candidates.size(1)
        metrics = {}
        for name in self.metrics:
            cls, k = _parse_metric(name)
            metrics[name] = cls(k or num_candidates)

        slices = {'all': None, 'warm': True, 'cold': False}
        values = {key: [] for key in slices}
        for start in range(0, example_user.numel(), self.batch_size):
            user = example_user[start:start + self.batch_size]
            scores = self._score(score, user)
            if protocol == 'full':
                row, job = select_pairs(user, labels)
                is_label = torch.zeros_like(scores, dtype=torch.bool)
                is_label[row, job] = True
                ex_row, ex_job = select_pairs(user,
                                              self.exclude_index[split])
                scores = scores.index_put((ex_row, ex_job),
                                          torch.tensor(float('-inf')))
                pred = _rank(scores, is_label)
            else:
                cand = candidates[start:start + self.batch_size]
                is_label = torch.zeros_like(cand, dtype=torch.bool)
                is_label[:, -1] = True
                pred = cand.gather(1, _rank(scores.gather(1, cand),
                                            is_label))
                row, job = torch.arange(user.numel()), cand[:, -1]
            for key, warm in slices.items():
                keep = slice(None) if warm is None else (
                    self.warm_job[job] == warm)
                data = LinkPredMetricData(pred, (row[keep], job[keep]))
                # PyG's metrics keep only sums in update(); their per-example
                # values are what paired comparisons need.
                values[key].append({
                    'valid': data.label_count > 0,
                    **{name: m._compute(data)
                       for name, m in metrics.items()},
                })
        values = {
            key: {name: torch.cat([v[name] for v in batches])
                  for name in batches[0]}
            for key, batches in values.items()
        }

        out = self._summary(values['all'])
        groups = group_of(self.num_train[example_user])
        out['groups'] = {
            name: self._summary(values['all'], mask)
            for name, mask in groups.items()
        }
        out['warm_cold'] = {key: self._summary(values[key])
                            for key in ('warm', 'cold')}
        if per_user:
            out['per_user'] = {
                'user': example_user,
                **{name: values['all'][name] for name in self.metrics},
            }
        return out

    def _summary(self, values: Dict[str, Tensor],
                 mask: Optional[Tensor] = None) -> Dict:
        valid = values['valid'] if mask is None else values['valid'] & mask
        count = int(valid.sum())
        out = {
            name: float(values[name][valid].mean()) if count else None
            for name in self.metrics
        }
        out['count'] = count
        return out

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({", ".join(self.metrics)}, '
                f'num_sampled_negatives={self.num_sampled_negatives}, '
                f'seed={self.seed})')
