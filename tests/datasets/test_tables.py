import gzip
import logging

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import torch

import lgir_pyg
from lgir_pyg.datasets import TableError, from_tables
from lgir_pyg.datasets.tables import parse_times
from lgir_pyg.errors import LGIRError, UsageError

JAN_15 = int(pd.Timestamp('2014-01-15', tz='UTC').timestamp())


@pytest.fixture
def tables(tables):
    # The shared job tables with the default, domain-neutral item column.
    users, jobs, inter = tables
    return (users, jobs.rename(columns={'job_id': 'item_id'}),
            inter.rename(columns={'job_id': 'item_id'}))


def test_from_tables(tables):
    data = from_tables(*tables)
    assert data['user'].node_id == ['u0', 'u1', 'u2', 'u3']
    assert data['user'].text[1] == ''
    assert data['item'].title[3] == 'Line Cook'
    assert data['user'].num_nodes == 4 and data['item'].num_nodes == 5
    assert data.edge_types == [('user', 'interacts', 'item'),
                               ('item', 'rev_interacts', 'user')]
    store = data['user', 'interacts', 'item']
    # 9 rows, (u1, j1) twice: merged into one edge with the earliest time.
    assert store.edge_index.size(1) == 8
    assert store.num_merged_duplicates == 1
    pairs = set(map(tuple, store.edge_index.t().tolist()))
    assert len(pairs) == 8 and (1, 1) in pairs
    u1_j1 = ((store.edge_index[0] == 1) & (store.edge_index[1] == 1))
    assert store.time[u1_j1].item() == JAN_15
    assert store.time.dtype == torch.long
    rev = data['item', 'rev_interacts', 'user'].edge_index
    assert torch.equal(rev, store.edge_index.flip(0))


def test_error_family():
    assert issubclass(TableError, LGIRError)
    assert issubclass(TableError, ValueError)
    assert lgir_pyg.TableError is TableError


def test_any_names(tables):
    users, items, inter = tables
    users = users.rename(columns={'user_id': 'cid', 'text': 'bio'})
    users['segment'] = ['a', 'b', 'a', 'c']
    items = items.rename(columns={'item_id': 'sku', 'text': 'blurb',
                                  'title': 'name'})
    items['price'] = [1, 2.5, 3.0, None, 4]
    inter = inter.rename(columns={'user_id': 'cid', 'item_id': 'sku',
                                  'time': 'at'})
    data = from_tables(
        users, items, inter, 'at', user_id_column='cid', item_id_column='sku',
        user_text_column='bio', item_text_column='blurb',
        item_title_column='name', user_type='customer', item_type='product',
        relation='buys', user_attr_columns=['segment'],
        item_attr_columns=['price'])
    assert set(data.node_types) == {'customer', 'product'}
    assert data.edge_types == [('customer', 'buys', 'product'),
                               ('product', 'rev_buys', 'customer')]
    assert data['customer'].node_id[0] == 'u0'
    assert data['customer'].text[0] == 'Cashier at Safeway.'
    assert data['customer'].segment == ['a', 'b', 'a', 'c']
    assert data['product'].title[0] == 'Cashier'
    assert data['product'].price == ['1', '2.5', '3', '', '4']
    store = data['customer', 'buys', 'product']
    assert store.edge_index.size(1) == 8 and store.time.numel() == 8


@pytest.mark.parametrize('kwargs,match', [
    (dict(user_type='item'), "'user_type' and 'item_type' must differ"),
    (dict(relation='rev_buys'), "'relation' must not start with 'rev_'"),
    (dict(item_type=''), "'item_type' must be a non-empty name"),
    (dict(user_type='a__b'), "without '__'"),
    (dict(user_attr_columns=['not valid']), 'valid Python identifier'),
    (dict(user_attr_columns=['class']), 'valid Python identifier'),
    (dict(item_attr_columns=['x']), 'reserved'),
    (dict(item_attr_columns=['x_irc']), 'reserved'),
    (dict(item_attr_columns=['resume_src']), 'reserved'),
    (dict(item_attr_columns=['num_nodes']), 'reserved'),
    (dict(user_attr_columns=['keys']), 'reserved'),
    (dict(user_attr_columns=['_private']), 'reserved'),
])
def test_bad_names(tables, kwargs, match):
    with pytest.raises(UsageError, match=match):
        from_tables(*tables, **kwargs)


