import copy
import math
import re

import pytest
import torch
import torch_geometric

from lgir_pyg.errors import UsageError
from lgir_pyg.nn import LGIR, GANRefine, HybridLGIR

# 3 users, 4 jobs; job 3 has no interaction (cold), user 2 has one job.
EDGE_INDEX = torch.tensor([[0, 0, 1, 2], [0, 1, 1, 2]])
NUM_TRAIN = torch.tensor([2, 1, 1])


def features(seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(3, 6, generator=gen), torch.randn(4, 6, generator=gen)


def hybrid(**kwargs):
    return HybridLGIR(3, 4, 6, **{'id_dim': 4, 'id_layers': 2, **kwargs})


def test_hybrid():
    model = hybrid()
    assert str(model) == ('HybridLGIR(3, 4, 6, id_dim=4, id_layers=2, '
                          'text_layers=1, id_lr_scale=30.0, '
                          'mask_isolated=item)')
    assert model.out_channels == 10 and model.num_layers == 2
    user_x, item_x = features()
    user_emb, item_emb = model(EDGE_INDEX, user_x, item_x)
    assert user_emb.size() == (3, 10) and item_emb.size() == (4, 10)

    # The text part is the identity-initialised text LGIR.
    text = LGIR(3, 4, 6, embedding_dim=6, num_layers=1, use_id=False,
                shared_projection=False, self_loops='none',
                text_init='identity')
    user_z, item_z = text(EDGE_INDEX, user_x, item_x)
    assert torch.allclose(user_emb[:, :6], user_z)
    assert torch.allclose(item_emb[:, :6], item_z)
    # The cold job has no ID signal; warm ones do.
    assert torch.equal(item_emb[3, 6:], torch.zeros(4))
    assert bool((item_emb[:3, 6:] != 0).all())


def test_hybrid_starts_near_the_text_model():
    torch.manual_seed(0)
    model = hybrid()
    user_x, item_x = features()
    user_emb, item_emb = model(EDGE_INDEX, user_x, item_x)
    text_score = user_emb[:, :6] @ item_emb[:, :6].t()
    id_score = user_emb[:, 6:] @ item_emb[:, 6:].t()
    assert id_score.abs().max() < 1e-2 * text_score.abs().max()


@pytest.mark.parametrize('mask_isolated,user_zero,job_zero', [
    ('item', False, True),
    ('both', True, True),
    ('none', False, False),
])
def test_hybrid_mask_isolated(mask_isolated, user_zero, job_zero):
    model = hybrid(mask_isolated=mask_isolated)
    user_x, item_x = features()
    # Without user 2's only pair, user 2 and job 2 are isolated.
    user_emb, item_emb = model(EDGE_INDEX[:, :3], user_x, item_x)
    assert bool((user_emb[2, 6:] == 0).all()) == user_zero
    assert bool((item_emb[2, 6:] == 0).all()) == job_zero
    assert bool((user_emb[0, 6:] != 0).all())


@pytest.mark.parametrize('id_layers', [0, 3])
def test_hybrid_id_tower_is_lightgcn(id_layers):
    # With mask_isolated="none" the ID part is the ID-only LGIR (LightGCN on
    # the bipartite graph; matrix factorisation without layers).
    model = hybrid(id_layers=id_layers, mask_isolated='none')
    user_x, item_x = features()
    user_emb, item_emb = model(EDGE_INDEX, user_x, item_x)
    user_m, item_m = model.id(EDGE_INDEX)
    assert torch.allclose(user_emb[:, 6:], 30 * user_m)
    assert torch.allclose(item_emb[:, 6:], 30 * item_m)
    assert model.num_layers == max(1, id_layers)


def test_hybrid_id_lr_scale():
    # The scale changes how fast the ID embeddings learn, not where they
    # start.
    weights = []
    for scale in (1.0, 30.0):
        torch.manual_seed(0)
        weights.append(hybrid(id_lr_scale=scale).id_embedding_weight())
    assert torch.allclose(*weights)

    torch.manual_seed(0)
    model = hybrid(id_lr_scale=30.0)
    user_x, item_x = features()
    before = model.id_embedding_weight().detach()
    text_before = model.text.user_proj.weight.detach().clone()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    user_emb, item_emb = model(EDGE_INDEX, user_x, item_x)
    pos = (user_emb[EDGE_INDEX[0]] * item_emb[EDGE_INDEX[1]]).sum(-1)
    neg = (user_emb[EDGE_INDEX[0]] * item_emb[3]).sum(-1)
    model.recommendation_loss(pos, neg).backward()
    opt.step()
    # Adam's first step moves every parameter by lr: the ID embeddings by
    # 30 * lr on the scale the model uses, the text projection by lr.
    step = (model.id_embedding_weight().detach() - before).abs()
    assert step.max() == pytest.approx(30 * 1e-3, rel=1e-3)
    text_step = (model.text.user_proj.weight.detach() -
                 text_before).abs().max()
    assert float(text_step) == pytest.approx(1e-3, rel=1e-3)


def test_hybrid_recommendation_loss():
    model = hybrid()
    pos, neg = torch.tensor([1.0, 0.5]), torch.tensor([0.0, 1.0])
    node_id = torch.tensor([0, 4])
    expected = -torch.nn.functional.logsigmoid(pos - neg).mean() + \
        0.1 * model.id_embedding_weight()[node_id].norm().pow(2) / 2
    assert torch.allclose(model.recommendation_loss(pos, neg, node_id, 0.1),
                          expected)
    assert model.id_embedding_weight().size() == (7, 4)


def test_hybrid_output_refine_mask():
    refine = GANRefine(6, 8, k1=1, k2=2)
    model = hybrid(refine=refine, refine_at='output')
    user_z = torch.randn(3, 6)
    # By the degree in the propagated graph, not the training count.
    mask = model.output_refine_mask(user_z, torch.tensor([2., 0., 1.]))
    assert mask.tolist() == [False, True, True]
    refine = GANRefine(6, 8, thresholds='quantile', quantiles=(0.5, 0.9))
    model = hybrid(refine=refine, refine_at='output')
    # k1 is the median of the training counts [4, 1, 1] = 1.
    mask = model.output_refine_mask(user_z, torch.tensor([2., 0., 1.]),
                                    torch.tensor([4, 1, 1]))
    assert mask.tolist() == [False, True, True]
    with pytest.raises(UsageError, match='num_train_interactions'):
        model.output_refine_mask(user_z, torch.tensor([2., 0., 1.]))


@pytest.mark.parametrize('refine_at', ['input', 'output'])
def test_hybrid_refine(refine_at):
    model = hybrid(refine=GANRefine(6, 8, k1=1, k2=2), refine_at=refine_at)
    assert str(model).endswith(f'refine_at={refine_at})')
    user_x, item_x = features()
    # G starts as the identity: the GAN changes nothing yet.
    out = model(EDGE_INDEX, user_x, item_x, NUM_TRAIN)
    plain = hybrid()(EDGE_INDEX, user_x, item_x)[0]
    assert torch.allclose(out[0][:, :6], plain[:, :6])
    if refine_at == 'input':  # The user projection starts at zero.
        torch.nn.init.normal_(model.text.user_proj.weight)
    before = model(EDGE_INDEX, user_x, item_x, NUM_TRAIN)[0]
    torch.nn.init.normal_(model.refine.generator.mlp.lins[-1].weight)
    after = model(EDGE_INDEX, user_x, item_x, NUM_TRAIN)[0]
    # Only the few-shot users (1 and 2) change, and only their text part.
    assert (after[:, 6:] == before[:, 6:]).all()
    assert (after != before).any(dim=1).tolist() == [False, True, True]

    d_loss, g_loss = model.gan_loss(EDGE_INDEX, user_x, item_x, NUM_TRAIN)
    assert d_loss.dim() == 0 and g_loss.dim() == 0
    d_grads = torch.autograd.grad(d_loss, list(model.parameters()),
                                  allow_unused=True)
    d_params = {id(p) for p in model.refine.discriminator.parameters()}
    for param, grad in zip(model.parameters(), d_grads):
        if id(param) not in d_params:
            assert grad is None or bool((grad == 0).all())


def test_hybrid_deepcopy_to_and_meta():
    user_x, item_x = features()
    model = hybrid(refine=GANRefine(6, 8, k1=1, k2=2), refine_at='output')
    out = model(EDGE_INDEX, user_x, item_x, NUM_TRAIN)
    clone = copy.deepcopy(model)
    for a, b in zip(clone(EDGE_INDEX, user_x, item_x, NUM_TRAIN), out):
        assert torch.equal(a, b)
    model.double()
    user_emb = model(EDGE_INDEX, user_x.double(), item_x.double(),
                     NUM_TRAIN)[0]
    assert user_emb.dtype == torch.float64
    assert torch.allclose(user_emb.float(), out[0], atol=1e-6)
    with torch.device('meta'):
        model = hybrid(refine=GANRefine(6, 8, k1=1, k2=2),
                       refine_at='output')
        user_emb, item_emb = model(EDGE_INDEX.to('meta'), torch.empty(3, 6),
                                  torch.empty(4, 6), NUM_TRAIN.to('meta'))
        loss = model.recommendation_loss(torch.zeros(2), torch.zeros(2))
    assert user_emb.is_meta and user_emb.size() == (3, 10)
    assert item_emb.is_meta and loss.is_meta


@pytest.mark.skipif(not torch._dynamo.is_dynamo_supported(),
                    reason='torch.compile is not supported on this platform')
def test_hybrid_compile():
    user_x, item_x = features()
    model = hybrid(refine=GANRefine(6, 8, thresholds='quantile'),
                   refine_at='output')
    compiled = torch.compile(model, fullgraph=True, backend='eager')
    for a, b in zip(compiled(EDGE_INDEX, user_x, item_x, NUM_TRAIN),
                    model(EDGE_INDEX, user_x, item_x, NUM_TRAIN)):
        assert torch.allclose(a, b, atol=1e-6)


@pytest.mark.parametrize('kwargs,match', [
    ({'id_dim': 0}, "'id_dim' must be an integer >= 1 (got 0)"),
    ({'id_layers': -1}, "'id_layers' must be an integer >= 0 (got -1)"),
    ({'text_layers': -1}, "'text_layers' must be an integer >= 0 (got -1)"),
    ({'id_lr_scale': 0.0}, "'id_lr_scale' must be a finite number > 0 "
     "(got 0.0)"),
    ({'id_lr_scale': math.inf}, "'id_lr_scale' must be a finite number"),
    ({'id_init': math.nan}, "'id_init' must be a finite number > 0"),
    ({'num_users': 0}, "'num_users' must be an integer >= 1 (got 0)"),
    ({'mask_isolated': 'user'}, "'mask_isolated' must be one of"),
    ({'refine_at': 'middle'}, "'refine_at' must be one of"),
    ({'refine': GANRefine(8)}, "'refine' expects 8 channels"),
])
def test_hybrid_constructor_arguments(kwargs, match):
    with pytest.raises(UsageError, match=re.escape(match)):
        HybridLGIR(**{'num_users': 3, 'num_items': 4, 'text_channels': 6,
                      **kwargs})


def test_hybrid_errors():
    model = hybrid()
    user_x, item_x = features()
    with pytest.raises(UsageError, match="needs a model built with"):
        model.gan_loss(EDGE_INDEX, user_x, item_x)
    with pytest.raises(UsageError, match=re.escape(
            "'edge_index' must be a dense (2, E) tensor of user-item pairs "
            "(got layout torch.sparse_csr)")):
        model(model.text.build_adjacency(EDGE_INDEX), user_x, item_x)
    with pytest.raises(UsageError, match="'edge_index' must hold integer"):
        model(EDGE_INDEX.float(), user_x, item_x)
    with pytest.raises(UsageError, match=re.escape(
            "'user_x' is torch.float64 but the layer is torch.float32")):
        model(EDGE_INDEX, user_x.double(), item_x.double())
    with pytest.raises(UsageError, match="'node_id' must hold integer"):
        model.recommendation_loss(torch.zeros(1), torch.zeros(1),
                                  torch.tensor([0.5]))

    # Values are read in debug mode only.
    expected = model(EDGE_INDEX, user_x, item_x)
    nan_x = item_x.index_fill(0, torch.tensor([2]), math.inf)
    assert not model(EDGE_INDEX, user_x, nan_x)[1].isfinite().all()
    with torch_geometric.debug():
        with pytest.raises(UsageError, match="'item_x' contains NaN"):
            model(EDGE_INDEX, user_x, nan_x)
        with pytest.raises(UsageError, match=r"'edge_index' row 1 \(items\) "
                           r"holds indices in \[0, 4\], outside \[0, 3\]"):
            model(torch.tensor([[0, 1], [0, 4]]), user_x, item_x)
        with pytest.raises(UsageError, match=r"'user_index' holds indices "
                           r"in \[3, 3\], outside \[0, 2\]"):
            model.id_input(torch.tensor([3]))
        with pytest.raises(UsageError, match=r"'node_id' holds indices in "
                           r"\[7, 7\], outside \[0, 6\]"):
            model.recommendation_loss(torch.zeros(1), torch.zeros(1),
                                      torch.tensor([7]))
        # Valid input passes every check.
        for a, b in zip(model(EDGE_INDEX, user_x, item_x), expected):
            assert torch.equal(a, b)
