r"""Paired comparisons of two models on the same test examples: the mean
difference of a per-example metric with its standard error, bootstrap
interval and spread over seeds."""
import statistics
from typing import Any, Dict, Sequence, Tuple

import torch
from torch import Tensor


def bootstrap_interval(diff: Tensor, num_samples: int = 2000,
                       level: float = 0.95,
                       seed: int = 0) -> Tuple[float, float]:
    r"""The percentile bootstrap interval of the mean of the paired
    differences :obj:`diff`: :obj:`num_samples` resamples of the examples
    with replacement, drawn with :obj:`seed`."""
    gen = torch.Generator().manual_seed(seed)
    n = diff.numel()
    means = []
    # In chunks, so that memory stays bounded for many examples.
    for start in range(0, num_samples, 250):
        size = min(250, num_samples - start)
        index = torch.randint(n, (size, n), generator=gen)
        means.append(diff.double()[index].mean(dim=1))
    means = torch.cat(means)
    tail = (1 - level) / 2
    low, high = torch.quantile(means, means.new_tensor([tail, 1 - tail]))
    return float(low), float(high)


def paired_difference(a: Sequence[Tensor], b: Sequence[Tensor],
                      num_samples: int = 2000,
                      seed: int = 0) -> Dict[str, Any]:
    r"""Paired comparison of two models' per-example metric values (one
    tensor per seed, the same examples in the same order): the mean of
    :obj:`a - b` (averaged over seeds first), its standard error over
    examples and 95% percentile-bootstrap interval
    (:func:`bootstrap_interval`), the mean and standard deviation over
    seeds of the per-seed mean differences (the seed spread, seed
    :obj:`i` of :obj:`a` against seed :obj:`i` of :obj:`b`), and how many
    examples each side wins."""
    a, b = torch.stack(list(a)), torch.stack(list(b))
    per_seed = a - b
    diff = per_seed.mean(dim=0)
    n = diff.numel()
    seed_means = [float(d.mean()) for d in per_seed]
    low, high = bootstrap_interval(diff, num_samples, seed=seed) if n else \
        (float('nan'), float('nan'))
    return {
        'a': float(a.mean()) if n else float('nan'),
        'b': float(b.mean()) if n else float('nan'),
        'mean': float(diff.mean()) if n else float('nan'),
        'se': float(diff.std() / n**0.5) if n > 1 else float('nan'),
        'ci_low': low,
        'ci_high': high,
        'seed_mean': statistics.mean(seed_means) if n else float('nan'),
        'seed_std': (statistics.stdev(seed_means)
                     if len(seed_means) > 1 and n else 0.0),
        'num_better': int((diff > 0).sum()),
        'num_worse': int((diff < 0).sum()),
        'num_examples': n,
    }


def format_difference(d: Dict[str, Any]) -> str:
    r"""A :func:`paired_difference` as reports print it, the mean with its
    interval: :obj:`"+0.0056 [+0.0005, +0.0108]"`; :obj:`"n/a"` without
    examples."""
    if d['num_examples'] == 0:
        return 'n/a'
    return f"{d['mean']:+.4f} [{d['ci_low']:+.4f}, {d['ci_high']:+.4f}]"
