import json

from lgir_pyg.cli.main import build_parser, main


def test_arguments():
    args = build_parser().parse_args(['train', '--model', 'lightgcn'])
    # Unset shortcuts leave the config's values alone.
    assert (args.model, args.seed, args.epochs) == ('lightgcn', None, None)
    assert args.config is None and args.overrides == []
    assert args.output_json is None and args.save is None
    assert args.data_users is None and args.data_time_column is None
    args = build_parser().parse_args([
        'train', '--model', 'lgir', '--set', 'train.lr=1e-3', '--set',
        'model_kwargs.gan_kwargs={k1: 1}', '--users', 'u.csv'
    ])
    assert args.overrides == [('train.lr', '1e-3'),
                              ('model_kwargs.gan_kwargs', '{k1: 1}')]
    assert args.data_users == 'u.csv'
    args = build_parser().parse_args(['recommend', '--user', '42'])
    assert (args.user, args.k, args.model) == ('42', 10, None)
    assert args.checkpoint is None


def test_bad_set(capsys):
    assert main(['train', '--model', 'lightgcn', '--set',
                 'train.lrr=1']) == 2
    assert ("Unknown key 'train.lrr' in the overrides; valid keys: "
            "train.epochs") in capsys.readouterr().err
    assert main(['train', '--model', 'lightgcn', '--set',
                 'data.userz=u.csv']) == 2
    assert "Unknown key 'data.userz'" in capsys.readouterr().err


def test_train_on_own_tables(shop, tmp_path, capsys):
    path = tmp_path / 'result.json'
    assert main(['train', '--model', 'lightgcn', '--epochs', '2', '--seed',
                 '3', '--output-json', str(path)] + shop) == 0
    out, err = capsys.readouterr()
    printed = json.loads(path.read_text())
    assert printed['model'] == 'lightgcn' and printed['seed'] == 3
    # A short table on stdout: one row per split and side.
    lines = out.splitlines()
    assert lines[0] == 'lightgcn (seed 3)'
    assert lines[1].split() == ['split', 'side', 'NDCG@5', 'MRR',
                                'Recall@20', 'examples']
    assert [line.split()[0] for line in lines[2:6]] == [
        'valid', 'test', 'test', 'test']
    test = lines[3].split()
    assert test[-4:] == [f"{printed['test'][m]:.4f}" for m in
                         ('ndcg@5', 'mrr', 'recall@20')] + ['4']
    assert lines[6].startswith(f"best epoch {printed['best_epoch']}, ")
    assert len(lines) == 7
    # The resolved config only with --verbose; it is in the JSON.
    assert '# config' not in err
    config = printed['config']
    assert config['train']['epochs'] == 2 and config['train']['lr'] == 1e-3
    assert config['data']['user_type'] == 'customer'
    assert config['data']['users'].endswith('tests/data/shop/customers.csv')
    assert set(printed['test']) == {'ndcg@5', 'map@5', 'mrr', 'recall@10',
                                    'recall@20', 'count'}
    # Four customers with >= 2 purchases: one test pair each, three of
    # them (>= 3 purchases) with a validation pair.
    assert printed['test']['count'] == 4 and printed['valid']['count'] == 4
    assert printed['test_item_side']['count'] > 0
    assert set(printed['test_groups']) == {'1', '2', '3-5', '6+'}


def test_verbose_logs_config_and_epochs(shop, capsys):
    assert main(['train', '--model', 'lightgcn', '--epochs', '2',
                 '--verbose'] + shop) == 0
    err = capsys.readouterr().err
    assert '# config\nmodel: lightgcn\nseed: 0\n' in err
    assert 'epoch   2: loss ' in err


