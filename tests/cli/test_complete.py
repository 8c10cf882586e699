r"""`lgir complete` against a stub OpenAI-compatible server on 127.0.0.1:
a server that garbles every answer fails the run with a count, and a
stopped run keeps the resumes it wrote."""
import signal
import subprocess
import sys
import time

import pytest

from lgir_pyg.cli.main import main
from lgir_pyg.llm.resumes import read_resumes


def served(server) -> list:
    return ['--backend', 'openai', '--model', 'm', '--base-url',
            server.base_url, '--max-retries', '0']


def test_garbling_server_fails_with_a_count(shop, stub_llm_server, capsys,
                                            tmp_path):
    stub_llm_server.kind = 'HTML page'
    output = tmp_path / 'resumes.jsonl'
    assert main(['complete', '--output', str(output), '--retries', '1'] +
                shop + served(stub_llm_server)) == 1
    err = capsys.readouterr().err
    assert 'Traceback' not in err
    # Announced before generating, then one line for the failure.
    assert ': generating 4 resumes, 0 from the cache' in err
    assert err.strip().splitlines()[-1] == (
        "lgir complete: error: 4 of 4 answers of m are unusable after 1 "
        "retry (4 x the server sent an HTML page, not JSON: '<html><body>"
        "<h1>502 Bad Gateway</h1></body></html>'); more than "
        "max_unusable=0.2 of them fails the run: check the server or the "
        "model")
    assert read_resumes(str(output)) == []  # Nothing unusable written.


def test_a_tolerated_share_of_unusable_answers(shop, stub_llm_server,
                                               caplog, tmp_path):
    stub_llm_server.kind = 'content null'
    output = tmp_path / 'resumes.jsonl'
    assert main(['complete', '--output', str(output), '--max-unusable', '1',
                 '--retries', '0'] + shop + served(stub_llm_server)) == 0
    assert '4 of 4 answers of m are unusable after 0 retries (4 x the ' \
        'answer has no text (content: null)); they are kept as empty ' \
        'resumes' in caplog.text
    records = read_resumes(str(output))
    assert len(records) == 4
    assert {r['repaired'] for r in records} == {
        'the answer has no text (content: null)'}


@pytest.mark.parametrize('name,sig,status', [
    ('resumes.jsonl', signal.SIGKILL, -signal.SIGKILL),
    ('resumes.jsonl.gz', signal.SIGINT, 130),
])
def test_a_stopped_run_keeps_its_resumes(shop, stub_llm_server, tmp_path,
                                         name, sig, status):
    # The server answers two requests and holds the rest: the run is
    # stopped with two resumes done.
    stub_llm_server.hold_after = 2
    output = tmp_path / name
    proc = subprocess.Popen(
        [sys.executable, '-m', 'lgir_pyg.cli.main', 'complete', '--output',
         str(output), '--concurrency', '1'] + shop +
        served(stub_llm_server), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while sum(stub_llm_server.requests.values()) < 3:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)  # The third request waits; two answers are in.
        proc.send_signal(sig)
        stub_llm_server.release.set()  # Lets the held request end.
        proc.wait(timeout=60)
    finally:
        proc.kill()
        err = proc.stderr.read()
    assert proc.returncode == status, err
    records = read_resumes(str(output))
    assert len(records) == 2
    assert {r['user'] for r in records} < {'c1', 'c2', 'c3', 'c4'}
    assert all(r['finish_reason'] == 'stop' and r['repaired'] is None
               for r in records)
    if sig == signal.SIGINT:
        assert err.strip().splitlines()[-1] == 'lgir complete: interrupted'
