import json
import os.path as osp

import pytest
import torch
from torch_geometric.data import HeteroData

from lgir_pyg.benchmarks.speed import (plot_speed, random_text, run_speed,
                                       synthetic_graph)
from lgir_pyg.models import MODELS

EDGE_TYPE = ('user', 'interacts', 'job')
RESULTS = osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'benchmarks', 'results')


def degree_graph(num_users: int = 40, num_jobs: int = 60) -> HeteroData:
    # Users with 1-8 distinct training jobs (few-shot and many-shot ones for
    # the GAN), one test and one validation job each.
    user = torch.arange(num_users)
    degree = user % 8 + 1
    row = user.repeat_interleave(degree)
    rank = torch.arange(row.numel()) - (degree.cumsum(0) - degree)[row]
    data = HeteroData()
    data['user'].num_nodes, data['job'].num_nodes = num_users, num_jobs
    store = data[EDGE_TYPE]
    store.edge_index = torch.stack([row, (row * 7 + rank) % num_jobs])
    store.val_edge_label_index = torch.stack([user, (user * 7 + 9) % num_jobs])
    store.test_edge_label_index = torch.stack(
        [user, (user * 7 + 10) % num_jobs])
    return data


def test_random_text():
    user_x, job_x = random_text(degree_graph(), channels=16)
    assert user_x.shape == (40, 16) and job_x.shape == (60, 16)
    assert torch.allclose(user_x.norm(dim=-1), torch.ones(40))


def test_synthetic_graph():
    data = degree_graph()
    out = synthetic_graph(data, 3, num_test_users=50)
    assert (out['user'].num_nodes, out['job'].num_nodes) == (120, 180)
    store = out[EDGE_TYPE]
    edge_index = store.edge_index
    # Degrees of real users; repeated pairs merged.
    degree = torch.bincount(edge_index[0], minlength=120)
    assert int(degree.min()) >= 1 and int(degree.max()) <= 8
    key = edge_index[0] * 180 + edge_index[1]
    assert key.unique().numel() == key.numel()
    # One held-out job per test user (fewer if one drew a training job),
    # never a training pair.
    test = store.test_edge_label_index
    assert 45 <= test.size(1) <= 50
    assert test[0].unique().numel() == test.size(1)
    assert not torch.isin(test[0] * 180 + test[1], key).any()
    assert store.val_edge_label_index.shape == (2, 0)
    again = synthetic_graph(data, 3, num_test_users=50)[EDGE_TYPE]
    assert torch.equal(again.edge_index, edge_index)
    assert torch.equal(again.test_edge_label_index, test)


def test_run_speed(tmp_path):
    result = run_speed(threads=1, runs=1, scales=(1, 2), output_dir=str(
        tmp_path), embedding_dim=8, data=degree_graph(), num_test_users=30,
        dataset='tiny')
    assert torch.get_num_threads() == 1 and result['torch_num_threads'] == 1
    assert result['device'] == 'cpu'
    assert {'lgir', 'lightgcn', 'lgir-nogan'} <= set(result['epoch'])
    for name, row in result['epoch'].items():
        assert row['config']['model'] == name
        kwargs = row['config']['model_kwargs']
        assert kwargs.get('embedding_dim', kwargs.get('id_dim')) == 8
        assert row['median_s'] > 0 and len(row['runs_s']) == 1
        assert set(row['paths_s']) == {'full', 'batch'}
        assert row['config']['train']['propagation'] == row['propagation']
    # One layer: exact mini-batches; three on a small graph: the full graph.
    one_layer = 'lgir-text' if 'lgir-text' in MODELS else 'lgir'
    assert result['epoch'][one_layer]['propagation'] == 'batch'
    assert result['epoch']['lightgcn']['propagation'] == 'full'
    assert result['epoch']['lgir']['config']['model_kwargs']['gan'] is True
    goals = result['goals']
    assert goals['ratio']['value'] == pytest.approx(
        result['epoch']['lgir']['median_s'] /
        result['epoch']['lightgcn']['median_s'])
    assert goals['ratio']['reached'] == (goals['ratio']['value'] <= 1.5)
    assert result['evaluation']['num_users'] == 40
    assert result['evaluation']['users_per_s'] > 0

    swept = [name for name in ('lgir', 'lgir-text') if name in MODELS]
    assert [row['model'] for row in result['sweep']] == [
        name for name in swept for _ in (1, 2)]
    first, second = result['sweep'][:2]
    assert (second['scale'], second['num_users'], second['num_jobs']) == (
        2, 80, 120)
    assert first['batches'] == second['batches'] == 1
    assert second['propagation'] in ('full', 'batch')
    assert second['epoch_s'] > 0
    assert second['epoch_runs_s'] == [second['epoch_s']]  # runs=1.
    assert second['s_per_edge'] == pytest.approx(second['epoch_s'] /
                                                 second['num_edges'])
    assert goals['scaling lgir']['value'] == pytest.approx(
        second['s_per_edge'] / first['s_per_edge'])
    assert 25 <= second['evaluation']['num_users'] <= 30
    assert second['evaluation']['batch_size'] == (1 << 22) // 120
    assert second['peak_rss_mib'] > 0
    assert goals['peak_rss_mib lgir']['value'] == second['peak_rss_mib']
    assert second['neighbourhood']['nodes'] > 0

    assert json.loads((tmp_path / 'speed.json').read_text()) == json.loads(
        json.dumps(result))
    text = (tmp_path / 'speed.md').read_text()
    assert 'lgir epoch / lightgcn epoch' in text
    # The graph's own name and node types.
    assert '## One training epoch on tiny (40 users, 60 jobs, ' in text
    assert 'Each scale multiplies the users and jobs of tiny;' in text
    assert '| lgir | x2 | 80 | 120 |' in text
    assert 'torch.set_num_threads(1)' in text
    assert text.count('reached') == len(goals) == 1 + 2 * len(swept)
    assert (tmp_path / 'speed.png').stat().st_size > 1000


def test_plot_speed(tmp_path):
    with open(osp.join(RESULTS, 'speed.json')) as f:
        result = json.load(f)
    fig = plot_speed(result, str(tmp_path / 'speed.png'))
    assert (tmp_path / 'speed.png').stat().st_size > 1000
    epochs, sweep = fig.axes
    # One bar per model and path, the auto path outlined.
    bars = [(p.get_height(), p.get_edgecolor()[3] > 0)
            for p in epochs.patches]
    assert sorted(bars) == sorted(
        (row['paths_s'][path], row['propagation'] == path)
        for path in ('full', 'batch') for row in result['epoch'].values())
    # Each swept model's epochs against its edges, and the linear line.
    measured, linear = sweep.lines[:2]
    rows = [r for r in result['sweep']
            if r['model'] == result['sweep'][0]['model']]
    assert list(measured.get_xdata()) == [r['num_edges'] for r in rows]
    assert list(measured.get_ydata()) == [r['epoch_s'] for r in rows]
    assert linear.get_ydata()[-1] == pytest.approx(
        rows[0]['epoch_s'] * rows[-1]['num_edges'] / rows[0]['num_edges'])
