r"""What a :class:`~lgir_pyg.config.RunConfig` names, built: its text
encoder, its LLM with the completion cache, and its resume-completion
prompts, as the factories that :func:`lgir_pyg.pipeline.add_model_inputs`
takes (nothing loads before it is needed)."""
import os.path as osp
from typing import Callable

from lgir_pyg.config import RunConfig
from lgir_pyg.llm import (CachedGenerator, GenerationCache, ResumePrompts,
                          build_generator)
from lgir_pyg.text import SentenceTransformerEncoder


def encoder_factory(
        config: RunConfig) -> Callable[[], SentenceTransformerEncoder]:
    r"""A factory of the configured text encoder (:obj:`config.encoder`),
    loaded when called."""
    def make() -> SentenceTransformerEncoder:
        enc = config.encoder
        return SentenceTransformerEncoder(enc['model'], enc['batch_size'],
                                          device=enc['device'])
    return make


def build_llm(config: RunConfig, root: str) -> CachedGenerator:
    r"""The configured LLM in a :class:`~lgir_pyg.llm.CachedGenerator`; the
    model loads on its first miss.

    Args:
        config (RunConfig): The run config; its :obj:`llm` section holds
            :obj:`backend` and the keyword arguments of its class (see
            :func:`lgir_pyg.llm.build_generator`), :obj:`cache` (the
            completion cache, by default :obj:`<root>/llm_cache.sqlite`),
            :obj:`retries` and :obj:`max_unusable` (see
            :class:`~lgir_pyg.llm.CachedGenerator`); the command line's LLM
            flags are short for its keys.
        root (str): The dataset's folder of caches.
    """
    options = dict(config.llm)
    cache = options.pop('cache', None) or osp.join(root, 'llm_cache.sqlite')
    checks = {key: options.pop(key) for key in ('retries', 'max_unusable')
              if key in options}
    return CachedGenerator(build_generator(**options),
                           GenerationCache(cache), **checks)


def generator_factory(config: RunConfig,
                      root: str) -> Callable[[str], CachedGenerator]:
    r"""A factory of the configured LLM for a mode (see :func:`build_llm`),
    for :func:`lgir_pyg.pipeline.add_model_inputs`."""
    return lambda mode: build_llm(config, root)


def resume_prompts(config: RunConfig, mode: str, **kwargs) -> ResumePrompts:
    r"""The configured :class:`~lgir_pyg.llm.ResumePrompts` of :obj:`mode`
    (:obj:`config.prompts`, updated by :obj:`kwargs`)."""
    return ResumePrompts(mode=mode, **{**config.prompts, **kwargs})
