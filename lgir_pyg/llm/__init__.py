from lgir_pyg.llm.generators import HFTextGenerator, TextGenerator
from lgir_pyg.llm.cache import CachedGenerator, GenerationCache
from lgir_pyg.llm.prompts import (ResumePrompts, recent_training_jobs,
                                  user_context)

__all__ = [
    'TextGenerator', 'HFTextGenerator', 'GenerationCache', 'CachedGenerator',
    'ResumePrompts', 'recent_training_jobs', 'user_context'
]
