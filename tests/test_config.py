import os.path as osp

import pytest

from lgir_pyg.config import RunConfig, load_config
from lgir_pyg.errors import ConfigError
from lgir_pyg.models import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.mark.parametrize('name', list(MODELS))
def test_defaults(name):
    config = load_config(name)
    assert isinstance(config, RunConfig)
    assert (config.model, config.seed) == (name, 0)
    # Trainer's defaults, updated by the registered ones; no seed twice.
    assert config.train['batch_size'] == 1024 and 'seed' not in config.train
    for key, value in MODELS[name].train.items():
        assert config.train[key] == value
    assert str(config) == config.to_yaml()


def test_model_kwargs_from_signature():
    assert load_config('pop').model_kwargs == {}
    assert load_config('lightgcn').model_kwargs == {
        'embedding_dim': 64,
        'num_layers': 3,
        'lambda_reg': 1e-4,
        'mask_targets': True
    }
    # Keywords of a functools.partial are its defaults.
    assert load_config('bprmf').model_kwargs['num_layers'] == 0
    config = load_config('lgir-text')
    assert config.model_kwargs['gan'] is True
    assert config.model_kwargs['text_init'] == 'identity'
    assert config.train['lr'] == 1e-4 and config.train['epochs'] == 50
    config = load_config('lgir')  # The ID + text hybrid.
    assert config.model_kwargs['gan'] is True
    assert config.model_kwargs['id_dim'] == 64
    assert config.train['lr'] == 3e-5 and config.train['epochs'] == 100


def test_precedence(tmp_path):
    path = tmp_path / 'run.yaml'
    path.write_text('model: lightgcn\nseed: 3\nmodel_kwargs:\n  num_layers: 2'
                    '\ntrain:\n  lr: 1e-2\n  epochs: 7\n')
    config = load_config('lightgcn', str(path))
    assert config.seed == 3 and config.model_kwargs['num_layers'] == 2
    # YAML reads 1e-2 as text; it becomes the default's float.
    assert config.train['lr'] == 0.01 and config.train['epochs'] == 7

    config = load_config('lightgcn', str(path), {
        'train.epochs': '9',
        'seed': 4,
        'model_kwargs.mask_targets': 'false',
        'train.d_lr': '5e-4',
        'train.monitor': 'mrr',
    })
    assert config.seed == 4 and config.train['epochs'] == 9
    assert config.train['lr'] == 0.01  # From the file.
    assert config.model_kwargs['mask_targets'] is False
    assert config.train['d_lr'] == 5e-4 and config.train['monitor'] == 'mrr'
    assert config.model_kwargs['embedding_dim'] == 64  # The default.


def test_none_defaults_read_yaml():
    config = load_config('lgir-text', overrides={
        'model_kwargs.embedding_dim': '128',
        'model_kwargs.gan_kwargs': '{k1: 1, k2: 3}',
    })
    assert config.model_kwargs['embedding_dim'] == 128
    assert config.model_kwargs['gan_kwargs'] == {'k1': 1, 'k2': 3}


def test_round_trip(tmp_path):
    config = load_config('lgir', overrides={'seed': 5, 'train.lr': 0.003})
    path = tmp_path / 'lgir.yaml'
    path.write_text(config.to_yaml())
    assert load_config('lgir', str(path)) == config
    assert config.to_dict()['train']['lr'] == 0.003


def test_example_file_holds_the_defaults():
    path = osp.join(ROOT, 'benchmarks', 'configs', 'lgir.yaml')
    assert load_config('lgir', path) == load_config('lgir')


@pytest.mark.parametrize('overrides,match', [
    ({'train.lrr': '1'}, r"Unknown key 'train.lrr' in the overrides; valid "
     r"keys: train.epochs, train.batch_size, train.lr"),
    ({'sed': '1'}, r"Unknown key 'sed' in the overrides; valid keys: model, "
     r"seed, model_kwargs, train"),
    ({'model_kwargs.gan_kwargs.k1': '1'}, "Unknown key "
     "'model_kwargs.gan_kwargs.k1'"),
    ({'train.epochs': 'ten'}, r"'train.epochs' in the overrides must be of "
     r"type int like its default 100 \(got 'ten'\)"),
    ({'train.epochs': '1.5'}, "'train.epochs'.*must be of type int"),
    ({'model_kwargs.mask_targets': 'maybe'}, "must be of type bool"),
    ({'train.lr': 'fast'}, "'train.lr'.*must be of type float"),
    ({'model': 'lightgcn'}, "is a config of model 'lightgcn', not 'lgir'"),
])
def test_bad_overrides(overrides, match):
    with pytest.raises(ValueError, match=match):
        load_config('lgir', overrides=overrides)


@pytest.mark.parametrize('text,match', [
    ('train:\n  lrr: 1\n', r"Unknown key 'train.lrr' in .*bad.yaml; valid "
     r"keys: train.epochs"),
    ('epochs: 3\n', r"Unknown key 'epochs' in .*bad.yaml; valid keys: "
     r"model, seed"),
    ('model: bprmf\n', "bad.yaml is a config of model 'bprmf'"),
    ('train: 3\n', "'train' in .*bad.yaml must be a mapping"),
    ('seed: true\n', "'seed' in .*bad.yaml must be of type int"),
    ('- seed\n', 'bad.yaml must hold a mapping'),
])
def test_bad_file(tmp_path, text, match):
    path = tmp_path / 'bad.yaml'
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_config('lgir', str(path))


def test_empty_file_and_unknown_model(tmp_path):
    path = tmp_path / 'empty.yaml'
    path.write_text('')
    assert load_config('lgir', str(path)) == load_config('lgir')
    with pytest.raises(ValueError, match="Unknown model 'gpt'"):
        load_config('gpt')


@pytest.mark.parametrize('overrides,match', [
    ({'train.batch_size': '0'}, r"'train.batch_size' must be a positive "
     r"integer \(got 0\)"),
    ({'train.lr': 'nan'}, "'train.lr' must be a positive finite number"),
    ({'model_kwargs.id_layers': '-1'}, "'model_kwargs.id_layers' must be "
     "a non-negative integer"),
    ({'model_kwargs.id_dim': '0'}, "'model_kwargs.id_dim' "
     "must be a positive integer"),
    ({'model_kwargs.id_lr_scale': '0'}, "'model_kwargs.id_lr_scale' "
     "must be a positive finite number"),
    ({'seed': '-1'}, "'seed' must be a non-negative integer"),
    ({'train.monitor': 'auc'}, "'train.monitor' must be one of"),
    ({'model_kwargs.gan_kwargs': '{k1: 5, k2: 5}'}, "gan_kwargs': The "
     "few-shot threshold 'k1' \\(5\\) must be smaller"),
    ({'model_kwargs.gan_kwargs': '{quality_threshold: 2}'},
     "quality_threshold"),
    ({'data.split': 'random', 'data.val_ratio': '0', 'data.test_ratio': '0'},
     r"'data.val_ratio' \+ 'data.test_ratio' must be in \(0, 1\)"),
    ({'data.users': 'u.csv'}, "'users', 'items' and 'interactions' go "
     "together"),
])
def test_check_ranges_before_any_work(overrides, match):
    config = load_config('lgir', overrides=overrides)
    with pytest.raises(ConfigError, match=match):
        config.check()


def test_check_passes_the_defaults():
    for name in MODELS:
        assert load_config(name).check().model == name
    assert load_config(None).check().model is None
