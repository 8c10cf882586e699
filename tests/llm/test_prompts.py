import pytest
import torch
from torch_geometric.data import HeteroData

from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.llm import ResumePrompts, recent_training_jobs, user_context
from lgir_pyg.llm.prompts import DEFAULT_INSTRUCTION, EMPTY_TEXT


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


def test_recent_training_jobs(tiny_graph):
    # Only training edges: u0 keeps j4 (its test j0 and val j1 are held out).
    assert recent_training_jobs(tiny_graph, k=5) == [[4], [1], [2], [3]]
    assert recent_training_jobs(tiny_graph, k=0) == [[], [], [], []]
    with pytest.raises(UsageError, match="'k'"):
        recent_training_jobs(tiny_graph, k=-1)


def test_no_held_out_job_reaches_a_prompt(tiny_graph):
    store = tiny_graph['user', 'interacts', 'job']
    held_out = torch.cat([store.val_edge_label_index,
                          store.test_edge_label_index], dim=1)
    prompts = ResumePrompts('irc', k=5).build(tiny_graph)
    for user, job in held_out.t().tolist():
        assert tiny_graph['job'].text[job] not in prompts[user]
    for user, job in store.edge_index.t().tolist():
        assert tiny_graph['job'].text[job] in prompts[user]


def test_recency_order_and_k(tables):
    from lgir_pyg.datasets import from_tables
    data = from_tables(*tables)  # Unsplit: u0 viewed j4, j1, j0 in order.
    assert recent_training_jobs(data, k=2)[0] == [0, 1]
    prompt = ResumePrompts('irc', k=2).build(data)[0]
    assert prompt.index('Cashier @ Target') < prompt.index('Server @ Haven')
    assert 'Barista' not in prompt


def test_src_and_irc_prompts(tiny_graph):
    builder = ResumePrompts('src')
    prompts = builder.build(tiny_graph)
    assert prompts[0].startswith("Write this job seeker's resume")
    assert prompts[0].endswith('Self-description: Cashier at Safeway.')
    assert 'viewed' not in prompts[0]
    assert EMPTY_TEXT in prompts[1]  # An empty self-description is said so.
    assert str(builder) == 'ResumePrompts(src-v2)'
    irc = ResumePrompts('irc').build(tiny_graph)
    assert irc[0].startswith(prompts[0])
    assert irc[0].endswith('Jobs they recently viewed:\n- Barista @ Blue\n'
                           'Infer their skills and preferences from these '
                           'jobs.')
    assert ResumePrompts('irc', k=3).version == 'irc-v2-k3'


def test_truncation_is_counted(tiny_graph):
    tiny_graph['user'].text[2] = 'nurse ' * 200
    builder = ResumePrompts('irc', max_text_chars=50, max_job_chars=5)
    prompts = builder.build(tiny_graph)
    assert 'nurse nurse' in prompts[2] and prompts[2].count('nurse') < 12
    assert builder.num_truncated == 1 + 4  # One text, every job.
    assert builder.version == 'irc-v2-c50-5'


def test_any_node_and_edge_type_names():
    data = shop_graph()
    builder = ResumePrompts('irc', user_name='customer',
                            item_name='products', interaction_name='bought')
    prompts = builder.build(data)
    assert prompts[0] == (
        "Write this customer's resume: their skills, their experience in "
        'one sentence, and the products they want. Use only the facts '
        'below; do not invent employers, dates, years or degrees.\n'
        'Self-description: Likes hiking.\n'
        'Products they recently bought:\n- Boots\n- Tent\n'
        'Infer their skills and preferences from these products.')
    assert prompts[1].endswith('bought:\n- Stove\nInfer their skills and '
                               'preferences from these products.')
    assert recent_training_jobs(data) == [[1, 0], [2]]
    assert user_context(data) == ['Likes hiking. Boots. Tent', 'Stove']
    # The wording keys the cache: a short hash of it joins the version.
    version = builder.version
    assert version.startswith('irc-v2-t') and len(version) == 16
    assert ResumePrompts('irc', user_name='shopper').version != version
    assert ResumePrompts('irc', instruction=DEFAULT_INSTRUCTION + ' Be '
                         'brief.').version not in (version, 'irc-v2')


def test_explicit_edge_type():
    data = shop_graph()
    data['customer', 'rates', 'product'].edge_index = torch.tensor([[1], [0]])
    with pytest.raises(DataError, match="pass 'edge_type'"):
        ResumePrompts('irc').build(data)
    prompts = ResumePrompts('irc', edge_type=('customer', 'rates',
                                              'product')).build(data)
    assert prompts[1].endswith('viewed:\n- Tent\nInfer their skills and '
                               'preferences from these jobs.')


def test_bad_input(tiny_graph):
    with pytest.raises(UsageError, match="'mode'"):
        ResumePrompts('fancy')
    with pytest.raises(UsageError, match="'instruction' may use only"):
        ResumePrompts(instruction='Describe this {person}.')
    tiny_graph['user'].text[3] = 7
    with pytest.raises(DataError, match=r"text\[3\] must be a string"):
        ResumePrompts('src').build(tiny_graph)
    tiny_graph['user'].text[3] = 'Cook'
    del tiny_graph['job'].text
    with pytest.raises(DataError, match="data\\['job'\\] has no 'text'"):
        ResumePrompts('irc').build(tiny_graph)


def test_user_context(tiny_graph):
    context = user_context(tiny_graph, k=5)
    assert context[0] == 'Cashier at Safeway. Barista @ Blue'
    assert context[1] == 'Server @ Haven'  # Empty text: the jobs alone.
