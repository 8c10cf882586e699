import re

from lgir_pyg.cli.main import build_parser, main


def _items(out):
    r"""(label, score, sum of contributions) of each listed item."""
    items = re.findall(r'^ +\d+\. (.*)  score ([+-]\d+\.\d+)$', out, re.M)
    sums = re.findall(r'^ +([+-]\d+\.\d+)  sum$', out, re.M)
    return [(label, score, total)
            for (label, score), total in zip(items, sums)], len(items)


def test_arguments():
    args = build_parser().parse_args(['explain', '--user', 'c1'])
    assert (args.user, args.k, args.model, args.plot) == ('c1', 5, None,
                                                          None)
    assert args.checkpoint is None and args.config is None


def test_explain_on_own_tables(shop, tmp_path, capsys):
    path = tmp_path / 'why.png'
    assert main(['explain', '--user', 'c1', '-k', '2', '--model',
                 'job-mean', '--plot', str(path)] + shop) == 0
    out, err = capsys.readouterr()
    assert out.startswith('Why user c1 is shown these product items '
                          '(job-mean; items already seen left out).\n'
                          'Each score is the exact sum')
    items, count = _items(out)
    # The sums, rounded like the scores, equal them.
    assert count == 2 and all(score == total for _, score, total in items)
    # c1's training purchases (p1, p2; p7 and p9 are held out).
    assert 'training product: Road helmet [p1]' in out
    assert 'training product: Bike lights [p2]' in out
    assert not any(f'[{p}]  score' in out for p in ('p1', 'p2', 'p7', 'p9'))
    assert out.count('own text\n') == 2
    assert path.read_bytes()[:4] == b'\x89PNG'
    assert f'# picture: {path}' in err


def test_explain_checkpoint_matches_recommend(shop, tmp_path, capsys):
    path = str(tmp_path / 'model.pt')
    assert main(['train', '--model', 'lightgcn', '--epochs', '2', '--save',
                 path] + shop) == 0
    capsys.readouterr()
    assert main(['explain', '--user', 'c3', '-k', '3', '--checkpoint',
                 path] + shop) == 0
    out = capsys.readouterr().out
    items, count = _items(out)
    assert count == 3 and all(score == total for _, score, total in items)
    # LightGCN's three layers: ID embeddings, one hop and longer walks.
    assert out.count('own ID embedding') == 3
    assert out.count('other paths (2+ hops)') == 3
    assert 'own text' not in out and out.count('matching words: -') == 3

    # The items and scores that `lgir recommend` lists.
    assert main(['recommend', '--user', 'c3', '-k', '3', '--checkpoint',
                 path] + shop) == 0
    listed = [line.split(None, 2)[1:] for line in
              capsys.readouterr().out.splitlines()[1:]]
    assert [(f'{float(score):+.4f}', label) for score, label in listed] == [
        (score, label) for label, score, _ in items]


def test_explain_checks_arguments_first(shop, tmp_path, capsys,
                                        read_only_dir):
    root = tmp_path / 'shop'
    assert main(['explain', '--user', 'c1', '-k', '0'] + shop) == 2
    assert 'argument -k: expected a positive integer' in \
        capsys.readouterr().err
    assert main(['explain', '--user', 'c1', '--plot',
                 f'{read_only_dir}/why.png'] + shop) == 2
    assert 'argument --plot: cannot write' in capsys.readouterr().err
    # Nothing was built or trained.
    assert not root.exists()
    assert main(['explain', '--user', 'c9', '--model', 'pop'] + shop) == 2
    assert "--user: unknown user 'c9'" in capsys.readouterr().err
