import pytest
import torch

from lgir_pyg.training import (
    BPRSampler,
    NeighborhoodSampler,
    Subgraph,
    subgraph_gcn_norm,
)


def positives(edge_index):
    return set(map(tuple, edge_index.t().tolist()))


def test_sampler(rec_graph):
    edge_index = rec_graph['user', 'interacts', 'job'].edge_index
    sampler = BPRSampler(edge_index, num_jobs=12, batch_size=4, seed=1)
    assert str(sampler) == 'BPRSampler(14, num_jobs=12, batch_size=4)'
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
    sampler = BPRSampler(edge_index, num_jobs=7, batch_size=5)
    train = positives(edge_index)
    for _ in range(50):
        for user, _, neg in sampler:
            assert not {(u, j) for u, j in zip(user.tolist(), neg.tolist())
                        } & train


def test_sampler_on_dense_graph():
    # User 0 has every job but job 3; user 1 every job but jobs 0 and 5.
    edge_index = torch.tensor([[0] * 5 + [1] * 4,
                               [0, 1, 2, 4, 5, 1, 2, 3, 4]])
    sampler = BPRSampler(edge_index, num_jobs=6, batch_size=3)
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
    with pytest.raises(ValueError, match='only 3 jobs'):
        BPRSampler(torch.tensor([[0], [3]]), 3)
    with pytest.raises(ValueError, match='User 1 has every job'):
        BPRSampler(torch.tensor([[0, 1, 1], [0, 0, 1]]), 2)
    with pytest.raises(ValueError, match='batch_size'):
        BPRSampler(torch.tensor([[0], [0]]), 2, batch_size=0)


def neighbours(edge_index, node, num_users):
    # The homogeneous neighbours of `node` by a loop over the pairs.
    out = set()
    for user, item in set(map(tuple, edge_index.t().tolist())):
        if user == node:
            out.add(item + num_users)
        if item + num_users == node:
            out.add(user)
    return out


def test_neighborhood_sampler(rec_graph):
    edge_index = rec_graph['user', 'interacts', 'job'].edge_index
    # A repeated pair counts once.
    sampler = NeighborhoodSampler(torch.cat([edge_index, edge_index[:, :2]],
                                            dim=1), 6, 12)
    assert str(sampler) == ('NeighborhoodSampler(14, num_users=6, '
                            'num_items=12)')
    assert sampler.num_edges == 14
    assert dict(sampler.state_dict()) == {}

    # Seeds: user 0 and job 1 (node 7); pairs (0, 1) and (2, 3) left out,
    # (5, 11) is no training pair.
    exclude = torch.tensor([[0, 2, 5], [1, 3, 11]])
    sub = sampler.sample(torch.tensor([7, 0]), exclude)
    assert isinstance(sub, Subgraph)
    node = sub.node.tolist()
    assert node == sorted(node) and sub.index(torch.tensor([0, 7])).tolist(
    ) == [node.index(0), node.index(7)]
    left_out = {(0, 7), (7, 0), (2, 9), (9, 2)}
    edges = {(node[s], node[d]) for s, d in sub.edge_index.t().tolist()}
    for seed in (0, 7):
        expected = neighbours(edge_index, seed, 6) - {
            s for s, d in left_out if d == seed}
        assert {s for s, d in edges if d == seed} == expected
    assert {d for _, d in edges} == {0, 7}
    assert set(node) == {0, 7} | {s for s, _ in edges}
    # Degrees of the whole graph without the left-out pairs.
    for i, n in enumerate(node):
        full = len(neighbours(edge_index, n, 6))
        assert int(sub.degree[i]) == full - sum(1 for a, b in left_out
                                                if a == n)
    assert torch.equal(sub.edge_scale, torch.ones(len(edges)))


def test_neighborhood_sampler_hops_and_fanout(rec_graph):
    edge_index = rec_graph['user', 'interacts', 'job'].edge_index
    sampler = NeighborhoodSampler(edge_index, 6, 12)
    # Two full hops from job 4 (node 10): its users 0 and 4, then their
    # jobs.
    sub = sampler.sample(torch.tensor([10]), num_neighbors=(-1, -1))
    assert sub.node.tolist() == [0, 4, 6, 7, 8, 9, 10, 11]
    torch.manual_seed(0)
    # User 0 has six jobs: one hop keeps two, weighted 6 / 2.
    sub = sampler.sample(torch.tensor([0]), num_neighbors=(2, ))
    assert sub.node.numel() == 3 and sub.edge_index.size(1) == 2
    assert sub.edge_scale.tolist() == [3.0, 3.0]
    drawn = set()
    for _ in range(30):
        drawn |= set(sampler.sample(torch.tensor([0]),
                                    num_neighbors=(2, )).node.tolist())
    assert drawn == {0, 6, 7, 8, 9, 10, 11}
    # Zero hops: the seeds alone.
    sub = sampler.sample(torch.tensor([3, 1]), num_neighbors=())
    assert sub.node.tolist() == [1, 3] and sub.edge_index.size(1) == 0


@pytest.mark.parametrize('self_loops', ['none', 'all', 'isolated'])
def test_subgraph_gcn_norm_is_lgirs_on_the_whole_graph(rec_graph, self_loops):
    from lgir_pyg.nn import LGIR
    edge_index = rec_graph['user', 'interacts', 'job'].edge_index
    sampler = NeighborhoodSampler(edge_index, 6, 12)
    sub = sampler.sample(torch.arange(18))
    out = subgraph_gcn_norm(sub, self_loops)
    full = LGIR(6, 12, 4, self_loops=self_loops).normalize(edge_index)

    def dense(index, weight):
        return torch.zeros(18, 18).index_put_(tuple(index), weight,
                                              accumulate=True)

    assert torch.allclose(dense(*out), dense(*full), atol=1e-6)
