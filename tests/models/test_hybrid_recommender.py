import pytest
import torch

from lgir_pyg.datasets.synthetic import synthetic_graph
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import (HybridRecommender, LGIRRecommender, build_model,
                             model_spec)
from lgir_pyg.models.base import drop_edges
from lgir_pyg.nn import HybridLGIR
from lgir_pyg.training import Trainer
from lgir_pyg.transforms import PerUserSplit

# A batch of (user, positive, negative); (3, 2) is job 2's only pair in
# some batches below.
BATCH = (torch.tensor([0, 1, 2, 3, 0]), torch.tensor([0, 2, 3, 2, 5]),
         torch.tensor([7, 8, 9, 4, 11]))


def test_registry_is_the_hybrid(rec_graph):
    for name in ('lgir', 'lgir-nogan', 'lgir-src'):
        model = build_model(name, rec_graph)
        assert isinstance(model, HybridRecommender)
        assert isinstance(model.model, HybridLGIR)
    assert model_spec('lgir').build.keywords == {'user_features': 'x_irc',
                                                 'gan': True}
    assert model_spec('lgir-src').build.keywords == {
        'user_features': 'x_src'}
    # The text-only LGIR stays as an ablation.
    assert isinstance(build_model('lgir-text', rec_graph), LGIRRecommender)
    refine = build_model('lgir', rec_graph).model.refine
    assert refine.thresholds == 'quantile'
    fixed = HybridRecommender(rec_graph, gan=True, gan_kwargs={
        'thresholds': 'fixed', 'k1': 1, 'k2': 3})
    assert (fixed.model.refine.k1, fixed.model.refine.k2) == (1, 3)


def test_hybrid_recommender(rec_graph):
    model = HybridRecommender(rec_graph, id_dim=4)
    assert str(model).startswith('HybridRecommender(HybridLGIR(6, 12, 8, '
                                 'id_dim=4, id_layers=3')
    user_emb, item_emb = model()
    assert user_emb.size() == (6, 12) and item_emb.size() == (12, 12)
    # Jobs 6-11 have no training pair: no ID signal.
    assert (item_emb[6:, 8:] == 0).all() and (item_emb[:6, 8:] != 0).any()
    assert model.resolve_propagation() == 'full'
    assert HybridRecommender(rec_graph, id_layers=0).resolve_propagation() \
        == 'batch'


def test_masked_positive_is_cold(rec_graph):
    # Job 3's training pairs are (0, 3) and (2, 3): a batch with both as
    # positives leaves job 3 without an edge, and without ID signal.
    model = HybridRecommender(rec_graph, id_dim=4)
    edge_index = drop_edges(model.edge_index, torch.tensor([0, 2]),
                            torch.tensor([3, 3]), model.num_items)
    _, item_emb = model.embed(edge_index)
    assert (item_emb[3, 8:] == 0).all()
    assert (model()[1][3, 8:] != 0).any()


def loss_and_grads(model, **kwargs):
    model.zero_grad()
    loss = model.loss(*BATCH, **kwargs)
    loss.backward()
    return loss.detach(), {name: p.grad.clone()
                           for name, p in model.named_parameters()
                           if p.grad is not None}


@pytest.mark.parametrize('kwargs', [
    {},
    {'id_layers': 0},
    {'mask_isolated': 'both', 'text_layers': 2},
    {'gan': True, 'gan_at': 'input'},
    {'gan': True, 'gan_at': 'output'},
    {'gan': True, 'gan_at': 'output',
     'gan_kwargs': {'select': 'discriminator'}},
])
def test_batch_propagation_is_exact(rec_graph, kwargs):
    torch.manual_seed(0)
    model = HybridRecommender(rec_graph, id_dim=4, **kwargs)
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


@pytest.mark.parametrize('gan_at', ['input', 'output'])
def test_gan_loss(rec_graph, gan_at):
    torch.manual_seed(0)
    model = HybridRecommender(rec_graph, gan=True, gan_at=gan_at, gan_kwargs={
        'thresholds': 'fixed', 'k1': 2, 'k2': 5})
    with torch.no_grad():
        for param in model.parameters():
            param.add_(0.1 * torch.randn_like(param))
    few, many = model.sample_shots(16, torch.Generator().manual_seed(0))
    assert set(few.tolist()) <= {2, 3, 4, 5} and set(many.tolist()) == {0}
    d_loss, g_loss = model.gan_loss(few, many)
    # The same as the layer's own loss on the whole graph.
    expected = model.model.gan_loss(model.edge_index, model.user_x,
                                    model.item_x, model.num_train, few, many)
    assert torch.allclose(d_loss, expected[0], atol=1e-6)
    assert torch.allclose(g_loss, expected[1], atol=1e-6)
    if gan_at == 'output':  # On the users' neighbourhood.
        users = torch.tensor([0, 2, 5])
        text = model.model.text(model.edge_index, model.user_x,
                                model.item_x)[0]
        assert torch.allclose(model.text_output(users), text[users],
                              atol=1e-6)
    assert model.gan_loss() is not None
    assert HybridRecommender(rec_graph).gan_loss() is None
    assert HybridRecommender(rec_graph).sample_shots(4) is None


def test_training_learns_on_a_planted_graph():
    data = PerUserSplit()(synthetic_graph(60, 50, 6.0, num_topics=4,
                                          text_channels=8, seed=1))
    evaluator = Evaluator(data, num_sampled_negatives=20)
    torch.manual_seed(0)
    model = HybridRecommender(data, user_features='x', id_dim=8)
    fit = Trainer(model, data, evaluator, epochs=15, batch_size=64,
                  lr=3e-3, patience=15).fit()
    history = [h['ndcg@5'] for h in fit['history']]
    assert fit['best_epoch'] > 0 and fit['best_val'] > history[0]
    assert fit['best_val'] == max(history)
