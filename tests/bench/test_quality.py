import json

import pytest
import torch

from lgir_pyg.bench.quality import (format_quality, paired_difference,
                                    run_quality)


def test_paired_difference():
    a = [torch.tensor([1.0, 0.0, 0.5]), torch.tensor([1.0, 0.0, 0.5])]
    b = [torch.tensor([0.0, 0.0, 1.0]), torch.tensor([0.0, 1.0, 1.0])]
    d = paired_difference(a, b)
    # Per example, averaged over seeds: [1, -0.5, -0.5].
    assert d['mean'] == pytest.approx(0.0)
    assert d['se'] == pytest.approx(float(torch.tensor(
        [1.0, -0.5, -0.5]).std()) / 3**0.5)
    assert (d['num_better'], d['num_worse'], d['num_examples']) == (1, 2, 3)


def test_run_quality(make_rec_graph, text_features, tmp_path):
    # Enough jobs for the sampled protocol's 99 negatives.
    rec_graph = text_features(make_rec_graph(num_jobs=120))
    rec_graph['job'].kind = ['ab'[i % 2] for i in range(120)]
    result = run_quality(rec_graph, ['pop', 'job-mean', 'lightgcn', 'lgir'],
                         seeds=2, output_dir=str(tmp_path), dataset='tiny',
                         train_overrides={'epochs': 2}, item_category='kind')
    assert result['seeds'] == 2 and result['torch_num_threads'] == 1
    assert [len(result['runs'][m]) for m in result['models']] == [2] * 4
    for runs in result['runs'].values():
        assert [r['seed'] for r in runs] == [0, 1]
        assert runs[0]['config']['seed'] == 0
    summary = result['summary']['lightgcn']['test']['ndcg@5']
    values = [r['test']['ndcg@5'] for r in result['runs']['lightgcn']]
    assert summary['mean'] == pytest.approx(sum(values) / 2)
    comp = result['comparisons']
    best = max(['pop', 'job-mean', 'lightgcn'], key=lambda m: result[
        'summary'][m]['test']['ndcg@5']['mean'])
    assert comp['strongest_baseline'] == best
    assert set(comp['lgir_vs']) == {'pop', 'job-mean', 'lightgcn'}

    saved = json.loads((tmp_path / 'quality.json').read_text())
    assert saved['summary'] == json.loads(json.dumps(result['summary']))
    table = (tmp_path / 'quality.md').read_text()
    assert table == format_quality(result)
    assert '| lgir |' in table and 'Goal (LGIR >= +10%' in table
    assert table.startswith('# Quality on tiny (test split)')
    assert 'The employer side' in table
    # Beyond accuracy, through the evaluator, for every model.
    assert '## Beyond accuracy' in table and 'over `kind`' in table
    beyond = result['summary']['pop']['test_beyond']
    # Popularity recommends the same few items to everyone (less what
    # each user has seen).
    assert 5 / 120 <= beyond['coverage@5']['mean'] < 20 / 120
    assert 0 <= beyond['personalization@5']['mean'] <= 1
    assert set(beyond) >= {'coverage@20', 'diversity@5', 'cold@20',
                           'popularity@5'}
    assert '## Fairness between user groups' in table
    assert result['summary']['lgir']['test_fairness']['groups_spread'][
        'mean'] >= 0
    assert (tmp_path / 'quality_groups.png').stat().st_size > 1000
