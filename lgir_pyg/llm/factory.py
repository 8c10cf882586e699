import inspect
from typing import Any

from lgir_pyg.errors import UsageError
from lgir_pyg.llm.generators import HFTextGenerator, TextGenerator

BACKENDS = ('hf', 'openai')


def generator_class(backend: str) -> type:
    r"""The :class:`~lgir_pyg.llm.TextGenerator` class of :obj:`backend`
    (:obj:`"hf"` or :obj:`"openai"`)."""
    if backend == 'hf':
        return HFTextGenerator
    if backend == 'openai':
        from lgir_pyg.llm.openai_api import OpenAIGenerator
        return OpenAIGenerator
    raise UsageError(f"'backend' must be one of {list(BACKENDS)} (got "
                     f"{backend!r})")


def build_generator(backend: str = 'hf', **options: Any) -> TextGenerator:
    r"""Builds a resume-completion backend from plain options (a config
    section, command-line flags): :obj:`backend="hf"` is
    :class:`~lgir_pyg.llm.HFTextGenerator` (in-process transformers),
    :obj:`backend="openai"` is :class:`~lgir_pyg.llm.OpenAIGenerator` (any
    OpenAI-compatible server); :obj:`options` are that class's arguments.
    An unknown backend or option raises
    :class:`~lgir_pyg.errors.UsageError` naming it."""
    cls = generator_class(backend)
    params = inspect.signature(cls).parameters
    unknown = sorted(set(options) - set(params))
    if unknown:
        raise UsageError(f"{cls.__name__} has no option {unknown[0]!r}; "
                         f"it takes {sorted(params)}")
    missing = [name for name, p in params.items()
               if p.default is p.empty and name not in options]
    if missing:
        raise UsageError(f"backend {backend!r} needs the option "
                         f"{missing[0]!r}")
    return cls(**options)
