import pytest
import torch
import torch.nn.functional as F
from torch_geometric.nn.conv.gcn_conv import gcn_norm

from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.explain import explain, format_explanations
from lgir_pyg.models import LGIRRecommender, build_model

EDGE_TYPE = ('user', 'interacts', 'job')


@torch.no_grad()
def dense_terms(model, user, item):
    r"""The naive decomposition: the dense propagation matrix P and the
    layer-0 parts built from the model's sub-modules; returns each part's
    contribution of every node to the score of (user, item)."""
    num_users = model.num_users
    if isinstance(model, LGIRRecommender):
        lgir = model.model
        edge_index, edge_weight = lgir.normalize(model.edge_index)
        alpha = lgir.alpha
        parts = {}
        user_x = model.user_x
        if lgir.refine is not None:
            user_x = lgir.refine(user_x, model.num_train)
        if lgir.use_text:
            parts['text'] = torch.cat([lgir.user_proj(user_x),
                                       lgir.item_proj(model.item_x)])
        if lgir.use_id:
            parts['id'] = torch.cat([lgir.user_embedding.weight,
                                     lgir.item_embedding.weight])
        if lgir.fusion == 'concat' and len(parts) == 2:
            dim = lgir.embedding_dim
            parts = {'id': F.pad(parts['id'], (0, dim)),
                     'text': F.pad(parts['text'], (dim, 0))}
    else:
        row = model.edge_index[0]
        col = model.edge_index[1] + num_users
        edge_index = torch.stack([torch.cat([row, col]),
                                  torch.cat([col, row])])
        num_nodes = model.model.embedding.weight.size(0)
        edge_index, edge_weight = gcn_norm(edge_index, None, num_nodes,
                                           add_self_loops=False)
        alpha = model.model.alpha
        parts = {'id': model.model.embedding.weight}
    num_nodes = next(iter(parts.values())).size(0)
    # out[target] += w * x[source]
    m = torch.zeros(num_nodes, num_nodes).index_put_(
        (edge_index[1], edge_index[0]), edge_weight, accumulate=True)
    p = sum(a * torch.linalg.matrix_power(m, i) for i, a in enumerate(alpha))
    user_emb, item_emb = model()
    # The model is linear in its layer-0 inputs.
    assert torch.allclose(p[user] @ sum(parts.values()), user_emb[user],
                          atol=1e-5)
    return {name: p[user] * (x @ item_emb[item]) for name, x in parts.items()}


GRAPH_MODELS = [
    ('lightgcn-text', {}, {'text', 'graph'}),
    ('lgir-text', dict(use_id=True, num_layers=2, text_init='random'),
     {'text', 'id', 'graph', 'other'}),
    ('lgir-text', dict(gan=False, use_id=True, fusion='concat',
                       num_layers=3, self_loops='all', text_init='random',
                       embedding_dim=4), {'text', 'id', 'graph', 'other'}),
    ('lightgcn', dict(embedding_dim=4), {'id', 'graph', 'other'}),
    ('bprmf', dict(embedding_dim=4), {'id'}),
]


@pytest.mark.parametrize('name,kwargs,paths', GRAPH_MODELS,
                         ids=[m[0] for m in GRAPH_MODELS])
@pytest.mark.parametrize('user', [0, 2])
def test_decomposition_of_graph_models(graph, name, kwargs, paths, user,
                                       randomize):
    torch.manual_seed(0)
    model = randomize(build_model(name, graph, **kwargs))
    if getattr(model.model, 'refine', None) is not None:
        # User 2 has two training jobs: few-shot, refined by the GAN.
        refine = model.model.refine
        assert not torch.allclose(refine(model.user_x, model.num_train)[2],
                                  model.user_x[2])
    out = explain(model, graph, user, k=3, user_text='resume_irc')
    assert [e.rank for e in out] == [1, 2, 3]
    scores = model.scorer()(torch.tensor([user]))[0]
    train_items = {0: [0, 1, 2, 3, 4, 5], 2: [1, 3]}[user]
    for e in out:
        assert e.decomposed and e.user == user
        assert e.score == pytest.approx(float(scores[e.item]), abs=1e-6)
        # The contributions sum to the score.
        assert e.total() == pytest.approx(e.score, rel=1e-5, abs=1e-6)
        assert {c.path for c in e.contributions} == paths
        graph_terms = [c for c in e.contributions if c.path == 'graph']
        if 'graph' in paths:
            assert sorted(c.item for c in graph_terms) == train_items
        # Each term matches the naive dense decomposition.
        exp = dense_terms(model, user, e.item)
        for c in e.contributions:
            if c.path in ('text', 'id'):
                want = float(exp[c.path][user])
            elif c.path == 'graph':
                want = sum(float(x[6 + c.item]) for x in exp.values())
            else:
                mask = torch.ones(18, dtype=torch.bool)
                mask[[user] + [6 + j for j in train_items]] = False
                want = sum(float(x[mask].sum()) for x in exp.values())
            assert c.value == pytest.approx(want, rel=1e-4, abs=1e-5)
            assert sum(c.parts.values()) == pytest.approx(c.value)
    # Largest graph contributions first.
    sizes = [abs(c.value) for c in out[0].contributions if c.path == 'graph']
    assert sizes == sorted(sizes, reverse=True)


