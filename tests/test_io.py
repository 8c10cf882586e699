import logging
import os

import pytest

from lgir_pyg.io import atomic_open, move_aside, unwritable_reason


def test_atomic_open(tmp_path):
    path = tmp_path / 'new' / 'out.txt'
    with atomic_open(str(path)) as f:
        f.write('done')
    assert path.read_text() == 'done'
    with pytest.raises(RuntimeError):
        with atomic_open(str(path)) as f:
            f.write('half')
            raise RuntimeError
    # A failed write leaves the old file and no temporary file.
    assert path.read_text() == 'done'
    assert os.listdir(path.parent) == ['out.txt']


def test_move_aside(tmp_path, caplog):
    path = tmp_path / 'cache.pt'
    path.write_bytes(b'junk')
    with caplog.at_level(logging.WARNING):
        target = move_aside(str(path), 'truncated')
    assert not path.exists() and open(target, 'rb').read() == b'junk'
    assert target.startswith(f'{path}.corrupt-')
    assert f"'{path}' is unreadable (truncated)" in caplog.text


def test_unwritable_reason(tmp_path, read_only_dir):
    assert unwritable_reason(str(tmp_path)) is None
    # A missing folder is judged by its nearest existing ancestor.
    assert unwritable_reason(str(tmp_path / 'a' / 'b')) is None
    assert not (tmp_path / 'a').exists()
    (tmp_path / 'file').write_text('')
    assert unwritable_reason(str(tmp_path / 'file' / 'sub')) == \
        f"'{tmp_path / 'file'}' is a file, not a folder"
    assert unwritable_reason(read_only_dir) == \
        f"folder '{read_only_dir}' is not writable"
    assert 'not writable' in unwritable_reason(f'{read_only_dir}/new/x')
