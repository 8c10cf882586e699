import subprocess
import sys

import pytest
import torch

from lgir_pyg.errors import DataError
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import (MODELS, ModelSpec, build_model, item_mean,
                             model_spec, popularity)
from lgir_pyg.transforms import feature_name

WITH_TEXT = [name for name, spec in MODELS.items() if spec.user_text]


def test_registry():
    assert list(MODELS) == ['pop', 'bprmf', 'lightgcn', 'text', 'job-mean',
                            'lightgcn-text', 'prompt-text', 'lgir-src',
                            'lgir-nogan', 'lgir', 'lgir-text']
    assert model_spec('lgir').user_text == 'resume_irc'
    assert {name: model_spec(name).user_text for name in WITH_TEXT} == {
        'text': 'text', 'job-mean': 'text', 'lightgcn-text': 'text',
        'prompt-text': 'context', 'lgir-src': 'resume_src',
        'lgir-nogan': 'resume_irc', 'lgir': 'resume_irc',
        'lgir-text': 'resume_irc'}
    with pytest.raises(ValueError, match="Unknown model 'gpt'; valid names: "
                       "pop, bprmf, lightgcn, text"):
        model_spec('gpt')
    with pytest.raises(ValueError, match='Unknown model'):
        build_model('gpt', None)


@pytest.mark.parametrize('name', list(MODELS))
def test_every_model_scores(rec_graph, name):
    model = build_model(name, rec_graph)
    assert model.edge_type == ('user', 'interacts', 'job')
    scores = model.scorer()(torch.tensor([0, 3]))
    assert scores.shape == (2, 12) and torch.isfinite(scores).all()
    item_scores = model.scorer('item')(torch.tensor([1]))
    assert torch.allclose(item_scores[0], model.scorer()(
        torch.arange(6))[:, 1])
    out = Evaluator(rec_graph, num_sampled_negatives=3).evaluate(
        model.scorer(), 'test', 'sampled')
    assert out['count'] == 6


@pytest.mark.parametrize('name', WITH_TEXT)
def test_text_models_read_their_features(rec_graph, name):
    attr = feature_name(model_spec(name).user_text)
    del rec_graph['user'][attr]
    with pytest.raises(DataError, match=f"data\\['user'\\] has no feature "
                       f"matrix '{attr}'; add it with lgir_pyg.transforms"):
        build_model(name, rec_graph)
    rec_graph['user'][attr] = torch.randn(6, 8)
    rec_graph['job'].x = torch.randn(11, 8)
    with pytest.raises(DataError, match=r"data\['job'\].x must have shape "
                       r"\[12, F\]"):
        build_model(name, rec_graph)
    rec_graph['job'].x = torch.randn(12, 8)
    rec_graph['user'][attr][2, 0] = float('nan')
    with pytest.raises(DataError, match=f"{attr} contains NaN"):
        build_model(name, rec_graph)
    # Large but finite values are fine.
    rec_graph['user'][attr][2, 0] = 3e38
    build_model(name, rec_graph)


def test_registered_builders_and_defaults():
    # Builders are named by import path and imported when built.
    assert model_spec('pop').build is popularity
    assert model_spec('bprmf').build.keywords == {'num_layers': 0}
    assert model_spec('job-mean').build.func is item_mean
    assert model_spec('job-mean').build.keywords == {'user_features': 'x'}
    assert model_spec('lgir-text').build.keywords == {
        'user_features': 'x_irc', 'gan': True}
    assert model_spec('lightgcn').train == {'lr': 1e-3, 'epochs': 300}
    assert model_spec('lgir').train == {'lr': 3e-5, 'epochs': 100,
                                        'patience': 5}
    assert model_spec('lgir-text').train == {'lr': 1e-4, 'epochs': 50,
                                             'patience': 3}
    # A model of your own: a builder or its import path.
    assert ModelSpec(item_mean, 'context', 'mine').build.keywords == {
        'user_features': 'x_context'}
    spec = ModelSpec('lgir_pyg.models.text_recommenders:text_cosine', None,
                     'mine', kwargs={'user_features': 'x'})
    assert spec.build.func.__name__ == 'text_cosine'


def test_the_registry_loads_no_torch():
    code = (
        'import sys\n'
        'from lgir_pyg.models import MODELS, model_spec\n'
        'print([m for m in sys.modules if m.split(".")[0] == "torch"])\n'
        'model_spec("lgir").description\n'
        'print([m for m in sys.modules if m.split(".")[0] == "torch"])\n'
        'from lgir_pyg.models import HybridRecommender\n'
        'print("torch" in sys.modules)\n')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out == ['[]', '[]', 'True']

