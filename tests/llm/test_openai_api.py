import http.server
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import openai
import pytest

from lgir_pyg.errors import LGIRError, UsageError
from lgir_pyg.llm import (CachedGenerator, Completion, GenerationCache,
                          OpenAIGenerator, ResumePrompts, build_generator)

PROMPTS = [f'Write a short resume for a {job}.' for job in (
    'cashier', 'nurse', 'line cook', 'truck driver', 'barista', 'teacher')]


def test_settings_and_arguments():
    gen = build_generator('openai', model='m', base_url='http://h:1/v1/',
                          concurrency=3, api_key_env='LGIR_TEST_KEY')
    assert isinstance(gen, OpenAIGenerator)
    assert gen.settings['backend'] == 'openai'
    assert gen.settings['base_url'] == 'http://h:1/v1'
    assert 'concurrency' not in gen.settings  # It changes no output.
    assert str(gen) == 'OpenAIGenerator(m, http://h:1/v1)'
    assert 'exactly 2 lines, starting with "Likely skills:", "Interests:"' \
        in gen.system_message
    with pytest.raises(UsageError, match="'concurrency'"):
        OpenAIGenerator('m', concurrency=0)
    with pytest.raises(UsageError, match="has no option 'batch_size'"):
        build_generator('openai', model='m', batch_size=4)
    with pytest.raises(UsageError, match="'backend' must be one of"):
        build_generator('vllm')
    with pytest.raises(UsageError, match="'openai' needs the option 'model'"):
        build_generator('openai', base_url='http://h:1/v1')


def test_api_key_from_environment(monkeypatch):
    monkeypatch.setenv('LGIR_TEST_KEY', 'sk-test')
    assert OpenAIGenerator('m', api_key_env='LGIR_TEST_KEY')._client \
        .api_key == 'sk-test'
    monkeypatch.delenv('LGIR_TEST_KEY')
    assert OpenAIGenerator('m', api_key_env='LGIR_TEST_KEY')._client \
        .api_key == 'not-needed'


class Unavailable(http.server.BaseHTTPRequestHandler):
    r"""A server that answers every request with 503 (or 429)."""
    status, calls = 503, []

    def do_POST(self):
        Unavailable.calls.append(time.monotonic())
        self.rfile.read(int(self.headers['Content-Length']))
        self.send_response(self.status)
        self.send_header('Content-Type', 'application/json')
        self.end_headers()
        self.wfile.write(b'{"error": {"message": "busy"}}')

    def log_message(self, *args):
        pass


class Recording(http.server.BaseHTTPRequestHandler):
    r"""A server that records each request body and answers 'ok'."""
    bodies = []

    def do_POST(self):
        Recording.bodies.append(json.loads(self.rfile.read(
            int(self.headers['Content-Length']))))
        answer = json.dumps({
            'id': '1', 'object': 'chat.completion', 'created': 0,
            'model': 'm', 'choices': [{
                'index': 0, 'finish_reason': 'stop', 'message': {
                    'role': 'assistant', 'content': 'ok'}}]}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_examples_are_sent_as_turns():
    Recording.bodies = []
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Recording)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    prompt = ResumePrompts('src').prompt('Cashier at Target.')
    try:
        gen = OpenAIGenerator('m', f'http://127.0.0.1:{server.server_port}'
                              '/v1')
        assert gen.generate([prompt]) == [Completion('ok', 'stop')]
    finally:
        server.shutdown()
    [body] = Recording.bodies
    roles = [m['role'] for m in body['messages']]
    assert roles == ['system'] + ['user', 'assistant'] * 3 + ['user']
    assert body['messages'][0]['content'] == gen.system_message
    assert body['messages'][-1]['content'] == (
        'Self-description: Cashier at Target.')


@pytest.mark.parametrize('status', [503, 429])
def test_retries_with_backoff_then_fails(status):
    Unavailable.status, Unavailable.calls = status, []
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        gen = OpenAIGenerator('m', f'http://127.0.0.1:{server.server_port}'
                              '/v1', max_retries=2)
        with pytest.raises(LGIRError, match='after 2 retries'):
            gen.generate(['hi'])
    finally:
        server.shutdown()
    calls = Unavailable.calls
    assert len(calls) == 3
    assert calls[2] - calls[1] > 0  # Waits between the attempts.


def test_timeout_is_retried():
    with socket_that_never_answers() as port:
        gen = OpenAIGenerator('m', f'http://127.0.0.1:{port}/v1',
                              timeout=0.3, max_retries=1)
        start = time.monotonic()
        with pytest.raises(LGIRError, match='timed out'):
            gen.generate(['hi'])
        assert time.monotonic() - start > 0.6  # Two attempts.


class socket_that_never_answers:
    def __enter__(self) -> int:
        import socket
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        return self.sock.getsockname()[1]

    def __exit__(self, *exc):
        self.sock.close()


def test_served_model(served_smollm, tmp_path):
    base_url, model = served_smollm
    cache = GenerationCache(str(tmp_path / 'cache.sqlite'))
    gen = CachedGenerator(OpenAIGenerator(model, base_url, max_new_tokens=6,
                                          concurrency=3), cache,
                          format=None, show_progress=False)
    out = gen.generate(PROMPTS[:3], 'v1')
    assert len(out) == 3 and all(isinstance(o, str) and o for o in out)
    assert gen.details[0]['finish_reason'] == 'length'  # 6 tokens.
    assert len(cache) == 3
    # The same request made directly gives the same (greedy) answer.
    direct = openai.OpenAI(base_url=base_url, api_key='x').chat.completions \
        .create(model=model, max_tokens=6, temperature=0.0, seed=0,
                messages=[{'role': 'system', 'content':
                           gen.generator.system_message},
                          {'role': 'user', 'content': PROMPTS[0]}])
    assert direct.choices[0].message.content.strip() == out[0]
    assert gen.generate(PROMPTS[:3], 'v1') == out
    assert gen.num_generated == 0


