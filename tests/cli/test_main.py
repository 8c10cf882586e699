import os
import os.path as osp
import subprocess
import sys
import types

import pytest

from lgir_pyg.cli import main as cli
from lgir_pyg.errors import (
    CheckpointError,
    ConfigError,
    TableError,
    UsageError,
)

SHOP = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data',
                'shop')


def _one_line(capsys, warnings: int = 0) -> str:
    # The error's one line, after the given number of warning lines.
    err = capsys.readouterr().err
    assert 'Traceback' not in err and 'usage:' not in err
    lines = err.splitlines()
    assert len(lines) == warnings + 1 and err.endswith('\n'), err
    assert all(': warning: ' in line for line in lines[:-1]), err
    return lines[-1]


@pytest.mark.parametrize('argv,line', [
    (['nope'], "lgir: error: argument COMMAND: invalid choice: 'nope'"),
    (['--bogus', 'data', 'stats'],
     'lgir data: error: unrecognized arguments: --bogus'),
    (['train'], 'lgir train: error: the following arguments are required: '
     '--model'),
    (['train', '--model', 'nope'],
     "lgir train: error: argument --model: invalid choice: 'nope'"),
    (['train', '--model', 'lightgcn', '--frobnicate'],
     'lgir train: error: unrecognized arguments: --frobnicate'),
    (['recommend', '--user', '1', '-k', 'many'],
     "lgir recommend: error: argument -k: expected a positive integer, got "
     "'many'"),
    (['recommend', '--user', '1', '-k', '0'],
     "lgir recommend: error: argument -k: expected a positive integer, got "
     "'0'"),
    (['train', '--model', 'pop', '--seed', '-1'],
     "lgir train: error: argument --seed: expected a non-negative integer"),
    (['bench', 'quality', '--seeds', '0'],
     "lgir bench: error: argument --seeds: expected a positive integer"),
    (['bench', 'quality', '--epochs', '0'],
     "lgir bench: error: argument --epochs: expected a positive integer"),
    (['pipeline', '--threads', '0'],
     "lgir pipeline: error: argument --threads: expected a positive "
     "integer"),
    # A folder that cannot be made: its parent is a file.
    (['train', '--model', 'pop', '--output-json', __file__ + '/y.json'],
     "lgir train: error: argument --output-json: cannot write"),
    (['complete', '--limit', '0'],
     "lgir complete: error: argument --limit: expected a positive integer"),
    (['complete', '--output', __file__ + '/x/y.jsonl'],
     "lgir complete: error: argument --output: cannot write"),
    (['train', '--model', 'pop', '--timeout', '0'],
     "lgir train: error: argument --timeout: expected a positive number, "
     "got '0'"),
    (['complete', '--k', '0'],
     "lgir complete: error: argument --k: expected a positive integer, got "
     "'0'"),
    (['complete', '--cache', osp.dirname(__file__)],
     f"lgir complete: error: argument --cache: '{osp.dirname(__file__)}' is "
     f"a folder, not a file"),
    (['complete', '--max-unusable', '1.5'],
     "lgir complete: error: argument --max-unusable: expected a probability "
     "in [0, 1], got '1.5'"),
    (['train', '--model', 'lgir', '--set', 'train.batch_size=0'],
     "lgir train: error: 'train.batch_size' must be a positive integer"),
    (['train', '--model', 'lgir', '--set', 'train.lr=nan'],
     "lgir train: error: 'train.lr' must be a positive finite number"),
    (['train', '--model', 'lgir', '--set',
      'model_kwargs.gan_kwargs={k1: 5, k2: 2}'],
     "lgir train: error: 'model_kwargs.gan_kwargs': The few-shot"),
    (['data', 'describe'], "lgir data: error: argument action: invalid "
     "choice: 'describe'"),
])
def test_bad_arguments(capsys, argv, line):
    assert cli.main(argv) == 2
    assert _one_line(capsys).startswith(line)


def test_no_command(capsys):
    assert cli.main([]) == 2
    assert 'usage: lgir' in capsys.readouterr().err