def test_attr_values(tables):
    users, items, inter = tables
    users['tags'] = pd.Series(['a', None, 3, float('nan')], dtype=object)
    assert from_tables(users, items, inter, user_attr_columns=['tags'])[
        'user'].tags == ['a', '', '3', '']
    users['tags'] = pd.Series(['a', [1], 'b', 'c'], dtype=object)
    with pytest.raises(TableError, match="column 'tags', row 1: expected "
                       "text or a finite number, got list"):
        from_tables(users, items, inter, user_attr_columns=['tags'])
    with pytest.raises(TableError, match=r"missing column\(s\) \['nope'\]"):
        from_tables(users, items, inter, item_attr_columns=['nope'])


def test_from_files(tables, tmp_path):
    users, items, inter = tables
    users.to_csv(tmp_path / 'users.csv', index=False)
    items.to_parquet(tmp_path / 'items.parquet')
    inter.to_csv(tmp_path / 'inter.csv', index=False)
    data = from_tables(str(tmp_path / 'users.csv'),
                       tmp_path / 'items.parquet',
                       str(tmp_path / 'inter.csv'))
    assert data['user'].text[1] == ''  # An empty CSV field stays text.
    assert data['user', 'interacts', 'item'].edge_index.size(1) == 8


@pytest.mark.parametrize('name', ['items.pq', 'items.PARQUET', 'items.parq',
                                  'items.dat'])
def test_parquet_by_extension_or_content(tables, tmp_path, name):
    users, items, inter = tables
    items.to_parquet(tmp_path / name)
    data = from_tables(users, str(tmp_path / name), inter)
    assert data['item'].node_id == items['item_id'].tolist()


def test_parquet_extension_without_parquet(tables, tmp_path):
    users, items, inter = tables
    items.to_csv(tmp_path / 'items.pq', index=False)
    with pytest.raises(TableError, match=r"items file '.*items\.pq' has a "
                       r"Parquet extension but is not a Parquet file"):
        from_tables(users, str(tmp_path / 'items.pq'), inter)
    (tmp_path / 'bad.parquet').write_bytes(b'PAR1 truncated')
    with pytest.raises(TableError, match="is not a readable Parquet file"):
        from_tables(users, str(tmp_path / 'bad.parquet'), inter)


def test_parquet_keeps_types(tables, tmp_path):
    users, items, inter = tables
    inter = inter.assign(time=pd.to_datetime(inter['time']).astype(
        'datetime64[ms]'))
    inter.to_parquet(tmp_path / 'inter.parquet')
    data = from_tables(users, items, str(tmp_path / 'inter.parquet'))
    assert JAN_15 in data['user', 'interacts', 'item'].time.tolist()


def test_gzip_and_bom(tables, tmp_path):
    users, items, inter = tables
    path = tmp_path / 'users.csv.gz'
    path.write_bytes(gzip.compress(
        users.to_csv(index=False).encode('utf-8-sig')))
    assert from_tables(str(path), items, inter)['user'].node_id[0] == 'u0'


@pytest.mark.parametrize('content,match', [
    (b'', r"users file '.*users\.csv' is empty \(0 bytes\)"),
    (b'\n\n', r"'.*users\.csv' has no header row"),
    (b'PK\x03\x04junk', 'is a ZIP archive'),
    (b'\x1f\x8bjunk', 'damaged gzip file'),
])
def test_bad_file_content(tables, tmp_path, content, match):
    path = tmp_path / 'users.csv'
    path.write_bytes(content)
    with pytest.raises(TableError, match=match):
        from_tables(str(path), *tables[1:])


