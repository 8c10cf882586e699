r"""Resumes made elsewhere (--resumes FILE) and LGIR on partly completed
resumes (--missing-resumes context), on the shop tables."""
from lgir_pyg.cli.main import main


def test_train_on_resumes_from_elsewhere(shop, tmp_path, capsys):
    path = tmp_path / 'resumes.csv'
    # Keyed by the users table's own id column (data.user_id_column).
    path.write_text('customer_id,resume\nc1,"Skills: cycling, repair"\n'
                    'c4,Skills: cooking\n')
    assert main(['data', 'stats', '--resumes', str(path)] + shop) == 0
    out = capsys.readouterr().out
    assert out.endswith(f'irc resumes in {path}: 2 of the 4 users '
                        f'(50.0%)\n')

    # Half the customers have a resume; the others read their interaction
    # context, so no LLM runs, and the share is reported first.
    assert main(['train', '--model', 'lgir-nogan', '--epochs', '1',
                 '--resumes', str(path), '--missing-resumes', 'context',
                 '--output-json', str(tmp_path / 'r.json')] + shop) == 0
    out, err = capsys.readouterr()
    assert ('lgir train: warning: IRC resumes: 2 of 4 users (50.0%) have '
            'one; the other 2 use their interaction context '
            '(data.missing_resumes: context)') in err.splitlines()
    assert out.startswith('lgir-nogan (seed 0)\n')
    assert not (tmp_path / 'shop' / 'llm_cache.sqlite').exists()


def test_bad_resume_file(shop, tmp_path, capsys):
    path = tmp_path / 'resumes.jsonl'
    path.write_text('{"user": "c1", "resume": "a"}\n{"user": "c1", '
                    '"resume": "b"}\n')
    assert main(['train', '--model', 'lgir', '--resumes', str(path)] +
                shop) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"lgir train: error: '{path}', line 2: user 'c1' has a irc resume "
        f"on line 1 already")
    assert main(['train', '--model', 'lgir', '--missing-resumes', 'skip'] +
                shop) == 2
    assert ("'data.missing_resumes' must be one of ['complete', 'context'] "
            "(got 'skip')") in capsys.readouterr().err
