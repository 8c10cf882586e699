import json

import pytest
import torch

from lgir_pyg.benchmarks.quality import (format_quality, held_out_kind,
                                         run_quality)
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import build_model


def test_held_out_kind(rec_graph):
    # Test pairs (0, 7), (1, 3), (2, 8), (2, 0), (3, 4), (4, 9): jobs 0-5
    # are warm.
    warm = held_out_kind(rec_graph, warm=True)
    cold = held_out_kind(rec_graph, warm=False)
    store = ('user', 'interacts', 'job')
    assert warm[store].test_edge_label_index.tolist() == [[1, 2, 3],
                                                          [3, 0, 4]]
    assert cold[store].test_edge_label_index.t().tolist() == [[0, 7], [2, 8],
                                                              [4, 9]]
    assert rec_graph[store].test_edge_label_index.size(1) == 6
    # Per example, the evaluator's own warm and cold slices.
    model = build_model('lightgcn-text', rec_graph)
    full = Evaluator(rec_graph).evaluate(model.scorer(), 'test')
    for kind, part in (('warm', warm), ('cold', cold)):
        out = Evaluator(part).evaluate(model.scorer(), 'test')
        assert out['ndcg@5'] == pytest.approx(full['warm_cold'][kind][
            'ndcg@5'])
        assert out['count'] == full['warm_cold'][kind]['count']
    rec_graph[store].test_edge_label_index = torch.tensor([[0], [0]])
    assert held_out_kind(rec_graph, warm=False) is None


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
    # Every slice: all, the activity groups, warm and cold held-out jobs.
    parts = comp['lgir_vs']['pop']
    assert list(parts) == ['all', '1', '2', '1-2', '3-5', '6+', 'warm',
                           'cold']
    assert parts['all']['num_examples'] == 5  # Users with test pairs.
    assert parts['1-2']['num_examples'] == (parts['1']['num_examples'] +
                                            parts['2']['num_examples'])
    # User 2's test jobs 8 (cold) and 0 (warm) count in both kinds.
    assert parts['warm']['num_examples'] == 3
    assert parts['cold']['num_examples'] == 3
    d = parts['all']
    assert d['ci_low'] <= d['mean'] <= d['ci_high']
    assert d['a'] == pytest.approx(
        result['summary']['lgir']['test']['ndcg@5']['mean'])
    assert d['seed_std'] >= 0
    kinds = result['summary']['lgir']['test_warm_cold']
    assert parts['warm']['a'] == pytest.approx(kinds['warm']['ndcg@5'][
        'mean'])
    assert set(result['goals']) >= {
        'overall >= 1.10x strongest non-LGIR', '1-2 interactions >= 1.15x',
        'warm >= lightgcn', 'cold >= best text model'}
    assert all(isinstance(g['reached'], bool)
               for g in result['goals'].values())

    saved = json.loads((tmp_path / 'quality.json').read_text())
    assert saved['summary'] == json.loads(json.dumps(result['summary']))
    table = (tmp_path / 'quality.md').read_text()
    assert table == format_quality(result)
    assert '| lgir |' in table and '## Goals (issue 12)' in table
    assert "## NDCG@5 by the held-out job's kind" in table
    assert '| lgir vs | relative | seed sd | all (n=5) |' in table
    assert table.startswith('# Quality on tiny (test split)')
    # In the graph's own words.
    assert '## The job side: users ranked for each held-out job' in table
    assert '## Full ranking over all jobs' in table
    assert 'Partial' not in table
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
    assert (tmp_path / 'quality_gains.png').stat().st_size > 1000


def test_run_quality_tunes_on_validation(make_rec_graph, text_features):
    rec_graph = text_features(make_rec_graph(num_jobs=120))
    result = run_quality(rec_graph, ['job-mean', 'lgir-nogan', 'lgir'],
                         seeds=1, train_overrides={'epochs': 1},
                         tune_trials=2)
    tuning = result['tuning']
    assert [len(tuning[m]['trials']) for m in tuning] == [0, 2, 2]
    # lgir searches only the GAN's keys, on top of lgir-nogan's choice.
    assert set(tuning['lgir']['space']) == {'train.lambda_gan',
                                            'model_kwargs.gan_at'}
    chosen = tuning['lgir-nogan']['chosen']
    config = result['runs']['lgir'][0]['config']
    for key, value in chosen.items():
        section, _, arg = key.partition('.')
        assert config[section][arg] == value
    table = format_quality(result)
    assert '## Hyper-parameters chosen on validation' in table
    assert '| job-mean | 0 | defaults (nothing to tune) |' in table


def test_run_quality_writes_as_it_goes(make_rec_graph, text_features,
                                       tmp_path):
    # lightgcn's parameters become infinite and stop the run: pop's runs,
    # finished before, are on disk.
    rec_graph = text_features(make_rec_graph(num_jobs=120))
    with pytest.raises((FloatingPointError, ValueError)):
        run_quality(rec_graph, ['pop', 'lightgcn'], seeds=2,
                    output_dir=str(tmp_path), dataset='tiny',
                    train_overrides={'epochs': 1, 'lr': float('inf')})
    saved = json.loads((tmp_path / 'quality.json').read_text())
    assert saved['partial'] == '2 of 4 runs'
    assert [r['seed'] for r in saved['runs']['pop']] == [0, 1]
    assert 'lightgcn' not in saved['runs']
    table = (tmp_path / 'quality.md').read_text()
    assert '**Partial: 2 of 4 runs finished**' in table
    assert '| pop |' in table and '| lightgcn |' not in table
    # Without a category there is no diversity, and the report says so.
    assert ('diversity: none (no job category was given: set '
            'data.item_category)') in table
