r"""LGIR against ID and text baselines as a graph gets denser: the quality
benchmark (:func:`lgir_pyg.benchmarks.quality.run_quality`) on synthetic graphs
(:func:`lgir_pyg.datasets.synthetic.synthetic_graph`) that differ only in
their interactions per user."""
import os.path as osp
import time
from typing import Any, Dict, List, Optional, Sequence

DENSITIES = (3.0, 5.0, 10.0, 20.0, 40.0)
# Small enough for a CPU: 600 users and items in 12 topics.
GRAPH_KWARGS = {'num_users': 600, 'num_items': 600, 'num_topics': 12}
BASELINES = ('bprmf', 'lightgcn', 'lightgcn-text')
MODELS = BASELINES + ('lgir-nogan', 'lgir')
# What the graph's users have as text: no LLM runs on synthetic users, so
# every text model reads their own text.
USER_FEATURES = 'x'


def run_density(
    densities: Sequence[float] = DENSITIES,
    models: Sequence[str] = MODELS,
    seeds: int = 2,
    tune_trials: int = 0,
    graph_kwargs: Optional[Dict[str, Any]] = None,
    output_dir: Optional[str] = None,
    threads: int = 1,
    train_overrides: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    r"""Runs :func:`~lgir_pyg.benchmarks.quality.run_quality` (paired bootstrap
    comparisons of :obj:`lgir` included) on one synthetic graph per value
    of :obj:`densities` (mean interactions per user), split by
    :class:`~lgir_pyg.transforms.PerUserSplit`, and records for each the
    graph's statistics, every model's test NDCG@5 and lgir's paired gain
    over the strongest of the non-LGIR models, overall and per user
    activity group. Text models read the users' own text (no LLM runs on
    synthetic users). With :obj:`output_dir`, writes :obj:`density.json`,
    :obj:`density.md` and :obj:`density_gains.png`.

    Args:
        densities (Sequence[float], optional): Interactions per user.
            (default: :obj:`(3, 5, 10, 20, 40)`)
        models (Sequence[str], optional): Registered model names, with
            :obj:`lgir`. (default: BPR-MF, LightGCN, lightgcn-text,
            lgir-nogan, lgir)
        seeds (int, optional): Seeds per model. (default: :obj:`2`)
        tune_trials (int, optional): Trials of the validation search per
            model and graph (:func:`lgir_pyg.training.tune.tune`); :obj:`0`
            keeps the registered defaults. (default: :obj:`0`)
        graph_kwargs (dict, optional): Other arguments of
            :func:`~lgir_pyg.datasets.synthetic.synthetic_graph`.
            (default: :obj:`GRAPH_KWARGS`, 600 users and items in 12
            topics)
        output_dir (str, optional): Where results go. (default: none)
        threads (int, optional): :obj:`torch.set_num_threads`.
            (default: :obj:`1`)
        train_overrides (dict, optional): Trainer arguments of every model,
            e.g. :obj:`{"epochs": 1}` for a smoke run.
    """
    # Imported here, not above, so that `lgir bench --help` reads this
    # module's defaults without loading torch.
    from lgir_pyg.benchmarks.quality import run_quality
    from lgir_pyg.benchmarks.timing import command, machine, write_json
    from lgir_pyg.datasets.split import PerUserSplit
    from lgir_pyg.datasets.stats import dataset_stats
    from lgir_pyg.datasets.synthetic import synthetic_graph

    if 'lgir' not in models:
        raise ValueError("'models' must include 'lgir'")
    start = time.perf_counter()
    points = []
    for density in densities:
        data = PerUserSplit()(synthetic_graph(
            interactions_per_user=density,
            **(GRAPH_KWARGS if graph_kwargs is None else graph_kwargs)))
        quality = run_quality(
            data, models, seeds, threads=threads,
            dataset=f'synthetic, {density:g} interactions per user',
            train_overrides=train_overrides, tune_trials=tune_trials,
            model_overrides={'user_features': USER_FEATURES})
        stats = dataset_stats(data)
        comp = quality['comparisons']
        best = comp['strongest_baseline']
        points.append({
            'density': density,
            'stats': stats,
            'cold_test_share': stats['cold_test_pairs'] /
            max(stats['test_pairs'], 1),
            'ndcg@5': {name: s['test']['ndcg@5']
                       for name, s in quality['summary'].items()},
            'strongest_baseline': best,
            'gain': comp['lgir_vs'][best],
            'tuning': quality['tuning'],
        })
        print(f"density {density:g}: lgir "
              f"{points[-1]['gain']['all']['a']:.4f}, {best} "
              f"{points[-1]['gain']['all']['b']:.4f}", flush=True)
    result = {
        'command': command(),
        'graph_kwargs': GRAPH_KWARGS if graph_kwargs is None else
        graph_kwargs,
        'seeds': seeds,
        'tune_trials': tune_trials,
        'models': list(models),
        **machine(),
        'seconds': time.perf_counter() - start,
        'points': points,
    }
    if output_dir is not None:
        write_json(osp.join(output_dir, 'density.json'), result)
        with open(osp.join(output_dir, 'density.md'), 'w') as f:
            f.write(format_density(result))
        plot_density(result, osp.join(output_dir, 'density_gains.png'))
    return result


def format_density(result: Dict[str, Any]) -> str:
    r"""The markdown tables of a :func:`run_density` result."""
    from lgir_pyg.evaluation.paired import format_difference

    points = result['points']
    models = result['models']
    tuned = (f"hyper-parameters chosen on validation with "
             f"{result['tune_trials']} trials per model and graph"
             if result['tune_trials'] else 'registered defaults')
    lines = [
        '# LGIR as the graph gets denser (synthetic graphs)', '',
        f"Command: `{result['command']}` ({result['seeds']} seeds, "
        f"{tuned}, torch.set_num_threads({result['torch_num_threads']}), "
        f"{result['seconds'] / 60:.0f} minutes). Graphs of "
        '`lgir_pyg.datasets.synthetic.synthetic_graph` '
        f"({result['graph_kwargs'] or 'default arguments'}) that differ "
        'only in their interactions per user; text models read the users\' '
        'own text. Test NDCG@5, full ranking, mean ± std over seeds.', '',
        '| interactions per user | train pairs | cold test share | ' +
        ' | '.join(models) + ' |', '|---|---|---|' + '---|' * len(models)
    ]
    for p in points:
        cells = [f"{p['ndcg@5'][m]['mean']:.4f} ± "
                 f"{p['ndcg@5'][m]['std']:.4f}" for m in models]
        lines.append(f"| {p['density']:g} | {p['stats']['train_pairs']} | "
                     f"{p['cold_test_share']:.1%} | " + ' | '.join(cells) +
                     ' |')
    slices = [s for s in points[0]['gain'] if s not in ('warm', 'cold')]
    lines += [
        '', '## lgir minus the strongest baseline (paired, 95% bootstrap '
        'intervals)', '',
        'The strongest of the non-LGIR models by mean test NDCG@5 at each '
        'density; slices by training interactions per user.', '',
        '| interactions per user | strongest baseline | relative | ' +
        ' | '.join(slices) + ' | lgir >= it |',
        '|---|---|---|' + '---|' * (len(slices) + 1)
    ]
    for p in points:
        g = p['gain']
        rel = g['all']['mean'] / g['all']['b'] if g['all']['b'] else 0.0
        reached = 'yes' if g['all']['a'] >= g['all']['b'] else 'no'
        lines.append(f"| {p['density']:g} | {p['strongest_baseline']} | "
                     f'{rel:+.1%} | ' + ' | '.join(
                         format_difference(g[s]) for s in slices) +
                     f' | {reached} |')
    reached = sum(p['gain']['all']['a'] >= p['gain']['all']['b']
                  for p in points)
    verdict = 'reached' if reached == len(points) else 'not reached'
    lines += ['', f'Goal (lgir >= the best of {", ".join(BASELINES)} at '
              f'every density): **{verdict}** ({reached} of {len(points)} '
              'densities).']
    return '\n'.join(lines) + '\n'


def plot_density(result: Dict[str, Any], path: str) -> None:
    r"""Two panels: lgir's paired NDCG@5 gain over the strongest baseline
    against the density, and against the users' training interactions at
    each density, with 95% bootstrap intervals."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    points = result['points']
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    x = [p['density'] for p in points]
    gains = [p['gain']['all'] for p in points]
    left.errorbar(x, [g['mean'] for g in gains],
                  yerr=[[g['mean'] - g['ci_low'] for g in gains],
                        [g['ci_high'] - g['mean'] for g in gains]],
                  marker='o', capsize=3)
    left.set_xscale('log')
    left.set_xticks(x)
    left.set_xticklabels([f'{v:g}' for v in x])
    left.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    left.axhline(0, color='black', linewidth=0.8)
    left.set_xlabel('interactions per user (log scale)')
    left.set_ylabel('NDCG@5: lgir - strongest baseline')
    left.set_title('gain against density')
    groups = ['1', '2', '3-5', '6+']
    for p in points:
        parts: List[Dict[str, Any]] = [p['gain'][g] for g in groups]
        keep = [i for i, d in enumerate(parts) if d['num_examples'] > 0]
        right.errorbar([i for i in keep], [parts[i]['mean'] for i in keep],
                       yerr=[[parts[i]['mean'] - parts[i]['ci_low']
                              for i in keep],
                             [parts[i]['ci_high'] - parts[i]['mean']
                              for i in keep]],
                       marker='o', capsize=3,
                       label=f"{p['density']:g} per user")
    right.set_xticks(range(len(groups)))
    right.set_xticklabels(groups)
    right.axhline(0, color='black', linewidth=0.8)
    right.set_xlabel('training interactions of the user')
    right.set_title('gain against user activity')
    right.legend(fontsize=8)
    fig.suptitle('Synthetic graphs: lgir against the strongest of BPR-MF, '
                 'LightGCN and lightgcn-text (95% bootstrap intervals)',
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
