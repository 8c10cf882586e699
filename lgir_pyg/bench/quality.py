import os.path as osp
import statistics
import time
from typing import Any, Dict, List, Optional, Sequence

import torch
from torch import Tensor

from lgir_pyg.bench.timing import command, machine, write_json

METRICS = ('ndcg@5', 'map@5', 'mrr', 'recall@10', 'recall@20')
SAMPLED_METRICS = ('ndcg@5', 'mrr')
# The LGIR variants; every other registered model is a baseline.
LGIR_MODELS = ('lgir-src', 'lgir-nogan', 'lgir')
ALL_MODELS = ('pop', 'bprmf', 'lightgcn', 'text', 'job-mean',
              'lightgcn-text', 'prompt-text') + LGIR_MODELS


def paired_difference(a: Sequence[Tensor], b: Sequence[Tensor]
                      ) -> Dict[str, float]:
    r"""Paired comparison of two models' per-example metric values (one
    tensor per seed, the same examples in the same order): the mean of
    :obj:`a - b` (averaged over seeds first), its standard error over
    examples, and how many examples each side wins."""
    diff = (torch.stack(list(a)) - torch.stack(list(b))).mean(dim=0)
    n = diff.numel()
    return {
        'mean': float(diff.mean()),
        'se': float(diff.std() / n**0.5) if n > 1 else float('nan'),
        'num_better': int((diff > 0).sum()),
        'num_worse': int((diff < 0).sum()),
        'num_examples': n,
    }


def _mean_std(values: List[Optional[float]]) -> Dict[str, Any]:
    values = [v for v in values if v is not None]  # Empty user groups.
    if not values:
        return {'mean': None, 'std': None}
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return {'mean': statistics.mean(values), 'std': std}


def summarize(runs: Dict[str, List[Dict[str, Any]]]) -> Dict[str, Any]:
    r"""Mean and standard deviation over seeds of every reported metric,
    per model."""
    out = {}
    for name, results in runs.items():
        groups = results[0]['test_groups']
        out[name] = {
            'test': {m: _mean_std([r['test'][m] for r in results])
                     for m in METRICS},
            'test_sampled': {
                m: _mean_std([r['test_sampled'][m] for r in results])
                for m in SAMPLED_METRICS
            },
            'test_groups': {
                g: {'ndcg@5': _mean_std([r['test_groups'][g]['ndcg@5']
                                         for r in results]),
                    'count': groups[g]['count']}
                for g in groups
            },
            'test_item_side': {
                m: _mean_std([r['test_item_side'][m] for r in results])
                for m in METRICS
            },
            'test_beyond': {
                m: _mean_std([r['test_beyond'][m] for r in results])
                for m in results[0].get('test_beyond', {})
            },
            'test_fairness': _fairness_summary(results),
            'seconds_per_epoch': statistics.mean(
                r['seconds_per_epoch'] or 0.0 for r in results),
        }
    return out


