import math

import pytest
import torch

from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import (FixedEmbedding, LGIRRecommender,
                             LightGCNRecommender, build_model)
from lgir_pyg.models.base import drop_edges


def test_any_node_and_edge_type_names(rec_graph):
    from torch_geometric.data import HeteroData
    data = HeteroData()
    data['customer'].num_nodes = 6
    data['product'].num_nodes = 12
    store = data['customer', 'buys', 'product']
    for key, value in rec_graph['user', 'interacts', 'job'].items():
        store[key] = value
    data['product', 'rev_buys', 'customer'].edge_index = \
        store.edge_index.flip(0)
    data['customer'].x_irc = rec_graph['user'].x_irc
    data['product'].x = rec_graph['job'].x
    for name in ('pop', 'lightgcn', 'lgir'):
        model = build_model(name, data)
        assert model.edge_type == ('customer', 'buys', 'product')
        out = Evaluator(data).evaluate(model.scorer(), 'test')
        assert out['count'] == 5


def test_drop_edges_and_masked_targets(rec_graph):
    edge_index = rec_graph['user', 'interacts', 'job'].edge_index
    out = drop_edges(edge_index, torch.tensor([0, 2]), torch.tensor([5, 1]),
                     num_items=12)
    assert out.size(1) == 12
    assert not {(0, 5), (2, 1)} & set(map(tuple, out.t().tolist()))

    model = LGIRRecommender(rec_graph)
    seen = []
    embed = model.embed
    model.embed = lambda edge_index: seen.append(edge_index) or embed(
        edge_index)
    batch = torch.tensor([0]), torch.tensor([5]), torch.tensor([9])
    model.loss(*batch, propagation='full')
    assert seen[-1].size(1) == 13 and [0, 5] not in seen[-1].t().tolist()
    # A data-parallel shard masks the pairs of the whole batch.
    model.loss(*batch, torch.tensor([[0, 2], [5, 1]]), propagation='full')
    assert seen[-1].size(1) == 12
    model.mask_targets = False
    model.loss(*batch, propagation='full')
    assert seen[-1] is model.edge_index


def test_recommend(rec_graph):
    model = build_model('pop', rec_graph)
    scores, jobs = model.recommend(torch.tensor([0, 5]), k=3)
    assert scores.tolist() == [[3, 3, 3], [3, 3, 3]]
    assert set(jobs[0].tolist()) == set(jobs[1].tolist()) == {0, 1, 2}
    seen = rec_graph['user', 'interacts', 'job'].edge_index
    scores, jobs = model.recommend(torch.tensor([0, 5]), k=3,
                                   exclude_edge_index=seen)
    assert scores.tolist() == [[0, 0, 0], [3, 3, 2]]
    assert jobs[0].min() >= 6  # User 0 trained on jobs 0-5.
    assert set(jobs[1, :2].tolist()) == {1, 2}
    with pytest.raises(ValueError,
                       match=r"'k' must be an integer in \[1, 12\]"):
        model.recommend(torch.tensor([0]), k=13)


def test_fixed_embedding_is_not_trained(rec_graph):
    model = FixedEmbedding(torch.ones(6, 1), torch.ones(12, 1), 'ones',
                           ('user', 'interacts', 'job'))
    assert list(model.parameters()) == []
    with pytest.raises(NotImplementedError, match='no training loss'):
        model.loss(torch.tensor([0]), torch.tensor([0]), torch.tensor([1]))


# A batch with repeated users and items; (0, 1) twice.
BATCH = (torch.tensor([0, 0, 1, 2, 3, 5, 0]),
         torch.tensor([1, 2, 0, 3, 2, 0, 1]),
         torch.tensor([7, 8, 9, 4, 11, 3, 6]))


def loss_and_grads(model, **kwargs):
    model.zero_grad()
    loss = model.loss(*BATCH, **kwargs)
    loss.backward()
    # The discriminator gets no gradient from the recommendation loss.
    return loss.detach(), {name: p.grad.clone()
                           for name, p in model.named_parameters()
                           if p.grad is not None}


@pytest.mark.parametrize('cls,kwargs', [
    (LGIRRecommender, {'gan': True}),
    (LGIRRecommender, {'self_loops': 'all', 'use_id': True,
                       'text_init': 'random', 'embedding_dim': 4}),
    (LGIRRecommender, {'self_loops': 'isolated', 'fusion': 'concat',
                       'use_id': True, 'text_init': 'random',
                       'embedding_dim': 4, 'gan': True}),
    (LGIRRecommender, {'gan': True,
                       'gan_kwargs': {'select': 'discriminator'}}),
    (LGIRRecommender, {'num_layers': 2, 'self_loops': 'isolated',
                       'text_init': 'random', 'embedding_dim': 4}),
    (LightGCNRecommender, {'embedding_dim': 4}),
    (LightGCNRecommender, {'embedding_dim': 4, 'num_layers': 0}),
])
def test_batch_propagation_is_exact(rec_graph, cls, kwargs):
    # The neighbourhood of the batch, all neighbours at every hop, gives
    # the full graph's masked loss and gradients.
    torch.manual_seed(0)
    model = cls(rec_graph, **kwargs)
    with torch.no_grad():  # Away from the identity initialisation.
        for param in model.parameters():
            param.add_(0.1 * torch.randn_like(param))
    every = [-1] * model.num_layers
    full = loss_and_grads(model, propagation='full')
    batch = loss_and_grads(model, propagation='batch', num_neighbors=every)
    assert torch.allclose(full[0], batch[0], atol=1e-6)
    assert full[1].keys() == batch[1].keys()
    for key, grad in full[1].items():
        assert torch.allclose(grad, batch[1][key], atol=1e-6), key
    assert model.resolve_propagation('batch') == 'batch'


def test_sampled_propagation(rec_graph):
    model = LightGCNRecommender(rec_graph, embedding_dim=4)
    # Three layers on a small graph: the whole graph; one layer: batches.
    assert model.resolve_propagation() == 'full'
    assert model.fanouts() == [10, 10, 10]
    assert LGIRRecommender(rec_graph).resolve_propagation() == 'batch'
    assert LGIRRecommender(rec_graph).fanouts() == [-1]
    torch.manual_seed(0)
    losses = {float(model.loss(*BATCH, propagation='batch',
                               num_neighbors=[1, 1, 1]).detach())
              for _ in range(5)}
    # One neighbour per hop: a random estimate of the full loss.
    assert len(losses) > 1 and all(math.isfinite(v) for v in losses)
    with pytest.raises(ValueError, match="one positive number .* per "
                       "layer, 3 in all"):
        model.loss(*BATCH, propagation='batch', num_neighbors=[5])
    with pytest.raises(ValueError, match="'propagation' must be one of"):
        model.loss(*BATCH, propagation='sparse')
