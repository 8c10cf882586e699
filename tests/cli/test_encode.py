import torch
from torch_geometric.data import HeteroData

from lgir_pyg.cli.main import build_parser, main
from lgir_pyg.text import EmbeddingCache


class TinyJobViews:
    def __init__(self, root: str) -> None:
        self.root = root
        data = HeteroData()
        data['user'].text = ['Python developer', '']
        data['job'].text = ['Data engineer', 'Nurse', 'Cook']
        self.data = data

    def __getitem__(self, idx: int) -> HeteroData:
        return self.data


def test_encode_arguments():
    args = build_parser().parse_args(['encode'])
    assert args.model is None and args.source == 'self'
    assert args.batch_size == 64 and args.output is None


def test_encode(tmp_path, monkeypatch, capsys, toy_encoder):
    created = {}

    def encoder(model, batch_size):
        created.update(model=model, batch_size=batch_size)
        return toy_encoder

    monkeypatch.setattr('lgir_pyg.datasets.KaggleJobViews',
                        lambda **kwargs: TinyJobViews(str(tmp_path)))
    monkeypatch.setattr('lgir_pyg.text.SentenceTransformerEncoder', encoder)

    assert main(['encode', '--model', 'my/model', '--batch-size', '2']) == 0
    assert created == {'model': 'my/model', 'batch_size': 2}
    out = capsys.readouterr().out
    assert 'user: (2, 3)\njob: (3, 3)\n' in out
    assert 'toy: 5 texts in' in out and 'sentences/s' in out
    # The embedding cache that training reads.
    cache = EmbeddingCache(str(tmp_path / 'embeddings'))
    assert cache.encode(toy_encoder, ['Python developer', ''],
                        'user.self').tolist() == [[16, 2, 1], [0, 0, 1]]
    assert toy_encoder.num_encoded == 5  # Served from the cache.

    output = tmp_path / 'out.pt'
    assert main(['encode', '--output', str(output)]) == 0
    saved = torch.load(output, weights_only=True)
    assert saved['encoder'] == 'toy' and saved['job'].size() == (3, 3)
