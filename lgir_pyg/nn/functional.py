r"""Functions on user-item index pairs shared by the models and the
evaluator."""
from typing import Tuple

import torch
from torch import Tensor


def select_pairs(user: Tensor, index: Tensor) -> Tuple[Tensor, Tensor]:
    r"""Returns :obj:`(row, job)` for every pair :obj:`(user[row], job)` of
    the user-job :obj:`index`; :obj:`user` may repeat."""
    perm = torch.argsort(index[0], stable=True)
    size = int(torch.cat([user, index[0]]).max()) + 1
    count = torch.bincount(index[0], minlength=size)
    start = torch.cumsum(count, 0) - count
    num = count[user]
    row = torch.repeat_interleave(torch.arange(user.numel()), num)
    # Position of each selected pair within its user's block.
    offset = torch.arange(row.numel()) - (torch.cumsum(num, 0) - num)[row]
    return row, index[1, perm[start[user][row] + offset]]
