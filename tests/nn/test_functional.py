import contextlib

import pytest
import torch
import torch_geometric
from torch_geometric.testing import withDevice

from lgir_pyg.errors import UsageError
from lgir_pyg.nn.functional import select_pairs, topk_excluding


@withDevice
def test_select_pairs(device):
    index = torch.tensor([[2, 0, 2, 1], [5, 6, 7, 8]], device=device)
    row, job = select_pairs(torch.tensor([2, 3, 2, 0], device=device), index)
    assert row.device == job.device == index.device
    assert sorted(zip(row.tolist(), job.tolist())) == [
        (0, 5), (0, 7), (2, 5), (2, 7), (3, 6)]

    empty = index.new_empty(2, 0)
    for user, idx in [(index.new_empty(0), index), (index[0], empty),
                      (index.new_empty(0), empty)]:
        row, job = select_pairs(user, idx)
        assert row.numel() == job.numel() == 0


def naive_topk_excluding(score, k, row_index, exclude):
    out = []
    for row, user in enumerate(row_index.tolist()):
        seen = {j for u, j in exclude.t().tolist() if u == user}
        order = sorted(range(score.size(1)), key=lambda j: -score[row, j])
        out.append([j for j in order if j not in seen][:k])
    return out


@withDevice
@pytest.mark.parametrize('k', [1, 3])
def test_topk_excluding(device, k):
    score = torch.randn(4, 6, generator=torch.Generator().manual_seed(k))
    score = score.to(device)
    row_index = torch.tensor([3, 0, 3, 2], device=device)
    exclude = torch.tensor([[3, 3, 0, 1, 3], [0, 5, 5, 1, 2]], device=device)

    values, indices = topk_excluding(score, k, row_index, exclude)
    assert indices.tolist() == naive_topk_excluding(score, k, row_index,
                                                    exclude)
    assert torch.equal(values, score.gather(1, indices))
    assert score.isfinite().all()  # The input is left as it was.

    # Without a row index, row i is user i.
    values, indices = topk_excluding(score, k, exclude_edge_index=exclude)
    assert indices.tolist() == naive_topk_excluding(
        score, k, torch.arange(4), exclude)
    assert torch.equal(topk_excluding(score, k).indices,
                       score.topk(k).indices)


def test_topk_excluding_all_excluded_and_k():
    score = torch.tensor([[3.0, 1.0, 2.0]])
    exclude = torch.tensor([[0, 0], [0, 2]])
    values, indices = topk_excluding(score, 3, exclude_edge_index=exclude)
    assert indices[0, 0] == 1  # Excluded items only fill the rest.
    assert values[0, 1:].isinf().all()
    values, _ = topk_excluding(score, 2, sorted=False)
    assert sorted(values[0].tolist()) == [2.0, 3.0]
    for k in [0, 4, 2.0, True]:
        with pytest.raises(UsageError,
                           match=r"'k' must be an integer in \[1, 3\]"):
            topk_excluding(score, k)


def test_functional_arguments():
    score = torch.randn(2, 3)
    index = torch.tensor([[0, 1], [2, 0]])
    with pytest.raises(UsageError, match=r"'score' must have shape \(N, M\) "
                       r"\(got \(3,\)\)"):
        topk_excluding(score[0], 1)
    with pytest.raises(UsageError, match=r"'row_index' must have shape "
                       r"\(2,\) \(got \(3,\)\)"):
        topk_excluding(score, 1, torch.tensor([0, 1, 2]))
    with pytest.raises(UsageError, match="'exclude_edge_index' must hold "
                       "integer indices"):
        topk_excluding(score, 1, exclude_edge_index=index.float())
    with pytest.raises(UsageError, match=r"'index' must have shape \(2, E\)"):
        select_pairs(torch.tensor([0]), index[0])
    with pytest.raises(UsageError, match="'user' must hold integer indices"):
        select_pairs(torch.tensor([True]), index)


@pytest.mark.parametrize('call,match', [
    (lambda s, i: topk_excluding(s, 1, exclude_edge_index=torch.tensor(
        [[0], [3]])), r"'exclude_edge_index' row 1 \(items\) holds "
     r"indices in \[3, 3\], outside \[0, 2\]"),
    (lambda s, i: topk_excluding(s, 1, exclude_edge_index=torch.tensor(
        [[0], [-1]])), r"row 1 \(items\) holds indices in \[-1, -1\]"),
    # Without a row index the rows are all users.
    (lambda s, i: topk_excluding(s, 1, exclude_edge_index=torch.tensor(
        [[2], [0]])), r"row 0 \(users\) holds indices in \[2, 2\], "
     r"outside \[0, 1\]"),
    (lambda s, i: topk_excluding(s, 1, torch.tensor([0, -1]), i),
     r"'row_index' holds indices in \[-1, 0\], outside \[0, inf\)"),
    (lambda s, i: select_pairs(torch.tensor([-1]), i),
     r"'user' holds indices in \[-1, -1\]"),
    (lambda s, i: select_pairs(torch.tensor([0]), -i),
     r"'index' row 0 \(users\) holds indices in \[-1, 0\]"),
])
def test_functional_index_ranges_in_debug_mode(call, match):
    score = torch.randn(2, 3)
    index = torch.tensor([[0, 1], [2, 0]])
    with torch_geometric.debug():
        with pytest.raises(UsageError, match=match):
            call(score, index)
    # Outside of debug mode the values are not read: the call runs or fails
    # in torch itself (a UsageError would fail the test).
    with contextlib.suppress(IndexError, RuntimeError):
        call(score, index)


def test_functional_valid_input_in_debug_mode():
    score = torch.randn(2, 3)
    index = torch.tensor([[0, 1, 5], [2, 0, 1]])  # User 5: not in the batch.
    row_index = torch.tensor([1, 0])
    expected = topk_excluding(score, 2, row_index, index)
    pairs = select_pairs(row_index, index)
    with torch_geometric.debug():
        for a, b in zip(topk_excluding(score, 2, row_index, index), expected):
            assert torch.equal(a, b)
        for a, b in zip(select_pairs(row_index, index), pairs):
            assert torch.equal(a, b)
