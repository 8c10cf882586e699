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


@pytest.mark.parametrize('raw,match', [
    (b'seed: 1\ntrain:\n  lr: 0.1\n  epochs: 2\n  lr: 0.2\n',
     r"bad.yaml', line 5: key 'lr' is given twice \(first on line 3\)"),
    (b'seed: 1\nseed: 2\n', r"line 2: key 'seed' is given twice"),
    (b'data:\n  name: caf\xe9\n', r"bad.yaml', line 2: byte 0xe9 is not "
     r"UTF-8"),
    (b'prompts:\n  user_nam: x\n', r"Unknown key 'prompts.user_nam' in "
     r".*bad.yaml; valid keys: prompts.k, "),
    (b'llm:\n  max_new_tokens: lots\n', r"'llm.max_new_tokens' in "
     r".*bad.yaml must be of type int like its default"),
    (b'llm:\n  temperature: hot\n', "'llm.temperature'.*must be of type "
     "float"),
    (b'encoder:\n  batch_size: big\n', "'encoder.batch_size'.*must be of "
     "type int"),
])
def test_bad_file_contents(tmp_path, raw, match):
    path = tmp_path / 'bad.yaml'
    path.write_bytes(raw)
    # Also for a command that trains no model.
    for model in ('lgir', None):
        with pytest.raises(ConfigError, match=match):
            load_config(model, str(path))


def test_utf8_file_with_bom(tmp_path):
    path = tmp_path / 'bom.yaml'
    path.write_bytes('\ufeffdata:\n  name: café\n'.encode('utf-8'))
    assert load_config(None, str(path)).data['name'] == 'café'


def test_llm_and_prompt_values_are_typed():
    config = load_config(None, overrides={
        'llm.max_new_tokens': '8', 'llm.temperature': '0', 'llm.device':
        'cpu', 'llm.retries': '0', 'prompts.k': '3',
        'prompts.user_name': 'customer'}).check()
    assert config.llm == {'max_new_tokens': 8, 'temperature': 0.0,
                          'device': 'cpu', 'retries': 0}
    assert config.prompts == {'k': 3, 'user_name': 'customer'}


@pytest.mark.parametrize('overrides,match', [
    # Each backend takes its own options.
    ({'llm.base_url': 'http://127.0.0.1:1/v1'}, r"'llm.base_url' does not "
     r"apply to the 'hf' backend"),
    ({'llm.backend': 'openai', 'llm.model': 'm', 'llm.gguf_file': 'x'},
     r"'llm.gguf_file' does not apply to the 'openai' backend"),
    ({'llm.backend': 'gpt'}, r"'llm.backend' must be one of \['hf', "
     r"'openai'\]"),
    ({'prompts.k': '0'}, r"prompts: 'k' must be positive \(got 0\); a prompt "
     r"without interactions is mode='src'"),
    # GANRefine's own checks, through a tiny instance.
    ({'model_kwargs.gan_kwargs': '{dropout: 1.5}'},
     r"'model_kwargs.gan_kwargs': 'dropout' must be a finite number in "
     r"\[0, 1\) \(got 1.5\)"),
    ({'model_kwargs.gan_kwargs': '{k1: -1}'},
     r"'model_kwargs.gan_kwargs': 'k1' must be an integer >= 0 \(got -1\)"),
    ({'model_kwargs.embedding_dim': '0'},
     r"'model_kwargs.embedding_dim' must be a positive integer"),
])
def test_check_components_before_any_work(overrides, match):
    # A command without a model (lgir pipeline, lgir bench) checks its
    # values as one with a model does.
    for model in ('lgir', None):
        values = {k: v for k, v in overrides.items()
                  if model is None or k != 'model_kwargs.embedding_dim'}
        if not values:
            continue
        with pytest.raises(ConfigError, match=match):
            load_config(model, overrides=values).check()


def test_config_of_no_model_knows_every_key():
    # Trainer's keys and every registered builder's are known, others not.
    config = load_config(None, overrides={'train.lr': '0.01',
                                          'model_kwargs.id_dim': '32',
                                          'model_kwargs.embedding_dim': '16'})
    assert config.train == {'lr': 0.01}
    assert config.model_kwargs == {'id_dim': 32, 'embedding_dim': 16}
    with pytest.raises(ConfigError, match="Unknown key 'train.lrr'"):
        load_config(None, overrides={'train.lrr': '1'})
    with pytest.raises(ConfigError, match="Unknown key 'model_kwargs.nope'"):
        load_config(None, overrides={'model_kwargs.nope': '1'})

    # Each model takes the keys of its own builder.
    lightgcn = config.for_model('lightgcn')
    assert lightgcn.train['lr'] == 0.01 and lightgcn.train['epochs'] == 300
    assert lightgcn.model_kwargs['embedding_dim'] == 16
    assert 'id_dim' not in lightgcn.model_kwargs
    lgir = config.for_model('lgir')
    assert lgir.model_kwargs['id_dim'] == 32
    assert lgir.train['lr'] == 0.01
    assert lgir.train['epochs'] == load_config('lgir').train['epochs']


def test_unused_keys_by_source(tmp_path):
    path = tmp_path / 'run.yaml'
    path.write_text('seed: 2\ntrain:\n  lr: 0.01\nprompts:\n  k: 3\n'
                    'data:\n  split: random\n')
    config = load_config(None, str(path), {'model_kwargs.id_dim': '8',
                                           'encoder.batch_size': '4'})
    assert config.sources == {
        'seed': str(path), 'train.lr': str(path), 'prompts.k': str(path),
        'data.split': str(path), 'model_kwargs.id_dim': 'the overrides',
        'encoder.batch_size': 'the overrides'}
    assert config.unused({'data'}) == {
        str(path): ['seed', 'train.lr', 'prompts.k'],
        'the overrides': ['model_kwargs.id_dim', 'encoder.batch_size']}
    uses = {'data', 'seed', 'train', 'model_kwargs', 'encoder', 'prompts'}
    assert config.unused(uses) == {}
    # No model of lightgcn and pop takes id_dim.
    assert config.unused(uses, ['lightgcn', 'pop']) == {
        'the overrides': ['model_kwargs.id_dim']}
    assert config.unused(uses, ['lgir']) == {}
