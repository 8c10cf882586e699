import pytest
import torch
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
    for k in [0, 4]:
        with pytest.raises(UsageError, match=r"'k' must be in \[1, 3\]"):
            topk_excluding(score, k)
