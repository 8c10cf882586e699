import torch

from lgir_pyg.transforms import InteractionContext, user_context


def test_user_context(tiny_graph):
    context = user_context(tiny_graph, k=5)
    assert context[0] == 'Cashier at Safeway. Barista @ Blue'
    assert context[1] == 'Server @ Haven'  # Empty text: the items alone.


def test_interaction_context(tiny_graph):
    transform = InteractionContext(k=1)
    assert str(transform) == 'InteractionContext(k=1)'
    # The transform reads its own edge type where the graph has two.
    tiny_graph['user', 'rates', 'job'].edge_index = torch.tensor([[0], [0]])
    out = InteractionContext(1, ('user', 'interacts', 'job'))(tiny_graph)
    assert out['user'].context == user_context(
        tiny_graph, 1, ('user', 'interacts', 'job'))
