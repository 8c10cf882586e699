import logging
import os

import pytest
import torch

from lgir_pyg.errors import CacheError
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


@pytest.mark.parametrize('damage', ['truncate', 'garbage', 'wrong-format',
                                    'directory'])
def test_unreadable_file_is_moved_aside(tmp_path, toy_encoder, caplog,
                                        damage):
    cache = EmbeddingCache(str(tmp_path))
    x = cache.encode(toy_encoder, ['a b', ''], 'user.text')
    path = cache.path('toy', 'user.text')
    if damage == 'truncate':
        raw = open(path, 'rb').read()
        open(path, 'wb').write(raw[:len(raw) // 2])
    elif damage == 'garbage':
        open(path, 'wb').write(b'not a torch file')
    elif damage == 'wrong-format':
        torch.save([1, 2, 3], path)
    else:
        os.remove(path)
        os.mkdir(path)
    with caplog.at_level(logging.WARNING):
        again = cache.encode(toy_encoder, ['a b', ''], 'user.text')
    # The work is redone, the bad file kept aside, and the warning names it.
    assert torch.equal(again, x) and toy_encoder.num_encoded == 4
    assert f"'{path}' is unreadable" in caplog.text
    aside = [n for n in os.listdir(tmp_path) if '.corrupt-' in n]
    assert len(aside) == 1 and aside[0].startswith('toy__user.text.pt')
    # The next run loads the healed file.
    assert torch.equal(cache.encode(toy_encoder, ['a b', ''], 'user.text'),
                       x)
    assert toy_encoder.num_encoded == 4


def test_root_is_a_file(tmp_path, toy_encoder):
    root = tmp_path / 'embeddings'
    root.write_text('')
    with pytest.raises(CacheError, match=f"Cannot use '{root}' as the "
                       f"embedding cache folder: '{root}' is a file"):
        EmbeddingCache(str(root)).encode(toy_encoder, ['a'], 'user.text')
    assert toy_encoder.num_encoded == 0  # Failed before encoding.


def test_root_not_writable(read_only_dir, toy_encoder):
    cache = EmbeddingCache(f'{read_only_dir}/embeddings')
    with pytest.raises(CacheError, match='is not writable'):
        cache.encode(toy_encoder, ['a'], 'user.text')
    assert toy_encoder.num_encoded == 0
