import math

import pytest
import torch
from torch_geometric.nn import LightGCN

from lgir_pyg.nn import LGIR, GANRefine

# 3 users, 4 jobs; job 3 has no interaction (cold).
EDGE_INDEX = torch.tensor([[0, 0, 1, 2], [0, 1, 1, 2]])
NUM_TRAIN = torch.tensor([2, 1, 1])


def features(seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(3, 6, generator=gen), torch.randn(4, 6, generator=gen)


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
                          f'use_text={use_text}, self_loops=isolated)')
    assert model.out_channels == out_channels
    user_x, job_x = features()
    user_emb, job_emb = model(EDGE_INDEX, user_x, job_x)
    assert user_emb.size() == (3, out_channels)
    assert job_emb.size() == (4, out_channels)
    user_emb0, job_emb0 = model.input_embedding(user_x, job_x)
    assert user_emb0.size() == (3, out_channels)
    assert job_emb0.size() == (4, out_channels)


def test_lgir_text_projection():
    user_x, job_x = features()
    model = LGIR(3, 4, 6, embedding_dim=8, use_id=False)
    assert model.user_proj is model.job_proj
    user_emb0, job_emb0 = model.input_embedding(user_x, job_x)
    assert torch.allclose(job_emb0, job_x @ model.user_proj.weight.t())

    model = LGIR(3, 4, 6, embedding_dim=8, shared_projection=False)
    assert model.user_proj is not model.job_proj


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
    user_emb, job_emb = model(EDGE_INDEX)

    ref = LightGCN(7, 8, num_layers=3)
    ref.embedding.weight.data = torch.cat(
        [model.user_embedding.weight, model.job_embedding.weight]).detach()
    row, col = EDGE_INDEX
    col = col + 3
    edge_index = torch.stack([torch.cat([row, col]), torch.cat([col, row])])
    out = ref.get_embedding(edge_index)
    assert torch.allclose(user_emb, out[:3], atol=1e-6)
    assert torch.allclose(job_emb[:3], out[3:6], atol=1e-6)


@pytest.mark.parametrize('self_loops,alpha,scale', [
    ('isolated', None, 1.0),  # sum(alpha) * x0 = x0,
    ('isolated', 0.5, 2.0),
    ('all', None, 1.0),
    ('none', None, 0.25),  # alpha_0 * x0 as in LightGCN.
])
def test_lgir_isolated_job(self_loops, alpha, scale):
    model = LGIR(3, 4, 6, embedding_dim=8, num_layers=3, alpha=alpha,
                 self_loops=self_loops)
    user_x, job_x = features()
    _, job_emb = model(EDGE_INDEX, user_x, job_x)
    _, job_emb0 = model.input_embedding(user_x, job_x)
    assert torch.allclose(job_emb[3], scale * job_emb0[3], atol=1e-6)


def test_lgir_adjacency_cache(monkeypatch):
    model = LGIR(3, 4, 6, embedding_dim=8)
    user_x, job_x = features()
    calls = []
    build = model.build_adjacency
    monkeypatch.setattr(model, 'build_adjacency',
                        lambda ei: calls.append(ei) or build(ei))
    out1 = model(EDGE_INDEX, user_x, job_x)
    out2 = model(EDGE_INDEX, user_x, job_x)
    assert len(calls) == 1  # Same tensor, cached.
    model(EDGE_INDEX.clone(), user_x, job_x)
    assert len(calls) == 2  # New tensor, rebuilt.
    out3 = model(build(EDGE_INDEX), user_x, job_x)  # Precomputed.
    assert len(calls) == 2
    for a, b in [(out1, out2), (out1, out3)]:
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])

    adj = build(EDGE_INDEX)
    assert adj.layout == torch.sparse_csr and adj.size() == (7, 7)
    with pytest.raises(ValueError, match=r'size \(7, 7\)'):
        model(torch.eye(3).to_sparse_csr(), user_x, job_x)


def test_lgir_recommendation_loss():
    refine = GANRefine(6, 8)
    model = LGIR(3, 4, 6, embedding_dim=8, refine=refine)
    user_x, job_x = features()
    user_emb, job_emb = model(EDGE_INDEX, user_x, job_x, NUM_TRAIN)
    user, pos, neg = torch.tensor([0, 1]), torch.tensor([0, 1]), torch.tensor(
        [3, 2])

    loss = model.recommendation_loss(user_emb, job_emb, user, pos, neg,
                                     lambda_reg=0.0)
    pos_score = (user_emb[user] * job_emb[pos]).sum(-1)
    neg_score = (user_emb[user] * job_emb[neg]).sum(-1)
    expected = -torch.nn.functional.logsigmoid(pos_score - neg_score).mean()
    assert torch.isclose(loss, expected)

    reg = model.recommendation_loss(user_emb, job_emb, user, pos, neg,
                                    lambda_reg=0.1) - loss
    expected = 0.1 * (model.user_embedding.weight[user].pow(2).sum() +
                      model.job_embedding.weight[pos].pow(2).sum() +
                      model.job_embedding.weight[neg].pow(2).sum()) / 2
    assert torch.isclose(reg, expected)

    model.recommendation_loss(user_emb, job_emb, user, pos, neg).backward()
    assert model.user_embedding.weight.grad is not None
    assert model.job_embedding.weight.grad is not None
    assert model.user_proj.weight.grad is not None
    assert all(p.grad is None for p in refine.discriminator.parameters())


