from lgir_pyg.text.cache import EmbeddingCache
from lgir_pyg.text.encoders import (
    DEFAULT_MODEL,
    HFMeanPoolingEncoder,
    SentenceTransformerEncoder,
    TextEncoder,
)

__all__ = [
    'DEFAULT_MODEL',
    'TextEncoder',
    'SentenceTransformerEncoder',
    'HFMeanPoolingEncoder',
    'EmbeddingCache',
]
