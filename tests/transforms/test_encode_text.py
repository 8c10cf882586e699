import pytest
from torch_geometric.data import HeteroData

from lgir_pyg.transforms import EncodeText


def get_data() -> HeteroData:
    data = HeteroData()
    data['user'].text = ['Python developer', '']
    data['user'].num_nodes = 2
    data['job'].text = ['Data engineer', 'Nurse', 'Cook at a diner']
    data['job'].num_nodes = 3
    return data


def test_encode_text(toy_encoder):
    transform = EncodeText(toy_encoder)
    assert str(transform) == 'EncodeText(toy, user.text, job.text)'
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
    with pytest.raises(KeyError, match="data\\['item'\\] has no attribute"):
        EncodeText(toy_encoder, node_types='item')(data)
    assert 'item' not in data.node_types
    with pytest.raises(KeyError, match="'resume'"):
        EncodeText(toy_encoder, text_attr='resume')(data)


def test_encode_text_cache(toy_encoder, tmp_path):
    transform = EncodeText(toy_encoder, cache_dir=str(tmp_path))
    x = transform(get_data())['job'].x
    assert toy_encoder.num_encoded == 5
    assert transform(get_data())['job'].x.equal(x)
    assert toy_encoder.num_encoded == 5


def test_encode_text_minilm(minilm):
    transform = EncodeText(minilm)
    assert str(transform) == ('EncodeText(sentence-transformers/'
                              'all-MiniLM-L6-v2, user.text, job.text)')
    data = transform(get_data())
    assert data['user'].x.size() == (2, 384)
    assert data['job'].x.size() == (3, 384)
