from typing import Optional

from torch import Tensor


def check_features(
    name: str,
    x: Optional[Tensor],
    channels: int,
    num_rows: Optional[int] = None,
) -> None:
    r"""Raises a :class:`ValueError` naming :obj:`name` unless :obj:`x` is a
    finite :obj:`(num_rows, channels)` matrix (any number of rows if
    :obj:`num_rows` is :obj:`None`)."""
    if x is None:
        raise ValueError(f"'{name}' is needed")
    if x.dim() != 2 or x.size(1) != channels or (num_rows is not None
                                                 and x.size(0) != num_rows):
        rows = 'N' if num_rows is None else num_rows
        raise ValueError(f"'{name}' must have shape ({rows}, {channels}) "
                         f"(got {tuple(x.size())})")
    # One reduction: a NaN or inf anywhere makes the sum non-finite.
    if not bool(x.sum().isfinite()):
        raise ValueError(f"'{name}' contains NaN or infinite values")
