r"""Every subcommand reports the config values it does not read (one
warning line naming each key and where it was set) and fails on unknown
keys, before any work (issue 20, item 4)."""
import pytest

from lgir_pyg.cli.main import SUBCOMMANDS, main

# Tables that do not exist: a command that reads the data fails on them,
# after its config was checked (status 1, the file named).
MISSING = ['--users', '/nonexistent/u.csv', '--items', '/nonexistent/i.csv',
           '--interactions', '/nonexistent/x.csv']

# (argv, a key the command does not read, what it reads).
UNUSED = {
    'data': (['data', 'stats'], 'train.lr=0.5', 'data'),
    'complete': (['complete', '--limit', '1'], 'model_kwargs.id_dim=8',
                 'data.'),
    'encode': (['encode', '--source', 'self'], 'llm.max_new_tokens=4',
               'data, encoder'),
    'train': (['train', '--model', 'pop'], 'encoder.batch_size=8',
              'data, model_kwargs, seed, train'),
    'tune': (['tune', '--model', 'pop'], 'prompts.k=3',
             'data, model_kwargs, seed, train'),
    'recommend': (['recommend', '--user', 'u1', '--model', 'pop'],
                  'llm.retries=0', 'data, model_kwargs, seed, train'),
    'explain': (['explain', '--user', 'u1', '--model', 'pop'],
                'encoder.batch_size=8', 'data, model_kwargs, seed, train'),
    'bench': (['bench', 'quality', '--models', 'pop', 'lightgcn'],
              'seed=3', 'data, model_kwargs, train'),
    # It reads every section, and every builder's key is taken by one of
    # its four models: a used key is not reported.
    'pipeline': (['pipeline'], 'model_kwargs.id_dim=8', None),
}


def test_every_subcommand_is_covered():
    assert sorted(UNUSED) == sorted(SUBCOMMANDS)


@pytest.mark.parametrize('command', SUBCOMMANDS)
def test_unused_key_is_reported(command, capsys):
    argv, key, reads = UNUSED[command]
    assert main(argv + ['--set', key] + MISSING) == 1
    lines = capsys.readouterr().err.splitlines()
    name = key.partition('=')[0]
    if reads is None:
        assert len(lines) == 1 and 'nonexistent' in lines[0]
        return
    assert lines[0] == (f'lgir {command}: warning: {name} (the command '
                        f'line): not used by this command, which reads '
                        f'{reads}') or (
        reads.endswith('.') and lines[0].startswith(
            f'lgir {command}: warning: {name} (the command line): not used '
            f'by this command, which reads data.'))
    # Then the command went on: it failed on the missing tables.
    assert lines[-1].startswith(f'lgir {command}: error: ')
    assert 'nonexistent' in lines[-1] and len(lines) == 2


@pytest.mark.parametrize('command', SUBCOMMANDS)
@pytest.mark.parametrize('key', ['train.lrr=1', 'model_kwargs.nope=1',
                                 'llm.nope=1', 'prompts.user_nam=x',
                                 'encoder.nope=1', 'data.userz=u.csv',
                                 'sed=1'])
def test_unknown_key_is_an_error(command, key, capsys):
    argv = UNUSED[command][0]
    assert main(argv + ['--set', key] + MISSING) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"lgir {command}: error: Unknown key "
                          f"'{key.partition('=')[0]}' in the overrides; "
                          f"valid keys: ")
    assert err.count('\n') == 1


def test_unused_sections_of_a_file(tmp_path, capsys):
    # A file that serves several commands: its unused sections are named
    # once each, its used values are not.
    path = tmp_path / 'run.yaml'
    path.write_text('seed: 1\ntrain:\n  lr: 0.1\n  epochs: 2\nllm:\n'
                    '  max_new_tokens: 8\ndata:\n  split: random\n')
    assert main(['data', 'stats', '--config', str(path)] + MISSING) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == (f'lgir data: warning: seed, train.*, llm.* '
                        f'({path}): not used by this command, which reads '
                        f'data')
    assert len(lines) == 2


@pytest.mark.parametrize('text,line', [
    ('train:\n  lr: 0.1\n  lr: 0.2\n', "line 3: key 'lr' is given twice "
     "(first on line 2)"),
    ('prompts:\n  user_nam: x\n', "Unknown key 'prompts.user_nam'"),
    ('llm:\n  max_new_tokens: lots\n', "'llm.max_new_tokens' in "),
])
def test_bad_config_file(tmp_path, capsys, text, line):
    path = tmp_path / 'bad.yaml'
    path.write_text(text)
    for argv in (['data', 'stats'], ['train', '--model', 'lgir'],
                 ['bench', 'quality']):
        assert main(argv + ['--config', str(path)] + MISSING) == 2
        err = capsys.readouterr().err
        assert err.count('\n') == 1 and line in err, err


def test_non_utf8_config_file(tmp_path, capsys):
    path = tmp_path / 'latin1.yaml'
    path.write_bytes(b'data:\n  name: caf\xe9\n')
    assert main(['data', 'stats', '--config', str(path)]) == 2
    assert capsys.readouterr().err == (
        f"lgir data: error: Config file '{path}', line 2: byte 0xe9 is not "
        f"UTF-8; save the file as UTF-8\n")


@pytest.mark.parametrize('value', ['model_kwargs.embedding_dim=0',
                                   'model_kwargs.gan_kwargs={k1: -1}',
                                   'model_kwargs.gan_kwargs={dropout: 1.5}'])
def test_bad_model_values_for_every_model_command(value, capsys):
    # Also where no one model is named (pipeline, bench).
    for argv in (['train', '--model', 'lightgcn'], ['pipeline'],
                 ['bench', 'quality']):
        if 'gan_kwargs' in value and argv[-1] == 'lightgcn':
            continue
        assert main(argv + ['--set', value] + MISSING) == 2
        err = capsys.readouterr().err
        assert err.count('\n') == 1
        assert f"'{value.partition('=')[0]}'" in err, err
