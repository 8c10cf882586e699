import os

import torch

from lgir_pyg.text import EmbeddingCache
from lgir_pyg.text.cache import embedding_file_name, texts_sha256


def test_texts_sha256():
    assert texts_sha256(['ab']) != texts_sha256(['a', 'b'])
    assert texts_sha256(['a', 'b']) != texts_sha256(['b', 'a'])
    assert len(texts_sha256([])) == 64


def test_embedding_file_name():
    name = embedding_file_name('/models/x[mean,max_length=8]', 'user.text')
    assert name == 'models_x_mean_max_length=8___user.text.pt'


def test_embedding_cache(tmp_path, toy_encoder):
    cache = EmbeddingCache(str(tmp_path))
    assert str(cache) == f"EmbeddingCache('{tmp_path}')"
    x = cache.encode(toy_encoder, ['a b', ''], 'user.text')
    assert x.tolist() == [[3, 2, 1], [0, 0, 1]]
    assert os.listdir(tmp_path) == ['toy__user.text.pt']
    saved = torch.load(cache.path('toy', 'user.text'), weights_only=True)
    assert saved['encoder'] == 'toy' and saved['source'] == 'user.text'
    assert saved['sha256'] == texts_sha256(['a b', ''])

    # Same texts: loaded, not encoded again.
    assert torch.equal(cache.encode(toy_encoder, ['a b', ''], 'user.text'), x)
    assert toy_encoder.num_encoded == 2

    # Other texts under the same name: recomputed, never stale.
    x = cache.encode(toy_encoder, ['abc'], 'user.text')
    assert x.tolist() == [[3, 1, 1]]
    assert toy_encoder.num_encoded == 3
    assert len(os.listdir(tmp_path)) == 1