def test_directory(tables, tmp_path):
    with pytest.raises(TableError, match=r"users file '.*' is a directory"):
        from_tables(str(tmp_path), *tables[1:])


def test_without_time(tables, caplog):
    users, items, inter = tables
    with caplog.at_level(logging.WARNING):
        data = from_tables(users, items, inter.drop(columns='time'))
    assert 'time' not in data['user', 'interacts', 'item']
    assert 'time column' not in caplog.text
    data = from_tables(users, items, inter, time_column=None)
    assert 'time' not in data['user', 'interacts', 'item']


@pytest.mark.parametrize('column', ['timestamp', 'date', 'ts', 'viewedAt',
                                    'event_time', 'created_at'])
def test_time_like_column_warns(tables, caplog, column):
    users, items, inter = tables
    inter = inter.rename(columns={'time': column})
    with caplog.at_level(logging.WARNING):
        data = from_tables(users, items, inter)
    assert 'time' not in data['user', 'interacts', 'item']
    if column == 'viewedAt':  # Not a time word: no warning.
        assert 'time column' not in caplog.text
        return
    assert f"has no time column 'time' but has '{column}'" in caplog.text
    assert f"time_column='{column}'" in caplog.text
    data = from_tables(users, items, inter, column)
    assert JAN_15 in data['user', 'interacts', 'item'].time.tolist()


def test_datetime_column_warns_whatever_its_name(tables, caplog):
    users, items, inter = tables
    inter = inter.rename(columns={'time': 'seen'})
    inter['seen'] = pd.to_datetime(inter['seen'])
    with caplog.at_level(logging.WARNING):
        from_tables(users, items, inter)
    assert "but has 'seen'" in caplog.text


@pytest.mark.parametrize('table,column', [(0, 'text'), (1, 'item_id'),
                                          (2, 'user_id')])
def test_missing_column(tables, table, column):
    tables = list(tables)
    tables[table] = tables[table].drop(columns=column)
    with pytest.raises(TableError, match=f"missing column.*'{column}'"):
        from_tables(*tables)


def test_repeated_column(tables):
    users, items, inter = tables
    users = pd.concat([users, users[['text']]], axis=1)
    with pytest.raises(TableError, match="more than one column named 'text'"):
        from_tables(users, items, inter)


def test_unknown_ids(tables):
    users, items, inter = tables
    inter.loc[4, 'item_id'] = 'j99'
    with pytest.raises(TableError, match="column 'item_id', row 4: unknown "
                       "item id 'j99'"):
        from_tables(users, items, inter)
    inter.loc[4, 'item_id'] = 'j2'
    inter.loc[2, 'user_id'] = 'nobody'
    with pytest.raises(TableError, match="row 2: unknown user id 'nobody'"):
        from_tables(users, items, inter)


def test_duplicate_node_ids(tables):
    users, items, inter = tables
    users.loc[2, 'user_id'] = 'u0'
    with pytest.raises(TableError, match=r"row 2: duplicate id 'u0' \(first "
                       r"in row 0\)"):
        from_tables(users, items, inter)


def test_numeric_ids(tables):
    users, items, inter = tables
    users['user_id'] = [1, 2, 3, 4]
    # A float column (as after a NaN) holds the same ids as whole numbers.
    inter['user_id'] = inter['user_id'].map(
        {'u0': 1.0, 'u1': 2.0, 'u2': 3.0, 'u3': 4.0})
    data = from_tables(users, items, inter)
    assert data['user'].node_id == ['1', '2', '3', '4']
    assert data['user', 'interacts', 'item'].edge_index.size(1) == 8
    inter.loc[3, 'user_id'] = 1.9
    with pytest.raises(TableError, match="column 'user_id', row 3: "
                       "non-integral numeric id 1.9"):
        from_tables(users, items, inter)
    users['user_id'] = users['user_id'].astype(object)
    users.loc[1, 'user_id'] = True
    with pytest.raises(TableError, match="row 1: expected a text or integer "
                       "id, got bool"):
        from_tables(users, items, inter)


