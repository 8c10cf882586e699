import math

import pandas as pd
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lgir_pyg.datasets import from_tables
from lgir_pyg.datasets.tables import MAX_TIME, MIN_TIME
from lgir_pyg.errors import LGIRError

# Good values, mixed with the bad ones a new user's tables hold.
IDS = st.one_of(
    st.sampled_from(['u0', 'u1', 'j0', 'j1', ' u0 ', '007', '7', '']),
    st.integers(-2, 3),
    st.sampled_from([1.0, 1.9, 2.0, math.nan, math.inf, 1e30]),
    st.sampled_from([None, True, pd.NA]),
)
TEXTS = st.one_of(st.text(max_size=8), st.none(), st.integers(),
                  st.floats(), st.just(['a']))
TIMES = st.one_of(
    st.sampled_from([
        '2014-01-02', '2014-01-02T10:00:00+02:00', '01/02/2014',
        '13/02/2014', '02/13/2014', '1500-01-01', '9999-12-31', 'soon', '',
        'inf', 'nan', '1388534400', ' 12 ', '2014-13-45', None,
        '20200101', '2019', '10:00', 'now', '2019-05', 'March 2014',
    ]),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([pd.Timestamp('2014-01-02', tz='Asia/Tokyo'),
                     pd.Timestamp('1500-01-01').as_unit('s'), pd.NaT]),
    st.booleans(),
)
GOOD_TIMES = st.one_of(
    st.sampled_from(['2014-01-02', '2014-01-02T10:00:00+02:00',
                     '1388534400', '03/02/2014', '15/02/2014']),
    st.integers(0, 4 * 10**9),
    st.just(pd.Timestamp('2014-01-02', tz='Asia/Tokyo')),
)
RAW_CSV = st.text(alphabet='ab01,"\n\r ', max_size=40)


def _ids(prefix: str, style: str, num: int) -> list:
    if style == 'int':
        return list(range(num))
    if style == 'float':  # As in a column that once held a NaN.
        return [float(i) for i in range(num)]
    return [f'{prefix}{i}' for i in range(num)]


@st.composite
def tables(draw):
    r"""Valid tables with a few cells replaced by bad values, and
    sometimes a missing, repeated or typed column."""
    num_users, num_items, num_rows = (draw(st.integers(1, 4)),
                                      draw(st.integers(1, 4)),
                                      draw(st.integers(1, 6)))
    # Whole-number ids match whether they are int or float.
    styles = [draw(st.sampled_from(['text', 'int', 'float']))
              for _ in range(2)]
    styles += [s if s == 'text' else draw(st.sampled_from(['int', 'float']))
               for s in styles]
    users = {'user_id': _ids('u', styles[0], num_users),
             'text': draw(st.lists(st.text(max_size=8), min_size=num_users,
                                   max_size=num_users))}
    items = {'item_id': _ids('j', styles[1], num_items),
             'text': draw(st.lists(st.text(max_size=8), min_size=num_items,
                                   max_size=num_items))}
    inter = {
        'user_id': draw(st.lists(st.sampled_from(_ids(
            'u', styles[2], num_users)), min_size=num_rows,
                                 max_size=num_rows)),
        'item_id': draw(st.lists(st.sampled_from(_ids(
            'j', styles[3], num_items)), min_size=num_rows,
                                max_size=num_rows)),
        'time': draw(st.lists(GOOD_TIMES, min_size=num_rows,
                              max_size=num_rows)),
    }
    frames = [users, items, inter]
    for _ in range(draw(st.integers(0, 3))):
        table = draw(st.sampled_from(frames))
        column = draw(st.sampled_from(list(table)))
        if table[column]:
            row = draw(st.integers(0, len(table[column]) - 1))
            table[column][row] = draw(
                TIMES if column == 'time' else
                IDS if column.endswith('_id') else TEXTS)
    frames = [pd.DataFrame({c: pd.Series(v, dtype=object)
                            for c, v in frame.items()}) for frame in frames]
    which = draw(st.integers(0, 2))
    change = draw(st.sampled_from(['none'] * 4 + ['drop', 'repeat',
                                                  'typed', 'empty']))
    column = draw(st.sampled_from(list(frames[which].columns)))
    if change == 'drop':
        frames[which] = frames[which].drop(columns=column)
    elif change == 'repeat':
        frames[which] = pd.concat([frames[which], frames[which][[column]]],
                                  axis=1)
    elif change == 'typed':
        frames[which] = frames[which].convert_dtypes()
    elif change == 'empty':
        frames[which] = frames[which].iloc[:0]
    return frames


def check_graph(data):
    (user_type, item_type) = ('user', 'item')
    store = data[user_type, 'interacts', item_type]
    edge_index = store.edge_index
    assert edge_index.dtype == torch.long and edge_index.size(0) == 2
    assert edge_index.size(1) >= 1
    for node_type, row in ((user_type, 0), (item_type, 1)):
        nodes = data[node_type]
        assert len(nodes.node_id) == len(nodes.text) == nodes.num_nodes
        assert len(set(nodes.node_id)) == nodes.num_nodes
        assert all(isinstance(i, str) and i for i in nodes.node_id)
        assert all(isinstance(t, str) for t in nodes.text)
        assert 0 <= int(edge_index[row].min())
        assert int(edge_index[row].max()) < nodes.num_nodes
    assert len(set(map(tuple, edge_index.t().tolist()))) == \
        edge_index.size(1)
    if 'time' in store:
        assert store.time.dtype == torch.long
        assert store.time.numel() == edge_index.size(1)
        assert int(store.time.min()) >= MIN_TIME
        assert int(store.time.max()) < MAX_TIME
    rev = data[item_type, 'rev_interacts', user_type].edge_index
    assert torch.equal(rev, edge_index.flip(0))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(frames=tables(), as_csv=st.lists(st.booleans(), min_size=3,
                                        max_size=3),
       raw_users=st.one_of(st.none(), st.none(), RAW_CSV))
def test_valid_graph_or_library_error(tmp_path_factory, frames, as_csv,
                                      raw_users):
    folder = tmp_path_factory.mktemp('tables')
    inputs = []
    for i, (frame, csv) in enumerate(zip(frames, as_csv)):
        if csv:
            path = folder / f'{i}.csv'
            frame.to_csv(path, index=False)
            frame = str(path)
        inputs.append(frame)
    if raw_users is not None:
        (folder / 'raw.csv').write_text(raw_users)
        inputs[0] = str(folder / 'raw.csv')
    try:
        data = from_tables(*inputs)
    except LGIRError:
        return
    check_graph(data)
