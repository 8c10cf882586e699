import gzip

import pytest

from lgir_pyg.errors import DataError
from lgir_pyg.llm.resumes import load_resumes, read_resumes, write_resumes

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


@pytest.mark.parametrize('name', ['r.jsonl', 'r.jsonl.gz'])
def test_a_failed_run_keeps_what_it_wrote(tmp_path, name):
    path = str(tmp_path / name)

    def broken():
        yield RECORDS[0]
        # Written and readable before the next record is asked for.
        assert read_resumes(path) == RECORDS[:1]
        raise RuntimeError('generation failed')

    with pytest.raises(RuntimeError, match='generation failed'):
        write_resumes(path, broken())
    assert read_resumes(path) == RECORDS[:1]


def test_a_cut_off_gzip_file(tmp_path, caplog):
    # What a killed run leaves: the stream is never closed.
    path = str(tmp_path / 'r.jsonl.gz')
    write_resumes(path, RECORDS)
    data = open(path, 'rb').read()
    open(path, 'wb').write(data[:-8])  # Without the gzip trailer.
    with caplog.at_level('WARNING', logger='lgir_pyg.llm.resumes'):
        assert read_resumes(path) == RECORDS
        # Resumes made elsewhere read the same way.
        assert load_resumes(path) == {'irc': {'u0': 'Skills: café',
                                              'u1': 'Skills: tea'}}
    assert caplog.text.count('ends early (a stopped run?); read its first '
                             '2 lines') == 2


def test_bad_record(tmp_path):
    path = tmp_path / 'r.jsonl.gz'
    with gzip.open(path, 'wt') as f:
        f.write('{"user": "u0", "resume": "x"}\n{"user": "u1"}\n')
    with pytest.raises(DataError, match="line 2: not a resume record"):
        read_resumes(str(path))


def test_load_resumes_of_lgir_complete(tmp_path):
    # What `lgir complete --output` writes loads back by mode.
    path = str(tmp_path / 'r.jsonl.gz')
    write_resumes(path, RECORDS + [{'user': 'u0', 'mode': 'src',
                                    'resume': 'x'}])
    assert load_resumes(path) == {'irc': {'u0': 'Skills: café',
                                          'u1': 'Skills: tea'},
                                  'src': {'u0': 'x'}}


def test_load_resumes_of_other_tools(tmp_path):
    # A CSV with user_id/text, ids as numbers, no mode: irc unless asked.
    path = tmp_path / 'r.csv'
    path.write_text('user_id,text,score\n7,"Skills: welding, rigging",1\n'
                    '8,,2\n')
    assert load_resumes(str(path)) == {
        'irc': {'7': 'Skills: welding, rigging', '8': ''}}
    assert load_resumes(str(path), mode='src') == {
        'src': {'7': 'Skills: welding, rigging', '8': ''}}
    # JSON lines with id/text, numeric ids and blank lines.
    path = tmp_path / 'r.jsonl'
    path.write_text('{"id": 7, "text": "a"}\n\n{"id": "8", "text": "b"}\n')
    assert load_resumes(str(path)) == {'irc': {'7': 'a', '8': 'b'}}


@pytest.mark.parametrize('name,text,match', [
    ('r.jsonl', '{"user": "u0", "resume": "a"}\n{"user": "u1"}\n',
     r"r.jsonl', line 2: no text \('resume' or 'text'\)"),
    ('r.jsonl', '{"resume": "a"}\n', r"line 1: no user id \('user' or "
     r"'user_id' or 'id'\)"),
    ('r.jsonl', '{"user": "u0", "resume": "a"}\n{"user": "u0", '
     '"resume": "b"}\n', r"line 2: user 'u0' has a irc resume on line 1 "
     r"already"),
    ('r.jsonl', '{"user": "u0", "resume": "a", "mode": "xyz"}\n',
     r"line 1: 'mode' must be one of \['src', 'irc'\] \(got 'xyz'\)"),
    ('r.jsonl', '{"user": "u0", "resume": ["a"]}\n', r"line 1: 'resume' "
     r"must be text"),
    ('r.jsonl', 'user,resume\nu0,a\n', r"r.jsonl', line 1: not JSON .*or "
     r"a .csv file"),
    ('r.jsonl', '["u0", "a"]\n', r"line 1: expected a JSON object"),
    ('r.csv', 'user,resume\nu0,a,extra\n', r"r.csv', line 2: more fields "
     r"than the header"),
    ('r.csv', 'name,resume\nu0,a\n', r"r.csv', line 2: no user id"),
])
def test_load_resumes_names_file_and_line(tmp_path, name, text, match):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(DataError, match=match):
        load_resumes(str(path))
