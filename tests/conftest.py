import pytest
import torch

from lgir_pyg.text import SentenceTransformerEncoder, TextEncoder


class ToyEncoder(TextEncoder):
    r"""A model-free encoder: [characters, words, 1.0] per text; counts the
    texts it encodes."""
    name = 'toy'
    dim = 3

    def __init__(self, batch_size: int = 64) -> None:
        super().__init__(batch_size)
        self.num_encoded = 0

    def _encode(self, texts, batch_size, show_progress):
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
    return PerUserSplit()(from_tables(*tiny_tables()))