def test_text_ids_are_kept_as_written(tables, tmp_path):
    users, items, inter = tables
    users['user_id'] = ['007', '1.0', 'u2', 'u3']
    inter['user_id'] = inter['user_id'].replace({'u0': '007', 'u1': '1.0'})
    users.to_csv(tmp_path / 'users.csv', index=False)
    inter.to_csv(tmp_path / 'inter.csv', index=False)
    data = from_tables(str(tmp_path / 'users.csv'), items,
                       str(tmp_path / 'inter.csv'))
    assert data['user'].node_id[:2] == ['007', '1.0']


def test_bad_timestamp_names_file_and_line(tables, tmp_path):
    users, items, inter = tables
    inter.loc[5, 'time'] = 'yesterday-ish'
    inter.to_csv(tmp_path / 'inter.csv', index=False)
    with pytest.raises(TableError, match=r"inter\.csv', column 'time', row 5 "
                       r"\(line 7\): cannot parse timestamp 'yesterday-ish'"):
        from_tables(users, items, str(tmp_path / 'inter.csv'))


def _times(values, dtype=None) -> list:
    df = pd.DataFrame({'time': pd.Series(values, dtype=dtype)})
    df.attrs['source'] = 'interactions table'
    return parse_times(df, 'time').tolist()


@pytest.mark.parametrize('unit', ['s', 'ms', 'us', 'ns'])
@pytest.mark.parametrize('tz', [None, 'UTC', 'Asia/Tokyo'])
def test_time_unit_is_seconds(tables, unit, tz):
    users, items, inter = tables
    times = pd.to_datetime(inter['time'])
    if tz is not None:
        times = times.dt.tz_localize('UTC').dt.tz_convert(tz)
    dtype = f'datetime64[{unit}]' if tz is None else \
        f'datetime64[{unit}, {tz}]'
    data = from_tables(users, items, inter.assign(time=times.astype(dtype)))
    # The same seconds as the ISO strings of the CSV path.
    expected = from_tables(*tables)['user', 'interacts', 'item'].time
    assert torch.equal(data['user', 'interacts', 'item'].time, expected)


def test_time_types():
    stamp = pd.Timestamp('2014-01-15', tz='UTC')
    assert _times(['2014-01-15', '2014-01-15T09:00:00+09:00',
                   str(JAN_15), JAN_15, JAN_15 + 0.9,
                   stamp.tz_convert('Asia/Tokyo')]) == [JAN_15] * 6
    assert _times([JAN_15, JAN_15 + 1], 'Int64') == [JAN_15, JAN_15 + 1]
    assert _times([JAN_15 + 0.5]) == [JAN_15]
    arrow = pd.ArrowDtype(pa.timestamp('us'))
    assert _times([stamp.tz_localize(None)], arrow) == [JAN_15]
    arrow_tz = pd.ArrowDtype(pa.timestamp('ns', tz='Asia/Tokyo'))
    assert _times([stamp], arrow_tz) == [JAN_15]
    assert _times(['15 Jan 2014']) == [JAN_15]


@pytest.mark.parametrize('values,match', [
    ([JAN_15, 1e20], r"row 1: time 1e\+20 is out of range"),
    ([np.inf], 'row 0: non-finite time inf'),
    (['inf'], "row 0: non-finite time 'inf'"),
    (['1500-01-01'], r"row 0: time '1500-01-01' is out of range.*\[1900-01-01,"
     r" 2200-01-01\) UTC"),
    (['9999-12-31'], "row 0: time '9999-12-31' is out of range"),
    ([pd.Timestamp('1500-01-01').as_unit('s')], 'out of range'),
    ([JAN_15 * 1000], 'out of range'),  # Milliseconds taken as seconds.
    ([JAN_15, None], 'row 1: missing time'),
    (['2014-01-01', ''], 'row 1: missing time'),
    ([True], 'row 0: cannot parse timestamp True'),
    ([pd.Timedelta(1)], 'row 0: cannot parse timestamp'),
])
def test_bad_times(values, match):
    with pytest.raises(TableError, match=match):
        _times(values)


