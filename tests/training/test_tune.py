import pytest

from lgir_pyg.config import load_config
from lgir_pyg.errors import UsageError
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.training.tune import _candidates, search_space, tune


class RecordingEvaluator(Evaluator):
    r"""An evaluator that records the splits it evaluates."""
    def evaluate(self, score, split='val', *args, **kwargs):
        self.splits = getattr(self, 'splits', []) + [split]
        return super().evaluate(score, split, *args, **kwargs)


def test_search_space():
    lightgcn = search_space('lightgcn')
    assert set(lightgcn) == {'train.lr', 'model_kwargs.embedding_dim',
                             'model_kwargs.num_layers',
                             'model_kwargs.lambda_reg'}
    # BPR-MF is LightGCN with num_layers=0 fixed by the registry.
    assert set(search_space('bprmf')) == set(lightgcn) - {
        'model_kwargs.num_layers'}
    assert 'model_kwargs.id_lr_scale' in search_space('lgir-nogan')
    assert 'train.lambda_gan' not in search_space('lgir-nogan')
    assert {'train.lambda_gan', 'model_kwargs.gan_at'} <= set(
        search_space('lgir'))
    assert 'train.lambda_gan' in search_space('lgir-text')
    assert search_space('pop') == {} and search_space('job-mean') == {}


def test_candidates():
    space = {'a': [1, 2, 3], 'b': ['x', 'y']}
    every = _candidates(space, {'a': 2, 'b': 'y'}, 10, 0)
    assert every[0] == {'a': 2, 'b': 'y'} and len(every) == 6
    assert len({tuple(p.values()) for p in every}) == 6
    some = _candidates(space, {'a': 2, 'b': 'y'}, 3, 0)
    assert len(some) == 3 and some[0] == {'a': 2, 'b': 'y'}
    assert some == _candidates(space, {'a': 2, 'b': 'y'}, 3, 0)
    # Defaults outside the grid still come first.
    assert _candidates(space, {'a': 9, 'b': 'x'}, 2, 0)[0] == {'a': 9,
                                                               'b': 'x'}


def test_tune_on_validation_only(rec_graph, tmp_path):
    evaluator = RecordingEvaluator(rec_graph)
    space = {'train.lr': [1e-3, 1e-1], 'model_kwargs.embedding_dim': [4]}
    config = load_config('lightgcn', overrides={'train.epochs': 3})
    result = tune('lightgcn', rec_graph, trials=5, seeds=2, space=space,
                  config=config, evaluator=evaluator)
    assert set(evaluator.splits) == {'val'}
    # The starting config (embedding_dim 64) first, then the grid.
    assert [tuple(t['params'].values()) for t in result.trials] == [
        (1e-3, 64), (1e-3, 4), (1e-1, 4)]
    for trial in result.trials:
        assert len(trial['values']) == 2
        assert trial['mean'] == pytest.approx(sum(trial['values']) / 2)
    best = max(result.trials, key=lambda t: t['mean'])
    assert result.best is best
    assert result.config is config
    assert config.train['lr'] == best['params']['train.lr']
    assert config.model_kwargs['embedding_dim'] == best['params'][
        'model_kwargs.embedding_dim']
    assert config.train['epochs'] == 3  # Kept from the starting config.
    table = result.format()
    assert table.count('\n') == 4 and table.count('**chosen**') == 1
    # The chosen config is a file `lgir train --config` reads.
    path = tmp_path / 'chosen.yaml'
    path.write_text(config.to_yaml())
    again = load_config('lightgcn', str(path))
    assert again.train == config.train
    assert again.model_kwargs == config.model_kwargs


def test_tune_without_space(rec_graph):
    result = tune('job-mean', rec_graph, config=load_config('job-mean'))
    assert result.trials == [] and result.config.model == 'job-mean'


def test_tune_errors(rec_graph):
    with pytest.raises(UsageError, match="Unknown keys in 'space'"):
        tune('lightgcn', rec_graph, space={'train.lrr': [1.0]},
             config=load_config('lightgcn'))
    with pytest.raises(UsageError, match="a config of model 'bprmf'"):
        tune('lightgcn', rec_graph, config=load_config('bprmf'))
    with pytest.raises(UsageError, match="must be positive"):
        tune('lightgcn', rec_graph, trials=0,
             config=load_config('lightgcn'))
