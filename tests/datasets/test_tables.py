import pandas as pd
import pytest
import torch

from lgir_pyg.datasets import TableError, from_tables


def test_from_tables(tables):
    data = from_tables(*tables)
    assert data['user'].node_id == ['u0', 'u1', 'u2', 'u3']
    assert data['user'].text[1] == ''
    assert data['job'].title[3] == 'Line Cook'
    store = data['user', 'interacts', 'job']
    # 9 rows, (u1, j1) twice: merged into one edge with the earliest time.
    assert store.edge_index.size(1) == 8
    assert store.num_merged_duplicates == 1
    pairs = set(map(tuple, store.edge_index.t().tolist()))
    assert len(pairs) == 8 and (1, 1) in pairs
    u1_j1 = ((store.edge_index[0] == 1) & (store.edge_index[1] == 1))
    assert store.time[u1_j1].item() == pd.Timestamp(
        '2014-01-15', tz='UTC').timestamp()
    rev = data['job', 'rev_interacts', 'user'].edge_index
    assert torch.equal(rev, store.edge_index.flip(0))


def test_from_files(tables, tmp_path):
    users, jobs, inter = tables
    users.to_csv(tmp_path / 'users.csv', index=False)
    jobs.to_parquet(tmp_path / 'jobs.parquet')
    inter.to_csv(tmp_path / 'inter.csv', index=False)
    data = from_tables(str(tmp_path / 'users.csv'),
                       str(tmp_path / 'jobs.parquet'),
                       str(tmp_path / 'inter.csv'))
    assert data['user'].text[1] == ''  # An empty CSV field stays text.
    assert data['user', 'interacts', 'job'].edge_index.size(1) == 8


def test_without_time(tables):
    users, jobs, inter = tables
    data = from_tables(users, jobs, inter.drop(columns='time'))
    assert 'time' not in data['user', 'interacts', 'job']


@pytest.mark.parametrize('table,column', [(0, 'text'), (1, 'job_id'),
                                          (2, 'user_id')])
def test_missing_column(tables, table, column):
    tables = list(tables)
    tables[table] = tables[table].drop(columns=column)
    with pytest.raises(TableError, match=f"missing column.*'{column}'"):
        from_tables(*tables)


def test_unknown_ids(tables):
    users, jobs, inter = tables
    inter.loc[4, 'job_id'] = 'j99'
    with pytest.raises(TableError, match="column 'job_id', row 4: unknown "
                       "job id 'j99'"):
        from_tables(users, jobs, inter)
    inter.loc[4, 'job_id'] = 'j2'
    inter.loc[2, 'user_id'] = 'nobody'
    with pytest.raises(TableError, match="row 2: unknown user id 'nobody'"):
        from_tables(users, jobs, inter)


def test_duplicate_node_ids(tables):
    users, jobs, inter = tables
    users.loc[2, 'user_id'] = 'u0'
    with pytest.raises(TableError, match="row 2: duplicate id 'u0'"):
        from_tables(users, jobs, inter)


def test_bad_timestamp_names_file_and_line(tables, tmp_path):
    users, jobs, inter = tables
    inter.loc[5, 'time'] = 'yesterday-ish'
    inter.to_csv(tmp_path / 'inter.csv', index=False)
    with pytest.raises(TableError, match=r"inter\.csv', column 'time', row 5 "
                       r"\(line 7\): cannot parse timestamp 'yesterday-ish'"):
        from_tables(users, jobs, str(tmp_path / 'inter.csv'))


def test_empty_interactions(tables):
    users, jobs, inter = tables
    with pytest.raises(TableError, match='no rows'):
        from_tables(users, jobs, inter.iloc[:0])


def test_missing_and_non_text(tables):
    users, jobs, inter = tables
    users.loc[0, 'text'] = None  # Missing text is allowed.
    assert from_tables(users, jobs, inter)['user'].text[0] == ''
    users['text'] = users['text'].astype(object)
    users.loc[0, 'text'] = 42
    with pytest.raises(TableError, match="column 'text', row 0: expected "
                       "text, got int 42"):
        from_tables(users, jobs, inter)


def test_empty_id(tables):
    users, jobs, inter = tables
    inter.loc[3, 'user_id'] = ' '
    with pytest.raises(TableError, match="row 3: empty id"):
        from_tables(users, jobs, inter)


def test_non_utf8(tables, tmp_path):
    users, jobs, inter = tables
    path = tmp_path / 'users.csv'
    path.write_bytes(b'user_id,text\nu0,ok\nu1,caf\xe9\n')
    with pytest.raises(TableError, match=r"not valid UTF-8.*line 3"):
        from_tables(str(path), jobs, inter)


def test_bad_table_argument(tables):
    with pytest.raises(TableError, match="'users' must be a pandas"):
        from_tables(123, *tables[1:])
    with pytest.raises(TableError, match='does not exist'):
        from_tables('/nonexistent/users.csv', *tables[1:])
