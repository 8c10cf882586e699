import os.path as osp

from lgir_pyg.config import load_config
from lgir_pyg.factories import (build_llm, encoder_factory,
                                generator_factory, resume_prompts)
from lgir_pyg.llm import CachedGenerator, HFTextGenerator
from lgir_pyg.text import DEFAULT_MODEL, SentenceTransformerEncoder

SHOP = osp.join(osp.dirname(osp.abspath(__file__)), 'data', 'shop',
                'shop.yaml')


def test_encoder_factory():
    config = load_config(None, SHOP, {'encoder.batch_size': '8'})
    make = encoder_factory(config)
    encoder = make()  # The model itself loads on first use.
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert encoder.model_name_or_path == DEFAULT_MODEL
    assert encoder.batch_size == 8
    assert make() is not encoder


def test_build_llm(tmp_path):
    config = load_config(None, SHOP, {'llm.temperature': '0.5'})
    llm = build_llm(config, str(tmp_path))
    assert isinstance(llm, CachedGenerator)
    assert isinstance(llm.generator, HFTextGenerator)
    assert llm.cache.path == str(tmp_path / 'llm_cache.sqlite')
    assert llm.retries == 0
    assert llm.generator.settings['temperature'] == 0.5
    made = generator_factory(config, str(tmp_path))('irc')
    assert made.cache.path == str(tmp_path / 'llm_cache.sqlite')
    # The cache and the retries are llm keys too (--cache, --retries).
    other = str(tmp_path / 'other.sqlite')
    config = load_config(None, SHOP, {'llm.cache': other, 'llm.retries': 2})
    llm = build_llm(config, str(tmp_path))
    assert llm.cache.path == other and llm.retries == 2
    assert config.llm == {'cache': other, 'retries': 2}  # The config stays.


def test_resume_prompts():
    config = load_config(None, SHOP)
    prompts = resume_prompts(config, 'irc')
    assert prompts.mode == 'irc' and prompts.names == {
        'user': 'customer', 'items': 'products', 'interacted': 'bought'}
    assert resume_prompts(config, 'src', k=2).k == 2
