import pytest
import torch

from lgir_pyg.evaluation import (bootstrap_interval, format_difference,
                                 paired_difference)


def test_paired_difference():
    a = [torch.tensor([1.0, 0.0, 0.5]), torch.tensor([1.0, 0.0, 0.5])]
    b = [torch.tensor([0.0, 0.0, 1.0]), torch.tensor([0.0, 1.0, 1.0])]
    d = paired_difference(a, b)
    # Per example, averaged over seeds: [1, -0.5, -0.5].
    assert d['mean'] == pytest.approx(0.0)
    assert d['se'] == pytest.approx(float(torch.tensor(
        [1.0, -0.5, -0.5]).std()) / 3**0.5)
    assert (d['num_better'], d['num_worse'], d['num_examples']) == (1, 2, 3)
    assert d['a'] == pytest.approx(0.5) and d['b'] == pytest.approx(0.5)
    # The per-seed mean differences are 1/6 and -1/6.
    assert d['seed_mean'] == pytest.approx(0.0)
    assert d['seed_std'] == pytest.approx((2 / 36)**0.5)
    assert d['ci_low'] <= d['mean'] <= d['ci_high']


def test_bootstrap_interval():
    gen = torch.Generator().manual_seed(0)
    diff = torch.randn(400, generator=gen) + 0.5
    low, high = bootstrap_interval(diff, 2000)
    # About the mean +- 1.96 standard errors.
    se = float(diff.std()) / 20
    assert low == pytest.approx(float(diff.mean()) - 1.96 * se, abs=0.3 * se)
    assert high == pytest.approx(float(diff.mean()) + 1.96 * se,
                                 abs=0.3 * se)
    assert bootstrap_interval(diff, 500, seed=1) == bootstrap_interval(
        diff, 500, seed=1)
    constant = torch.full((10, ), 0.25)
    assert bootstrap_interval(constant) == pytest.approx((0.25, 0.25))


def test_format_difference():
    # Every example 0.25 better: the interval is the point itself.
    d = paired_difference([torch.full((10, ), 0.75)], [torch.full((10, ),
                                                                  0.5)])
    assert format_difference(d) == '+0.2500 [+0.2500, +0.2500]'
    d = paired_difference([torch.tensor([0.0, 0.1])],
                          [torch.tensor([0.1, 0.1])])
    assert format_difference(d).startswith('-0.0500 [-0.')
    empty = paired_difference([torch.tensor([])], [torch.tensor([])])
    assert format_difference(empty) == 'n/a'