def test_day_month_order():
    with pytest.raises(TableError, match=r"row 0: ambiguous date "
                       r"'01/02/2014'.*write ISO dates"):
        _times(['01/02/2014'])
    # A day over 12 tells the order of the whole column.
    feb_1 = int(pd.Timestamp('2014-02-01', tz='UTC').timestamp())
    assert _times(['01/02/2014', '13/02/2014'])[0] == feb_1
    assert _times(['02/01/2014', '02/13/2014'])[0] == feb_1
    assert _times(['05/05/2014'])[0] == int(pd.Timestamp(
        '2014-05-05', tz='UTC').timestamp())
    with pytest.raises(TableError, match=r"row 2: date '13/02/2014' puts the "
                       r"day first but row 1 \('02/13/2014'\) does not"):
        _times(['2014-01-01', '02/13/2014', '13/02/2014'])


def test_empty_interactions(tables):
    users, items, inter = tables
    with pytest.raises(TableError, match='no rows'):
        from_tables(users, items, inter.iloc[:0])


def test_missing_and_non_text(tables):
    users, items, inter = tables
    users.loc[0, 'text'] = None  # Missing text is allowed.
    assert from_tables(users, items, inter)['user'].text[0] == ''
    users['text'] = users['text'].astype(object)
    users.loc[0, 'text'] = 42
    with pytest.raises(TableError, match="column 'text', row 0: expected "
                       "text, got int 42"):
        from_tables(users, items, inter)


def test_empty_id(tables):
    users, items, inter = tables
    inter.loc[3, 'user_id'] = ' '
    with pytest.raises(TableError, match="row 3: empty id"):
        from_tables(users, items, inter)


def test_non_utf8(tables, tmp_path):
    users, items, inter = tables
    path = tmp_path / 'users.csv'
    path.write_bytes(b'user_id,text\nu0,ok\nu1,caf\xe9\n')
    with pytest.raises(TableError, match=r"not valid UTF-8.*line 3"):
        from_tables(str(path), items, inter)


def test_unbalanced_quote_names_file_and_line(tables, tmp_path):
    users, items, inter = tables
    path = tmp_path / 'users.csv'
    path.write_text('user_id,text\nu0,ok\n\nu1,"multi\nline"\nu2,"open\n'
                    'u3,cook\n')
    with pytest.raises(TableError, match=r"users\.csv', line 6: a quoted "
                       r"field is never closed"):
        from_tables(str(path), items, inter)


@pytest.mark.parametrize('rows,line', [
    # One row with an unquoted comma among good ones.
    ('u0,ok\nu1,"two\nlines"\nu2,nurse, RN\nu3,cook\n', 5),
    # Every row with one: pandas would shift the columns silently.
    ('u0,cashier, nights\nu1,a, b\nu2,c, d\nu3,e, f\n', 2),
])
def test_unquoted_comma_blames_its_file(tables, tmp_path, rows, line):
    users, items, inter = tables
    path = tmp_path / 'users.csv'
    path.write_text('user_id,text\n' + rows)
    with pytest.raises(TableError, match=rf"users\.csv', line {line}: .*"
                       rf"quote fields that contain commas"):
        from_tables(str(path), items, inter)


def test_line_numbers_after_multiline_cells(tables, tmp_path):
    users, items, inter = tables
    path = tmp_path / 'users.csv'
    path.write_text('user_id,text\nu0,"a\nb\nc"\n\nu1,x\nu1,y\n')
    with pytest.raises(TableError, match=r"row 2 \(line 7\): duplicate id "
                       r"'u1' \(first in row 1 \(line 6\)\)"):
        from_tables(str(path), items, inter)


def test_bad_table_argument(tables):
    with pytest.raises(TableError, match="'users' must be a pandas"):
        from_tables(123, *tables[1:])
    with pytest.raises(TableError, match='does not exist'):
        from_tables('/nonexistent/users.csv', *tables[1:])


