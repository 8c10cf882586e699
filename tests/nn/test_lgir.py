import contextlib
import copy
import math
import re

import pytest
import torch
import torch_geometric
from torch_geometric.nn import LightGCN
from torch_geometric.testing import withDevice

from lgir_pyg.errors import UsageError
from lgir_pyg.nn import LGIR, GANRefine
from lgir_pyg.nn.functional import topk_excluding

# 3 users, 4 jobs; job 3 has no interaction (cold).
EDGE_INDEX = torch.tensor([[0, 0, 1, 2], [0, 1, 1, 2]])
NUM_TRAIN = torch.tensor([2, 1, 1])


def features(seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(3, 6, generator=gen), torch.randn(4, 6, generator=gen)


def lgir_with_gan(**kwargs):
    return LGIR(3, 4, 6, embedding_dim=8, num_layers=2,
                refine=GANRefine(6, 8, k1=1, k2=2), **kwargs)


@pytest.mark.parametrize('fusion,use_id,use_text,out_channels', [
    ('sum', True, True, 8),
    ('concat', True, True, 16),
    ('concat', False, True, 8),
    ('sum', True, False, 8),
])
def test_lgir(fusion, use_id, use_text, out_channels):
    model = LGIR(3, 4, 6, embedding_dim=8, num_layers=2, fusion=fusion,
                 use_id=use_id, use_text=use_text)
    assert str(model) == (f'LGIR(3, 4, 6, embedding_dim=8, num_layers=2, '
                          f'fusion={fusion}, use_id={use_id}, '
                          f'use_text={use_text}, self_loops=isolated, '
                          f'text_init=random)')
    assert model.out_channels == out_channels
    user_x, item_x = features()
    user_emb, item_emb = model(EDGE_INDEX, user_x, item_x)
    assert user_emb.size() == (3, out_channels)
    assert item_emb.size() == (4, out_channels)
    user_emb0, job_emb0 = model.input_embedding(user_x, item_x)
    assert user_emb0.size() == (3, out_channels)
    assert job_emb0.size() == (4, out_channels)


def test_lgir_text_projection():
    user_x, item_x = features()
    model = LGIR(3, 4, 6, embedding_dim=8, use_id=False)
    assert model.user_proj is model.item_proj
    user_emb0, job_emb0 = model.input_embedding(user_x, item_x)
    assert torch.allclose(job_emb0, item_x @ model.user_proj.weight.t())

    model = LGIR(3, 4, 6, embedding_dim=8, shared_projection=False)
    assert model.user_proj is not model.item_proj


def test_lgir_text_init_identity():
    user_x, item_x = features()
    model = LGIR(3, 4, 6, embedding_dim=6, num_layers=1, use_id=False,
                 shared_projection=False, self_loops='none',
                 text_init='identity')
    assert str(model).endswith('self_loops=none, text_init=identity)')
    for _ in range(2):
        assert torch.equal(model.item_proj.weight, torch.eye(6))
        assert torch.equal(model.user_proj.weight, torch.zeros(6, 6))
        # Jobs are their text; user 2's only job is job 2 (one user).
        user_emb, item_emb = model(EDGE_INDEX, user_x, item_x)
        assert torch.allclose(item_emb, 0.5 * item_x)
        assert torch.allclose(user_emb[2], 0.5 * item_x[2])
        torch.nn.init.normal_(model.item_proj.weight)
        torch.nn.init.normal_(model.user_proj.weight)
        model.reset_parameters()  # Restores the identity initialisation.

    # The other parameters get the same random values for either init.
    models = []
    for text_init in ['random', 'identity']:
        torch.manual_seed(0)
        models.append(LGIR(3, 4, 6, embedding_dim=6, shared_projection=False,
                           text_init=text_init, refine=GANRefine(6, 8)))
    for key, value in models[0].state_dict().items():
        if '_proj' not in key:
            assert torch.equal(value, models[1].state_dict()[key]), key

    for kwargs in [{'embedding_dim': 8}, {'shared_projection': True},
                   {'use_text': False}]:
        with pytest.raises(UsageError, match='needs separate projections'):
            LGIR(3, 4, 6, **{'embedding_dim': 6, 'shared_projection': False,
                             'text_init': 'identity', **kwargs})
    with pytest.raises(UsageError, match="'text_init' must be one of"):
        LGIR(3, 4, 6, text_init='zero')


def test_lgir_reset_parameters():
    model = LGIR(3, 4, 6, embedding_dim=8, refine=GANRefine(6, 8))
    torch.manual_seed(12345)
    model.reset_parameters()
    init = {k: v.clone() for k, v in model.state_dict().items()}
    for param in model.parameters():
        torch.nn.init.normal_(param)
    torch.manual_seed(12345)
    model.reset_parameters()
    for key, value in model.state_dict().items():
        assert torch.equal(value, init[key]), key
    user_x, _ = features()
    assert torch.equal(model.refine(user_x, NUM_TRAIN), user_x)


@pytest.mark.parametrize('self_loops', ['isolated', 'none'])
def test_lgir_matches_lightgcn_on_connected_nodes(self_loops):
    model = LGIR(3, 4, 6, embedding_dim=8, num_layers=3, use_text=False,
                 self_loops=self_loops)
    user_emb, item_emb = model(EDGE_INDEX)

    ref = LightGCN(7, 8, num_layers=3)
    ref.embedding.weight.data = torch.cat(
        [model.user_embedding.weight, model.item_embedding.weight]).detach()
    row, col = EDGE_INDEX
    col = col + 3
    edge_index = torch.stack([torch.cat([row, col]), torch.cat([col, row])])
    out = ref.get_embedding(edge_index)
    assert torch.allclose(user_emb, out[:3], atol=1e-6)
    assert torch.allclose(item_emb[:3], out[3:6], atol=1e-6)


@pytest.mark.parametrize('self_loops,alpha,scale', [
    ('isolated', None, 1.0),  # sum(alpha) * x0 = x0,
    ('isolated', 0.5, 2.0),
    ('all', None, 1.0),
    ('none', None, 0.25),  # alpha_0 * x0 as in LightGCN.
])
def test_lgir_isolated_job(self_loops, alpha, scale):
    model = LGIR(3, 4, 6, embedding_dim=8, num_layers=3, alpha=alpha,
                 self_loops=self_loops)
    user_x, item_x = features()
    _, item_emb = model(EDGE_INDEX, user_x, item_x)
    _, job_emb0 = model.input_embedding(user_x, item_x)
    assert torch.allclose(item_emb[3], scale * job_emb0[3], atol=1e-6)


@pytest.mark.parametrize('self_loops', ['isolated', 'all', 'none'])
def test_lgir_repeated_pairs_count_once(self_loops):
    model = LGIR(3, 4, 6, embedding_dim=8, self_loops=self_loops)
    user_x, item_x = features()
    repeated = torch.tensor([[2, 0, 0, 1, 2, 0], [2, 0, 1, 1, 2, 0]])
    for a, b in zip(model(EDGE_INDEX, user_x, item_x),
                    model(repeated, user_x, item_x)):
        assert torch.allclose(a, b, atol=1e-6)


def test_lgir_sparse_adjacency():
    model = LGIR(3, 4, 6, embedding_dim=8)
    user_x, item_x = features()
    adj = model.build_adjacency(EDGE_INDEX)
    assert adj.layout == torch.sparse_csr and adj.size() == (7, 7)
    for a, b in zip(model(EDGE_INDEX, user_x, item_x),
                    model(adj, user_x, item_x)):
        assert torch.allclose(a, b, atol=1e-6)
    with pytest.raises(UsageError, match=r'size \(7, 7\)'):
        model(torch.eye(3).to_sparse_csr(), user_x, item_x)


def test_lgir_cached():
    user_x, item_x = features()
    other = torch.tensor([[0, 1, 2], [3, 3, 3]])
    model = LGIR(3, 4, 6, embedding_dim=8)
    assert not model.cached
    out = model(EDGE_INDEX, user_x, item_x)
    assert model._cached_edge_index is None
    assert not torch.allclose(model(other, user_x, item_x)[0], out[0])

    model = LGIR(3, 4, 6, embedding_dim=8, cached=True)
    out = model(EDGE_INDEX, user_x, item_x)
    assert model._cached_edge_index is not None
    # The first graph is kept, as in GCNConv(cached=True).
    assert torch.equal(model(other, user_x, item_x)[0], out[0])
    assert not any('_cached' in key for key in model.state_dict())
    model.reset_parameters()
    assert model._cached_edge_index is None
    assert model._cached_edge_weight is None
    uncached = copy.deepcopy(model)
    uncached.cached = False
    out = model(other, user_x, item_x)  # Now the cached graph.
    assert torch.equal(out[0], uncached(other, user_x, item_x)[0])
    assert torch.equal(model(EDGE_INDEX, user_x, item_x)[0], out[0])


@pytest.mark.parametrize('cached', [False, True])
def test_lgir_deepcopy_and_to_after_forward(cached):
    user_x, item_x = features()
    model = lgir_with_gan(cached=cached)
    user_emb, item_emb = model(EDGE_INDEX, user_x, item_x, NUM_TRAIN)

    clone = copy.deepcopy(model)
    for a, b in zip(clone(EDGE_INDEX, user_x, item_x, NUM_TRAIN),
                    (user_emb, item_emb)):
        assert torch.equal(a, b)

    model.double()
    if cached:
        assert model._cached_edge_weight.dtype == torch.float64
    out = model(EDGE_INDEX, user_x.double(), item_x.double(), NUM_TRAIN)
    assert out[0].dtype == torch.float64
    assert torch.allclose(out[0].float(), user_emb, atol=1e-6)

    model.to('meta')
    if cached:
        assert model._cached_edge_index.is_meta
    assert model(EDGE_INDEX.to('meta'), user_x.double().to('meta'),
                 item_x.double().to('meta'), NUM_TRAIN.to('meta'))[1].is_meta


def test_lgir_meta_device():
    with torch.device('meta'):
        model = lgir_with_gan(cached=True)
        user_x, item_x = torch.empty(3, 6), torch.empty(4, 6)
        user_emb, item_emb = model(EDGE_INDEX.to('meta'), user_x, item_x,
                                  NUM_TRAIN.to('meta'))
        pos = neg = torch.zeros(2)
        loss = model.recommendation_loss(pos, neg, torch.tensor([0, 3]))
    assert user_emb.is_meta and user_emb.size() == (3, 8)
    assert item_emb.is_meta and item_emb.size() == (4, 8)
    assert loss.is_meta and loss.dim() == 0


@pytest.mark.skipif(not torch._dynamo.is_dynamo_supported(),
                    reason='torch.compile is not supported on this platform')
@pytest.mark.parametrize('cached', [False, True])
def test_lgir_compile(cached):
    # fullgraph=True fails on any graph break, which a host sync would
    # cause; the "eager" backend checks tracing without code generation.
    user_x, item_x = features()
    model = lgir_with_gan(cached=cached)
    compiled = torch.compile(model, fullgraph=True, backend='eager')
    for _ in range(2):  # The second call reads the cache if there is one.
        for a, b in zip(compiled(EDGE_INDEX, user_x, item_x, NUM_TRAIN),
                        model(EDGE_INDEX, user_x, item_x, NUM_TRAIN)):
            assert torch.allclose(a, b, atol=1e-6)


@withDevice
def test_lgir_recommendation_loss_is_lightgcns(device):
    refine = GANRefine(6, 8)
    model = LGIR(3, 4, 6, embedding_dim=8, refine=refine).to(device)
    user_x, item_x = (x.to(device) for x in features())
    user_emb, item_emb = model(EDGE_INDEX.to(device), user_x, item_x,
                              NUM_TRAIN.to(device))
    user, pos, neg = (torch.tensor(i, device=device)
                      for i in ([0, 1], [0, 1], [3, 2]))
    pos_rank = (user_emb[user] * item_emb[pos]).sum(-1)
    neg_rank = (user_emb[user] * item_emb[neg]).sum(-1)
    node_id = torch.cat([user, pos + 3, neg + 3])

    # The same loss as PyG's LightGCN with LGIR's ID embeddings as its own.
    ref = LightGCN(7, 8, num_layers=1).to(device)
    ref.embedding.weight.data = torch.cat(
        [model.user_embedding.weight, model.item_embedding.weight]).detach()
    for lambda_reg in [0.0, 0.1]:
        loss = model.recommendation_loss(pos_rank, neg_rank, node_id,
                                         lambda_reg=lambda_reg)
        expected = ref.recommendation_loss(pos_rank, neg_rank, node_id,
                                           lambda_reg=lambda_reg)
        assert torch.isclose(loss, expected)
    expected = -torch.nn.functional.logsigmoid(pos_rank - neg_rank).mean()
    assert torch.isclose(
        model.recommendation_loss(pos_rank, neg_rank, lambda_reg=0.0),
        expected)

    model.recommendation_loss(pos_rank, neg_rank, node_id).backward()
    assert model.user_embedding.weight.grad is not None
    assert model.item_embedding.weight.grad is not None
    assert model.user_proj.weight.grad is not None
    assert all(p.grad is None for p in refine.discriminator.parameters())

    # Without ID embeddings there is nothing to regularise.
    model = LGIR(3, 4, 6, embedding_dim=8, use_id=False).to(device)
    assert torch.isclose(
        model.recommendation_loss(pos_rank, neg_rank, node_id, 10.0),
        expected)


def test_lgir_gan_loss():
    user_x, _ = features()
    num_train = torch.tensor([1, 3, 6])
    refine = GANRefine(6, 8)
    model = LGIR(3, 4, 6, embedding_dim=8, refine=refine)
    d_loss, g_loss = model.gan_loss(user_x, num_train)
    expected = refine.loss(user_x, num_train)
    assert torch.isclose(d_loss, expected[0])
    assert torch.isclose(g_loss, expected[1])
    few, many = torch.tensor([0, 0]), torch.tensor([2])
    d_loss, g_loss = model.gan_loss(user_x, few_index=few, many_index=many)
    expected = refine.loss(user_x, few_index=few, many_index=many)
    assert torch.isclose(d_loss, expected[0])
    assert 'refine=GANRefine(6, hidden_channels=8' in str(model)

    with pytest.raises(UsageError, match="needs a model built with 'refine'"):
        LGIR(3, 4, 6).gan_loss(user_x, num_train)


@withDevice
def test_lgir_recommend(device):
    model = LGIR(3, 4, 6, embedding_dim=8).to(device)
    user_x, item_x = (x.to(device) for x in features())
    edge_index = EDGE_INDEX.to(device)
    with torch.no_grad():
        user_emb, item_emb = model(edge_index, user_x, item_x)
    score = user_emb @ item_emb.t()

    top = model.recommend(edge_index, user_x, item_x, k=2)
    assert torch.equal(top, score.topk(2).indices)
    assert not top.requires_grad

    exclude = torch.tensor([[0, 0, 2], [0, 1, 3]], device=device)
    user = torch.tensor([2, 0], device=device)
    top = model.recommend(edge_index, user_x, item_x, src_index=user, k=2,
                          exclude_edge_index=exclude)
    for row, u in enumerate(user.tolist()):  # A naive loop.
        seen = {j for v, j in exclude.t().tolist() if v == u}
        order = score[u].argsort(descending=True).tolist()
        assert top[row].tolist() == [j for j in order if j not in seen][:2]
    assert torch.equal(top, topk_excluding(score[user], 2, user,
                                           exclude).indices)
    # With fewer than k other items, excluded ones come last.
    top = model.recommend(edge_index, user_x, item_x, src_index=user, k=4,
                          exclude_edge_index=exclude)
    assert set(top[1, 2:].tolist()) == {0, 1}
    # Items among dst_index only, by their global index (a naive loop).
    items = torch.tensor([3, 2, 1], device=device)
    top = model.recommend(edge_index, user_x, item_x, None, user, items, 2,
                          exclude_edge_index=exclude)
    for row, u in enumerate(user.tolist()):
        seen = {j for v, j in exclude.t().tolist() if v == u}
        order = [j for j in score[u].argsort(descending=True).tolist()
                 if j in items.tolist()]
        assert top[row].tolist() == [j for j in order if j not in seen][:2]
    for k in [5, 1.0]:
        with pytest.raises(UsageError,
                           match=r"'k' must be an integer in \[1, 4\]"):
            model.recommend(edge_index, user_x, item_x, k=k)


def test_lgir_errors():
    user_x, item_x = features()
    model = LGIR(3, 4, 6, embedding_dim=8, refine=GANRefine(6, 8))
    with pytest.raises(UsageError, match=r"'item_x' must have shape \(4, 6\)"):
        model(EDGE_INDEX, user_x, item_x[:, :5], NUM_TRAIN)
    with pytest.raises(UsageError, match="'user_x' is needed"):
        model(EDGE_INDEX, None, item_x)
    with pytest.raises(UsageError, match="'num_train_interactions' is"):
        model(EDGE_INDEX, user_x, item_x)

    # Checks that need a host synchronisation run in debug mode only.
    nan_x = user_x.index_fill(0, torch.tensor([1]), math.inf)
    assert not model(EDGE_INDEX, nan_x, item_x, NUM_TRAIN)[0].isfinite().all()
    with torch_geometric.debug():
        with pytest.raises(UsageError, match="'user_x' contains NaN"):
            model(EDGE_INDEX, nan_x, item_x, NUM_TRAIN)
        with pytest.raises(UsageError, match="'item_x' contains NaN"):
            model(EDGE_INDEX, user_x, item_x.index_fill(1, torch.tensor([0]),
                                                        math.nan), NUM_TRAIN)


@pytest.mark.parametrize('kwargs,match', [
    ({'num_users': 0}, "'num_users' must be an integer >= 1 (got 0)"),
    ({'num_items': 2.5}, "'num_items' must be an integer >= 1 (got 2.5)"),
    ({'text_channels': 0}, "'text_channels' must be an integer >= 1"),
    ({'embedding_dim': 0}, "'embedding_dim' must be an integer >= 1 (got 0)"),
    ({'num_layers': -1}, "'num_layers' must be an integer >= 0 (got -1)"),
    ({'num_layers': True}, "'num_layers' must be an integer >= 0 (got True)"),
    ({'alpha': math.nan}, "'alpha' must be a finite number (got nan)"),
    ({'alpha': torch.tensor([0.5, math.inf, 0.5, 0.5])},
     "'alpha' contains NaN or infinite values"),
    ({'alpha': torch.ones(3)}, "'alpha' must have 4 entries"),
    ({'fusion': 'mean'}, "'fusion' must be one of"),
    ({'self_loops': 'some'}, "'self_loops' must be one of"),
    ({'use_id': False, 'use_text': False}, "'use_id' and 'use_text'"),
    ({'refine': GANRefine(5)}, "'refine' expects 5 channels"),
])
def test_lgir_constructor_arguments(kwargs, match):
    # Checked at construction, as PyG's layers do.
    with pytest.raises(UsageError, match=re.escape(match)):
        LGIR(**{'num_users': 3, 'num_items': 4, 'text_channels': 6,
                **kwargs})


def test_lgir_num_layers_zero():
    # No propagation: the scores are those of the layer-0 embeddings.
    model = LGIR(3, 4, 6, embedding_dim=8, num_layers=0)
    user_x, item_x = features()
    out = model(EDGE_INDEX, user_x, item_x)
    for a, b in zip(out, model.input_embedding(user_x, item_x)):
        assert torch.allclose(a, b)


def test_lgir_dtypes():
    model = LGIR(3, 4, 6, embedding_dim=8)
    user_x, item_x = features()
    out = model(EDGE_INDEX, user_x, item_x)
    with pytest.raises(UsageError, match=re.escape(
            "'user_x' is torch.float64 but the layer is torch.float32")):
        model(EDGE_INDEX, user_x.double(), item_x.double())
    with pytest.raises(UsageError, match="'item_x' is torch.int64"):
        model(EDGE_INDEX, user_x, item_x.long())
    # int32 indices are indices too (no overflow of the pair keys).
    for a, b in zip(model(EDGE_INDEX.int(), user_x, item_x), out):
        assert torch.equal(a, b)
    for index in [EDGE_INDEX.float(), EDGE_INDEX.bool()]:
        with pytest.raises(UsageError, match=re.escape(
                f"'edge_index' must hold integer indices of type "
                f"torch.int64 or torch.int32 (got {index.dtype})")):
            model(index, user_x, item_x)
    with pytest.raises(UsageError, match=r"'edge_index' must have shape "
                       r"\(2, E\) \(got \(4,\)\)"):
        model(EDGE_INDEX[0], user_x, item_x)
    with pytest.raises(UsageError, match="'user_index' must hold integer"):
        model.input_embedding(user_x, item_x, user_index=torch.tensor([0.]))
    with pytest.raises(UsageError, match=r"'item_index' must have shape "
                       r"\(N,\) \(got \(1, 1\)\)"):
        model.input_embedding(user_x, item_x, item_index=torch.zeros(
            1, 1, dtype=torch.long))
    with pytest.raises(UsageError, match="'exclude_edge_index' must hold"):
        model.recommend(EDGE_INDEX, user_x, item_x,
                        exclude_edge_index=EDGE_INDEX.float())
    with pytest.raises(UsageError, match="'node_id' must hold"):
        model.recommendation_loss(torch.zeros(2), torch.zeros(2),
                                  torch.tensor([0., 1.]))
    # A layer converted to float64 takes float64 features only.
    model.double()
    assert model(EDGE_INDEX, user_x.double(),
                 item_x.double())[0].dtype == torch.float64
    with pytest.raises(UsageError, match=re.escape(
            "'user_x' is torch.float32 but the layer is torch.float64")):
        model(EDGE_INDEX, user_x, item_x)


def out_of_range_calls(model, user_x, item_x):
    r"""Calls with one index out of range, and the debug mode's message."""
    index = torch.tensor

    def recommend(**kwargs):
        return model.recommend(EDGE_INDEX, user_x, item_x, NUM_TRAIN, **kwargs)

    return [
        (lambda: model(index([[0, 1], [0, 4]]), user_x, item_x, NUM_TRAIN),
         r"'edge_index' row 1 \(items\) holds indices in \[0, 4\], "
         r"outside \[0, 3\]"),
        (lambda: model(index([[3], [0]]), user_x, item_x, NUM_TRAIN),
         r"'edge_index' row 0 \(users\) holds indices in \[3, 3\]"),
        (lambda: model(index([[0], [-1]]), user_x, item_x, NUM_TRAIN),
         r"'edge_index' row 1 \(items\) holds indices in \[-1, -1\]"),
        (lambda: model.build_adjacency(index([[-1], [0]])),
         r"'edge_index' row 0 \(users\) holds indices in \[-1, -1\]"),
        (lambda: model.input_embedding(user_x, item_x, NUM_TRAIN,
                                       user_index=index([0, 3])),
         r"'user_index' holds indices in \[0, 3\], outside \[0, 2\]"),
        (lambda: model.input_embedding(user_x, item_x, NUM_TRAIN,
                                       item_index=index([-1])),
         r"'item_index' holds indices in \[-1, -1\], outside \[0, 3\]"),
        (lambda: model.input_embedding(user_x, item_x, NUM_TRAIN,
                                       user_index=index([2, 0]),
                                       refine_index=index([2])),
         r"'refine_index' holds indices in \[2, 2\], outside \[0, 1\]"),
        (lambda: recommend(src_index=index([3])),
         r"'src_index' holds indices in \[3, 3\], outside \[0, 2\]"),
        (lambda: recommend(src_index=index([-1])),
         r"'src_index' holds indices in \[-1, -1\]"),
        (lambda: recommend(dst_index=index([1, 4])),
         r"'dst_index' holds indices in \[1, 4\], outside \[0, 3\]"),
        (lambda: recommend(exclude_edge_index=index([[0], [4]])),
         r"'exclude_edge_index' row 1 \(items\) holds indices in \[4, 4\]"),
        (lambda: recommend(exclude_edge_index=index([[0], [-1]])),
         r"'exclude_edge_index' row 1 \(items\) holds indices in "
         r"\[-1, -1\]"),
        (lambda: recommend(dst_index=index([1, 2]),
                           exclude_edge_index=index([[0], [7]])),
         r"'exclude_edge_index' row 1 \(items\) holds indices in \[7, 7\]"),
        (lambda: recommend(exclude_edge_index=index([[5], [1]])),
         r"'exclude_edge_index' row 0 \(users\) holds indices in "
         r"\[5, 5\], outside \[0, 2\]"),
        (lambda: recommend(exclude_edge_index=index([[-1], [1]])),
         r"'exclude_edge_index' row 0 \(users\) holds indices in "
         r"\[-1, -1\]"),
        (lambda: model.recommendation_loss(torch.zeros(1), torch.zeros(1),
                                           index([0, 7])),
         r"'node_id' holds indices in \[0, 7\], outside \[0, 6\]"),
    ]


def test_lgir_index_ranges_in_debug_mode():
    user_x, item_x = features()
    model = lgir_with_gan().eval()
    for call, match in out_of_range_calls(model, user_x, item_x):
        with torch_geometric.debug():
            with pytest.raises(UsageError, match=match):
                call()
        # Outside of debug mode the values are not read: the call runs or
        # fails in torch itself (a UsageError would fail the test).
        with contextlib.suppress(IndexError, RuntimeError):
            call()


def test_lgir_checks_pass_valid_input_in_debug_mode():
    user_x, item_x = features()
    model = lgir_with_gan().eval()
    user, item = torch.tensor([2, 0]), torch.tensor([3, 1])
    exclude = torch.tensor([[0, 2], [1, 3]])

    def calls():
        return [
            *model(EDGE_INDEX, user_x, item_x, NUM_TRAIN),
            *model.input_embedding(user_x, item_x, NUM_TRAIN, user, item,
                                   torch.tensor([1])),
            model.recommend(EDGE_INDEX, user_x, item_x, NUM_TRAIN, user,
                            item, 2, exclude_edge_index=exclude),
            model.recommendation_loss(torch.ones(2), torch.zeros(2),
                                      torch.tensor([0, 6])),
        ]

    expected = calls()
    with torch_geometric.debug():
        for a, b in zip(calls(), expected):
            assert torch.equal(a, b)


def ndcg_at_k(top, relevant, k):
    total = 0.0
    for items, rel in zip(top.tolist(), relevant):
        dcg = sum(1 / math.log2(r + 2) for r, j in enumerate(items[:k])
                  if j in rel)
        idcg = sum(1 / math.log2(r + 2) for r in range(min(len(rel), k)))
        total += dcg / idcg
    return total / len(relevant)


def test_lgir_learns_with_informative_text():
    # 4 clusters of 8 users and 10 jobs; text = cluster centre + noise. Each
    # user trains on 3 of the first 7 jobs of their cluster; the other 7 jobs
    # of the cluster are relevant. The last 3 jobs of each cluster are cold.
    torch.manual_seed(0)
    user_cluster = torch.arange(4).repeat_interleave(8)
    job_cluster = torch.arange(4).repeat_interleave(10)
    center = torch.randn(4, 16)
    user_x = center[user_cluster] + torch.randn(32, 16)
    item_x = center[job_cluster] + torch.randn(40, 16)
    src, dst, relevant = [], [], []
    for u, c in enumerate(user_cluster.tolist()):
        train = (c * 10 + torch.randperm(7)[:3]).tolist()
        src += [u] * 3
        dst += train
        relevant.append(set(range(c * 10, c * 10 + 10)) - set(train))
    edge_index = torch.tensor([src, dst])
    model = LGIR(32, 40, 16, embedding_dim=16, num_layers=2, cached=True)

    def ndcg():
        top = model.recommend(edge_index, user_x, item_x, k=5,
                              exclude_edge_index=edge_index)
        with torch.no_grad():
            user_emb, item_emb = model(edge_index, user_x, item_x)
        return ndcg_at_k(top, relevant, 5), user_emb @ item_emb.t()

    ndcg_init, _ = ndcg()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    user, pos = edge_index
    for _ in range(40):
        optimizer.zero_grad()
        user_emb, item_emb = model(edge_index, user_x, item_x)
        neg = torch.randint(0, 40, (edge_index.size(1), ))
        loss = model.recommendation_loss(
            (user_emb[user] * item_emb[pos]).sum(-1),
            (user_emb[user] * item_emb[neg]).sum(-1),
            torch.cat([user, pos + 32, neg + 32]))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert sum(losses[-5:]) < 0.7 * sum(losses[:5])

    # 7 relevant of 37 candidates: a random ranking has NDCG@5 = 7 / 37.
    ndcg_trained, score = ndcg()
    assert ndcg_trained > max(3 * 7 / 37, ndcg_init)

    # Cold jobs of a user's cluster outscore the jobs of other clusters.
    cold = job_cluster.new_tensor([c * 10 + j for c in range(4)
                                   for j in range(7, 10)])
    same = user_cluster.view(-1, 1) == job_cluster.view(1, -1)
    pairs = [
        (score[u, cold[same[u, cold]]].view(-1, 1) > score[u, ~same[u]])
        for u in range(32)
    ]
    assert torch.cat(pairs).float().mean() > 0.8
