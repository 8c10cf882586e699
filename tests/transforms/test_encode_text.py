import pytest
from torch_geometric.data import HeteroData

from lgir_pyg.errors import DataError
from lgir_pyg.transforms import EncodeText, feature_name


def get_data() -> HeteroData:
    data = HeteroData()
    data['user'].text = ['Python developer', '']
    data['user'].num_nodes = 2
    data['job'].text = ['Data engineer', 'Nurse', 'Cook at a diner']
    data['job'].num_nodes = 3
    return data


def test_encode_text(toy_encoder):
    transform = EncodeText(toy_encoder)
    assert str(transform) == 'EncodeText(toy, *.text)'
    data = transform(get_data())
    assert data['user'].x.tolist() == [[16, 2, 1], [0, 0, 1]]
    assert data['job'].x.size() == (3, 3)
    assert data['job'].text[0] == 'Data engineer'


def test_encode_text_node_types(toy_encoder):
    transform = EncodeText(toy_encoder, node_types='job')
    assert str(transform) == 'EncodeText(toy, job.text)'
    data = transform(get_data())
    assert 'x' not in data['user'] and data['job'].x.size() == (3, 3)


def test_encode_text_missing(toy_encoder):
    data = get_data()
    with pytest.raises(DataError, match="data\\['item'\\] has no attribute"):
        EncodeText(toy_encoder, node_types='item')(data)
    assert 'item' not in data.node_types
    with pytest.raises(DataError, match="texts 'resume'"):
        EncodeText(toy_encoder, text_attr='resume')(data)


def test_encode_text_sources_coexist(toy_encoder):
    data = get_data()
    data['user'].resume_irc = ['Skills: Python, SQL', 'Skills: cooking']
    data = EncodeText(toy_encoder)(data)
    transform = EncodeText(toy_encoder, 'user', 'resume_irc')
    assert str(transform) == 'EncodeText(toy, user.resume_irc)'
    data = transform(data)
    assert data['user'].x.tolist() == [[16, 2, 1], [0, 0, 1]]
    assert data['user'].x_irc.tolist() == [[19, 3, 1], [15, 2, 1]]
    assert 'x_irc' not in data['job']
    assert [feature_name(a) for a in ('text', 'resume_src', 'context')] == [
        'x', 'x_src', 'x_context']
    out = EncodeText(toy_encoder, 'job', out_attr='x_title')
    assert str(out) == 'EncodeText(toy, job.text, out_attr=x_title)'
    assert out(data)['job'].x_title.size() == (3, 3)


def test_encode_text_cache(toy_encoder, tmp_path):
    transform = EncodeText(toy_encoder, cache_dir=str(tmp_path))
    x = transform(get_data())['job'].x
    assert toy_encoder.num_encoded == 5
    assert transform(get_data())['job'].x.equal(x)
    assert toy_encoder.num_encoded == 5


def test_encode_text_minilm(minilm):
    transform = EncodeText(minilm)
    assert str(transform) == ('EncodeText(sentence-transformers/'
                              'all-MiniLM-L6-v2, *.text)')
    data = transform(get_data())
    assert data['user'].x.size() == (2, 384)
    assert data['job'].x.size() == (3, 384)