def test_each_table_names_its_id_columns(tables):
    # A users table keyed `id`, an items table keyed `sku`, and the usual
    # foreign keys in the interactions: no renaming.
    users, items, inter = tables
    users = users.rename(columns={'user_id': 'id'})
    items = items.rename(columns={'item_id': 'sku'})
    data = from_tables(users, items, inter, users_id_column='id',
                       items_id_column='sku')
    expected = from_tables(*tables)
    for node_type in ('user', 'item'):
        assert data[node_type].node_id == expected[node_type].node_id
    store = data['user', 'interacts', 'item']
    assert torch.equal(store.edge_index,
                       expected['user', 'interacts', 'item'].edge_index)
    # The interactions' columns by their own arguments; a table's own
    # argument wins over the shorthand.
    inter = inter.rename(columns={'user_id': 'who', 'item_id': 'what'})
    data = from_tables(users, items, inter, user_id_column='id',
                       interactions_user_column='who',
                       items_id_column='sku',
                       interactions_item_column='what')
    assert torch.equal(data['user', 'interacts', 'item'].edge_index,
                       store.edge_index)


def test_missing_id_column_names_its_argument(tables, tmp_path):
    users, items, inter = tables
    users = users.rename(columns={'user_id': 'id'})
    users.to_csv(tmp_path / 'users.csv', index=False)
    with pytest.raises(TableError, match=r"users file '.*users\.csv' is "
                       r"missing column\(s\) \['user_id'\] \(has \['id', "
                       r"'text'\]\); name it with users_id_column"):
        from_tables(str(tmp_path / 'users.csv'), items, inter)
    with pytest.raises(TableError, match=r"interactions table is missing "
                       r"column\(s\) \['id'\].*name it with "
                       r"interactions_user_column"):
        from_tables(users, items, inter, user_id_column='id')


def test_unknown_id_names_the_key_column(tables):
    users, items, inter = tables
    users = users.rename(columns={'user_id': 'id'})
    inter.loc[2, 'user_id'] = 'u9'
    with pytest.raises(TableError, match="interactions table, column "
                       "'user_id', row 2: unknown user id 'u9': not in "
                       "column 'id' of users table"):
        from_tables(users, items, inter, users_id_column='id')


@pytest.mark.parametrize('kwargs,match', [
    (dict(users_id_column=''), "'users_id_column' must be a column name "
     "\\(got ''\\)"),
    (dict(user_id_column=3), "'user_id_column' must be a column name"),
    (dict(interactions_item_column=['a']), "'interactions_item_column' "
     "must be a column name"),
    (dict(time_column=5), "'time_column' must be a column name"),
    (dict(user_attr_columns=5), "'user_attr_columns' must be a column name "
     "or a list of column names \\(got 5\\)"),
    (dict(item_attr_columns=['ok', None]), "'item_attr_columns' must be"),
])
def test_bad_column_arguments(tables, kwargs, match):
    with pytest.raises(UsageError, match=match):
        from_tables('/never/read.csv', *tables[1:], **kwargs)


def test_one_attribute_column_by_name(tables):
    users, items, inter = tables
    users['segment'] = ['a', 'b', 'a', 'c']
    data = from_tables(users, items, inter, user_attr_columns='segment')
    assert data['user'].segment == ['a', 'b', 'a', 'c']


def test_named_optional_columns_must_exist(tables, tmp_path):
    users, items, inter = tables
    inter.to_csv(tmp_path / 'inter.csv', index=False)
    with pytest.raises(TableError, match=r"interactions file '.*inter\.csv' "
                       r"has no column 'nope' \(has \['user_id', 'item_id', "
                       r"'time'\]\), which 'time_column' names"):
        from_tables(users, items, str(tmp_path / 'inter.csv'), 'nope')
    with pytest.raises(TableError, match="items table has no column 'name'"):
        from_tables(users, items, inter, item_title_column='name')
    # The defaults may be absent.
    data = from_tables(users, items.drop(columns='title'),
                       inter.drop(columns='time'))
    assert 'title' not in data['item']
    assert 'time' not in data['user', 'interacts', 'item']


