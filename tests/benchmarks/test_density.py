import json

from lgir_pyg.benchmarks.density import format_density, run_density

GRAPH = {'num_users': 40, 'num_items': 30, 'num_topics': 3,
         'text_channels': 8}


def test_run_density(tmp_path):
    result = run_density((2.0, 6.0), ('bprmf', 'lightgcn-text', 'lgir'),
                         seeds=1, graph_kwargs=GRAPH,
                         output_dir=str(tmp_path),
                         train_overrides={'epochs': 1})
    points = result['points']
    assert [p['density'] for p in points] == [2.0, 6.0]
    # Denser graphs hold more training pairs and fewer cold test items.
    assert points[0]['stats']['train_pairs'] < points[1]['stats'][
        'train_pairs']
    assert points[0]['cold_test_share'] >= points[1]['cold_test_share']
    for p in points:
        assert p['strongest_baseline'] in ('bprmf', 'lightgcn-text')
        gain = p['gain']['all']
        best = p['ndcg@5'][p['strongest_baseline']]['mean']
        assert abs(gain['b'] - best) < 1e-6
        assert abs(gain['a'] - p['ndcg@5']['lgir']['mean']) < 1e-6
        assert gain['ci_low'] <= gain['mean'] <= gain['ci_high']
    table = (tmp_path / 'density.md').read_text()
    assert table == format_density(result)
    assert table.startswith('# LGIR as the graph gets denser')
    assert '| 2 | ' in table and '| 6 | ' in table
    assert 'Goal (lgir >= the best of bprmf, lightgcn, lightgcn-text' in \
        table
    saved = json.loads((tmp_path / 'density.json').read_text())
    assert len(saved['points']) == 2
    assert (tmp_path / 'density_gains.png').stat().st_size > 1000


def test_cli_density_rejects_unknown_models(capsys):
    from lgir_pyg.cli.main import main
    assert main(['bench', 'density', '--models', 'lgir', 'nope']) == 2
    assert "unknown model(s) ['nope']" in capsys.readouterr().err
