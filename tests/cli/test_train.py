import json

import pytest

from lgir_pyg.cli.main import build_parser, main


class TinyDataset:
    def __init__(self, root, data):
        self.root = root
        self.data = data

    def __getitem__(self, idx):
        return self.data


@pytest.fixture
def tiny_dataset(tmp_path, monkeypatch, make_rec_graph, toy_encoder):
    # Enough jobs for the 99 sampled negatives of the default evaluator.
    data = make_rec_graph(num_jobs=110)
    monkeypatch.setattr('lgir_pyg.datasets.KaggleJobViews',
                        lambda **kwargs: TinyDataset(str(tmp_path), data))
    monkeypatch.setattr('lgir_pyg.text.SentenceTransformerEncoder',
                        lambda: toy_encoder)
    return data


def test_arguments():
    args = build_parser().parse_args(['train', '--model', 'lightgcn'])
    # Unset shortcuts leave the config's values alone.
    assert (args.model, args.seed, args.epochs) == ('lightgcn', None, None)
    assert args.config is None and args.overrides == []
    assert args.output_json is None and args.save is None
    args = build_parser().parse_args([
        'train', '--model', 'lgir', '--set', 'train.lr=1e-3', '--set',
        'model_kwargs.gan_kwargs={k1: 1}'
    ])
    assert args.overrides == [('train.lr', '1e-3'),
                              ('model_kwargs.gan_kwargs', '{k1: 1}')]
    args = build_parser().parse_args(['recommend', '--user', '42'])
    assert (args.user, args.k, args.model) == ('42', 10, None)
    assert args.checkpoint is None


def test_unknown_model(capsys):
    with pytest.raises(SystemExit):
        main(['train', '--model', 'gpt'])
    err = capsys.readouterr().err
    assert "invalid choice: 'gpt'" in err and 'lightgcn-text' in err


def test_bad_set(capsys):
    with pytest.raises(SystemExit):
        main(['train', '--model', 'lightgcn', '--set', 'train.lr'])
    assert "expected KEY=VALUE (got 'train.lr')" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="Unknown key 'train.lrr' in the "
                       "overrides; valid keys: train.epochs"):
        main(['train', '--model', 'lightgcn', '--set', 'train.lrr=1'])


def test_train(tiny_dataset, tmp_path, capsys):
    path = tmp_path / 'result.json'
    assert main(['train', '--model', 'lightgcn', '--epochs', '2', '--seed',
                 '3', '--output-json', str(path)]) == 0
    out, err = capsys.readouterr()
    printed = json.loads(out)
    assert json.loads(path.read_text()) == printed
    assert printed['model'] == 'lightgcn' and printed['seed'] == 3
    # The resolved config is printed first and kept with the results.
    assert err.startswith('# config\nmodel: lightgcn\nseed: 3\n')
    config = printed['config']
    assert (config['model'], config['seed']) == ('lightgcn', 3)
    assert config['train']['epochs'] == 2 and config['train']['lr'] == 1e-3
    assert config['model_kwargs']['num_layers'] == 3
    assert set(printed['test']) == {'ndcg@5', 'map@5', 'mrr', 'recall@10',
                                    'recall@20', 'count'}
    assert printed['test']['count'] == 5 and printed['valid']['count'] == 2
    assert printed['test_sampled']['count'] == 6
    assert set(printed['test_groups']) == {'1', '2', '3-5', '6+'}
    assert printed['test_warm_cold']['cold']['count'] == 3
    assert printed['seconds_per_epoch'] > 0


def test_train_config_file(tiny_dataset, tmp_path, capsys):
    path = tmp_path / 'run.yaml'
    path.write_text('seed: 5\nmodel_kwargs:\n  embedding_dim: 8\ntrain:\n'
                    '  epochs: 3\n  lr: 1e-2\n')
    # Command line > file > defaults.
    assert main(['train', '--model', 'bprmf', '--config', str(path),
                 '--epochs', '1', '--set', 'train.lr=0.05']) == 0
    config = json.loads(capsys.readouterr().out)['config']
    assert config['seed'] == 5 and config['model_kwargs'] == {
        'embedding_dim': 8, 'num_layers': 0, 'lambda_reg': 1e-4,
        'mask_targets': True}
    assert config['train']['epochs'] == 1 and config['train']['lr'] == 0.05
    assert config['train']['batch_size'] == 1024

    with pytest.raises(SystemExit, match='No such file'):
        main(['train', '--model', 'bprmf', '--config',
              str(tmp_path / 'missing.yaml')])


def test_train_save_and_recommend(tiny_dataset, tmp_path, capsys):
    path = str(tmp_path / 'model.pt')
    # ID embeddings change the parameters: recommend rebuilds the model
    # with the checkpoint's config.
    assert main(['train', '--model', 'lightgcn-text', '--epochs', '1',
                 '--set', 'model_kwargs.use_id=true', '--save', path]) == 0
    # The toy encoder's embeddings are cached next to the dataset.
    assert (tmp_path / 'embeddings').is_dir()
    capsys.readouterr()

    assert main(['recommend', '--user', 'u4', '-k', '3', '--checkpoint',
                 path]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ('Top 3 jobs for user u4 (lightgcn-text), jobs '
                      'already seen left out:')
    assert len(out) == 4 and out[1].startswith('  1. ')
    # User u4 saw jobs 4 (training) and 9 (test).
    assert not any('Job 4 [' in line or 'Job 9 [' in line for line in out)

    with pytest.raises(SystemExit, match="holds model 'lightgcn-text', "
                       "not 'pop'"):
        main(['recommend', '--user', 'u4', '--checkpoint', path, '--model',
              'pop'])


def test_recommend_trains_without_checkpoint(tiny_dataset, capsys):
    assert main(['recommend', '--user', 'u0', '-k', '2', '--model',
                 'bprmf']) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith('Top 2 jobs for user u0 (bprmf)')
    assert len(out) == 3


def test_recommend_unknown_user(tiny_dataset):
    with pytest.raises(SystemExit, match="Unknown user 'u9': KaggleJobViews "
                       "has 6 users with ids such as 'u0', 'u1', 'u2'"):
        main(['recommend', '--user', 'u9', '--model', 'pop'])