def test_repeated_header_name_in_csv(tables, tmp_path):
    users, items, inter = tables
    path = tmp_path / 'users.csv'
    path.write_text('user_id,text,text\nu0,a,b\nu1,c,d\nu2,e,f\nu3,g,h\n')
    with pytest.raises(TableError, match=r"users file '.*users\.csv' has "
                       r"more than one column named 'text'"):
        from_tables(str(path), items, inter)
    # A repeated column that is not read is kept as written, not renamed.
    path.write_text('user_id,text,note,note\nu0,a,,\nu1,b,,\nu2,c,,\n'
                    'u3,d,,\n')
    assert from_tables(str(path), items, inter)['user'].text[3] == 'd'


@pytest.mark.parametrize('second_header,match', [
    ('\ufeffuser_id,text', r"users\.csv', line 4: a byte-order mark "
     r"\(U\+FEFF\) in the middle of the file"),
    ('user_id,text', r"users\.csv', row 2 \(line 4\): the header row again"),
])
def test_joined_csv_files(tables, tmp_path, second_header, match):
    # Two files joined with cat: the second header must not become a user.
    users, items, inter = tables
    path = tmp_path / 'users.csv'
    path.write_bytes(f'\ufeffuser_id,text\nu0,a\nu1,b\n{second_header}\n'
                     f'u2,c\nu3,d\n'.encode())
    with pytest.raises(TableError, match=match):
        from_tables(str(path), items, inter)


def test_compact_dates_and_numbers():
    jan_1 = int(pd.Timestamp('2020-01-01', tz='UTC').timestamp())
    # YYYYMMDD is a date (as seconds it would be August 1970), as text or
    # as a number, alone or among ISO dates.
    assert _times(['20200101']) == [jan_1]
    assert _times([20200101, 20200102]) == [jan_1, jan_1 + 86400]
    assert _times(['2020-01-01', '20200102']) == [jan_1, jan_1 + 86400]
    # Among other numbers, or not a valid date, it stays seconds.
    assert _times(['20200101', str(JAN_15)]) == [20200101, JAN_15]
    assert _times(['20201301']) == [20201301]
    # Small whole numbers are seconds unless all look like years.
    assert _times([1, 2, 2000]) == [1, 2, 2000]


@pytest.mark.parametrize('values,match', [
    (['2019'], "row 0: '2019' is a bare year, not a time"),
    ([2014, 2015], 'row 0: 2014 is a bare year'),
    (['2014-01-01', '2019'], "row 1: '2019' is a bare year"),
    (['10:00'], "row 0: '10:00' is a time of day without a date"),
    (['2014-01-01', '10pm'], "row 1: '10pm' is a time of day"),
    (['March 2014'], "date 'March 2014' has no day"),
    (['2019-05'], "date '2019-05' has no day"),
    (['March 5'], "date 'March 5' has no year"),
    (['now'], "cannot parse timestamp 'now'"),
    (['2014-01-01 10:00 EST'], "unknown time zone in '2014-01-01 10:00 "
     "EST'; write an offset"),
])
def test_partial_times(values, match):
    with pytest.raises(TableError, match=match):
        _times(values)


def test_time_of_day_names_file_row_and_line(tables, tmp_path):
    users, items, inter = tables
    inter.loc[2, 'time'] = '10:00'
    inter.to_csv(tmp_path / 'inter.csv', index=False)
    with pytest.raises(TableError, match=r"interactions file '.*inter\.csv'"
                       r", column 'time', row 2 \(line 4\): '10:00' is a "
                       r"time of day without a date"):
        from_tables(users, items, str(tmp_path / 'inter.csv'))


def test_other_date_formats():
    assert _times(['2014-01-15 09:00:00 UTC', 'Jan 15, 2014 10:00 +0100',
                   '15.01.2014 09:00']) == [JAN_15 + 9 * 3600] * 3
