import pytest

from lgir_pyg.datasets import TablesDataset
from lgir_pyg.errors import TableError, UsageError
from lgir_pyg.transforms import PerUserSplit

NEVER_READ = ['/nonexistent/users.csv', '/nonexistent/items.csv',
              '/nonexistent/interactions.csv']


@pytest.fixture
def files(tables, tmp_path):
    # A users table keyed `id`, an items table keyed `id`, interactions
    # with the usual foreign keys, as a user exports them.
    users, jobs, inter = tables
    users.rename(columns={'user_id': 'id'}).to_csv(tmp_path / 'users.csv',
                                                   index=False)
    jobs.rename(columns={'job_id': 'id'}).to_csv(tmp_path / 'items.csv',
                                                 index=False)
    inter.rename(columns={'job_id': 'item_id'}).to_csv(
        tmp_path / 'interactions.csv', index=False)
    return [str(tmp_path / f'{name}.csv')
            for name in ('users', 'items', 'interactions')]


def test_each_table_keyed_its_own_way(files, tmp_path):
    dataset = TablesDataset(str(tmp_path / 'root'), *files, table_kwargs={
        'users_id_column': 'id', 'items_id_column': 'id'})
    data = dataset[0]
    assert data['user'].node_id == ['u0', 'u1', 'u2', 'u3']
    assert data['item'].node_id[:2] == ['j0', 'j1']
    store = data['user', 'interacts', 'item']
    assert store.edge_index.size(1) + store.val_edge_label_index.size(
        1) + store.test_edge_label_index.size(1) == 8


@pytest.mark.parametrize('split,match', [
    ('bogus', "'split' must be 'default', None or a transform such as "
     "PerUserSplit\\('random'\\) \\(got 'bogus'\\)"),
    ('random', "'split' must be"),
    (0.2, "'split' must be"),
])
def test_bad_split_before_any_file(tmp_path, split, match):
    with pytest.raises(UsageError, match=match):
        TablesDataset(str(tmp_path), *NEVER_READ, split=split)


def test_unknown_table_argument_before_any_file(tmp_path):
    with pytest.raises(UsageError, match="'table_kwargs' has 'user_col', "
                       "not an argument of from_tables; valid: "
                       "time_column, user_id_column"):
        TablesDataset(str(tmp_path), *NEVER_READ,
                      table_kwargs={'user_col': 'id'})


def test_temporal_split_needs_a_time_column(files, tmp_path):
    kwargs = {'users_id_column': 'id', 'items_id_column': 'id',
              'time_column': 'nope'}
    with pytest.raises(TableError, match=r"interactions file "
                       r"'.*interactions\.csv' has no column 'nope' "
                       r"\(has \['user_id', 'item_id', 'time'\]\), which "
                       r"'time_column' names"):
        TablesDataset(str(tmp_path / 'root'), *files, table_kwargs=kwargs)
    kwargs['time_column'] = None
    with pytest.raises(TableError, match=r"interactions file "
                       r"'.*interactions\.csv' is untimed \(time_column is "
                       r"None\), but the temporal split orders each user's "
                       r"interactions by time"):
        TablesDataset(str(tmp_path / 'root'), *files, table_kwargs=kwargs)
    # Untimed interactions split at random.
    data = TablesDataset(str(tmp_path / 'root'), *files,
                         split=PerUserSplit('random'), table_kwargs=kwargs)[0]
    assert 'time' not in data['user', 'interacts', 'item']


def test_default_time_column_absent(files, tmp_path):
    import pandas as pd
    pd.read_csv(files[2]).drop(columns='time').to_csv(files[2], index=False)
    with pytest.raises(TableError, match=r"interactions\.csv' has no time "
                       r"column 'time', but the temporal split"):
        TablesDataset(str(tmp_path / 'root'), *files, table_kwargs={
            'users_id_column': 'id', 'items_id_column': 'id'})
