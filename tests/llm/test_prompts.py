import pytest
import torch

from lgir_pyg.llm import ResumePrompts, recent_training_jobs, user_context
from lgir_pyg.llm.prompts import EMPTY_TEXT


def test_recent_training_jobs(tiny_graph):
    # Only training edges: u0 keeps j4 (its test j0 and val j1 are held out).
    assert recent_training_jobs(tiny_graph, k=5) == [[4], [1], [2], [3]]
    assert recent_training_jobs(tiny_graph, k=0) == [[], [], [], []]
    with pytest.raises(ValueError, match="'k'"):
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


def test_src_prompt(tiny_graph):
    builder = ResumePrompts('src')
    prompts = builder.build(tiny_graph)
    assert 'Cashier at Safeway.' in prompts[0]
    assert 'viewed' not in prompts[0]
    assert EMPTY_TEXT in prompts[1]  # An empty self-description is said so.
    assert str(builder) == 'ResumePrompts(src-v1)'
    assert ResumePrompts('irc', k=3).version == 'irc-v1-k3'


def test_truncation_is_counted(tiny_graph):
    tiny_graph['user'].text[2] = 'nurse ' * 200
    builder = ResumePrompts('irc', max_text_chars=50, max_job_chars=5)
    prompts = builder.build(tiny_graph)
    assert 'nurse nurse' in prompts[2] and prompts[2].count('nurse') < 12
    assert builder.num_truncated == 1 + 4  # One text, every job.
    assert builder.version == 'irc-v1-c50-5'


def test_bad_input(tiny_graph):
    with pytest.raises(ValueError, match="'mode'"):
        ResumePrompts('fancy')
    tiny_graph['user'].text[3] = 7
    with pytest.raises(TypeError, match=r"text\[3\] must be a string"):
        ResumePrompts('src').build(tiny_graph)


def test_user_context(tiny_graph):
    context = user_context(tiny_graph, k=5)
    assert context[0] == 'Cashier at Safeway. Barista @ Blue'
    assert context[1] == 'Server @ Haven'  # Empty text: the jobs alone.
