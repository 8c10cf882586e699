import json

import torch
from torch_geometric.data import HeteroData

from lgir_pyg.bench.speed import random_text, run_speed, synthetic_graph
from lgir_pyg.datasets.tables import EDGE_TYPE


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
    out = synthetic_graph(data, 3)
    assert (out['user'].num_nodes, out['job'].num_nodes) == (120, 180)
    edge_index = out[EDGE_TYPE].edge_index
    # Degrees of real users; repeated pairs merged.
    degree = torch.bincount(edge_index[0], minlength=120)
    assert int(degree.min()) >= 1 and int(degree.max()) <= 8
    key = edge_index[0] * 180 + edge_index[1]
    assert key.unique().numel() == key.numel()
    assert out[EDGE_TYPE].test_edge_label_index.shape == (2, 0)
    assert torch.equal(synthetic_graph(data, 3)[EDGE_TYPE].edge_index,
                       edge_index)


def test_run_speed(tmp_path):
    result = run_speed(threads=1, runs=1, scales=(2, ), output_dir=str(
        tmp_path), embedding_dim=8, max_batches=1, data=degree_graph())
    assert torch.get_num_threads() == 1 and result['torch_num_threads'] == 1
    assert set(result['epoch']) == {'lgir', 'lightgcn'}
    for name, row in result['epoch'].items():
        assert row['config']['model'] == name
        assert row['config']['model_kwargs']['embedding_dim'] == 8
        assert row['median_s'] > 0 and len(row['runs_s']) == 1
    assert result['epoch']['lgir']['config']['model_kwargs']['gan'] is True
    assert result['ratio'] > 0
    assert result['goal_reached'] == (result['ratio'] <= 1.5)
    assert result['evaluation']['num_users'] == 40
    assert result['evaluation']['users_per_s'] > 0

    [row] = result['sweep']
    assert (row['scale'], row['num_users'], row['num_jobs']) == (2, 80, 120)
    assert row['batches_timed'] == row['batches_per_epoch'] == 1
    assert not row['extrapolated'] and row['epoch_s'] > 0
    assert row['peak_rss_mib'] > 0 and row['rss_growth_mib'] >= 0

    assert json.loads((tmp_path / 'speed.json').read_text()) == json.loads(
        json.dumps(result))
    text = (tmp_path / 'speed.md').read_text()
    assert 'LGIR / LightGCN' in text and '| x2 | 80 | 120 |' in text
    assert 'torch.set_num_threads(1)' in text
