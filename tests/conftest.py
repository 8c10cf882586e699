import http.server
import json
import threading
from typing import Dict, Optional, Tuple

import pytest
import torch
from torch_geometric.data import HeteroData

from lgir_pyg.text import SentenceTransformerEncoder, TextEncoder


class ToyEncoder(TextEncoder):
    r"""A model-free encoder: [characters, words, 1.0] per text; counts the
    texts it encodes."""
    name = 'toy'
    dim = 3

    def __init__(self, batch_size: int = 64) -> None:
        super().__init__(batch_size)
        self.num_encoded = 0

    def _encode(self, texts):
        self.num_encoded += len(texts)
        out = torch.tensor([[len(t), len(t.split()), 1.0] for t in texts])
        return out, 0


@pytest.fixture
def toy_encoder() -> ToyEncoder:
    return ToyEncoder()


@pytest.fixture(scope='session')
def minilm() -> SentenceTransformerEncoder:
    # The real bundled all-MiniLM-L6-v2, loaded once per session.
    encoder = SentenceTransformerEncoder(batch_size=4, device='cpu')
    encoder.dim
    return encoder


# Two threads on a busy 2-core machine make tiny ops many times slower.
torch.set_num_threads(1)


def tiny_tables():
    r"""A hand-made table set: 4 users, 5 jobs, 9 timed interactions with
    one duplicate pair (u1, j1)."""
    import pandas as pd
    users = pd.DataFrame({
        'user_id': ['u0', 'u1', 'u2', 'u3'],
        'text': ['Cashier at Safeway.', '', 'Nurse; CPR certified.', 'Cook'],
    })
    jobs = pd.DataFrame({
        'job_id': ['j0', 'j1', 'j2', 'j3', 'j4'],
        'title': ['Cashier', 'Server', 'RN', 'Line Cook', 'Barista'],
        'text': ['Cashier @ Target', 'Server @ Haven', 'RN @ Kaiser',
                 'Line Cook @ Chez', 'Barista @ Blue'],
    })
    interactions = pd.DataFrame({
        'user_id': ['u0', 'u0', 'u0', 'u1', 'u1', 'u1', 'u2', 'u2', 'u3'],
        'job_id': ['j0', 'j4', 'j1', 'j1', 'j2', 'j1', 'j2', 'j3', 'j3'],
        'time': ['2014-01-03', '2014-01-01', '2014-01-02', '2014-02-01',
                 '2014-02-02', '2014-01-15', '2014-03-01', '2014-03-01',
                 '2014-04-01'],
    })
    return users, jobs, interactions


@pytest.fixture
def tables():
    return tiny_tables()


@pytest.fixture
def tiny_graph():
    from lgir_pyg.datasets import from_tables
    from lgir_pyg.transforms import PerUserSplit
    return PerUserSplit()(from_tables(*tiny_tables(), item_id_column='job_id',
                                      item_type='job'))


def split_graph(num_jobs: int = 12) -> HeteroData:
    r"""A split user-job graph with known held-out pairs: six users with
    1-6 training jobs, validation and test pairs on warm and cold jobs
    (jobs 6-11 have no training interaction) and one user (u2) with two
    test jobs."""
    train = [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 0), (1, 1),
             (1, 2), (2, 1), (2, 3), (3, 2), (4, 4), (5, 0)]
    val = [(0, 6), (1, 5)]
    test = [(0, 7), (1, 3), (2, 8), (2, 0), (3, 4), (4, 9)]
    data = HeteroData()
    data['user'].node_id = [f'u{i}' for i in range(6)]
    data['user'].text = ['python developer', '', 'nurse', 'line cook',
                         'truck driver', 'teacher']
    data['user'].num_nodes = 6
    data['job'].node_id = [f'j{i}' for i in range(num_jobs)]
    data['job'].title = [f'Job {i}' for i in range(num_jobs)]
    data['job'].text = [f'job {i} at company {i % 3}'
                        for i in range(num_jobs)]
    data['job'].num_nodes = num_jobs
    store = data['user', 'interacts', 'job']
    store.edge_index = torch.tensor(train).t()
    store.val_edge_label_index = torch.tensor(val).t()
    store.test_edge_label_index = torch.tensor(test).t()
    data['job', 'rev_interacts', 'user'].edge_index = store.edge_index.flip(0)
    data['user'].num_train_interactions = torch.bincount(
        store.edge_index[0], minlength=6)
    return data


