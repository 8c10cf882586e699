import os.path as osp

import pytest

from lgir_pyg.config import load_config
from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.llm import (CachedGenerator, Completion, ResumePrompts,
                          TextGenerator)
from lgir_pyg.models import build_model
from lgir_pyg.pipeline import (add_model_inputs, attach_resumes,
                               dataset_name, load_dataset, needed_texts,
                               open_dataset, prepare_data, resume_counts,
                               stage_sections)
from lgir_pyg.transforms import user_prompts

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


class RecordingGenerator(TextGenerator):
    r"""A model-free backend that answers each prompt with a fixed
    well-formed resume and records the prompts it was sent."""
    name = 'recording'
    batch_size = 8

    def __init__(self) -> None:
        self.prompts = []

    @property
    def settings(self):
        return {}

    def generate(self, prompts, attempt=0):
        self.prompts += list(prompts)
        return [Completion('Likely skills: cycling\nInterests: bikes')
                for _ in prompts]


def test_resumes_made_elsewhere(shop, toy_encoder, caplog):
    data = shop[0]
    resumes = {'irc': {'c1': 'Skills: tandem repair', 'c3': 'Skills: ovens',
                       'zz': 'not a customer'}}
    with caplog.at_level('WARNING'):
        data = attach_resumes(data, resumes, "'r.jsonl'")
    assert "'r.jsonl': 1 of 3 irc resumes are of users not in the dataset " \
        "(e.g. 'zz'); they are left out" in caplog.text
    assert data['customer'].resume_irc == ['Skills: tandem repair', None,
                                           'Skills: ovens', None]
    assert 'resume_irc' not in shop[0]['customer']  # A copy was changed.
    assert resume_counts(data, 'resume_irc') == (2, 4)
    assert resume_counts(data, 'resume_src') == (0, 4)
    assert stage_sections(['lgir']) == {'data', 'encoder', 'llm', 'prompts'}
    assert stage_sections(['prompt-text']) == {'data', 'encoder', 'prompts'}
    assert stage_sections(['pop']) == {'data'}

    # Without the LLM, the users without a resume read their interaction
    # context, the text an IRC prompt shows.
    out = add_model_inputs(data, ['lgir-nogan'], lambda: toy_encoder,
                           missing_resumes='context')
    users = out['customer']
    assert users.resume_irc == ['Skills: tandem repair', users.context[1],
                                'Skills: ovens', users.context[3]]
    assert users.context[1].startswith('USB rechargeable')
    assert users.x_irc.shape == (4, 3)

    # With it, only the users without one are sent to the LLM.
    backend = RecordingGenerator()
    out = add_model_inputs(data, ['lgir-nogan'], lambda: toy_encoder,
                           lambda mode: CachedGenerator(backend))
    prompts = user_prompts(data, ResumePrompts('irc'))
    assert set(backend.prompts) == {prompts[1], prompts[3]}
    resumes = out['customer'].resume_irc
    assert resumes[0] == 'Skills: tandem repair'
    assert resumes[2] == 'Skills: ovens'
    assert all(isinstance(resumes[i], str) for i in (1, 3))
    with pytest.raises(UsageError, match="'missing_resumes' must be one of"):
        add_model_inputs(data, ['lgir'], lambda: toy_encoder,
                         missing_resumes='skip')
