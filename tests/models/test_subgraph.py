import pytest
import torch

from lgir_pyg.models import NeighborhoodSampler, Subgraph, subgraph_gcn_norm


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
