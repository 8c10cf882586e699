import pytest
import torch
import torch.nn.functional as F

from lgir_pyg.datasets.graph import interaction_edge_type
from lgir_pyg.datasets.synthetic import synthetic_graph
from lgir_pyg.errors import UsageError
from lgir_pyg.transforms import PerUserSplit


def test_synthetic_graph():
    data = synthetic_graph(200, 150, 8.0, num_topics=5, text_channels=16)
    store = data['user', 'interacts', 'item']
    user, item = store.edge_index
    assert data['user'].x.size() == (200, 16)
    assert data['item'].x.size() == (150, 16)
    assert torch.allclose(data['item'].x.norm(dim=-1), torch.ones(150))
    assert len(data['item'].category) == 150
    assert torch.equal(data['item', 'rev_interacts', 'user'].edge_index,
                       store.edge_index.flip(0))
    assert store.time.size() == (user.numel(), )
    # No pair twice; about the asked interactions per user.
    assert torch.unique(user * 150 + item).numel() == user.numel()
    assert 6.0 < user.numel() / 200 < 10.0
    assert int(torch.bincount(user, minlength=200).min()) >= 1
    # Planted interests: each user's items come from its two topics.
    category = torch.tensor([int(c.split()[1])
                             for c in data['item'].category])
    for u in range(200):
        assert category[item[user == u]].unique().numel() <= 2
    # Item texts reveal their topic.
    x = F.normalize(data['item'].x, dim=-1)
    same = category.view(-1, 1) == category.view(1, -1)
    sim = x @ x.t()
    assert sim[same].mean() > sim[~same].mean() + 0.2


def test_synthetic_graph_is_seeded_and_densifies():
    a, b = synthetic_graph(50, 40, 4.0, seed=3), synthetic_graph(50, 40, 4.0,
                                                                 seed=3)
    et = ('user', 'interacts', 'item')
    assert torch.equal(a[et].edge_index, b[et].edge_index)
    assert torch.equal(a['user'].x, b['user'].x)
    c = synthetic_graph(50, 40, 4.0, seed=4)
    assert not torch.equal(a['user'].x, c['user'].x)
    sparse = PerUserSplit()(synthetic_graph(300, 200, 2.0))
    dense = PerUserSplit()(synthetic_graph(300, 200, 20.0))

    def cold_share(data):
        store = data[et]
        warm = torch.bincount(store.edge_index[1], minlength=200) > 0
        return float((~warm[store.test_edge_label_index[1]]).float().mean())

    assert cold_share(dense) < cold_share(sparse)


def test_synthetic_graph_names():
    data = synthetic_graph(30, 20, 3.0, user_type='customer',
                           item_type='product', relation='buys')
    assert interaction_edge_type(data) == ('customer', 'buys', 'product')
    split = PerUserSplit()(data)
    assert 'test_edge_label_index' in split['customer', 'buys', 'product']


@pytest.mark.parametrize('kwargs,match', [
    ({'interactions_per_user': 0.5}, "'interactions_per_user' must be in"),
    ({'interactions_per_user': 30.0}, 'half the items'),
    ({'topics_per_user': 30}, "'topics_per_user' must be in"),
    ({'num_users': 0}, 'must be positive'),
])
def test_synthetic_graph_errors(kwargs, match):
    with pytest.raises(UsageError, match=match):
        synthetic_graph(**{'num_users': 20, 'num_items': 40, **kwargs})
