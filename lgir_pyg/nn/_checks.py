r"""Input checks of the :mod:`lgir_pyg.nn` layers, as PyG does them:
constructor arguments and tensor metadata (dtype, shape) are checked always,
as that is free; tensor values (index ranges, finite features) only in
PyG's debug mode (:class:`torch_geometric.debug`), as reading them needs a
host synchronisation. Every check raises a
:class:`~lgir_pyg.errors.UsageError` naming the argument."""
import math
import numbers
from typing import Optional

import torch
import torch_geometric
from torch import Tensor

from lgir_pyg.errors import UsageError

# The index types of torch's indexing and scatter operations.
INDEX_DTYPES = (torch.int64, torch.int32)


def check_int(name: str, value: int, minimum: int) -> None:
    r"""Raises unless :obj:`value` is an integer of at least
    :obj:`minimum`."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
            or value < minimum):
        raise UsageError(f"'{name}' must be an integer >= {minimum} "
                         f"(got {value!r})")


def check_number(
    name: str,
    value: float,
    low: float = -math.inf,
    high: float = math.inf,
    open_low: bool = False,
    open_high: bool = False,
) -> None:
    r"""Raises unless :obj:`value` is a finite number in the interval from
    :obj:`low` to :obj:`high`, each end open or closed."""
    ok = (not isinstance(value, bool) and isinstance(value, numbers.Real)
          and math.isfinite(value)
          and (low < value if open_low else low <= value)
          and (value < high if open_high else value <= high))
    if not ok:
        if high < math.inf:
            bounds = (f" in {'(' if open_low else '['}{low}, "
                      f"{high}{')' if open_high else ']'}")
        elif low > -math.inf:
            bounds = f" {'>' if open_low else '>='} {low}"
        else:
            bounds = ''
        raise UsageError(f"'{name}' must be a finite number{bounds} "
                         f"(got {value!r})")


def check_features(
    name: str,
    x: Optional[Tensor],
    channels: int,
    num_rows: Optional[int] = None,
    dtype: Optional[torch.dtype] = None,
) -> None:
    r"""Raises unless :obj:`x` is a :obj:`(num_rows, channels)` matrix (any
    number of rows if :obj:`num_rows` is :obj:`None`) of the layer's
    :obj:`dtype`. In debug mode it also checks that :obj:`x` is finite."""
    if x is None:
        raise UsageError(f"'{name}' is needed")
    if x.dim() != 2 or x.size(1) != channels or (num_rows is not None
                                                 and x.size(0) != num_rows):
        rows = 'N' if num_rows is None else num_rows
        raise UsageError(f"'{name}' must have shape ({rows}, {channels}) "
                         f"(got {tuple(x.size())})")
    if dtype is not None and x.dtype != dtype:
        fix = f"convert '{name}' with .to({dtype})"
        if x.is_floating_point():
            fix += f' or the layer with .to({x.dtype})'
        raise UsageError(f"'{name}' is {x.dtype} but the layer is {dtype}: "
                         f"{fix}")
    if torch_geometric.is_debug_enabled() and not bool(x.isfinite().all()):
        raise UsageError(f"'{name}' contains NaN or infinite values")


def check_index(
    name: str,
    index: Optional[Tensor],
    size: Optional[int] = None,
    numel: Optional[int] = None,
) -> None:
    r"""Raises unless :obj:`index` is a vector of integer indices (of
    :obj:`numel` entries if given) or :obj:`None` (an argument not given).
    In debug mode it also checks that every entry lies in :obj:`[0, size)`,
    or is non-negative if :obj:`size` is :obj:`None`."""
    if index is None:
        return
    if index.dim() != 1 or (numel is not None and index.numel() != numel):
        length = 'N' if numel is None else numel
        raise UsageError(f"'{name}' must have shape ({length},) (got "
                         f"{tuple(index.size())})")
    _check_dtype(name, index)
    if torch_geometric.is_debug_enabled() and index.numel() > 0:
        low, high = torch.stack(torch.aminmax(index)).tolist()
        _check_range(f"'{name}'", low, high, size)


def check_pairs(
    name: str,
    index: Optional[Tensor],
    num_users: Optional[int] = None,
    num_items: Optional[int] = None,
) -> None:
    r"""Raises unless :obj:`index` is a :obj:`(2, E)` matrix of integer
    user-item pairs or :obj:`None` (an argument not given). In debug mode it
    also checks that users lie in :obj:`[0, num_users)` and items in
    :obj:`[0, num_items)` (only that they are non-negative where a size is
    :obj:`None`), with one host synchronisation."""
    if index is None:
        return
    check_dense(name, index)
    if index.dim() != 2 or index.size(0) != 2:
        raise UsageError(f"'{name}' must have shape (2, E) (got "
                         f"{tuple(index.size())})")
    _check_dtype(name, index)
    if torch_geometric.is_debug_enabled() and index.numel() > 0:
        low, high = torch.stack(torch.aminmax(index, dim=1)).tolist()
        _check_range(f"'{name}' row 0 (users)", low[0], high[0], num_users)
        _check_range(f"'{name}' row 1 (items)", low[1], high[1], num_items)


def check_dense(name: str, index: Tensor) -> None:
    r"""Raises if :obj:`index` is a sparse tensor, where a layer needs the
    :obj:`(2, E)` user-item pairs themselves."""
    if index.layout != torch.strided:
        raise UsageError(f"'{name}' must be a dense (2, E) tensor of "
                         f"user-item pairs (got layout {index.layout})")


def _check_dtype(name: str, index: Tensor) -> None:
    if index.dtype not in INDEX_DTYPES:
        raise UsageError(f"'{name}' must hold integer indices of type "
                         f"torch.int64 or torch.int32 (got {index.dtype})")


def _check_range(name: str, low: int, high: int, size: Optional[int]) -> None:
    if low < 0 or (size is not None and high >= size):
        valid = '[0, inf)' if size is None else f'[0, {size - 1}]'
        raise UsageError(f"{name} holds indices in [{low}, {high}], "
                         f"outside {valid}")
