import pytest

from lgir_pyg.cli.main import main


def test_bench_rejects_unknown_models(capsys):
    assert main(['bench', 'quality', '--models', 'lgir', 'nope']) == 2
    assert ("--models: unknown model(s) ['nope']; valid names"
            in capsys.readouterr().err)


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(['--help'])
    out = capsys.readouterr().out
    for name in ('data', 'complete', 'encode', 'train', 'recommend', 'bench',
                 'pipeline'):
        assert name in out