def test_help_and_version(capsys):
    for argv in (['--version'], ['train', '--help']):
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 0
    assert 'lgir_pyg' in capsys.readouterr().out


def test_table_error_of_a_real_run(capsys, tmp_path):
    # Bad tables fail with one line naming the file and line, status 1.
    (tmp_path / 'users.csv').write_text('customer_id,about\nc1,"open\n')
    argv = ['data', 'stats', '--config', osp.join(SHOP, 'shop.yaml'),
            '--users', str(tmp_path / 'users.csv'), '--root',
            str(tmp_path / 'root')]
    assert cli.main(argv) == 1
    # shop.yaml's prompts section serves other commands.
    line = _one_line(capsys, warnings=1)
    assert line.startswith(f"lgir data: error: users file "
                           f"'{tmp_path / 'users.csv'}', line 2: a quoted "
                           f"field is never closed")


class Failure(Exception):
    pass


@pytest.fixture
def failing_command(monkeypatch):
    r"""Registers `lgir fail ERROR`, a subcommand that raises ERROR."""
    errors = {
        'table': TableError("users file 'u.csv', column 'text', row 3: "
                            "expected text"),
        'usage': UsageError('--seeds must be positive (got 0)'),
        'config': ConfigError("'cfg.yaml', line 2: bad YAML\nmore detail"),
        'checkpoint': CheckpointError("Checkpoint 'm.pt' does not exist"),
        'os': FileNotFoundError(2, 'No such file or directory', 'raw.zip'),
        'exit': SystemExit("Unknown user '42'"),
        'interrupt': KeyboardInterrupt(),
        'bug': Failure('a bug'),
    }
    module = types.ModuleType('lgir_pyg.cli.fail')
    module.HELP = 'Raise an error.'
    module.add_arguments = lambda parser: parser.add_argument(
        'error', choices=list(errors))

    def run(args):
        raise errors[args.error]

    module.run = run
    monkeypatch.setitem(sys.modules, 'lgir_pyg.cli.fail', module)
    monkeypatch.setattr(cli, 'SUBCOMMANDS',
                        {**cli.SUBCOMMANDS, 'fail': 'fail'})


@pytest.mark.parametrize('error,status,line', [
    ('table', 1, "lgir fail: error: users file 'u.csv', column 'text', "
     "row 3: expected text"),
    ('usage', 2, 'lgir fail: error: --seeds must be positive (got 0)'),
    ('config', 2, "lgir fail: error: 'cfg.yaml', line 2: bad YAML more "
     "detail"),
    ('checkpoint', 1, "lgir fail: error: Checkpoint 'm.pt' does not exist"),
    ('os', 1, "lgir fail: error: [Errno 2] No such file or directory: "
     "'raw.zip'"),
    ('exit', 1, "lgir fail: error: Unknown user '42'"),
    ('interrupt', 130, 'lgir fail: interrupted'),
])
def test_user_errors(capsys, failing_command, error, status, line):
    assert cli.main(['fail', error]) == status
    assert _one_line(capsys) == line


@pytest.mark.parametrize('argv', [['--debug', 'fail', 'table'],
                                  ['fail', 'table', '--debug']])
def test_debug_shows_traceback(capsys, failing_command, argv):
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert 'Traceback (most recent call last)' in err
    assert err.rstrip().endswith("lgir fail: error: users file 'u.csv', "
                                 "column 'text', row 3: expected text")


def test_bugs_keep_their_traceback(failing_command):
    with pytest.raises(Failure):
        cli.main(['fail', 'bug'])


def test_subprocess():
    proc = subprocess.run(
        [sys.executable, '-m', 'lgir_pyg.cli.main', 'bench', 'quality',
         '--threads', 'x'], capture_output=True, text=True, timeout=120,
        env={**os.environ, 'HF_HUB_OFFLINE': '1'})
    assert proc.returncode == 2
    assert proc.stderr.count('\n') == 1 and 'Traceback' not in proc.stderr
    assert proc.stderr.startswith('lgir bench: error: argument --threads:')