def test_train_config_precedence(shop, tmp_path, capsys):
    import os.path as osp
    folder = osp.dirname(shop[1])
    path = tmp_path / 'run.yaml'
    # One file for the whole run; relative paths are relative to it.
    (tmp_path / 'purchases.csv').write_text(
        open(osp.join(folder, 'purchases.csv')).read())
    path.write_text(
        open(shop[1]).read().replace('customers.csv', osp.join(
            folder, 'customers.csv')).replace('products.csv', osp.join(
                folder, 'products.csv')) +
        'seed: 5\nmodel_kwargs:\n  embedding_dim: 8\ntrain:\n'
        '  epochs: 3\n  lr: 1e-2\n')
    # Command line > file > defaults.
    assert main(['train', '--model', 'bprmf', '--config', str(path),
                 '--epochs', '1', '--set', 'train.lr=0.05', '--root',
                 str(tmp_path / 'shop'), '--output-json',
                 str(tmp_path / 'r.json')]) == 0
    config = json.loads((tmp_path / 'r.json').read_text())['config']
    assert config['seed'] == 5 and config['model_kwargs'] == {
        'embedding_dim': 8, 'num_layers': 0, 'lambda_reg': 1e-4,
        'mask_targets': True}
    assert config['train']['epochs'] == 1 and config['train']['lr'] == 0.05
    assert config['data']['interactions'] == str(tmp_path / 'purchases.csv')

    assert main(['train', '--model', 'bprmf', '--config',
                 str(tmp_path / 'missing.yaml')]) == 2
    assert 'Cannot read config file' in capsys.readouterr().err


def test_train_save_and_recommend(shop, tmp_path, capsys):
    path = str(tmp_path / 'model.pt')
    # ID embeddings change the parameters: recommend rebuilds the model
    # with the checkpoint's config.
    assert main(['train', '--model', 'lightgcn-text', '--epochs', '1',
                 '--set', 'model_kwargs.use_id=true', '--save', path] +
                shop) == 0
    # The encoder's embeddings are cached next to the dataset.
    assert (tmp_path / 'shop' / 'embeddings').is_dir()
    capsys.readouterr()

    assert main(['recommend', '--user', 'c4', '-k', '3', '--checkpoint',
                 path] + shop) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ('Top 3 product items for user c4 (lightgcn-text), '
                      'items already seen left out:')
    assert len(out) == 4 and out[1].startswith('  1. ')
    # c4 bought p5, p6 and p9.
    assert not any(f'[{p}]' in line for p in ('p5', 'p6', 'p9')
                   for line in out)

    # The checkpoint fixes the model: another value is an error, the same
    # one is not, and training values are not used (reported).
    assert main(['recommend', '--user', 'c4', '--checkpoint', path, '--set',
                 'model_kwargs.use_id=false'] + shop) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"lgir recommend: error: model_kwargs.use_id=False (the command "
        f"line): the checkpoint '{path}' holds a model trained with "
        f"use_id=True, which fixes it; drop the setting, or train anew "
        f"(lgir train --save)")
    assert main(['recommend', '--user', 'c4', '-k', '3', '--checkpoint',
                 path, '--set', 'model_kwargs.use_id=true', '--set',
                 'train.lr=0.1'] + shop) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].startswith('Top 3 product items')
    assert ('lgir recommend: warning: train.lr (the command line): not '
            'used by this command') in err

    assert main(['recommend', '--user', 'c4', '--checkpoint', path,
                 '--model', 'pop'] + shop) == 1
    assert ("holds model 'lightgcn-text', not 'pop'"
            in capsys.readouterr().err)


def test_recommend_lists_only_unseen_items(shop, capsys):
    # c1 bought 4 of the 9 products: at most 5 unseen ones to list.
    assert main(['recommend', '--user', 'c1', '-k', '9', '--model',
                 'pop'] + shop) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith('Top 5 product items for user c1 (pop)')
    assert len(out) == 6


def test_recommend_bad_user_and_k(shop, capsys):
    assert main(['recommend', '--user', 'c9', '--model', 'pop'] + shop) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "lgir recommend: error: --user: unknown user 'c9'; shop has 4 users "
        "with ids such as 'c1', 'c2', 'c3'")
    assert main(['recommend', '--user', 'c1', '-k', '0'] + shop) == 2
    assert 'expected a positive integer' in capsys.readouterr().err
