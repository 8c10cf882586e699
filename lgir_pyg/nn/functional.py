r"""Functions on user-item index pairs shared by the models and the
evaluator. Each checks its arguments (see :mod:`lgir_pyg.nn`) and calls an
unchecked core, which callers that checked them already call directly."""
import numbers
from typing import Optional, Tuple

import torch
from torch import Tensor

from lgir_pyg.errors import UsageError
from lgir_pyg.nn._checks import check_index, check_pairs


def select_pairs(user: Tensor, index: Tensor) -> Tuple[Tensor, Tensor]:
    r"""Returns :obj:`(row, item)` for every pair :obj:`(user[row], item)`
    of the user-item :obj:`index` :math:`(2, E)`; :obj:`user` may repeat.

    The output size depends on the data, so this synchronises with the host
    (use it outside of a model's forward).

    Args:
        user (torch.Tensor): The users :math:`(N)`.
        index (torch.Tensor): User-item pairs :math:`(2, E)`, users in
            row 0.
    """
    check_index('user', user)
    check_pairs('index', index)
    return _select_pairs(user, index)


def _select_pairs(user: Tensor, index: Tensor) -> Tuple[Tensor, Tensor]:
    if user.numel() == 0 or index.numel() == 0:
        empty = user.new_empty(0)
        return empty, index.new_empty(0)
    perm = torch.argsort(index[0], stable=True)
    size = int(torch.cat([user, index[0]]).max()) + 1
    count = torch.bincount(index[0], minlength=size)
    start = torch.cumsum(count, 0) - count
    num = count[user]
    row = torch.repeat_interleave(
        torch.arange(user.numel(), device=user.device), num)
    # Position of each selected pair within its user's block.
    offset = (torch.arange(row.numel(), device=row.device) -
              (torch.cumsum(num, 0) - num)[row])
    return row, index[1, perm[start[user][row] + offset]]


def topk_excluding(
    score: Tensor,
    k: int,
    row_index: Optional[Tensor] = None,
    exclude_edge_index: Optional[Tensor] = None,
    sorted: bool = True,
) -> Tuple[Tensor, Tensor]:
    r"""Returns the values and indices :math:`(N, k)` of the :obj:`k` best
    items of each row of :obj:`score` :math:`(N, M)`, leaving out the
    user-item pairs of :obj:`exclude_edge_index` (*e.g.*, the training
    interactions): they score :obj:`-inf`, so they appear only if a user has
    fewer than :obj:`k` other items.

    Args:
        score (torch.Tensor): Scores of users (rows) for all items.
        k (int): Number of items per row, in :obj:`[1, M]`.
        row_index (torch.Tensor, optional): The user of each row of
            :obj:`score`; :obj:`0, ..., N - 1` if :obj:`None`.
            (default: :obj:`None`)
        exclude_edge_index (torch.Tensor, optional): User-item pairs
            :math:`(2, E)`, users in row 0, never to return.
            (default: :obj:`None`)
        sorted (bool, optional): Whether to sort each row's items by score,
            best first. (default: :obj:`True`)
    """
    if score.dim() != 2:
        raise UsageError(f"'score' must have shape (N, M) (got "
                         f"{tuple(score.size())})")
    check_index('row_index', row_index, numel=score.size(0))
    # Without a row index the rows are all users; with one, pairs of other
    # users are simply not in this batch.
    check_pairs('exclude_edge_index', exclude_edge_index,
                score.size(0) if row_index is None else None, score.size(1))
    return _topk_excluding(score, k, row_index, exclude_edge_index, sorted)


def _topk_excluding(
    score: Tensor,
    k: int,
    row_index: Optional[Tensor],
    exclude_edge_index: Optional[Tensor],
    sorted: bool,
) -> Tuple[Tensor, Tensor]:
    if (isinstance(k, bool) or not isinstance(k, numbers.Integral)
            or not 1 <= k <= score.size(1)):
        raise UsageError(f"'k' must be an integer in [1, {score.size(1)}] "
                         f"(got {k!r})")
    if exclude_edge_index is not None:
        if row_index is None:
            row_index = torch.arange(score.size(0), device=score.device)
        row, item = _select_pairs(row_index, exclude_edge_index)
        score = score.index_put((row, item), score.new_tensor(float('-inf')))
    return score.topk(k, dim=-1, sorted=sorted)
