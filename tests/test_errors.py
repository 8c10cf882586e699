import pytest

import lgir_pyg
from lgir_pyg.errors import (
    CacheError,
    CheckpointError,
    ConfigError,
    DataError,
    LGIRError,
    TableError,
    UsageError,
    first_line,
)


@pytest.mark.parametrize('cls,status', [
    (UsageError, 2), (ConfigError, 2), (TableError, 1), (DataError, 1),
    (CacheError, 1), (CheckpointError, 1)
])
def test_family(cls, status):
    assert issubclass(cls, LGIRError)
    assert cls.exit_code == status
    assert getattr(lgir_pyg, cls.__name__) is cls


def test_value_errors():
    # Code that caught ValueError for bad tables or arguments still does.
    for cls in (UsageError, ConfigError, TableError, DataError):
        assert issubclass(cls, ValueError)


def test_first_line():
    assert first_line(ValueError('  bad value\nmore detail\n')) == 'bad value'
    assert first_line(EOFError()) == 'EOFError'
