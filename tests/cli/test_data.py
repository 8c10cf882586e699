import glob
import logging
import os.path as osp

import pytest

from lgir_pyg.cli.main import main

SHOP = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data',
                'shop')


def _one_line(capsys) -> str:
    # The error line, after shop.yaml's warning that lgir data does not
    # read its prompts section.
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and 'Traceback' not in lines[-1], lines
    assert lines[0].startswith('lgir data: warning: prompts.* ('), lines
    return lines[-1]


def test_missing_time_column_is_named(shop, capsys):
    assert main(['data', 'stats', '--time-column', 'nope'] + shop) == 1
    assert _one_line(capsys) == (
        f"lgir data: error: interactions file "
        f"'{osp.join(SHOP, 'purchases.csv')}' has no column 'nope' (has "
        f"['customer_id', 'product_id', 'bought_at']), which 'time_column' "
        f"names")


def test_bad_column_argument_is_a_usage_error(shop, capsys):
    assert main(['data', 'stats', '--set', 'data.users_id_column=5'] +
                shop) == 2
    assert _one_line(capsys) == ("lgir data: error: 'users_id_column' must "
                                 "be a column name (got 5)")


def test_tables_keyed_their_own_way(tmp_path, capsys):
    # A users table keyed `id` and interactions keyed `user_id`, loaded as
    # they are, with the default item names.
    (tmp_path / 'users.csv').write_text('id,text\nu1,a\nu2,b\n')
    (tmp_path / 'items.csv').write_text('item_id,text\ni1,x\ni2,y\ni3,z\n')
    (tmp_path / 'inter.csv').write_text(
        'user_id,item_id,time\nu1,i1,2024-01-01\nu1,i2,2024-01-02\n'
        'u2,i3,2024-01-03\nu2,i1,2024-01-04\n')
    argv = ['data', 'stats', '--users', str(tmp_path / 'users.csv'),
            '--items', str(tmp_path / 'items.csv'), '--interactions',
            str(tmp_path / 'inter.csv'), '--users-id-column', 'id',
            '--root', str(tmp_path / 'root')]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert 'interactions: (user, interacts, item)' in out
    assert 'test_pairs: 2' in out


@pytest.mark.parametrize('file', ['data', 'pre_transform.pt'])
def test_unreadable_processed_file_is_rebuilt(shop, tmp_path, capsys, caplog,
                                              file):
    assert main(['data', 'stats'] + shop) == 0
    stats = capsys.readouterr().out
    processed = tmp_path / 'shop' / 'processed'
    path = (glob.glob(str(processed / 'data_*.pt'))[0] if file == 'data'
            else str(processed / file))
    with open(path, 'wb') as f:
        f.write(b'garbage')
    with caplog.at_level(logging.WARNING):
        assert main(['data', 'stats'] + shop) == 0
    assert capsys.readouterr().out == stats
    warning = [r.getMessage() for r in caplog.records
               if 'unreadable' in r.getMessage()]
    assert len(warning) == 1 and warning[0].startswith(
        f"'{path}' is unreadable (not a processed dataset file: "
        f"UnpicklingError); moved it to '{path}.corrupt-")
    # Training reads the rebuilt graph too.
    with open(path, 'wb') as f:
        f.write(b'')
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert main(['train', '--model', 'pop'] + shop) == 0
    assert f"'{path}' is unreadable (an empty file)" in caplog.text
