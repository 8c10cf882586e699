import math

import pytest
import torch
import torch.nn.functional as F
from torch_geometric.nn.models import LightGCN

from lgir_pyg.nn import LGIR
from lgir_pyg.errors import DataError
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import (
    MODELS,
    FixedEmbedding,
    LGIRRecommender,
    LightGCNRecommender,
    build_model,
    model_spec,
)
from lgir_pyg.models.base import drop_edges
from lgir_pyg.transforms import feature_name

NO_TEXT = [name for name, spec in MODELS.items() if spec.user_text is None]
WITH_TEXT = [name for name, spec in MODELS.items() if spec.user_text]


def test_registry():
    assert list(MODELS) == ['pop', 'bprmf', 'lightgcn', 'text', 'job-mean',
                            'lightgcn-text', 'prompt-text', 'lgir-src',
                            'lgir-nogan', 'lgir', 'lgir-text']
    assert model_spec('lgir').user_text == 'resume_irc'
    assert {name: model_spec(name).user_text for name in WITH_TEXT} == {
        'text': 'text', 'job-mean': 'text', 'lightgcn-text': 'text',
        'prompt-text': 'context', 'lgir-src': 'resume_src',
        'lgir-nogan': 'resume_irc', 'lgir': 'resume_irc',
        'lgir-text': 'resume_irc'}
    with pytest.raises(ValueError, match="Unknown model 'gpt'; valid names: "
                       "pop, bprmf, lightgcn, text"):
        model_spec('gpt')
    with pytest.raises(ValueError, match='Unknown model'):
        build_model('gpt', None)


@pytest.mark.parametrize('name', list(MODELS))
def test_every_model_scores(rec_graph, name):
    model = build_model(name, rec_graph)
    assert model.edge_type == ('user', 'interacts', 'job')
    scores = model.scorer()(torch.tensor([0, 3]))
    assert scores.shape == (2, 12) and torch.isfinite(scores).all()
    item_scores = model.scorer('item')(torch.tensor([1]))
    assert torch.allclose(item_scores[0], model.scorer()(
        torch.arange(6))[:, 1])
    out = Evaluator(rec_graph, num_sampled_negatives=3).evaluate(
        model.scorer(), 'test', 'sampled')
    assert out['count'] == 6


@pytest.mark.parametrize('name', WITH_TEXT)
def test_text_models_read_their_features(rec_graph, name):
    attr = feature_name(model_spec(name).user_text)
    del rec_graph['user'][attr]
    with pytest.raises(DataError, match=f"data\\['user'\\] has no feature "
                       f"matrix '{attr}'; add it with lgir_pyg.transforms"):
        build_model(name, rec_graph)
    rec_graph['user'][attr] = torch.randn(6, 8)
    rec_graph['job'].x = torch.randn(11, 8)
    with pytest.raises(DataError, match=r"data\['job'\].x must have shape "
                       r"\[12, F\]"):
        build_model(name, rec_graph)
    rec_graph['job'].x = torch.randn(12, 8)
    rec_graph['user'][attr][2, 0] = float('nan')
    with pytest.raises(DataError, match=f"{attr} contains NaN"):
        build_model(name, rec_graph)
    # Large but finite values are fine.
    rec_graph['user'][attr][2, 0] = 3e38
    build_model(name, rec_graph)


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


def test_popularity(rec_graph):
    model = build_model('pop', rec_graph)
    assert str(model) == 'FixedEmbedding(pop, 6, 12)'
    counts = [3, 3, 3, 2, 2, 1] + [0] * 6
    assert model.scorer()(torch.tensor([1])).tolist() == [counts]


def test_text_cosine_and_job_mean(rec_graph):
    user_x, item_x = rec_graph['user'].x, rec_graph['job'].x
    cosine = F.normalize(user_x, dim=-1) @ F.normalize(item_x, dim=-1).t()
    model = build_model('text', rec_graph)
    assert torch.allclose(model.scorer()(torch.arange(6)), cosine, atol=1e-6)

    # User 2 trained on jobs 1 and 3.
    mean = (F.normalize(user_x[2], dim=0) + F.normalize(item_x[1], dim=0) +
            F.normalize(item_x[3], dim=0))
    expected = F.normalize(item_x, dim=-1) @ F.normalize(mean, dim=0)
    model = build_model('job-mean', rec_graph)
    assert torch.allclose(model.scorer()(torch.tensor([2]))[0], expected,
                          atol=1e-6)


