import argparse

import pytest

from lgir_pyg.cli._llm import (add_generation_arguments, generation_options,
                               generator_from_args)
from lgir_pyg.errors import UsageError
from lgir_pyg.llm import CachedGenerator, HFTextGenerator, OpenAIGenerator


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_generation_arguments(parser)
    return parser.parse_args(list(argv))


def test_hf_options(tmp_path):
    args = parse('--model', 'org/m', '--max-new-tokens', '12',
                 '--batch-size', '4', '--cache', str(tmp_path / 'c.sqlite'))
    assert generation_options(args) == {
        'backend': 'hf', 'model': 'org/m', 'max_new_tokens': 12,
        'batch_size': 4}
    gen = generator_from_args(args)
    assert isinstance(gen, CachedGenerator) and gen.retries == 1
    assert isinstance(gen.generator, HFTextGenerator)
    assert gen.generator.batch_size == 4 and gen.cache is not None
    assert generator_from_args(parse('--retries', '0')).cache is None


def test_openai_options():
    args = parse('--backend', 'openai', '--model', 'llama3.1:8b',
                 '--base-url', 'http://127.0.0.1:11434/v1', '--api-key-env',
                 'MY_KEY', '--concurrency', '16', '--timeout', '30',
                 '--max-retries', '2', '--retries', '3')
    gen = generator_from_args(args)
    assert isinstance(gen.generator, OpenAIGenerator) and gen.retries == 3
    server = gen.generator
    assert (server.model, server.base_url, server.api_key_env) == (
        'llama3.1:8b', 'http://127.0.0.1:11434/v1', 'MY_KEY')
    assert (server.concurrency, server.timeout, server.max_retries) == (
        16, 30.0, 2)


def test_options_of_the_other_backend():
    with pytest.raises(UsageError, match='--base-url does not apply to '
                       '--backend hf'):
        generation_options(parse('--base-url', 'http://x/v1'))
    with pytest.raises(UsageError, match='--batch-size does not apply'):
        generation_options(parse('--backend', 'openai', '--batch-size', '2'))
