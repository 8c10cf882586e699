import math
import re

import numpy as np
import pytest
import torch
import torch_geometric

from lgir_pyg.errors import UsageError
from lgir_pyg.nn._checks import (
    check_features,
    check_index,
    check_int,
    check_number,
    check_pairs,
)


def test_check_int():
    for value in [0, 3, np.int64(2)]:  # numpy integers are integers.
        check_int('n', value, 0)
    for value in [-1, 1.0, True, '2', None]:
        with pytest.raises(UsageError, match=re.escape(
                f"'n' must be an integer >= 0 (got {value!r})")):
            check_int('n', value, 0)


@pytest.mark.parametrize('kwargs,good,bad,bounds', [
    ({}, [-1e30, 0, 2], [math.nan, math.inf, True, '1'], ''),
    ({'low': 0}, [0, 0.5], [-0.1, math.inf], ' >= 0'),
    ({'low': 0, 'open_low': True}, [1e-9, np.float32(2)], [0, -1], ' > 0'),
    ({'low': 0, 'high': 1, 'open_high': True}, [0, 0.99], [1, 1.5],
     ' in [0, 1)'),
    ({'low': 0, 'high': 1, 'open_low': True, 'open_high': True}, [0.5],
     [0.0, 1.0, math.nan], ' in (0, 1)'),
])
def test_check_number(kwargs, good, bad, bounds):
    for value in good:
        check_number('p', value, **kwargs)
    for value in bad:
        with pytest.raises(UsageError, match=re.escape(
                f"'p' must be a finite number{bounds} (got {value!r})")):
            check_number('p', value, **kwargs)


def test_check_index_and_pairs_metadata():
    check_index('i', None)  # An argument not given.
    check_pairs('e', None)
    check_index('i', torch.tensor([0, 1], dtype=torch.int32), 2, numel=2)
    with pytest.raises(UsageError, match=r"'i' must have shape \(3,\)"):
        check_index('i', torch.tensor([0, 1]), numel=3)
    with pytest.raises(UsageError, match='got torch.uint8'):
        check_index('i', torch.tensor([0, 1], dtype=torch.uint8))
    with pytest.raises(UsageError, match=r"'e' must have shape \(2, E\) "
                       r"\(got \(3, 1\)\)"):
        check_pairs('e', torch.zeros(3, 1, dtype=torch.long))
    with pytest.raises(UsageError, match='got layout torch.sparse_coo'):
        check_pairs('e', torch.eye(2, dtype=torch.long).to_sparse())


def test_check_values_in_debug_mode_only():
    index = torch.tensor([0, 5])
    pairs = torch.tensor([[0, 1], [2, 9]])
    x = torch.tensor([[1.0, math.nan]])
    check_index('i', index, 3)
    check_pairs('e', pairs, 2, 3)
    check_features('x', x, 2)
    with torch_geometric.debug():
        with pytest.raises(UsageError, match=r"'i' holds indices in "
                           r"\[0, 5\], outside \[0, 2\]"):
            check_index('i', index, 3)
        check_index('i', index)  # Without a size: non-negative only.
        with pytest.raises(UsageError, match=r"'e' row 1 \(items\) holds "
                           r"indices in \[2, 9\], outside \[0, 2\]"):
            check_pairs('e', pairs, 2, 3)
        check_pairs('e', pairs, 2)
        check_index('i', index.new_empty(0), 0)  # Nothing to read.
        with pytest.raises(UsageError, match="'x' contains NaN or inf"):
            check_features('x', x, 2)
        # Large finite values pass, even where their sum is inf.
        check_features('x', torch.full((2, 2), 3e38), 2)