def add_text_features(data: HeteroData, dim: int = 8,
                      seed: int = 0) -> HeteroData:
    r"""Writes random text features where EncodeText would: the items'
    :obj:`x`, the users' :obj:`x` (own text) and :obj:`x_context`,
    :obj:`x_src`, :obj:`x_irc`; returns the graph."""
    gen = torch.Generator().manual_seed(seed)
    user_type, _, item_type = [t for t in data.edge_types
                               if not t[1].startswith('rev_')][0]
    data[item_type].x = torch.randn(data[item_type].num_nodes, dim,
                                    generator=gen)
    for attr in ('x', 'x_context', 'x_src', 'x_irc'):
        data[user_type][attr] = torch.randn(data[user_type].num_nodes, dim,
                                            generator=gen)
    return data


@pytest.fixture
def rec_graph() -> HeteroData:
    return add_text_features(split_graph())


@pytest.fixture
def make_rec_graph():
    return split_graph


@pytest.fixture
def text_features():
    r"""The function :func:`add_text_features`."""
    return add_text_features


@pytest.fixture
def read_only_dir(tmp_path):
    r"""A folder no file can be created in. Root ignores permission bits,
    so for root it is a /proc folder, or the test is skipped."""
    import os
    folder = tmp_path / 'read-only'
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if not os.access(folder, os.W_OK):
            yield str(folder)
        elif os.path.isdir('/proc/1') and not os.access('/proc/1', os.W_OK):
            yield '/proc/1'
        else:
            pytest.skip('no folder is read-only for this user')
    finally:
        folder.chmod(0o700)


# A well-formed answer that claims nothing, so it fits any prompt's facts.
GOOD_RESUME = ('Experience: not stated\nLikely skills: not stated\n'
               'Interests: not stated')
# What a broken OpenAI-compatible server sends with status 200:
# (content type, body) by kind.
GARBLED = {
    'malformed JSON': ('application/json', b'{"choices": [{"message": '),
    'HTML page': ('text/html',
                  b'<html><body><h1>502 Bad Gateway</h1></body></html>'),
    'empty choices': ('application/json', b'{"id": "x", "choices": []}'),
    'content null': ('application/json', json.dumps({'choices': [{
        'index': 0, 'finish_reason': 'stop', 'message': {
            'role': 'assistant', 'content': None}}]}).encode()),
}


def chat_answer(content: str) -> Tuple[str, bytes]:
    return 'application/json', json.dumps({'id': 'x', 'choices': [{
        'index': 0, 'finish_reason': 'stop', 'message': {
            'role': 'assistant', 'content': content}}]}).encode()


class StubLLMServer(http.server.ThreadingHTTPServer):
    r"""An OpenAI-compatible chat completions server (stdlib
    :mod:`http.server`) whose answers the test chooses: a good resume,
    :obj:`kind` (a key of :obj:`GARBLED` or :obj:`"off-topic"`) for every
    prompt, or :obj:`by_prompt[prompt]` for some. It counts the requests
    per prompt, and with :obj:`hold_after` it answers that many requests
    and holds the others until :obj:`release` is set."""
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(('127.0.0.1', 0), _StubHandler)
        self.kind: Optional[str] = None
        self.by_prompt: Dict[str, str] = {}
        self.requests: Dict[str, int] = {}
        self.hold_after: Optional[int] = None
        self.release = threading.Event()
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f'http://127.0.0.1:{self.server_port}/v1'

    def answer(self, prompt: str) -> Tuple[str, bytes]:
        with self.lock:
            self.requests[prompt] = self.requests.get(prompt, 0) + 1
            held = self.hold_after is not None and sum(
                self.requests.values()) > self.hold_after
        if held:
            self.release.wait(60)
        kind = self.by_prompt.get(prompt, self.kind)
        if kind == 'off-topic':
            return chat_answer('I am sorry, I cannot help with that.')
        return GARBLED[kind] if kind else chat_answer(GOOD_RESUME)


class _StubHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        content_type, answer = self.server.answer(
            body['messages'][-1]['content'])
        self.send_response(200)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_llm_server():
    r"""A :class:`StubLLMServer` on a free port of 127.0.0.1."""
    server = StubLLMServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
