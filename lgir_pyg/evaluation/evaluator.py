import copy
import logging
from typing import (
    Callable,
    Dict,
    Iterator,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.metrics.link_pred import LinkPredMetricData

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.datasets.stats import group_of
from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.evaluation.metrics import (DEFAULT_METRICS,
                                         beyond_accuracy_metrics,
                                         categorical, fairness,
                                         metric_summary, parse_metric)
from lgir_pyg.nn.functional import select_pairs

logger = logging.getLogger(__name__)

Score = Callable[[Tensor], Tensor]

PROTOCOLS = ('full', 'sampled')
SPLITS = ('val', 'test')
SIDES = ('user', 'item')


def _rank(scores: Tensor, is_label: Tensor) -> Tensor:
    # Ties are broken against the held-out items, so a model that scores
    # everything alike earns nothing.
    perm = is_label.to(torch.uint8).argsort(dim=1, stable=True)
    order = scores.gather(1, perm).argsort(dim=1, descending=True,
                                           stable=True)
    return perm.gather(1, order)


def _positives(data: HeteroData, edge_type: EdgeType, key: str,
               arg: str) -> Tensor:
    r"""The positive supervision pairs of a :class:`RandomLinkSplit` split
    (labels above :obj:`0`), with or without :obj:`split_labels=True`."""
    store = data[edge_type]
    if f'pos_{key}_index' in store:
        return store[f'pos_{key}_index']
    if f'{key}_index' not in store:
        raise DataError(f"{arg}[{edge_type}] has no '{key}_index'; split "
                        f"the graph with RandomLinkSplit first")
    index = store[f'{key}_index']
    if key not in store:
        return index
    return index[:, store[key] > 0]


class _Side(NamedTuple):
    # One ranking direction: pairs are (query, candidate), i.e. (user, item)
    # for side "user" and (item, user) for side "item".
    query_type: str
    candidate_type: str
    num_candidates: int
    label_index: Dict[str, Tensor]
    exclude_index: Dict[str, Tensor]
    interacted_index: Tensor
    num_train: Tensor  # Training interactions of each query node.
    warm: Tensor  # Whether each candidate has a training interaction.


class Evaluator:
    r"""Evaluates any recommender on the held-out interactions of a split
    graph, the same way for every model: models only score, the evaluator
    owns the protocol. The graph is split by
    :class:`lgir_pyg.transforms.PerUserSplit` (:obj:`edge_index` holds the
    training pairs of the interaction edge type, and
    :obj:`val_edge_label_index` / :obj:`test_edge_label_index` the
    held-out pairs), or by PyG's
    :class:`~torch_geometric.transforms.RandomLinkSplit` (see
    :meth:`from_link_split`). Node and edge type names come with the data.

    Both directions are ranked (:obj:`side` of :meth:`evaluate`):

    * :obj:`side="user"` ranks items for each user; the model is a callable
      :obj:`score(user_index)` returning :obj:`[len(user_index),
      num_items]` scores.
    * :obj:`side="item"` ranks users for each held-out item (the employer
      side of job recommendation); :obj:`score(item_index)` returns
      :obj:`[len(item_index), num_users]` scores.

    Below, the *query* is the user (or item) being served and its
    *candidates* the items (or users) ranked for it.

    * :obj:`protocol="full"` ranks all candidates for each query with
      held-out pairs, excluding its training pairs (and, for :obj:`"test"`,
      validation pairs); one example per query.
    * :obj:`protocol="sampled"` ranks each held-out candidate against
      :obj:`num_sampled_negatives` distinct candidates the query never
      interacted with in any split; one example per held-out pair. The
      negatives are drawn once per split and side from :obj:`seed`, so every
      model sees the same.

    Ties are broken against the held-out candidates (a tie ranks the
    held-out one last). :meth:`ogb_metrics` gives MRR and Hits@K with
    OGB's rule instead (a tie counts half). Metrics are PyG's
    :class:`~torch_geometric.metrics.LinkPredNDCG`,
    :class:`~torch_geometric.metrics.LinkPredMAP`,
    :class:`~torch_geometric.metrics.LinkPredRecall`,
    :class:`~torch_geometric.metrics.LinkPredHitRatio` and
    :class:`~torch_geometric.metrics.LinkPredMRR` (over the whole ranking).

    :meth:`evaluate` returns the mean of each metric and the number of
    examples (:obj:`"count"`), broken down by the query's number of
    training interactions (:obj:`"groups"`: :obj:`1`, :obj:`2`,
    :obj:`3-5`, :obj:`6+`, led by :obj:`0` for items, and for users where
    some held-out user has none) and by whether the held-out candidate has
    a training interaction (:obj:`"warm_cold"`: :obj:`warm`, :obj:`cold`;
    a query with both kinds of held-out candidates counts in both, ranked
    against that kind only). An empty slice has :obj:`None` metrics. With
    :obj:`per_user=True` it adds :obj:`"per_user"`: the query of each
    example (under :obj:`"user"` or :obj:`"item"`) and every metric's value
    per example, in an order fixed by the split, protocol and side, for
    paired comparisons between models.

    With :obj:`beyond=True` (full protocol, user side) it adds what the
    top-:math:`k` lists do beyond accuracy, for each :math:`k` of
    :obj:`beyond_k`, through PyG's metrics (:obj:`"beyond"`):
    :obj:`coverage@k` (share of the catalogue recommended to anyone),
    :obj:`diversity@k` (intra-list diversity over :obj:`item_category`;
    an item of unknown category :obj:`""` shares a category with no
    other item) with :obj:`known_category@k` (share of recommended items
    of known category), :obj:`personalization@k` (mean dissimilarity of
    two users' lists, over the first 4,096 users),
    :obj:`popularity@k` (mean training degree of recommended items) and
    :obj:`cold@k` (share of recommended items without training
    interactions). It also adds the user-side fairness of
    :obj:`fairness_metric` (:obj:`"fairness"`): its value per activity
    group and, if :obj:`user_attribute` is given, per value of that
    attribute (users of unknown value :obj:`""` are left out), each with
    the spread (max - min) and the population standard deviation over the
    non-empty groups.

    Args:
        data (HeteroData): The split graph.
        metrics (Sequence[str], optional): Metric names, :obj:`"mrr"` or
            :obj:`"ndcg@k"`, :obj:`"map@k"`, :obj:`"recall@k"`,
            :obj:`"hits@k"`. (default: :obj:`("ndcg@5", "map@5", "mrr",
            "recall@10", "recall@20")`)
        num_sampled_negatives (int, optional): Negatives per held-out pair
            of the sampled protocol; fewer (with a warning) when some query
            has fewer unseen candidates. (default: :obj:`99`)
        seed (int, optional): Seed of the sampled negatives.
            (default: :obj:`0`)
        batch_size (int, optional): Queries scored at once.
            (default: :obj:`512`)
        edge_type (tuple, optional): The interaction edge type, users as
            its source and items as its destination. (default: the one
            non-reverse edge type of :obj:`data`)
        item_category (str, optional): A list-of-str attribute of the item
            store naming each item's category, for :obj:`diversity@k`.
            (default: :obj:`None`)
        user_attribute (str, optional): A list-of-str attribute of the user
            store whose values the fairness report compares.
            (default: :obj:`None`)
        beyond_k (Sequence[int], optional): The list lengths of the
            beyond-accuracy metrics, at least 2 each.
            (default: :obj:`(5, 20)`)
        fairness_metric (str, optional): The metric whose spread across
            user groups the fairness report gives.
            (default: :obj:`"ndcg@5"`)
    """
    def __init__(
        self,
        data: HeteroData,
        metrics: Sequence[str] = DEFAULT_METRICS,
        num_sampled_negatives: int = 99,
        seed: int = 0,
        batch_size: int = 512,
        edge_type: Optional[EdgeType] = None,
        item_category: Optional[str] = None,
        user_attribute: Optional[str] = None,
        beyond_k: Sequence[int] = (5, 20),
        fairness_metric: str = 'ndcg@5',
    ) -> None:
        self.edge_type = edge_type = interaction_edge_type(data, edge_type)
        store = data[edge_type]
        for key in ('val_edge_label_index', 'test_edge_label_index'):
            if key not in store:
                hint = ("it holds RandomLinkSplit's 'edge_label_index': use "
                        "Evaluator.from_link_split(train_data, val_data, "
                        "test_data)" if 'edge_label_index' in store else
                        "split the graph first (PerUserSplit)")
                raise DataError(f"{edge_type} has no {key!r}; {hint}")
        for name in (*metrics, fairness_metric):
            parse_metric(name)
        if num_sampled_negatives <= 0 or batch_size <= 0:
            raise UsageError("'num_sampled_negatives' and 'batch_size' "
                             "must be positive")
        if not beyond_k or any(int(k) != k or k < 2 for k in beyond_k):
            raise UsageError(f"'beyond_k' must hold integers of at least 2 "
                             f"(got {tuple(beyond_k)})")
        self.metrics = tuple(metrics)
        self.num_sampled_negatives = num_sampled_negatives
        self.seed = seed
        self.batch_size = batch_size
        self.item_category = item_category
        self.user_attribute = user_attribute
        self.beyond_k = tuple(int(k) for k in beyond_k)
        self.fairness_metric = fairness_metric

        user_type, _, item_type = edge_type
        self.num_users = data[user_type].num_nodes
        self.num_items = data[item_type].num_nodes
        train = store.edge_index
        val = store.val_edge_label_index
        test = store.test_edge_label_index
        for key, index in (('edge_index', train),
                           ('val_edge_label_index', val),
                           ('test_edge_label_index', test)):
            if index.numel() and (int(index[0].max()) >= self.num_users or
                                  int(index[1].max()) >= self.num_items):
                raise DataError(f"{edge_type}.{key} names nodes beyond "
                                f"{self.num_users} {user_type!r} and "
                                f"{self.num_items} {item_type!r} nodes")
        label_index = {'val': val, 'test': test}
        exclude_index = {'val': train, 'test': torch.cat([train, val], 1)}
        interacted_index = torch.cat([train, val, test], dim=1)
        self.user_degree = torch.bincount(train[0], minlength=self.num_users)
        self.item_degree = torch.bincount(train[1], minlength=self.num_items)
        self._sides = {
            'user': _Side(user_type, item_type, self.num_items, label_index,
                          exclude_index, interacted_index, self.user_degree,
                          self.item_degree > 0),
            'item': _Side(item_type, user_type, self.num_users,
                          {k: v.flip(0) for k, v in label_index.items()},
                          {k: v.flip(0) for k, v in exclude_index.items()},
                          interacted_index.flip(0), self.item_degree,
                          self.user_degree > 0),
        }
        self._category = self._attribute = None
        if item_category is not None:
            self._category = categorical(data, item_type, item_category,
                                         self.num_items)
        if user_attribute is not None:
            self._attribute = categorical(data, user_type, user_attribute,
                                          self.num_users)
        self._candidates: Dict[Tuple[str, str], Tensor] = {}

    @classmethod
    def from_link_split(
        cls,
        train_data: HeteroData,
        val_data: HeteroData,
        test_data: HeteroData,
        edge_type: Optional[EdgeType] = None,
        key: str = 'edge_label',
        **kwargs,
    ) -> 'Evaluator':
        r"""Builds the evaluator of the output of PyG's
        :class:`~torch_geometric.transforms.RandomLinkSplit`
        (:obj:`train_data, val_data, test_data = transform(data)`).

        The training pairs are the message-passing edges of
        :obj:`train_data` and its positive supervision edges (they differ
        with :obj:`disjoint_train_ratio`); the held-out pairs are the
        positive supervision edges (:obj:`edge_label > 0`, or
        :obj:`pos_edge_label_index` with :obj:`split_labels=True`) of
        :obj:`val_data` and :obj:`test_data`. Sampled negatives (label
        :obj:`0`) and the message-passing edges of :obj:`val_data` and
        :obj:`test_data` are not held out. Node attributes
        (:obj:`item_category`, :obj:`user_attribute`) are read from
        :obj:`train_data`.

        Args:
            train_data (HeteroData): The training split.
            val_data (HeteroData): The validation split.
            test_data (HeteroData): The test split.
            edge_type (tuple, optional): The interaction edge type.
                (default: the one non-reverse edge type)
            key (str, optional): The :obj:`key` of
                :class:`~torch_geometric.transforms.RandomLinkSplit`.
                (default: :obj:`"edge_label"`)
            **kwargs (optional): The other arguments of
                :class:`Evaluator`.
        """
        edge_type = interaction_edge_type(train_data, edge_type)
        store = train_data[edge_type]
        train = store.edge_index
        if f'pos_{key}_index' in store or f'{key}_index' in store:
            train = torch.cat([train, _positives(train_data, edge_type, key,
                                                 'train_data')], dim=1)
        data = copy.copy(train_data)
        out = data[edge_type]
        out.edge_index = torch.unique(train, dim=1)
        out.val_edge_label_index = _positives(val_data, edge_type, key,
                                              'val_data')
        out.test_edge_label_index = _positives(test_data, edge_type, key,
                                               'test_data')
        return cls(data, edge_type=edge_type, **kwargs)

    def sampled_candidates(self, split: str, side: str = 'user') -> Tensor:
        r"""The candidates of the sampled protocol, one row per held-out
        pair of :obj:`split` (in the order of the split's pairs): the
        sampled negatives, then the held-out candidate (last column)."""
        self._check(split=split, side=side)
        if (split, side) not in self._candidates:
            self._candidates[split, side] = self._sample(split, side)
        return self._candidates[split, side]

    def _sample(self, split: str, side: str) -> Tensor:
        view = self._sides[side]
        query, candidate = view.label_index[split]
        interacted = view.interacted_index
        num = view.num_candidates
        num_free = num - torch.bincount(
            torch.unique(interacted[0] * num + interacted[1]) // num,
            minlength=view.num_train.numel())
        # A small catalogue cannot give every query the requested number:
        # all queries then get the most that every one of them has.
        num_negatives = min(self.num_sampled_negatives,
                            int(num_free[query].min()))
        if num_negatives < 1:
            raise UsageError(
                f"Some {view.query_type!r} nodes interacted with every "
                f"{view.candidate_type!r} node: no negative to sample")
        if num_negatives < self.num_sampled_negatives:
            logger.warning(
                f"The sampled protocol ({split}, {side} side) uses "
                f"{num_negatives} negatives instead of "
                f"{self.num_sampled_negatives}: some {view.query_type!r} "
                f"nodes have only that many unseen candidates")
        # Seeded per split and side, so the candidates do not depend on the
        # order of calls.
        gen = torch.Generator().manual_seed(
            self.seed + SPLITS.index(split) + len(SPLITS) * SIDES.index(side))
        out = []
        for start in range(0, query.numel(), self.batch_size):
            batch = query[start:start + self.batch_size]
            # The k smallest of uniform keys are a uniform sample of k
            # distinct candidates; interacted ones get keys above every
            # other.
            keys = torch.rand(batch.numel(), num, generator=gen)
            row, col = select_pairs(batch, interacted)
            keys[row, col] = 2.0
            out.append(keys.topk(num_negatives, dim=1,
                                 largest=False).indices)
        return torch.cat([torch.cat(out), candidate.view(-1, 1)], dim=1)

    def _check(self, split: str = 'val', protocol: str = 'full',
               side: str = 'user') -> None:
        for name, value, allowed in (('split', split, SPLITS),
                                     ('protocol', protocol, PROTOCOLS),
                                     ('side', side, SIDES)):
            if value not in allowed:
                raise UsageError(f"{name!r} must be one of {allowed} "
                                 f"(got {value!r})")

    def _scores(self, score: Score, query: Tensor,
                side: str) -> Iterator[Tuple[slice, Tensor]]:
        r"""Yields the position of each batch of :obj:`query` and its
        checked scores."""
        view = self._sides[side]
        for start in range(0, query.numel(), self.batch_size):
            part = slice(start, start + self.batch_size)
            batch = query[part]
            out = score(batch)
            if not isinstance(out, Tensor) or out.shape != (
                    batch.numel(), view.num_candidates):
                shape = (list(out.shape) if isinstance(out, Tensor) else
                         type(out))
                raise UsageError(
                    f"score({view.query_type}_index) must return a tensor "
                    f"of shape [{batch.numel()}, {view.num_candidates}], "
                    f"one score per {view.candidate_type!r} node (got "
                    f"{shape})")
            if not bool(torch.isfinite(out).all()):
                bad = batch[~torch.isfinite(out).all(dim=1)]
                raise UsageError(
                    f"score({view.query_type}_index) returned NaN or "
                    f"infinite scores for {bad.numel()} {view.query_type!r} "
                    f"nodes (first: {view.query_type} {int(bad[0])})")
            yield part, out.detach().float().cpu()

    @torch.no_grad()
    def evaluate(self, score: Score, split: str = 'val',
                 protocol: str = 'full', per_user: bool = False,
                 side: str = 'user', beyond: bool = False) -> Dict:
        r"""Evaluates the scoring function :obj:`score` on :obj:`split`
        (:obj:`"val"` or :obj:`"test"`) with :obj:`protocol`
        (:obj:`"full"` or :obj:`"sampled"`), ranking items for users
        (:obj:`side="user"`) or users for items (:obj:`side="item"`).
        :obj:`beyond=True` adds the beyond-accuracy and fairness reports
        (full protocol, user side)."""
        self._check(split, protocol, side)
        if beyond and (protocol, side) != ('full', 'user'):
            raise UsageError("'beyond=True' needs protocol='full' and "
                             "side='user'")
        view = self._sides[side]
        labels = view.label_index[split]
        if labels.size(1) == 0:
            raise DataError(f"The {split!r} split holds no held-out pairs")
        if protocol == 'full':
            example = labels[0].unique()
            num_candidates = view.num_candidates
        else:
            candidates = self.sampled_candidates(split, side)
            example = labels[0]
            num_candidates = candidates.size(1)
        names = self.metrics
        if beyond and self.fairness_metric not in names:
            names += (self.fairness_metric, )
        metrics = {}
        for name in names:
            cls, k = parse_metric(name)
            metrics[name] = cls(k or num_candidates)
        if beyond:
            if max(self.beyond_k) > num_candidates:
                raise UsageError(f"'beyond_k' {self.beyond_k} exceeds the "
                                 f"{num_candidates} items")
            collection = beyond_accuracy_metrics(
                self.beyond_k, self.num_items, self.item_degree,
                self._category)

        slices = {'all': None, 'warm': True, 'cold': False}
        values = {key: [] for key in slices}
        for part, scores in self._scores(score, example, side):
            query = example[part]
            if protocol == 'full':
                row, cand = select_pairs(query, labels)
                is_label = torch.zeros_like(scores, dtype=torch.bool)
                is_label[row, cand] = True
                ex_row, ex_cand = select_pairs(query,
                                               view.exclude_index[split])
                scores = scores.index_put((ex_row, ex_cand),
                                          torch.tensor(float('-inf')))
                pred = _rank(scores, is_label)
                if beyond:
                    collection.update(pred[:, :max(self.beyond_k)],
                                      (row, cand))
            else:
                batch = candidates[part]
                is_label = torch.zeros_like(batch, dtype=torch.bool)
                is_label[:, -1] = True
                pred = batch.gather(1, _rank(scores.gather(1, batch),
                                             is_label))
                row, cand = torch.arange(query.numel()), batch[:, -1]
            for key, warm in slices.items():
                keep = slice(None) if warm is None else (
                    view.warm[cand] == warm)
                data = LinkPredMetricData(pred, (row[keep], cand[keep]))
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

        out = metric_summary(values['all'], self.metrics)
        num_train = view.num_train[example]
        groups = group_of(num_train, cold=(side == 'item' or
                                           bool((num_train == 0).any())))
        out['groups'] = {
            name: metric_summary(values['all'], self.metrics, mask)
            for name, mask in groups.items()
        }
        out['warm_cold'] = {key: metric_summary(values[key], self.metrics)
                            for key in ('warm', 'cold')}
        if per_user:
            out['per_user'] = {
                side: example,
                **{name: values['all'][name] for name in self.metrics},
            }
        if beyond:
            out['beyond'] = {name: float(value) for name, value in
                             collection.compute().items()}
            out['fairness'] = fairness(
                values['all'], example, groups, self.fairness_metric,
                self._attribute, self.user_attribute)
        return out

    @torch.no_grad()
    def ogb_metrics(self, score: Score, split: str = 'test',
                    side: str = 'user',
                    ks: Sequence[int] = (1, 3, 10)) -> Dict:
        r"""MRR and Hits@K of the sampled protocol computed the way
        :class:`ogb.linkproppred.Evaluator` computes them for
        :obj:`ogbl-citation2`: the rank of a held-out candidate is one plus
        the negatives scored above it plus half of those scored equal.
        Without ties it equals :obj:`"mrr"` and :obj:`"hits@k"` of
        :meth:`evaluate` with :obj:`protocol="sampled"`. Returns
        :obj:`{"mrr", "hits@k" for k in ks, "count"}`."""
        self._check(split=split, side=side)
        if any(k <= 0 for k in ks):
            raise UsageError(f"'ks' must be positive (got {tuple(ks)})")
        candidates = self.sampled_candidates(split, side)
        query = self._sides[side].label_index[split][0]
        ranks = []
        for part, scores in self._scores(score, query, side):
            scores = scores.gather(1, candidates[part])
            pos, neg = scores[:, -1:], scores[:, :-1]
            ranks.append(1 + (neg > pos).sum(1) + 0.5 * (neg == pos).sum(1))
        rank = torch.cat(ranks)
        return {
            'mrr': float((1 / rank).mean()),
            **{f'hits@{k}': float((rank <= k).float().mean()) for k in ks},
            'count': rank.numel(),
        }

    def __repr__(self) -> str:
        extra = ''.join(f', {name}={getattr(self, name)!r}'
                        for name in ('item_category', 'user_attribute')
                        if getattr(self, name) is not None)
        return (f'{self.__class__.__name__}({", ".join(self.metrics)}, '
                f'num_sampled_negatives={self.num_sampled_negatives}, '
                f'seed={self.seed}{extra})')
