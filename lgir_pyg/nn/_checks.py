from typing import Optional

import torch_geometric
from torch import Tensor

from lgir_pyg.errors import UsageError


def check_features(
    name: str,
    x: Optional[Tensor],
    channels: int,
    num_rows: Optional[int] = None,
) -> None:
    r"""Raises a :class:`~lgir_pyg.errors.UsageError` naming :obj:`name`
    unless :obj:`x` is a :obj:`(num_rows, channels)` matrix (any number of
    rows if :obj:`num_rows` is :obj:`None`). In PyG's debug
    mode (:class:`torch_geometric.debug`) it also checks that :obj:`x` is
    finite, which needs a host synchronisation."""
    if x is None:
        raise UsageError(f"'{name}' is needed")
    if x.dim() != 2 or x.size(1) != channels or (num_rows is not None
                                                 and x.size(0) != num_rows):
        rows = 'N' if num_rows is None else num_rows
        raise UsageError(f"'{name}' must have shape ({rows}, {channels}) "
                         f"(got {tuple(x.size())})")
    # One reduction: a NaN or inf anywhere makes the sum non-finite.
    if torch_geometric.is_debug_enabled() and not bool(x.sum().isfinite()):
        raise UsageError(f"'{name}' contains NaN or infinite values")


def check_index(name: str, index: Tensor, size: int) -> None:
    r"""In PyG's debug mode, raises a :class:`~lgir_pyg.errors.UsageError`
    naming :obj:`name` unless every entry of :obj:`index` lies in
    :obj:`[0, size)`."""
    if not torch_geometric.is_debug_enabled() or index.numel() == 0:
        return
    low, high = int(index.min()), int(index.max())
    if low < 0 or high >= size:
        raise UsageError(f"{name} holds indices in [{low}, {high}], "
                         f"outside [0, {size - 1}]")
