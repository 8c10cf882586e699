import gzip

import pytest

from lgir_pyg.errors import DataError
from lgir_pyg.llm.resumes import read_resumes, write_resumes

RECORDS = [{'user': 'u0', 'mode': 'irc', 'resume': 'Skills: café'},
           {'user': 'u1', 'mode': 'irc', 'resume': 'Skills: tea'}]


@pytest.mark.parametrize('name', ['r.jsonl', 'r.jsonl.gz'])
def test_round_trip(tmp_path, name):
    path = str(tmp_path / name)
    assert write_resumes(path, iter(RECORDS)) == 2
    assert read_resumes(path) == RECORDS
    first = open(path, 'rb').read()
    write_resumes(path, RECORDS)
    assert open(path, 'rb').read() == first  # Byte for byte, gzip too.


def test_failed_write_keeps_the_old_file(tmp_path):
    path = str(tmp_path / 'r.jsonl.gz')
    write_resumes(path, RECORDS)

    def broken():
        yield RECORDS[0]
        raise RuntimeError('generation failed')

    with pytest.raises(RuntimeError):
        write_resumes(path, broken())
    assert read_resumes(path) == RECORDS
    assert sorted(p.name for p in tmp_path.iterdir()) == ['r.jsonl.gz']


def test_bad_record(tmp_path):
    path = tmp_path / 'r.jsonl.gz'
    with gzip.open(path, 'wt') as f:
        f.write('{"user": "u0", "resume": "x"}\n{"user": "u1"}\n')
    with pytest.raises(DataError, match="line 2: not a resume record"):
        read_resumes(str(path))