def test_lgir_gan_loss():
    user_x, _ = features()
    num_train = torch.tensor([1, 3, 6])
    refine = GANRefine(6, 8)
    model = LGIR(3, 4, 6, embedding_dim=8, refine=refine)
    d_loss, g_loss = model.gan_loss(user_x, num_train)
    expected = refine.loss(user_x, num_train)
    assert torch.isclose(d_loss, expected[0])
    assert torch.isclose(g_loss, expected[1])
    assert 'refine=GANRefine(6, hidden_channels=8' in str(model)

    with pytest.raises(ValueError, match="needs a model built with 'refine'"):
        LGIR(3, 4, 6).gan_loss(user_x, num_train)


def test_lgir_recommend():
    model = LGIR(3, 4, 6, embedding_dim=8)
    user_emb = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    job_emb = torch.tensor([[4.0, 0.0], [3.0, 1.0], [0.0, 2.0], [1.0, 3.0]])

    assert model.recommend(user_emb, job_emb, k=2).tolist() == [
        [0, 1], [3, 2], [1, 3]
    ]
    exclude = torch.tensor([[0, 0, 2], [0, 1, 3]])
    assert model.recommend(user_emb, job_emb, 2, exclude).tolist() == [
        [3, 2], [3, 2], [1, 0]
    ]
    out = model.recommend(user_emb, job_emb, 2, exclude,
                          user_index=torch.tensor([2, 0]))
    assert out.tolist() == [[1, 0], [3, 2]]
    with pytest.raises(ValueError, match=r"'k' must be in \[1, 4\]"):
        model.recommend(user_emb, job_emb, 5)


def test_lgir_errors():
    user_x, job_x = features()
    model = LGIR(3, 4, 6, embedding_dim=8, refine=GANRefine(6, 8))
    with pytest.raises(ValueError, match=r"'job_x' must have shape \(4, 6\)"):
        model(EDGE_INDEX, user_x, job_x[:, :5], NUM_TRAIN)
    with pytest.raises(ValueError, match="'user_x' contains NaN"):
        model(EDGE_INDEX, user_x.index_fill(0, torch.tensor([1]), math.inf),
              job_x, NUM_TRAIN)
    with pytest.raises(ValueError, match="'user_x' is needed"):
        model(EDGE_INDEX, None, job_x)
    with pytest.raises(ValueError, match="'num_train_interactions' is"):
        model(EDGE_INDEX, user_x, job_x)
    with pytest.raises(ValueError, match=r"row 1 holds job indices in "
                       r"\[0, 4\], outside \[0, 3\]"):
        model(torch.tensor([[0, 1], [0, 4]]), user_x, job_x, NUM_TRAIN)
    with pytest.raises(ValueError, match='row 0 holds user indices'):
        model(torch.tensor([[-1], [0]]), user_x, job_x, NUM_TRAIN)
    with pytest.raises(ValueError, match=r"shape \(2, E\)"):
        model(torch.tensor([0, 1]), user_x, job_x, NUM_TRAIN)

    with pytest.raises(ValueError, match="'fusion'"):
        LGIR(3, 4, 6, fusion='mean')
    with pytest.raises(ValueError, match="'self_loops'"):
        LGIR(3, 4, 6, self_loops='some')
    with pytest.raises(ValueError, match="'use_id' and 'use_text'"):
        LGIR(3, 4, 6, use_id=False, use_text=False)
    with pytest.raises(ValueError, match="expects 5 channels"):
        LGIR(3, 4, 6, refine=GANRefine(5))
    with pytest.raises(ValueError, match="'alpha' must have 4 entries"):
        LGIR(3, 4, 6, alpha=torch.ones(3))


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
    job_x = center[job_cluster] + torch.randn(40, 16)
    src, dst, relevant = [], [], []
    for u, c in enumerate(user_cluster.tolist()):
        train = (c * 10 + torch.randperm(7)[:3]).tolist()
        src += [u] * 3
        dst += train
        relevant.append(set(range(c * 10, c * 10 + 10)) - set(train))
    edge_index = torch.tensor([src, dst])
    model = LGIR(32, 40, 16, embedding_dim=16, num_layers=2)

    def ndcg():
        with torch.no_grad():
            user_emb, job_emb = model(edge_index, user_x, job_x)
        top = model.recommend(user_emb, job_emb, 5, edge_index)
        return ndcg_at_k(top, relevant, 5), user_emb @ job_emb.t()

    ndcg_init, _ = ndcg()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        user_emb, job_emb = model(edge_index, user_x, job_x)
        neg = torch.randint(0, 40, (edge_index.size(1), ))
        loss = model.recommendation_loss(user_emb, job_emb, edge_index[0],
                                         edge_index[1], neg)
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
