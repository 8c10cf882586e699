import torch

from lgir_pyg.nn.functional import select_pairs


def test_select_pairs():
    index = torch.tensor([[2, 0, 2, 1], [5, 6, 7, 8]])
    row, job = select_pairs(torch.tensor([2, 3, 2, 0]), index)
    assert sorted(zip(row.tolist(), job.tolist())) == [
        (0, 5), (0, 7), (2, 5), (2, 7), (3, 6)]
