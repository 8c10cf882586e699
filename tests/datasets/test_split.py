import numpy as np
import pytest
import torch

from lgir_pyg.datasets import from_tables
from lgir_pyg.errors import UsageError
from lgir_pyg.transforms import PerUserSplit


def _pairs(edge_index):
    return set(map(tuple, edge_index.t().tolist()))


def test_temporal_split(tiny_graph):
    store = tiny_graph['user', 'interacts', 'job']
    # u0: j4 (01-01), j1 (01-02), j0 (01-03) -> test j0, val j1.
    # u1: j1 (01-15, merged), j2 (02-02) -> test j2.
    # u2: j2, j3 at the same time -> tie broken by job index: test j3.
    # u3: one interaction -> train only.
    assert _pairs(store.test_edge_label_index) == {(0, 0), (1, 2), (2, 3)}
    assert _pairs(store.val_edge_label_index) == {(0, 1)}
    assert _pairs(store.edge_index) == {(0, 4), (1, 1), (2, 2), (3, 3)}
    assert store.time.numel() == store.edge_index.size(1)
    assert tiny_graph['user'].num_train_interactions.tolist() == [1, 1, 1, 1]
    rev = tiny_graph['job', 'rev_interacts', 'user'].edge_index
    assert torch.equal(rev, store.edge_index.flip(0))
    assert str(PerUserSplit()) == 'PerUserSplit(strategy=temporal)'


@pytest.mark.parametrize('split', [
    PerUserSplit(),
    PerUserSplit('random', val_ratio=0.2, test_ratio=0.3, seed=3),
])
def test_split_invariants(split):
    gen = torch.Generator().manual_seed(0)
    num_users, num_jobs = 30, 40
    user = torch.randint(num_users, (400, ), generator=gen)
    job = torch.randint(num_jobs, (400, ), generator=gen)
    import pandas as pd
    tables = (
        pd.DataFrame({'user_id': [f'u{i}' for i in range(num_users)],
                      'text': [''] * num_users}),
        pd.DataFrame({'item_id': [f'j{i}' for i in range(num_jobs)],
                      'text': ['x'] * num_jobs}),
        pd.DataFrame({'user_id': [f'u{i}' for i in user.tolist()],
                      'item_id': [f'j{i}' for i in job.tolist()],
                      'time': torch.randint(10, (400, ),
                                            generator=gen).tolist()}),
    )
    full = _pairs(from_tables(*tables)['user', 'interacts', 'item']
                  .edge_index)
    data = split(from_tables(*tables))
    store = data['user', 'interacts', 'item']
    train, val, test = (_pairs(store.edge_index),
                        _pairs(store.val_edge_label_index),
                        _pairs(store.test_edge_label_index))
    # Disjoint, complete, and no held-out pair in message passing.
    assert not (train & val) and not (train & test) and not (val & test)
    assert train | val | test == full
    assert not _pairs(data['item', 'rev_interacts', 'user'].edge_index
                      .flip(0)) & (val | test)
    # Every user keeps at least one training edge.
    assert (data['user'].num_train_interactions > 0).all()
    # Deterministic.
    again = split(from_tables(*tables))['user', 'interacts', 'item']
    assert torch.equal(again.test_edge_label_index,
                       store.test_edge_label_index)


@pytest.mark.parametrize('kwargs,match', [
    (dict(strategy='leave-one-out'), "'strategy' must be 'temporal' or "
     "'random' \\(got 'leave-one-out'\\)"),
    (dict(strategy=None), "'strategy' must be"),
    (dict(strategy='random', val_ratio=0.6, test_ratio=0.5), "'val_ratio'"),
    (dict(strategy='random', val_ratio='0.1'), "'val_ratio' must be a "
     "number \\(got '0.1'\\)"),
    (dict(test_ratio='0.2'), "'test_ratio' must be a number"),
    (dict(test_ratio=True), "'test_ratio' must be a number"),
    (dict(strategy='random', seed='3'), "'seed' must be an integer \\(got "
     "'3'\\)"),
    (dict(seed=1.5), "'seed' must be an integer"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(UsageError, match=match):
        PerUserSplit(**kwargs)


def test_numpy_arguments():
    split = PerUserSplit('random', np.float32(0.1), np.float64(0.2),
                         np.int64(3))
    assert split.seed == 3


def test_split_errors(tables):
    users, jobs, inter = tables
    data = from_tables(users, jobs, inter.drop(columns='time'),
                       item_id_column='job_id')
    with pytest.raises(ValueError, match="needs 'time'"):
        PerUserSplit()(data)
    data = PerUserSplit('random')(data)
    with pytest.raises(ValueError, match='already split'):
        PerUserSplit('random')(data)