def test_one_layer_by_hand(graph, randomize):
    # User 4's only job is job 4, which has users 0 and 4: with one layer
    # and no self-loops, P[4, 4] = 1/2 and P[4, job 4] = 1/2 / sqrt(1 * 2).
    model = randomize(build_model('lightgcn-text', graph))
    lgir = model.model
    e = explain(model, graph, 4, k=1)[0]
    text, job = e.contributions
    assert (text.path, job.path, job.item) == ('text', 'graph', 4)
    with torch.no_grad():
        z = model()[1][e.item]
        own = 0.5 * lgir.user_proj(model.user_x[4]) @ z
        via_job = 0.5 / 2**0.5 * lgir.item_proj(model.item_x[4]) @ z
    assert text.value == pytest.approx(float(own), rel=1e-5)
    assert job.value == pytest.approx(float(via_job), rel=1e-5)


def test_text_baselines(graph):
    user_x, item_x = graph['user'].x, graph['job'].x
    out = explain(build_model('text', graph), graph, 2, k=4,
                  user_text='text')
    for e in out:
        (c, ) = e.contributions
        assert c.path == 'text' and c.value == pytest.approx(e.score)
        assert e.score == pytest.approx(float(F.cosine_similarity(
            user_x[2], item_x[e.item], dim=0)), abs=1e-6)

    # User 2 trained on jobs 1 and 3: own text plus two jobs.
    unit = F.normalize(torch.cat([user_x[2:3], item_x[[1, 3]]]), dim=-1)
    norm = float(unit.sum(0).norm())
    model = build_model('job-mean', graph)
    for e in explain(model, graph, 2, k=4, user_text='text'):
        target = F.normalize(item_x[e.item], dim=0)
        own, *jobs = e.contributions
        assert own.path == 'text'
        assert own.value == pytest.approx(float(unit[0] @ target) / norm,
                                          abs=1e-6)
        assert {c.item: c.value for c in jobs} == pytest.approx(
            {1: float(unit[1] @ target) / norm,
             3: float(unit[2] @ target) / norm}, abs=1e-6)
        assert e.total() == pytest.approx(e.score, abs=1e-6)
    with pytest.raises(UsageError, match="'job-mean' needs 'user_text'"):
        explain(model, graph, 2)
    # Features other than the model's do not add up: an error, no lie.
    with pytest.raises(DataError, match='do not sum to the scores'):
        explain(model, graph, 2, user_text='resume_irc')


def test_popularity_is_not_decomposed(graph):
    out = explain(build_model('pop', graph), graph, 5, k=2)
    assert [e.item for e in out] == [1, 2]  # 3 training users each
    assert not out[0].decomposed and out[0].contributions == []
    text = format_explanations(out, graph, EDGE_TYPE, 'pop')
    assert 'not decomposed: pop is not a sum' in text
    assert 'exact sum' not in text


def test_seen_items_left_out(graph, randomize):
    # User 0 saw jobs 0-5 (training), 6 (validation) and 7 (test).
    out = explain(randomize(build_model('lightgcn', graph)), graph, 0, k=10)
    assert sorted(e.item for e in out) == [8, 9, 10, 11]
    assert [e.score for e in out] == sorted((e.score for e in out),
                                            reverse=True)


def test_bad_arguments(graph):
    model = build_model('lightgcn-text', graph)
    with pytest.raises(UsageError, match=r"'user' must be in \[0, 6\)"):
        explain(model, graph, 6)
    with pytest.raises(UsageError, match="'k' must be positive"):
        explain(model, graph, 0, k=0)
    with pytest.raises(DataError, match="no texts 'resume_src'"):
        explain(model, graph, 0, user_text='resume_src')
