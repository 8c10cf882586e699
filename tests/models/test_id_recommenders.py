import torch
from torch_geometric.nn.models import LightGCN

from lgir_pyg.models import LightGCNRecommender, build_model


def test_popularity(rec_graph):
    model = build_model('pop', rec_graph)
    assert str(model) == 'FixedEmbedding(pop, 6, 12)'
    counts = [3, 3, 3, 2, 2, 1] + [0] * 6
    assert model.scorer()(torch.tensor([1])).tolist() == [counts]


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