KILLED_CLIENT = textwrap.dedent('''
    import sys
    from lgir_pyg.llm import CachedGenerator, GenerationCache, OpenAIGenerator

    class Counting(OpenAIGenerator):
        def stream(self, prompts, attempt=0):
            for chunk in super().stream(prompts, attempt):
                yield chunk
                print('stored', flush=True)

    gen = CachedGenerator(
        Counting({model!r}, {base_url!r}, max_new_tokens=6, concurrency=2),
        GenerationCache({path!r}), format=None, show_progress=False)
    gen.generate({prompts!r}, 'v1')
''')


def test_killed_client_resumes(served_smollm, tmp_path):
    base_url, model = served_smollm
    path = str(tmp_path / 'cache.sqlite')
    script = KILLED_CLIENT.format(model=model, base_url=base_url, path=path,
                                  prompts=PROMPTS)
    proc = subprocess.Popen([sys.executable, '-c', script],
                            stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, HF_HUB_OFFLINE='1'))
    for _ in range(2):  # Each answer is stored as it arrives.
        assert proc.stdout.readline() == 'stored\n'
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    cache = GenerationCache(path)
    num_done = len(cache)
    assert 2 <= num_done < len(PROMPTS)
    gen = CachedGenerator(OpenAIGenerator(model, base_url, max_new_tokens=6,
                                          concurrency=2), cache,
                          format=None, show_progress=False)
    out = gen.generate(PROMPTS, 'v1')
    assert gen.num_cached == num_done
    assert gen.num_generated == len(PROMPTS) - num_done
    assert len(out) == len(PROMPTS) and len(cache) == len(PROMPTS)


def test_resume_format_over_the_server(served_smollm):
    # The served 135M model rarely keeps the format: what comes back is a
    # valid resume anyway, repaired where it has to be. Eight tokens cut
    # the first line, and a cut line is dropped: nothing is left to state,
    # so the resume is empty rather than made up (an answer without any
    # section is unusable, which max_unusable=1 accepts).
    base_url, model = served_smollm
    gen = CachedGenerator(OpenAIGenerator(model, base_url, max_new_tokens=8,
                                          concurrency=2), retries=0,
                          max_unusable=1.0, show_progress=False)
    [resume] = gen.generate(PROMPTS[:1], 'v1')
    assert resume == ''
    assert gen.details[0]['attempts'] == 1
    assert gen.details[0]['repaired'] == 'cut off'  # 8 tokens.


# Each garbled answer and what the backend says of it.
GARBLED_REASONS = {
    'malformed JSON': 'the answer is not JSON (Expecting value',
    'HTML page': "the server sent an HTML page, not JSON: '<html><body>"
                 "<h1>502 Bad Gateway",
    'empty choices': 'the answer has an empty "choices" list',
    'content null': 'the answer has no text (content: null)',
}


@pytest.mark.parametrize('kind', list(GARBLED_REASONS))
def test_garbled_answer_is_a_failed_completion(stub_llm_server, kind):
    stub_llm_server.kind = kind
    gen = OpenAIGenerator('m', stub_llm_server.base_url, max_retries=0)
    out = gen.complete('hi')
    assert out.finish_reason == 'error' and out.text == ''
    assert out.error.startswith(GARBLED_REASONS[kind])


@pytest.mark.parametrize('kind', list(GARBLED_REASONS) + ['off-topic'])
def test_unusable_answers_fail_the_run(stub_llm_server, tmp_path, kind):
    stub_llm_server.kind = kind
    cache = GenerationCache(str(tmp_path / 'cache.sqlite'))
    gen = CachedGenerator(OpenAIGenerator('m', stub_llm_server.base_url),
                          cache, retries=2, show_progress=False)
    reason = GARBLED_REASONS.get(
        kind, 'none of the sections Likely skills, Interests')
    with pytest.raises(LGIRError, match=re.escape(
            f'4 of 4 answers of m are unusable after 2 retries (4 x '
            f'{reason}')):
        gen.generate(PROMPTS[:4], 'v1')
    # Each prompt was asked three times; a garbled answer is never cached.
    assert stub_llm_server.requests == {p: 3 for p in PROMPTS[:4]}
    assert len(cache) == (12 if kind == 'off-topic' else 0)


def test_a_few_unusable_answers_are_kept(stub_llm_server, caplog):
    stub_llm_server.by_prompt = {PROMPTS[1]: 'HTML page'}
    gen = CachedGenerator(OpenAIGenerator('m', stub_llm_server.base_url),
                          retries=1, max_unusable=0.2, show_progress=False)
    with caplog.at_level('WARNING', logger='lgir_pyg.llm.cache'):
        order = [i for i, _ in gen.stream(PROMPTS, 'v1')]
    assert order[-1] == 1 and sorted(order) == list(range(6))  # Last.
    assert '1 of 6 answers of m are unusable after 1 retry (1 x the ' \
        'server sent an HTML page' in caplog.text
    out = gen.generate(PROMPTS, 'v1')
    assert gen.details[1]['repaired'].startswith('the server sent an HTML')
    assert gen.details[1]['finish_reason'] == 'error'
    # The good answers claim nothing, so every resume is empty.
    assert out == [''] * 6
    assert gen.details[0] == {'finish_reason': 'stop', 'attempts': 1,
                              'repaired': None}
