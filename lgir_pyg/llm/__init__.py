from lgir_pyg.llm.generators import (Completion, HFTextGenerator,
                                     TextGenerator)
from lgir_pyg.llm.format import ResumeFormat
from lgir_pyg.llm.cache import CachedGenerator, GenerationCache
from lgir_pyg.llm.prompts import ResumePrompts
from lgir_pyg.llm.factory import (BACKENDS, build_generator,
                                   generator_class)

__all__ = [
    'TextGenerator', 'Completion', 'HFTextGenerator', 'OpenAIGenerator',
    'ResumeFormat', 'GenerationCache', 'CachedGenerator', 'BACKENDS',
    'build_generator', 'generator_class', 'ResumePrompts'
]


def __getattr__(name: str):
    # The openai client is an optional dependency: import it on first use.
    if name == 'OpenAIGenerator':
        from lgir_pyg.llm.openai_api import OpenAIGenerator
        return OpenAIGenerator
    raise AttributeError(f"module 'lgir_pyg.llm' has no attribute {name!r}")
