import pytest
import torch

from lgir_pyg.training import BPRSampler


def positives(edge_index):
    return set(map(tuple, edge_index.t().tolist()))


def test_sampler(rec_graph):
    edge_index = rec_graph['user', 'interacts', 'job'].edge_index
    sampler = BPRSampler(edge_index, num_items=12, batch_size=4, seed=1)
    assert str(sampler) == 'BPRSampler(14, num_items=12, batch_size=4)'
    assert len(sampler) == 4

    batches = list(sampler)
    assert [b[0].numel() for b in batches] == [4, 4, 4, 2]
    user, pos, neg = (torch.cat(x) for x in zip(*batches))
    # One epoch visits every training edge once.
    assert sorted(zip(user.tolist(), pos.tolist())) == sorted(
        positives(edge_index))
    assert neg.min() >= 0 and neg.max() < 12


def test_sampler_never_returns_a_positive(rec_graph):
    edge_index = rec_graph['user', 'interacts', 'job'].edge_index
    sampler = BPRSampler(edge_index, num_items=7, batch_size=5)
    train = positives(edge_index)
    for _ in range(50):
        for user, _, neg in sampler:
            assert not {(u, j) for u, j in zip(user.tolist(), neg.tolist())
                        } & train


def test_sampler_on_dense_graph():
    # User 0 has every job but job 3; user 1 every job but jobs 0 and 5.
    edge_index = torch.tensor([[0] * 5 + [1] * 4,
                               [0, 1, 2, 4, 5, 1, 2, 3, 4]])
    sampler = BPRSampler(edge_index, num_items=6, batch_size=3)
    for _ in range(20):
        for user, _, neg in sampler:
            assert neg[user == 0].eq(3).all()
            assert torch.isin(neg[user == 1], torch.tensor([0, 5])).all()


def test_sampler_is_seeded(rec_graph):
    edge_index = rec_graph['user', 'interacts', 'job'].edge_index

    def epochs(seed):
        sampler = BPRSampler(edge_index, 12, batch_size=4, seed=seed)
        return [torch.cat(b) for _ in range(3) for b in sampler]

    first, again, other = epochs(0), epochs(0), epochs(1)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not all(torch.equal(a, b) for a, b in zip(first, other))
    # Epochs differ from each other.
    assert not torch.equal(first[0], first[4])


def test_sampler_errors():
    with pytest.raises(ValueError, match='no training edges'):
        BPRSampler(torch.empty(2, 0, dtype=torch.long), 3)
    with pytest.raises(ValueError, match='shape'):
        BPRSampler(torch.tensor([0, 1]), 3)
    with pytest.raises(ValueError, match='only 3 items'):
        BPRSampler(torch.tensor([[0], [3]]), 3)
    with pytest.raises(ValueError, match='User 1 has every item'):
        BPRSampler(torch.tensor([[0, 1, 1], [0, 0, 1]]), 2)
    with pytest.raises(ValueError, match='batch_size'):
        BPRSampler(torch.tensor([[0], [0]]), 2, batch_size=0)
