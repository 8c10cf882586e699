r"""The metrics of :class:`~lgir_pyg.evaluation.Evaluator`: accuracy metrics
by name (PyG's :obj:`LinkPred*`), their means over slices of the examples,
what top-:math:`k` lists do beyond accuracy, and the fairness of a metric
across user groups."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.metrics import (
    LinkPredAveragePopularity,
    LinkPredCoverage,
    LinkPredDiversity,
    LinkPredHitRatio,
    LinkPredMAP,
    LinkPredMetricCollection,
    LinkPredMRR,
    LinkPredNDCG,
    LinkPredPersonalization,
    LinkPredRecall,
)

from lgir_pyg.errors import DataError, UsageError

DEFAULT_METRICS = ('ndcg@5', 'map@5', 'mrr', 'recall@10', 'recall@20')
METRICS = {
    'ndcg': LinkPredNDCG,
    'map': LinkPredMAP,
    'recall': LinkPredRecall,
    'hits': LinkPredHitRatio,
}


def parse_metric(name: str) -> Tuple[type, Optional[int]]:
    r"""The PyG metric class of the metric :obj:`name` (:obj:`"mrr"` or
    :obj:`"<ndcg|map|recall|hits>@<k>"`) and its :math:`k` (:obj:`None`
    for :obj:`"mrr"`, over the whole ranking)."""
    if name == 'mrr':
        return LinkPredMRR, None
    kind, _, k = name.partition('@')
    if kind not in METRICS or not k.isdigit() or int(k) <= 0:
        raise UsageError(f"Unknown metric {name!r}; use 'mrr' or "
                         f"'<{'|'.join(METRICS)}>@<k>', e.g. 'ndcg@5'")
    return METRICS[kind], int(k)


def metric_summary(values: Dict[str, Tensor], names: Sequence[str],
                   mask: Optional[Tensor] = None) -> Dict:
    r"""The mean of each metric of :obj:`names` over the valid examples
    (:obj:`values["valid"]`) of :obj:`mask` (all if :obj:`None`), and
    their number (:obj:`"count"`); :obj:`None` means for no example."""
    valid = values['valid'] if mask is None else values['valid'] & mask
    count = int(valid.sum())
    out = {
        name: float(values[name][valid].mean()) if count else None
        for name in names
    }
    out['count'] = count
    return out


def categorical(data: HeteroData, node_type: str, name: str,
                num_nodes: int) -> Tuple[Tensor, List[str]]:
    r"""Returns the code of each node's value of the list-of-str attribute
    :obj:`data[node_type][name]` (:obj:`-1` for :obj:`""`, unknown) and the
    values, sorted."""
    values = data[node_type].get(name)
    if values is None:
        raise DataError(f"data[{node_type!r}] has no attribute {name!r}")
    if (not isinstance(values, (list, tuple)) or len(values) != num_nodes
            or not all(isinstance(v, str) for v in values)):
        raise DataError(f"data[{node_type!r}].{name} must be a list of "
                        f"{num_nodes} strings ('' = unknown)")
    names = sorted(set(values) - {''})
    code = {value: i for i, value in enumerate(names)}
    return torch.tensor([code.get(v, -1) for v in values]), names


def beyond_accuracy_metrics(
    beyond_k: Sequence[int],
    num_items: int,
    item_degree: Tensor,
    category: Optional[Tuple[Tensor, List[str]]] = None,
) -> LinkPredMetricCollection:
    r"""PyG's metrics of what top-:math:`k` lists do beyond accuracy, for
    each :math:`k` of :obj:`beyond_k`: :obj:`coverage@k`,
    :obj:`diversity@k` and :obj:`known_category@k` (with the items'
    :obj:`category` of :func:`categorical`), :obj:`personalization@k`,
    :obj:`popularity@k` (mean training degree :obj:`item_degree`) and
    :obj:`cold@k`; see :class:`~lgir_pyg.evaluation.Evaluator`."""
    # Each "share of items with property p" is the average popularity
    # of recommended items under the popularity p (0 or 1).
    cold = (item_degree == 0).float()
    metrics = {}
    for k in beyond_k:
        metrics[f'coverage@{k}'] = LinkPredCoverage(k, num_items)
        if category is not None:
            code, names = category
            # Unknown items get categories of their own.
            item_category = torch.where(
                code >= 0, code, len(names) + torch.arange(code.numel()))
            metrics[f'diversity@{k}'] = LinkPredDiversity(k, item_category)
            metrics[f'known_category@{k}'] = LinkPredAveragePopularity(
                k, (code >= 0).float())
        metrics[f'personalization@{k}'] = LinkPredPersonalization(k)
        metrics[f'popularity@{k}'] = LinkPredAveragePopularity(
            k, item_degree.float())
        metrics[f'cold@{k}'] = LinkPredAveragePopularity(k, cold)
    return LinkPredMetricCollection(metrics)


def spread(values: Dict[str, Tensor], masks: Dict[str, Tensor],
           metric: str) -> Dict:
    r"""The mean of :obj:`metric` in each group of :obj:`masks`, the
    groups' counts, and the spread (max - min) and population standard
    deviation of the means of the non-empty groups."""
    summary = {key: metric_summary(values, (metric, ), mask)
               for key, mask in masks.items()}
    means = torch.tensor([s[metric] for s in summary.values()
                          if s[metric] is not None])
    return {
        'values': {key: s[metric] for key, s in summary.items()},
        'counts': {key: s['count'] for key, s in summary.items()},
        'spread': float(means.max() - means.min()) if len(means) else None,
        'std': float(means.std(correction=0)) if len(means) else None,
    }


def fairness(
    values: Dict[str, Tensor],
    user: Tensor,
    groups: Dict[str, Tensor],
    metric: str,
    attribute: Optional[Tuple[Tensor, List[str]]] = None,
    attribute_name: Optional[str] = None,
) -> Dict:
    r"""The :func:`spread` of :obj:`metric` across the activity
    :obj:`groups` of the examples' users :obj:`user` and, with the users'
    :obj:`attribute` of :func:`categorical` (named :obj:`attribute_name`),
    across its values (users of unknown value are counted apart)."""
    out = {'metric': metric, 'groups': spread(values, groups, metric)}
    if attribute is not None:
        code, names = attribute
        code = code[user]
        out['attribute'] = {
            'name': attribute_name,
            **spread(values, {value: code == i
                              for i, value in enumerate(names)}, metric),
            'unknown': int((code < 0).sum()),
        }
    return out
