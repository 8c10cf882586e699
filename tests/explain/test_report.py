import pytest

from lgir_pyg.errors import UsageError
from lgir_pyg.explain import explain, format_explanations, plot_explanations
from lgir_pyg.models import build_model

EDGE_TYPE = ('user', 'interacts', 'job')


def test_format(graph, randomize):
    model = randomize(build_model('lgir-text', graph, use_id=True,
                                  num_layers=2, text_init='random'))
    out = explain(model, graph, 0, k=2, user_text='resume_irc')
    text = format_explanations(out, graph, EDGE_TYPE, 'lgir', 'resume_irc',
                               top=2)
    lines = text.splitlines()
    assert lines[0] == ('Why user u0 is shown these job items (lgir; items '
                        'already seen left out).')
    assert lines[1] == ('Each score is the exact sum of the contributions '
                        'listed under it.')
    first = out[0]
    assert lines[2] == (f'  1. Job {first.item} [j{first.item}]  score '
                        f'{first.score:+.4f}')
    assert lines[3].endswith('  own text (resume_irc)')
    assert lines[4].endswith('  own ID embedding')
    graph_terms = [c for c in first.contributions if c.path == 'graph']
    top = graph_terms[0]
    assert lines[5] == (f'       {top.value:+.4f}  training job: Job '
                        f'{top.item} [j{top.item}] (text '
                        f'{top.parts["text"]:+.4f}, id '
                        f'{top.parts["id"]:+.4f})')
    rest = sum(c.value for c in graph_terms[2:])
    assert lines[7] == f'       {rest:+.4f}  4 more training items'
    assert lines[8].startswith('       ') and 'other paths' in lines[8]
    assert lines[9] == f'       {first.total():+.4f}  sum'
    # "python developer who likes jobs at company 1": plurals match too.
    assert lines[10] == '     matching words: jobs, company'


def test_plot(graph, tmp_path, randomize):
    model = randomize(build_model('lgir-text', graph, use_id=True,
                                  num_layers=2, text_init='random'))
    out = explain(model, graph, 0, k=3, user_text='resume_irc')
    path = tmp_path / 'pictures' / 'why.png'
    drawn = plot_explanations(out, graph, EDGE_TYPE, str(path), max_items=4)
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    # The user, own text, own ID, 4 of 6 training jobs, "2 more", other
    # paths and 3 recommended jobs.
    assert drawn.number_of_nodes() == 1 + 2 + 4 + 1 + 1 + 3
    for e in out:
        weights = [w for _, _, w in drawn.in_edges(('rec', e.item),
                                                   data='weight')]
        assert len(weights) == 8
        assert sum(weights) == pytest.approx(e.score, rel=1e-5, abs=1e-6)
    with pytest.raises(UsageError, match='no recommendations'):
        plot_explanations([], graph, EDGE_TYPE, str(path))