def test_lightgcn_is_pygs(rec_graph):
    model = build_model('lightgcn', rec_graph, embedding_dim=4)
    assert isinstance(model.model, LightGCN)
    assert str(model) == ('LightGCNRecommender(LightGCN(18, 4, '
                          'num_layers=3))')
    # BPR-MF is LightGCN without layers: scores are plain inner products.
    mf = build_model('bprmf', rec_graph, embedding_dim=4)
    assert mf.model.num_layers == 0 and not mf.mask_targets
    emb = mf.model.embedding.weight
    assert torch.allclose(mf.scorer()(torch.tensor([1])),
                          emb[1:2] @ emb[6:].t())


def test_lightgcn_homogeneous_graph(rec_graph):
    # Users are nodes [0, 6), jobs [6, 18); edges go both ways.
    model = LightGCNRecommender(rec_graph, embedding_dim=4, num_layers=1)
    seen = {}

    def get_embedding(edge_index):
        seen['edge_index'] = edge_index
        return torch.zeros(18, 4)

    model.model.get_embedding = get_embedding
    model()
    edge_index = seen['edge_index']
    assert edge_index.size(1) == 28
    assert [0, 6] in edge_index.t().tolist()
    assert [6, 0] in edge_index.t().tolist()


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


def test_lgir_recommender(rec_graph):
    item_x = rec_graph['job'].x
    model = build_model('lightgcn-text', rec_graph)
    assert isinstance(model.model, LGIR) and model.model.refine is None
    assert str(model).startswith('LGIRRecommender(LGIR(6, 12, 8, '
                                 'embedding_dim=8, num_layers=1')
    assert model.gan_loss() is None and model.discriminator_parameters() == []
    # Untrained: jobs are their text, users what their jobs propagate.
    user_emb, item_emb = model()
    assert torch.allclose(item_emb, 0.5 * item_x)
    # User 4's only job is job 4, which has two users.
    assert torch.allclose(user_emb[4], 0.5 * item_x[4] / 2**0.5)

    gan = build_model('lgir', rec_graph)
    d_loss, g_loss = gan.gan_loss()
    assert d_loss.requires_grad and g_loss.requires_grad
    assert {id(p) for p in gan.discriminator_parameters()} == {
        id(p) for p in gan.model.refine.discriminator.parameters()}

    random = build_model('lightgcn-text', rec_graph, text_init='random',
                         embedding_dim=4, num_layers=2, use_id=True,
                         shared_projection=True)
    assert random.model.out_channels == 4
    with pytest.raises(ValueError, match='needs separate projections'):
        build_model('lightgcn-text', rec_graph, embedding_dim=4)
    with pytest.raises(ValueError, match="'text_init'"):
        build_model('lightgcn-text', rec_graph, text_init='zero')


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
    with pytest.raises(ValueError, match=r"'k' must be in \[1, 12\]"):
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


def test_sample_shots(rec_graph):
    # Few-shot users have at most 2 training jobs (users 2-5), many-shot at
    # least 5 (user 0).
    model = LGIRRecommender(rec_graph, gan=True)
    few, many = model.sample_shots(20, torch.Generator().manual_seed(0))
    assert set(few.tolist()) == {2, 3, 4, 5} and set(many.tolist()) == {0}
    assert few.numel() == many.numel() == 20
    again, _ = model.sample_shots(20, torch.Generator().manual_seed(0))
    assert torch.equal(few, again)
    d_loss, g_loss = model.gan_loss(few, many)
    expected = model.model.refine.loss(model.user_x, few_index=few,
                                       many_index=many)
    assert torch.allclose(d_loss, expected[0])
    assert torch.allclose(g_loss, expected[1])
    assert LGIRRecommender(rec_graph).sample_shots(4) is None
    with pytest.raises(ValueError, match='many-shot users .* there are '
                       'none'):
        LGIRRecommender(rec_graph, gan=True,
                        gan_kwargs={'k2': 7}).sample_shots(4)
