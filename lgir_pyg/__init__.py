__version__ = '0.1.0'
from lgir_pyg.errors import (
    CacheError,
    CheckpointError,
    ConfigError,
    DataError,
    LGIRError,
    TableError,
    UsageError,
)

__all__ = [
    'LGIRError',
    'UsageError',
    'ConfigError',
    'TableError',
    'DataError',
    'CacheError',
    'CheckpointError',
]
