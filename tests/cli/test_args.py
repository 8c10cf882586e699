import argparse

import pytest

from lgir_pyg.cli._args import (
    existing_file,
    non_negative_int,
    positive_float,
    positive_int,
    probability,
    writable_dir,
    writable_file,
)


@pytest.mark.parametrize('check,good,bad', [
    (positive_int, {'1': 1, ' 7 ': 7}, ['0', '-1', '1.5', 'x', '']),
    (non_negative_int, {'0': 0, '3': 3}, ['-1', '2.0', 'nan']),
    (positive_float, {'1e-3': 1e-3, '2': 2.0}, ['0', '-1', 'nan', 'inf']),
    (probability, {'0': 0.0, '1': 1.0, '0.25': 0.25},
     ['-0.1', '1.5', 'nan', 'x']),
])
def test_numbers(check, good, bad):
    for text, value in good.items():
        assert check(text) == value
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError, match=rf"expected a .*"
                           rf", got {text!r}"):
            check(text)


def test_writable_file(tmp_path, read_only_dir):
    assert writable_file(str(tmp_path / 'out.json')) == str(
        tmp_path / 'out.json')
    # A missing folder is fine if it can be created; nothing is created.
    assert writable_file(str(tmp_path / 'new' / 'deep' / 'out.json'))
    assert not (tmp_path / 'new').exists()
    with pytest.raises(argparse.ArgumentTypeError, match='is a folder'):
        writable_file(str(tmp_path))
    (tmp_path / 'file').write_text('')
    with pytest.raises(argparse.ArgumentTypeError, match=r"cannot write "
                       r"'.*file/out\.json': '.*file' is a file"):
        writable_file(str(tmp_path / 'file' / 'out.json'))
    with pytest.raises(argparse.ArgumentTypeError, match='not writable'):
        writable_file(f'{read_only_dir}/out.json')


def test_writable_dir(tmp_path, read_only_dir):
    assert writable_dir(str(tmp_path / 'results')) == str(
        tmp_path / 'results')
    (tmp_path / 'file').write_text('')
    with pytest.raises(argparse.ArgumentTypeError, match='is a file'):
        writable_dir(str(tmp_path / 'file'))
    with pytest.raises(argparse.ArgumentTypeError, match='not writable'):
        writable_dir(read_only_dir)


def test_existing_file(tmp_path):
    (tmp_path / 'a.csv').write_text('x')
    assert existing_file(str(tmp_path / 'a.csv')) == str(tmp_path / 'a.csv')
    with pytest.raises(argparse.ArgumentTypeError, match='does not exist'):
        existing_file(str(tmp_path / 'b.csv'))
    with pytest.raises(argparse.ArgumentTypeError, match='is a folder'):
        existing_file(str(tmp_path))


def test_in_a_parser(capsys):
    # Errors come before any work, as argparse's one-line message.
    from lgir_pyg.cli.main import ArgumentParser, CommandLineError
    parser = ArgumentParser(prog='lgir x')
    parser.add_argument('-k', type=positive_int)
    with pytest.raises(CommandLineError, match="argument -k: expected a "
                       "positive integer, got '0'") as info:
        parser.parse_args(['-k', '0'])
    assert info.value.prog == 'lgir x' and info.value.exit_code == 2


@pytest.mark.parametrize('argv', [
    ['complete'], ['encode'], ['train', '--model', 'pop'],
    ['tune', '--model', 'pop'], ['recommend', '--user', '1'],
    ['explain', '--user', '1'], ['bench', 'quality'], ['pipeline']])
def test_threads_and_verbose_on_every_command_that_computes(argv):
    from lgir_pyg.cli.main import build_parser
    parser = build_parser()
    assert parser.parse_args(argv).threads is None  # The default rule.
    args = parser.parse_args(argv + ['--threads', '3', '--verbose'])
    assert args.threads == 3 and args.verbose


def test_default_threads():
    from lgir_pyg.threads import cores, default_threads, free_cores
    assert 1 <= free_cores() <= cores()
    assert default_threads() == free_cores()