def _fairness_summary(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    # The spread of NDCG@5 across activity groups and, if given, across
    # the values of the user attribute.
    if 'test_fairness' not in results[0]:
        return {}
    fairness = [r['test_fairness'] for r in results]
    out = {f'groups_{key}': _mean_std([f['groups'][key] for f in fairness])
           for key in ('spread', 'std')}
    if 'attribute' in fairness[0]:
        out['attribute'] = fairness[0]['attribute']['name']
        out.update({f'attribute_{key}': _mean_std(
            [f['attribute'][key] for f in fairness])
            for key in ('spread', 'std')})
        out['attribute_values'] = {
            value: _mean_std([f['attribute']['values'][value]
                              for f in fairness])
            for value in fairness[0]['attribute']['values']}
    return out


def run_quality(
    data,
    models: Sequence[str] = ALL_MODELS,
    seeds: int = 5,
    output_dir: Optional[str] = None,
    threads: int = 1,
    dataset: str = 'KaggleJobViews',
    train_overrides: Optional[Dict[str, Any]] = None,
    item_category: Optional[str] = None,
    user_attribute: Optional[str] = None,
) -> Dict[str, Any]:
    r"""Trains and evaluates every model of :obj:`models` with seeds
    :obj:`0 .. seeds-1` through one shared
    :class:`~lgir_pyg.training.Evaluator` (full ranking and the sampled
    1 + 99 protocol), then compares LGIR with the strongest baseline by a
    paired test over the test examples. Every run also reports what its
    top-5 and top-20 lists do beyond accuracy (coverage, diversity over
    :obj:`item_category`, personalization, popularity, cold items) and the
    spread of NDCG@5 across user groups (and the values of
    :obj:`user_attribute`). With :obj:`output_dir`, writes
    :obj:`quality.json` (every run), :obj:`quality.md` (the tables) and
    :obj:`quality_groups.png`.

    Args:
        data (HeteroData): The split graph with the text features the
            models read (see :func:`lgir_pyg.pipeline.add_model_inputs`).
        models (list of str, optional): Registered model names.
        seeds (int, optional): Number of seeds. (default: :obj:`5`)
        output_dir (str, optional): Where results go. (default: none)
        threads (int, optional): :obj:`torch.set_num_threads`.
            (default: :obj:`1`)
        dataset (str, optional): The dataset's name in the report and plot.
            (default: :obj:`"KaggleJobViews"`)
        train_overrides (dict, optional): Trainer arguments applied to
            every model, e.g. :obj:`{"epochs": 1}` for a smoke run.
        item_category (str, optional): A categorical item attribute for
            the diversity metric. (default: :obj:`None`)
        user_attribute (str, optional): A categorical user attribute for
            the fairness report. (default: :obj:`None`)
    """
    from lgir_pyg.config import load_config
    from lgir_pyg.training import Evaluator

    torch.set_num_threads(threads)
    num_items = data[Evaluator(data).edge_type[2]].num_nodes
    # Lists as long as the catalogue allows, for small catalogues.
    beyond_k = tuple(k for k in (5, 20) if k <= num_items) or (num_items, )
    evaluator = Evaluator(data, item_category=item_category,
                          user_attribute=user_attribute, beyond_k=beyond_k)
    runs: Dict[str, List[Dict[str, Any]]] = {}
    per_user: Dict[str, List[Tensor]] = {}
    start = time.perf_counter()
    for name in models:
        for seed in range(seeds):
            overrides = {f'train.{k}': v
                         for k, v in (train_overrides or {}).items()}
            config = load_config(name, overrides={'seed': seed, **overrides})
            model, result = config.run(data, evaluator=evaluator,
                                       beyond=True)
            test = evaluator.evaluate(model.scorer(), 'test', per_user=True)
            per_user.setdefault(name, []).append(
                test['per_user']['ndcg@5'])
            runs.setdefault(name, []).append(result)
            print(f"{name} seed {seed}: test NDCG@5 "
                  f"{result['test']['ndcg@5']:.4f} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)

    summary = summarize(runs)
    baselines = [m for m in models if m not in LGIR_MODELS]
    comparisons = {}
    if 'lgir' in models and baselines:
        best = max(baselines,
                   key=lambda m: summary[m]['test']['ndcg@5']['mean'])
        for other in [best] + [m for m in models
                               if m not in ('lgir', best)]:
            comparisons[other] = paired_difference(per_user['lgir'],
                                                   per_user[other])
        comparisons = {'strongest_baseline': best, 'lgir_vs': comparisons}
    result = {
        'command': command(),
        'dataset': dataset,
        'item_category': item_category,
        'user_attribute': user_attribute,
        'seeds': seeds,
        'models': list(models),
        **machine(),
        'seconds': time.perf_counter() - start,
        'summary': summary,
        'comparisons': comparisons,
        'runs': runs,
    }
    if output_dir is not None:
        write_json(osp.join(output_dir, 'quality.json'), result)
        with open(osp.join(output_dir, 'quality.md'), 'w') as f:
            f.write(format_quality(result))
        plot_groups(summary, osp.join(output_dir, 'quality_groups.png'),
                    dataset)
    return result


def _cell(stat: Dict[str, Any]) -> str:
    if stat['mean'] is None:
        return 'n/a'
    return f"{stat['mean']:.4f} ± {stat['std']:.4f}"


def _relative(diff: float, base: float) -> str:
    return f'{diff / base:+.1%}' if base else 'n/a'


def format_quality(result: Dict[str, Any]) -> str:
    r"""The markdown tables of a :func:`run_quality` result."""
    summary, seeds = result['summary'], result['seeds']
    lines = [
        f"# Quality on {result.get('dataset', 'KaggleJobViews')} (test "
        f"split)", '',
        f"Command: `{result['command']}` ({seeds} seeds, "
        f"torch.set_num_threads({result['torch_num_threads']}), "
        f"{result['seconds'] / 60:.0f} minutes). Mean ± std over seeds.", '',
        '## Full ranking over all jobs', '',
        '| model | ' + ' | '.join(METRICS) + ' |',
        '|---|' + '---|' * len(METRICS)
    ]
    for name, s in summary.items():
        lines.append(f'| {name} | ' +
                     ' | '.join(_cell(s['test'][m]) for m in METRICS) + ' |')
    lines += [
        '', '## Sampled protocol (held-out job vs 99 sampled jobs)', '',
        '| model | ' + ' | '.join(SAMPLED_METRICS) + ' |',
        '|---|' + '---|' * len(SAMPLED_METRICS)
    ]
    for name, s in summary.items():
        lines.append(f'| {name} | ' + ' | '.join(
            _cell(s['test_sampled'][m]) for m in SAMPLED_METRICS) + ' |')
    lines += [
        '', '## The employer side: users ranked for each held-out item '
        '(full ranking)', '',
        '| model | ' + ' | '.join(METRICS) + ' |',
        '|---|' + '---|' * len(METRICS)
    ]
    for name, s in summary.items():
        lines.append(f'| {name} | ' + ' | '.join(
            _cell(s['test_item_side'][m]) for m in METRICS) + ' |')
    beyond = list(next(iter(summary.values()))['test_beyond'])
    if beyond:
        lines += [
            '', '## Beyond accuracy: what the top-k lists do (test, full '
            'ranking)', '',
            'coverage: share of the catalogue recommended to anyone; '
            f"diversity: intra-list diversity over "
            f"`{result.get('item_category')}`; personalization: "
            'dissimilarity of lists between users; popularity: mean '
            'training interactions of recommended items; cold: share of '
            'recommended items without training interactions.', '',
            '| model | ' + ' | '.join(beyond) + ' |',
            '|---|' + '---|' * len(beyond)
        ]
        for name, s in summary.items():
            lines.append(f'| {name} | ' + ' | '.join(
                _cell(s['test_beyond'][m]) for m in beyond) + ' |')
        fair = next(iter(summary.values()))['test_fairness']
        keys = [k for k in fair if k.endswith(('_spread', '_std'))]
        lines += [
            '', '## Fairness between user groups (test NDCG@5)', '',
            'The spread (max - min) and standard deviation of NDCG@5 across '
            'the activity groups (1, 2, 3-5, 6+ training interactions)' +
            (f" and across the values of `{fair['attribute']}`"
             if 'attribute' in fair else '') + '.', '',
            '| model | ' + ' | '.join(keys) + ' |',
            '|---|' + '---|' * len(keys)
        ]
        for name, s in summary.items():
            lines.append(f'| {name} | ' + ' | '.join(
                _cell(s['test_fairness'][k]) for k in keys) + ' |')
    groups = list(next(iter(summary.values()))['test_groups'])
    counts = next(iter(summary.values()))['test_groups']
    lines += [
        '', '## NDCG@5 by training interactions per user (full ranking)',
        '', '| model | ' + ' | '.join(
            f"{g} (n={counts[g]['count']})" for g in groups) + ' |',
        '|---|' + '---|' * len(groups)
    ]
    for name, s in summary.items():
        lines.append(f'| {name} | ' + ' | '.join(
            _cell(s['test_groups'][g]['ndcg@5']) for g in groups) + ' |')
    comp = result['comparisons']
    if comp:
        best = comp['strongest_baseline']
        base = summary[best]['test']['ndcg@5']['mean']
        lines += [
            '', '## LGIR against the others (paired, per test example)', '',
            f'Strongest baseline by mean NDCG@5: **{best}**. Differences '
            'are LGIR minus the other model, per test example averaged '
            'over seeds, ± one standard error.', '',
            '| LGIR vs | NDCG@5 difference | relative | examples LGIR '
            'better / worse |', '|---|---|---|---|'
        ]
        for other, d in comp['lgir_vs'].items():
            rel = _relative(d['mean'],
                            summary[other]['test']['ndcg@5']['mean'])
            lines.append(f"| {other} | {d['mean']:+.4f} ± {d['se']:.4f} | "
                         f'{rel} | {d["num_better"]} / {d["num_worse"]} |')
        gain = comp['lgir_vs'][best]['mean']
        verdict = 'reached' if gain >= 0.10 * base and gain > 0 else \
            'not reached'
        lines += ['', f'Goal (LGIR >= +10% NDCG@5 over the strongest '
                  f'baseline): **{verdict}** ({_relative(gain, base)}).']
    return '\n'.join(lines) + '\n'


def plot_groups(summary: Dict[str, Any], path: str,
                dataset: str = 'KaggleJobViews') -> None:
    r"""A grouped bar chart of NDCG@5 by training interactions per user."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    names = list(summary)
    groups = list(summary[names[0]]['test_groups'])
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for i, name in enumerate(names):
        stats = [summary[name]['test_groups'][g]['ndcg@5'] for g in groups]
        ax.bar([x + i * width for x in range(len(groups))],
               [s['mean'] or 0.0 for s in stats], width,
               yerr=[s['std'] or 0.0 for s in stats], label=name)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(groups))])
    ax.set_xticklabels([f'{g} training interactions' for g in groups])
    ax.set_ylabel('test NDCG@5 (full ranking)')
    ax.set_title(f'{dataset}: NDCG@5 by user group (mean ± std over '
                 f'seeds)')
    ax.legend(ncol=5, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
