from lgir_pyg.cli.main import main
from lgir_pyg.config import load_config


def test_tune_prints_a_config_train_reads(shop, tmp_path, capsys):
    path = tmp_path / 'tuned.yaml'
    assert main(['tune', '--model', 'bprmf', '--trials', '2', '--set',
                 'train.epochs=2', '--output', str(path)] + shop) == 0
    out, err = capsys.readouterr()
    assert '# validation ndcg@5 of each trial\n| train.lr' in err
    assert err.count('**chosen**') == 1
    assert out == path.read_text() and out.startswith('model: bprmf\n')
    config = load_config('bprmf', str(path))
    assert config.train['epochs'] == 2
    assert config.data['user_type'] == 'customer'
    assert main(['train', '--model', 'bprmf', '--config', str(path)]) == 0


def test_tune_without_hyper_parameters(shop, capsys):
    assert main(['tune', '--model', 'pop'] + shop) == 0
    out, err = capsys.readouterr()
    assert 'pop has no hyper-parameters to tune' in err
    assert out.startswith('model: pop\n')
