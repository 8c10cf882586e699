import copy
import os.path as osp
import statistics
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from lgir_pyg.benchmarks.timing import command, machine, write_json
from lgir_pyg.config import load_config
from lgir_pyg.datasets.graph import interaction_edge_type
from lgir_pyg.datasets.stats import group_of
from lgir_pyg.evaluation import (Evaluator, format_difference,
                                 paired_difference)
from lgir_pyg.io import atomic_open
from lgir_pyg.training.tune import search_space, tune

METRICS = ('ndcg@5', 'map@5', 'mrr', 'recall@10', 'recall@20')
SAMPLED_METRICS = ('ndcg@5', 'mrr')
# The LGIR variants; every other registered model is a baseline.
LGIR_MODELS = ('lgir-src', 'lgir-nogan', 'lgir', 'lgir-text')
ALL_MODELS = ('pop', 'bprmf', 'lightgcn', 'text', 'job-mean',
              'lightgcn-text', 'prompt-text') + LGIR_MODELS
# The text baselines, which the cold slice is measured against.
TEXT_MODELS = ('text', 'job-mean', 'lightgcn-text', 'prompt-text')
# The slices of the paired comparisons: all test examples, the users'
# training-interaction groups (and the few-shot union 1-2) and the held-out
# item's kind.
SLICES = ('all', '1', '2', '1-2', '3-5', '6+', 'warm', 'cold')
# Models tuned on top of another's chosen values: only their own keys.
TUNE_ON_TOP = {'lgir': 'lgir-nogan'}


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
            'test_warm_cold': {
                k: {'ndcg@5': _mean_std([r['test_warm_cold'][k]['ndcg@5']
                                         for r in results]),
                    'count': results[0]['test_warm_cold'][k]['count']}
                for k in ('warm', 'cold')
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


def held_out_kind(data, warm: bool, edge_type=None):
    r"""A shallow copy of the split graph :obj:`data` whose test pairs are
    only those whose item has (:obj:`warm=True`) or lacks training pairs,
    so that an :class:`~lgir_pyg.evaluation.Evaluator` of it gives the
    per-example values of the evaluator's :obj:`warm` or :obj:`cold`
    slice (the same ranking, the other kind's held-out items counting as
    non-relevant); :obj:`None` if the slice is empty."""
    edge_type = interaction_edge_type(data, edge_type)
    out = copy.copy(data)
    store = out[edge_type]
    degree = torch.bincount(store.edge_index[1],
                            minlength=data[edge_type[2]].num_nodes)
    test = store.test_edge_label_index
    keep = (degree[test[1]] > 0) == warm
    if not bool(keep.any()):
        return None
    store.test_edge_label_index = test[:, keep]
    return out


def per_example(evaluator, slice_evaluators: Dict[str, Any],
                score) -> Dict[str, Tensor]:
    r"""The test NDCG@5 of every example of each slice of :data:`SLICES`
    (users of one activity group, or those whose held-out item is warm or
    cold; see :func:`held_out_kind`) of the scorer :obj:`score`."""
    test = evaluator.evaluate(score, 'test', per_user=True)['per_user']
    side = next(k for k in test if k not in evaluator.metrics)
    values = test['ndcg@5']
    num_train = evaluator.user_degree[test[side]]
    groups = group_of(num_train)
    groups['1-2'] = groups['1'] | groups['2']
    out = {'all': values}
    out.update({name: values[groups[name]] for name in SLICES
                if name in groups})
    for kind, slice_evaluator in slice_evaluators.items():
        out[kind] = slice_evaluator.evaluate(
            score, 'test', per_user=True)['per_user']['ndcg@5']
    return out


def compare(values: Dict[str, List[Dict[str, Tensor]]], model: str,
            others: Sequence[str]) -> Dict[str, Dict[str, Any]]:
    r"""The :func:`paired_difference` of :obj:`model` against each of
    :obj:`others` on every slice of :obj:`values` (per model, one
    :func:`per_example` result per seed)."""
    out = {}
    for other in others:
        out[other] = {
            name: paired_difference([v[name] for v in values[model]],
                                    [v[name] for v in values[other]])
            for name in values[model][0]
        }
    return out


def run_quality(
    data,
    models: Sequence[str] = ALL_MODELS,
    seeds: int = 5,
    output_dir: Optional[str] = None,
    threads: Optional[int] = 1,
    dataset: str = 'KaggleJobViews',
    train_overrides: Optional[Dict[str, Any]] = None,
    item_category: Optional[str] = None,
    user_attribute: Optional[str] = None,
    tune_trials: int = 0,
    model_overrides: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    r"""Trains and evaluates every model of :obj:`models` with seeds
    :obj:`0 .. seeds-1` through one shared
    :class:`~lgir_pyg.evaluation.Evaluator` (full ranking and the sampled
    1 + 99 protocol), then compares :obj:`lgir` with every other model by
    paired differences over the test examples with 95% bootstrap intervals
    and the spread over seeds, overall, per user activity group and per
    warm / cold held-out item (:func:`compare`). Every run also reports
    what its top-5 and top-20 lists do beyond accuracy (coverage, diversity
    over :obj:`item_category`, personalization, popularity, cold items) and
    the spread of NDCG@5 across user groups (and the values of
    :obj:`user_attribute`). With :obj:`output_dir`, writes
    :obj:`quality.json` (every run), :obj:`quality.md` (the tables),
    :obj:`quality_groups.png` and :obj:`quality_gains.png`.

    With :obj:`tune_trials > 0` each model's hyper-parameters are first
    chosen on the validation split by :func:`lgir_pyg.training.tune.tune`
    (that many trials, seed 0), the same procedure for every model and
    dataset; :obj:`lgir` tunes its GAN's keys on top of the values chosen
    for :obj:`lgir-nogan` (when both run), so the two differ by the GAN
    only. The test split is never used for a choice.

    Args:
        data (HeteroData): The split graph with the text features the
            models read (see :func:`lgir_pyg.pipeline.add_model_inputs`).
        models (list of str, optional): Registered model names.
        seeds (int, optional): Number of seeds. (default: :obj:`5`)
        output_dir (str, optional): Where results go. (default: none)
        threads (int, optional): :obj:`torch.set_num_threads`;
            :obj:`None` keeps torch's setting. (default: :obj:`1`)
        dataset (str, optional): The dataset's name in the report and plot.
            (default: :obj:`"KaggleJobViews"`)
        train_overrides (dict, optional): Trainer arguments applied to
            every model, e.g. :obj:`{"epochs": 1}` for a smoke run.
        item_category (str, optional): A categorical item attribute for
            the diversity metric. (default: :obj:`None`)
        user_attribute (str, optional): A categorical user attribute for
            the fairness report. (default: :obj:`None`)
        tune_trials (int, optional): Trials of the validation search per
            model; :obj:`0` keeps the registered defaults.
            (default: :obj:`0`)
        model_overrides (dict, optional): Builder arguments given to every
            model that takes them, e.g. :obj:`{"user_features": "x"}` where
            the graph has no LLM resumes. (default: :obj:`None`)
    """
    if threads is not None:
        torch.set_num_threads(threads)
    num_items = data[Evaluator(data).edge_type[2]].num_nodes
    # Lists as long as the catalogue allows, for small catalogues.
    beyond_k = tuple(k for k in (5, 20) if k <= num_items) or (num_items, )
    evaluator = Evaluator(data, item_category=item_category,
                          user_attribute=user_attribute, beyond_k=beyond_k)
    slice_evaluators = {}
    for kind, warm in (('warm', True), ('cold', False)):
        part = held_out_kind(data, warm, evaluator.edge_type)
        if part is not None:
            slice_evaluators[kind] = Evaluator(part,
                                               edge_type=evaluator.edge_type)
    overrides = {f'train.{k}': v for k, v in (train_overrides or {}).items()}
    start = time.perf_counter()
    configs = {name: load_config(name, overrides=overrides)
               for name in models}
    for config in configs.values():
        config.model_kwargs.update({
            k: v for k, v in (model_overrides or {}).items()
            if k in config.model_kwargs})
    tuning = {}
    if tune_trials > 0:
        tuning = tune_models(configs, data, tune_trials, evaluator)
    runs: Dict[str, List[Dict[str, Any]]] = {}
    values: Dict[str, List[Dict[str, Tensor]]] = {}
    user_type, _, item_type = evaluator.edge_type
    result: Dict[str, Any] = {
        'command': command(),
        'dataset': dataset,
        'user_type': user_type,
        'item_type': item_type,
        'item_category': item_category,
        'user_attribute': user_attribute,
        'seeds': seeds,
        'models': list(models),
        **machine(),
        'tuning': {name: {'trials': t.trials, 'space': t.space,
                          'chosen': t.best['params'] if t.trials else {}}
                   for name, t in tuning.items()},
    }
    for name in models:
        for seed in range(seeds):
            config = copy.deepcopy(configs[name])
            config.seed = seed
            model, run = config.run(data, evaluator=evaluator, beyond=True)
            values.setdefault(name, []).append(
                per_example(evaluator, slice_evaluators, model.scorer()))
            runs.setdefault(name, []).append(run)
            print(f"{name} seed {seed}: test NDCG@5 "
                  f"{run['test']['ndcg@5']:.4f} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
            if output_dir is not None:  # A stopped run keeps these.
                done = sum(map(len, runs.values()))
                _write(output_dir, dict(
                    result, seconds=time.perf_counter() - start,
                    partial=f'{done} of {len(models) * seeds} runs',
                    summary=summarize(runs), comparisons={}, goals={},
                    runs=runs))

    summary = summarize(runs)
    baselines = [m for m in models if m not in LGIR_MODELS]
    comparisons = {}
    if 'lgir' in models and len(models) > 1:
        best = max(baselines,
                   key=lambda m: summary[m]['test']['ndcg@5']['mean']) \
            if baselines else None
        others = ([best] if best else []) + [
            m for m in models if m not in ('lgir', best)]
        comparisons = {'strongest_baseline': best,
                       'lgir_vs': compare(values, 'lgir', others)}
    result.update(seconds=time.perf_counter() - start, summary=summary,
                  comparisons=comparisons,
                  goals=goals(summary, comparisons), runs=runs)
    if output_dir is not None:
        _write(output_dir, result)
        plot_groups(summary, osp.join(output_dir, 'quality_groups.png'),
                    dataset)
        if comparisons:
            plot_gains(result, osp.join(output_dir, 'quality_gains.png'))
    return result


def _write(output_dir: str, result: Dict[str, Any]) -> None:
    # quality.json and quality.md, each replaced whole.
    write_json(osp.join(output_dir, 'quality.json'), result)
    with atomic_open(osp.join(output_dir, 'quality.md')) as f:
        f.write(format_quality(result))


def tune_models(configs: Dict[str, Any], data, trials: int,
                evaluator) -> Dict[str, Any]:
    r"""Tunes every config of :obj:`configs` in place on validation
    (:func:`~lgir_pyg.training.tune.tune`); a model of
    :data:`TUNE_ON_TOP` starts from the values chosen for its base model
    and searches only its own keys. Returns the
    :class:`~lgir_pyg.training.tune.TuneResult` of each model."""
    out = {}
    for name, config in configs.items():
        space = search_space(name)
        base = TUNE_ON_TOP.get(name)
        if base in out:
            chosen = out[base].best['params'] if out[base].trials else {}
            for key, value in chosen.items():
                section, _, arg = key.partition('.')
                getattr(config, section)[arg] = value
            space = {k: v for k, v in space.items()
                     if k not in search_space(base)}
        out[name] = tune(name, data, trials, space=space, config=config,
                         evaluator=evaluator)
        print(f'tuned {name} on validation: '
              f"{out[name].best['params'] if out[name].trials else '-'}",
              flush=True)
    return out


def goals(summary: Dict[str, Any],
          comparisons: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    r"""Issue 12's goals for :obj:`lgir`, each with its figure and whether
    it is reached (:obj:`None` where a needed model did not run): NDCG@5
    at least 1.10 times the strongest non-LGIR model's with the paired
    interval above zero, at least 1.15 times on users with 1-2 training
    interactions, warm items at least PyG LightGCN's, cold items at least
    the best text model's, and IRC (:obj:`lgir` against :obj:`lgir-src`)
    and the GAN (against :obj:`lgir-nogan`) above zero on the 1- and
    2-interaction groups."""
    if not comparisons:
        return {}
    vs = comparisons['lgir_vs']
    best = comparisons['strongest_baseline']
    out = {}

    def ratio(slice_name: str, factor: float) -> Dict[str, Any]:
        d = vs[best][slice_name]
        value = d['a'] / d['b'] if d['b'] else float('inf')
        return {'figure': f"{value:.3f}x {best} ({d['a']:.4f} vs "
                          f"{d['b']:.4f}, paired {format_difference(d)})",
                'reached': value >= factor and d['ci_low'] > 0}

    if best is not None:
        out['overall >= 1.10x strongest non-LGIR'] = ratio('all', 1.10)
        out['1-2 interactions >= 1.15x'] = ratio('1-2', 1.15)
    kinds = summary['lgir']['test_warm_cold']
    if 'lightgcn' in summary:
        own, other = (kinds['warm']['ndcg@5']['mean'],
                      summary['lightgcn']['test_warm_cold']['warm'][
                          'ndcg@5']['mean'])
        if own is not None and other is not None:
            out['warm >= lightgcn'] = {
                'figure': f'{own:.4f} vs {other:.4f}',
                'reached': own >= other}
    texts = [m for m in TEXT_MODELS if m in summary and
             summary[m]['test_warm_cold']['cold']['ndcg@5']['mean']
             is not None]
    own = kinds['cold']['ndcg@5']['mean']
    if texts and own is not None:
        top = max(texts, key=lambda m: summary[m]['test_warm_cold'][
            'cold']['ndcg@5']['mean'])
        other = summary[top]['test_warm_cold']['cold']['ndcg@5']['mean']
        out['cold >= best text model'] = {
            'figure': f'{own:.4f} vs {other:.4f} ({top})',
            'reached': own >= other}
    for label, other in (('IRC > SRC', 'lgir-src'),
                         ('GAN > no GAN', 'lgir-nogan')):
        if other not in vs:
            continue
        parts = [vs[other][g] for g in ('1', '2')]
        out[f'{label} on 1 and 2 interactions'] = {
            'figure': '; '.join(f'{g}: {format_difference(d)}'
                                for g, d in zip(('1', '2'), parts)),
            'reached': all(d['ci_low'] > 0 for d in parts)}
    return out


def _cell(stat: Dict[str, Any]) -> str:
    if stat['mean'] is None:
        return 'n/a'
    return f"{stat['mean']:.4f} ± {stat['std']:.4f}"


def _relative(diff: float, base: float) -> str:
    return f'{diff / base:+.1%}' if base else 'n/a'


def _table(summary: Dict[str, Any], columns: Sequence[str],
           stat: Callable[[Dict[str, Any], str], Dict[str, Any]],
           headers: Optional[Sequence[str]] = None) -> List[str]:
    # One row per model of the mean ± std of stat(model summary, column).
    return [
        '| model | ' + ' | '.join(headers or columns) + ' |',
        '|---|' + '---|' * len(columns)
    ] + [
        f'| {name} | ' + ' | '.join(_cell(stat(s, c)) for c in columns) +
        ' |' for name, s in summary.items()
    ]


def _node_names(result: Dict[str, Any]) -> Tuple[str, str]:
    # The graph's own user and item type names (older results: generic).
    return result.get('user_type', 'user'), result.get('item_type', 'item')


def format_quality(result: Dict[str, Any]) -> str:
    r"""The markdown tables of a :func:`run_quality` result, in the words
    of the graph's node types; a result written while the runs go on says
    how many finished."""
    summary, seeds = result['summary'], result['seeds']
    user, item = _node_names(result)
    first = next(iter(summary.values()))
    partial = (f" **Partial: {result['partial']} finished** (the run was "
               'stopped, or goes on).' if result.get('partial') else '')
    lines = [
        f"# Quality on {result.get('dataset', 'KaggleJobViews')} (test "
        f"split)", '',
        f"Command: `{result['command']}` ({seeds} seeds, "
        f"torch.set_num_threads({result['torch_num_threads']}), "
        f"{result['seconds'] / 60:.0f} minutes). Mean ± std over seeds."
        f"{partial}", '',
        f'## Full ranking over all {item}s', ''
    ]
    lines += _table(summary, METRICS, lambda s, m: s['test'][m])
    lines += ['', f'## Sampled protocol (held-out {item} vs 99 sampled '
              f'{item}s)', '']
    lines += _table(summary, SAMPLED_METRICS,
                    lambda s, m: s['test_sampled'][m])
    lines += [
        '', f'## The {item} side: {user}s ranked for each held-out {item} '
        '(full ranking)', ''
    ]
    lines += _table(summary, METRICS, lambda s, m: s['test_item_side'][m])
    beyond = list(first['test_beyond'])
    if beyond:
        category = result.get('item_category')
        diversity = (f'intra-list diversity over `{category}`' if category
                     else f'none (no {item} category was given: set '
                     'data.item_category)')
        lines += [
            '', '## Beyond accuracy: what the top-k lists do (test, full '
            'ranking)', '',
            'coverage: share of the catalogue recommended to anyone; '
            f'diversity: {diversity}; personalization: '
            f'dissimilarity of lists between {user}s; popularity: mean '
            f'training interactions of recommended {item}s; cold: share of '
            f'recommended {item}s without training interactions.', ''
        ]
        lines += _table(summary, beyond, lambda s, m: s['test_beyond'][m])
        fair = first['test_fairness']
        keys = [k for k in fair if k.endswith(('_spread', '_std'))]
        lines += [
            '', '## Fairness between user groups (test NDCG@5)', '',
            'The spread (max - min) and standard deviation of NDCG@5 across '
            'the activity groups (1, 2, 3-5, 6+ training interactions)' +
            (f" and across the values of `{fair['attribute']}`"
             if 'attribute' in fair else '') + '.', ''
        ]
        lines += _table(summary, keys, lambda s, k: s['test_fairness'][k])
    groups = first['test_groups']
    lines += [
        '', '## NDCG@5 by training interactions per user (full ranking)', ''
    ]
    lines += _table(summary, list(groups),
                    lambda s, g: s['test_groups'][g]['ndcg@5'],
                    [f"{g} (n={groups[g]['count']})" for g in groups])
    kinds = first['test_warm_cold']
    lines += [
        '', f"## NDCG@5 by the held-out {item}'s kind (full ranking)", '',
        f'warm: the {item} has training interactions; cold: it has none. '
        f'Each test example counts where its {item} belongs, ranked '
        f'against all {item}s.', ''
    ]
    lines += _table(summary, list(kinds),
                    lambda s, k: s['test_warm_cold'][k]['ndcg@5'],
                    [f"{k} (n={kinds[k]['count']})" for k in kinds])
    lines += format_comparisons(result)
    return '\n'.join(lines) + '\n'


def format_comparisons(result: Dict[str, Any]) -> List[str]:
    r"""The markdown lines of the paired comparisons, the tuning and the
    goals of a :func:`run_quality` result."""
    comp, lines = result['comparisons'], []
    if not comp:
        return lines
    user, item = _node_names(result)
    vs = comp['lgir_vs']
    slices = list(next(iter(vs.values())))
    counts = {name: next(iter(vs.values()))[name]['num_examples']
              for name in slices}
    lines += [
        '', '## LGIR against every other model (paired, per test example)',
        '', f"Strongest non-LGIR model by mean NDCG@5: "
        f"**{comp['strongest_baseline']}**. Each cell is lgir's NDCG@5 "
        'minus the other model\'s, per test example averaged over seeds, '
        'with its 95% bootstrap interval over test examples (2,000 '
        'resamples); *seed sd* is the standard deviation over seeds of the '
        'per-seed mean difference. Slices: all test examples, '
        f'{user}s with 1, 2, 1-2, 3-5 and 6+ training interactions, and '
        f'examples whose held-out {item} is warm or cold.', '',
        '| lgir vs | relative | seed sd | ' + ' | '.join(
            f'{name} (n={counts[name]})' for name in slices) + ' |',
        '|---|---|---|' + '---|' * len(slices)
    ]
    for other, parts in vs.items():
        d = parts['all']
        rel = _relative(d['mean'], d['b'])
        lines.append(f"| {other} | {rel} | {d['seed_std']:.4f} | " +
                     ' | '.join(format_difference(parts[name])
                                for name in slices)
                     + ' |')
    tuning = result.get('tuning') or {}
    if tuning:
        lines += [
            '', '## Hyper-parameters chosen on validation', '',
            'Chosen by `lgir_pyg.training.tune` on the validation split '
            '(seed 0, best validation NDCG@5 with early stopping); the test '
            'split took no part.', '',
            '| model | trials | chosen |', '|---|---|---|'
        ]
        for name, t in tuning.items():
            chosen = ', '.join(f'{k.partition(".")[2]}={v}'
                               for k, v in t['chosen'].items()) or \
                'defaults (nothing to tune)'
            lines.append(f"| {name} | {len(t['trials'])} | {chosen} |")
    if result.get('goals'):
        lines += ['', '## Goals (issue 12)', '']
        for goal, g in result['goals'].items():
            verdict = 'reached' if g['reached'] else 'not reached'
            lines.append(f"- {goal}: **{verdict}** ({g['figure']})")
    return lines


def plot_gains(result: Dict[str, Any], path: str) -> None:
    r"""Bars of lgir's paired NDCG@5 difference, with 95% bootstrap
    intervals, on every slice against the strongest non-LGIR model, PyG's
    LightGCN and the LGIR ablations (those that ran)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    comp = result['comparisons']
    vs = comp['lgir_vs']
    others = [m for m in [comp['strongest_baseline'], 'lightgcn',
                          *LGIR_MODELS] if m in vs]
    others = list(dict.fromkeys(others))
    slices = list(vs[others[0]])
    width = 0.8 / len(others)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for i, other in enumerate(others):
        parts = [vs[other][name] for name in slices]
        x = [k + i * width for k in range(len(slices))]
        mean = [d['mean'] for d in parts]
        err = [[d['mean'] - d['ci_low'] for d in parts],
               [d['ci_high'] - d['mean'] for d in parts]]
        ax.bar(x, mean, width, yerr=err, label=f'lgir - {other}')
    ax.axhline(0, color='black', linewidth=0.8)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(slices))])
    ax.set_xticklabels(slices)
    ax.set_xlabel('test examples (all; by training interactions; by the '
                  f"held-out {_node_names(result)[1]}'s kind)")
    ax.set_ylabel('paired NDCG@5 difference')
    ax.set_title(f"{result.get('dataset')}: lgir against the strongest "
                 'baseline, LightGCN and its ablations (95% bootstrap '
                 'intervals)', fontsize=10)
    ax.legend(ncol=3, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


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
