import pytest
import torch
from torch_geometric.data import HeteroData

from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.transforms import recent_item_texts, recent_training_items
from lgir_pyg.transforms.recent_items import node_texts


def shop_graph() -> HeteroData:
    r"""Customers who bought products, with no job or user node type."""
    data = HeteroData()
    data['customer'].text = ['Likes hiking.', '']
    data['customer'].num_nodes = 2
    data['product'].text = ['Tent', 'Boots', 'Stove']
    data['product'].num_nodes = 3
    store = data['customer', 'buys', 'product']
    store.edge_index = torch.tensor([[0, 0, 1], [0, 1, 2]])
    store.time = torch.tensor([1, 2, 3])
    data['product', 'rev_buys', 'customer'].edge_index = \
        store.edge_index.flip(0)
    return data


def test_recent_training_items(tiny_graph):
    # Only training edges: u0 keeps j4 (its test j0 and val j1 are held out).
    assert recent_training_items(tiny_graph, k=5) == [[4], [1], [2], [3]]
    assert recent_training_items(tiny_graph, k=0) == [[], [], [], []]
    with pytest.raises(UsageError, match="'k'"):
        recent_training_items(tiny_graph, k=-1)


def test_recency_order_and_k(tables):
    from lgir_pyg.datasets import from_tables
    # Unsplit: u0 viewed j4, j1, j0 in order.
    data = from_tables(*tables, item_id_column='job_id', item_type='job')
    assert recent_training_items(data, k=2)[0] == [0, 1]
    assert recent_item_texts(data, k=2)[0] == [data['job'].text[0],
                                               data['job'].text[1]]


def test_any_node_and_edge_type_names():
    data = shop_graph()
    assert recent_training_items(data) == [[1, 0], [2]]
    assert recent_item_texts(data) == [['Boots', 'Tent'], ['Stove']]
    # Without timestamps the edges' order stands for time.
    del data['customer', 'buys', 'product'].time
    assert recent_training_items(data) == [[1, 0], [2]]
    data['customer', 'rates', 'product'].edge_index = torch.tensor([[1], [0]])
    with pytest.raises(DataError, match="pass 'edge_type'"):
        recent_training_items(data)
    assert recent_item_texts(data, edge_type=('customer', 'rates',
                                              'product')) == [[], ['Tent']]


def test_node_texts(tiny_graph):
    assert node_texts(tiny_graph, 'user') is tiny_graph['user'].text
    tiny_graph['user'].text[3] = 7
    with pytest.raises(DataError, match=r"text\[3\] must be a string"):
        node_texts(tiny_graph, 'user')
    del tiny_graph['job'].text
    with pytest.raises(DataError, match="data\\['job'\\] has no 'text'"):
        recent_item_texts(tiny_graph)
