import argparse

import pytest

from lgir_pyg.factories import build_llm
from lgir_pyg.cli._llm import add_generation_arguments, generation_shortcuts
from lgir_pyg.config import load_config
from lgir_pyg.errors import ConfigError, UsageError
from lgir_pyg.llm import CachedGenerator, HFTextGenerator, OpenAIGenerator


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_generation_arguments(parser)
    return parser.parse_args(list(argv))


def llm(tmp_path, *argv: str, config=None) -> CachedGenerator:
    # The flags are short for --set llm.KEY=VALUE: they go through the
    # config like every other value, over the config's llm section.
    config = load_config(None, config, generation_shortcuts(parse(*argv)))
    return build_llm(config.check(), str(tmp_path))


def test_hf_options(tmp_path):
    args = parse('--model', 'org/m', '--max-new-tokens', '12',
                 '--batch-size', '4', '--cache', str(tmp_path / 'c.sqlite'))
    assert generation_shortcuts(args) == {
        'llm.model': 'org/m', 'llm.max_new_tokens': 12,
        'llm.batch_size': 4, 'llm.cache': str(tmp_path / 'c.sqlite')}
    gen = llm(tmp_path, '--model', 'org/m', '--batch-size', '4')
    # No retry unless asked: the greedy answer is repaired.
    assert isinstance(gen, CachedGenerator) and gen.retries == 0
    assert isinstance(gen.generator, HFTextGenerator)
    assert gen.generator.batch_size == 4
    assert gen.cache.path == str(tmp_path / 'llm_cache.sqlite')
    assert llm(tmp_path, '--retries', '2').retries == 2


def test_openai_options(tmp_path):
    gen = llm(tmp_path, '--backend', 'openai', '--model', 'llama3.1:8b',
              '--base-url', 'http://127.0.0.1:11434/v1', '--api-key-env',
              'MY_KEY', '--concurrency', '16', '--timeout', '30',
              '--max-retries', '2', '--retries', '3')
    assert isinstance(gen.generator, OpenAIGenerator) and gen.retries == 3
    server = gen.generator
    assert (server.model, server.base_url, server.api_key_env) == (
        'llama3.1:8b', 'http://127.0.0.1:11434/v1', 'MY_KEY')
    assert (server.concurrency, server.timeout, server.max_retries) == (
        16, 30.0, 2)


def test_flags_over_the_config(tmp_path):
    path = tmp_path / 'run.yaml'
    path.write_text('llm:\n  backend: openai\n  model: served\n'
                    '  concurrency: 2\n')
    # The config's backend stays unless --backend is given.
    gen = llm(tmp_path, '--concurrency', '5', config=str(path))
    assert isinstance(gen.generator, OpenAIGenerator)
    assert (gen.generator.model, gen.generator.concurrency) == ('served', 5)


def test_options_of_the_other_backend(tmp_path):
    with pytest.raises(UsageError, match='--batch-size does not apply to '
                       '--backend openai'):
        generation_shortcuts(parse('--backend', 'openai', '--batch-size',
                                   '2'))
    # Without --backend, the config's backend decides.
    with pytest.raises(ConfigError, match="'llm.base_url' does not apply to "
                       "the 'hf' backend"):
        llm(tmp_path, '--base-url', 'http://x/v1')
