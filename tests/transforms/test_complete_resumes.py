import torch

from lgir_pyg.llm import ResumePrompts
from lgir_pyg.transforms import user_prompts


def test_no_held_out_item_reaches_a_prompt(tiny_graph):
    store = tiny_graph['user', 'interacts', 'job']
    held_out = torch.cat([store.val_edge_label_index,
                          store.test_edge_label_index], dim=1)
    prompts = user_prompts(tiny_graph, ResumePrompts('irc', k=5))
    for user, job in held_out.t().tolist():
        assert tiny_graph['job'].text[job] not in prompts[user]
    for user, job in store.edge_index.t().tolist():
        assert tiny_graph['job'].text[job] in prompts[user]


def test_user_prompts_are_the_prompts_of_the_graphs_texts(tiny_graph):
    irc = ResumePrompts('irc', k=2)
    assert user_prompts(tiny_graph, irc) == irc.build(
        tiny_graph['user'].text, [[tiny_graph['job'].text[j]]
                                  for j in (4, 1, 2, 3)])
    src = ResumePrompts('src')
    del tiny_graph['job'].text  # SRC shows no item, so needs no item text.
    assert user_prompts(tiny_graph, src) == src.build(
        tiny_graph['user'].text)
