import os.path as osp

import pytest

from lgir_pyg.config import load_config
from lgir_pyg.errors import DataError
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import build_model
from lgir_pyg.pipeline import (add_model_inputs, dataset_name, load_dataset,
                               needed_texts, open_dataset, prepare_data)

SHOP = osp.join(osp.dirname(osp.abspath(__file__)), 'data', 'shop',
                'shop.yaml')


@pytest.fixture
def shop(tmp_path):
    config = load_config(None, SHOP, {'data.root': str(tmp_path)})
    return load_dataset(config.data_config)


def test_load_dataset_of_own_tables(shop, tmp_path):
    assert dataset_name(shop) == 'shop' and shop.root == str(tmp_path)
    data = shop[0]
    assert data.edge_types == [('customer', 'buys', 'product'),
                               ('product', 'rev_buys', 'customer')]
    assert data['product'].category[:3] == ['cycling', 'cycling', 'kitchen']
    assert data['customer'].segment[2] == 'business'
    store = data['customer', 'buys', 'product']
    assert store.test_edge_label_index.size(1) == 4


def test_needed_texts():
    assert needed_texts(['pop', 'lightgcn']) == []
    assert needed_texts(['lgir', 'lgir-nogan', 'prompt-text', 'text']) == [
        'context', 'resume_irc', 'text']


def test_add_model_inputs(shop, toy_encoder, tmp_path):
    made = []

    def encoder():
        made.append(1)
        return toy_encoder

    data = add_model_inputs(shop[0], ['job-mean', 'prompt-text'], encoder,
                            cache_dir=str(tmp_path / 'emb'))
    assert made == [1]  # One encoder for every text.
    assert data['product'].x.shape == (9, 3)
    assert data['customer'].x.shape == (4, 3)
    assert data['customer'].context[1].startswith('USB rechargeable')
    assert data['customer'].x_context.shape == (4, 3)
    # Nothing is encoded twice, and the models read what was added.
    assert add_model_inputs(data, ['job-mean'], encoder) is data
    assert made == [1]
    for name in ('job-mean', 'prompt-text'):
        model = build_model(name, data)
        assert model.edge_type == ('customer', 'buys', 'product')
        assert Evaluator(data).evaluate(model.scorer(), 'test')['count'] == 4


def test_resumes_need_a_generator(shop, toy_encoder):
    with pytest.raises(DataError, match=r"data\['customer'\] has no "
                       r"'resume_irc' for the models \['lgir'\]; complete "
                       r"the resumes first"):
        add_model_inputs(shop[0], ['lgir'], lambda: toy_encoder)


def test_open_and_prepare_data(tmp_path):
    config = load_config(None, SHOP, {'data.root': str(tmp_path)})
    dataset, data, root = open_dataset(config)
    assert dataset_name(dataset) == 'shop' and root == str(tmp_path)
    assert 'x' not in data['product']
    # With the configured (bundled) encoder, cached under the root.
    dataset, data, root = prepare_data(config, ['pop', 'job-mean'])
    assert data['product'].x.shape == (9, 384)
    assert data['customer'].x.shape == (4, 384)
    assert osp.isdir(osp.join(root, 'embeddings'))
