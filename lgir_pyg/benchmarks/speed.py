r"""Training and evaluation speed of LGIR against PyG's LightGCN, and how
LGIR's epoch time and memory grow with the graph; see :func:`run_speed`."""
import gc
import os.path as osp
import time
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.benchmarks.timing import (alternate, command, machine,
                                        median, peak_rss_mib, write_json)
from lgir_pyg.config import RunConfig, load_config
from lgir_pyg.datasets import KaggleJobViews
from lgir_pyg.datasets.graph import interaction_edge_type
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import MODELS, GraphRecommender, build_model
from lgir_pyg.training import BPRSampler, Trainer
from lgir_pyg.training.distributed import resolve_device

TEXT_CHANNELS = 384  # all-MiniLM-L6-v2's embedding size.
# The registered models timed on the real graph, those registered: LGIR
# against LightGCN, and LGIR without its GAN (what the GAN costs) and the
# text-only LGIR.
COMPARED = ('lgir', 'lightgcn', 'lgir-nogan', 'lgir-text')
PROPAGATIONS = ('full', 'batch')
# The registered models of the scale sweep: LGIR, and the text-only LGIR
# where it is registered apart.
SWEPT = ('lgir', 'lgir-text')
# The sweep times up to `runs` whole epochs per scale, as many as fit in
# this many seconds (at least one).
EPOCH_BUDGET_S = 60.0
RATIO_GOAL = 1.5  # LGIR's epoch at most this many times LightGCN's.
SCALING_GOAL = 1.5  # Seconds per edge at the largest scale / smallest.
RSS_GOAL_MIB = 8 * 1024  # Peak RSS at the largest scale.
# Scores per evaluation batch: the batch size is this over the number of
# items, so evaluation memory stays bounded at any scale.
EVAL_SCORES = 1 << 22


def random_text(data: HeteroData, channels: int = TEXT_CHANNELS,
                seed: int = 0) -> Tuple[Tensor, Tensor]:
    r"""Random unit-norm user and item text embeddings, normalised in place
    so that no second copy is made: the speed of a model does not depend
    on their values."""
    gen = torch.Generator().manual_seed(seed)
    user_type, _, item_type = interaction_edge_type(data)
    out = []
    for node_type in (user_type, item_type):
        x = torch.randn(data[node_type].num_nodes, channels, generator=gen)
        out.append(x.div_(x.norm(dim=-1, keepdim=True)))
    return out[0], out[1]


def synthetic_graph(data: HeteroData, scale: int, num_test_users: int = 0,
                    seed: int = 0) -> HeteroData:
    r"""A random user-item graph :obj:`scale` times the size of the training
    graph of :obj:`data`, with the same shape of degree distributions: each
    of the :obj:`scale` times as many users gets the degree of a random user
    of :obj:`data`, and each of its edges goes to an item drawn with
    probability proportional to the degree of a random item of :obj:`data`
    (so cold items stay cold and popular items popular). Repeated pairs are
    merged, so there are slightly fewer than :obj:`scale` times the edges.

    :obj:`num_test_users` random users (at most all) get one held-out test
    item each, drawn the same way among the items they have no training
    edge to; there are no validation pairs."""
    gen = torch.Generator().manual_seed(seed)
    edge_type = interaction_edge_type(data)
    user_type, _, item_type = edge_type
    edge_index = data[edge_type].edge_index
    num_users, num_jobs = data[user_type].num_nodes, data[item_type].num_nodes
    user_deg = torch.bincount(edge_index[0], minlength=num_users)
    job_deg = torch.bincount(edge_index[1], minlength=num_jobs)
    user_deg = user_deg[torch.randint(num_users, (scale * num_users, ),
                                      generator=gen)]
    job_weight = job_deg[torch.randint(num_jobs, (scale * num_jobs, ),
                                       generator=gen)].float()
    user = torch.repeat_interleave(torch.arange(user_deg.numel()), user_deg)
    job = torch.multinomial(job_weight, user.numel(), replacement=True,
                            generator=gen)
    num_jobs = job_weight.numel()
    key = torch.unique(user * num_jobs + job)

    test_user = torch.randperm(user_deg.numel(), generator=gen)
    test_user = test_user[:num_test_users].sort().values
    test_job = torch.multinomial(job_weight, test_user.numel(),
                                 replacement=True, generator=gen)
    new = ~torch.isin(test_user * num_jobs + test_job, key)

    out = HeteroData()
    out[user_type].num_nodes = user_deg.numel()
    out[item_type].num_nodes = num_jobs
    store = out[edge_type]
    store.edge_index = torch.stack([key // num_jobs, key % num_jobs])
    store.val_edge_label_index = torch.empty(2, 0, dtype=torch.long)
    store.test_edge_label_index = torch.stack([test_user[new],
                                               test_job[new]])
    return out


def model_overrides(name: str, embedding_dim: int) -> Dict[str, Any]:
    r"""The config overrides that give the registered model :obj:`name`
    the size :obj:`embedding_dim` of its trained embeddings (its
    :obj:`embedding_dim`, or :obj:`id_dim` of an ID tower), all else at
    its defaults. The :obj:`"identity"` initialisation of a text
    projection needs the text size, so it becomes :obj:`"random"`: the
    initial values do not change the speed."""
    defaults = load_config(name).model_kwargs
    out = {f'model_kwargs.{key}': embedding_dim
           for key in ('embedding_dim', 'id_dim') if key in defaults}
    if defaults.get('text_init') == 'identity':
        out['model_kwargs.text_init'] = 'random'
    return out


def _sync(device: Optional[torch.device]) -> None:
    if device is not None and device.type == 'cuda':
        torch.cuda.synchronize(device)


def _reset_peak_memory(device: Optional[torch.device]) -> None:
    # Linux resets VmHWM, the peak RSS, on writing 5 to clear_refs.
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass
    if device is not None and device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)


def epoch_runner(
    name: str,
    data: HeteroData,
    user_x: Tensor,
    item_x: Tensor,
    overrides: Dict[str, Any],
) -> Tuple[RunConfig, Trainer, Callable[[Optional[int]], None], int]:
    r"""Builds the registered model :obj:`name` with its config updated by
    :obj:`overrides` (see :func:`lgir_pyg.config.load_config`), and returns
    the config, its :class:`~lgir_pyg.training.Trainer`,
    :obj:`train(num_batches=None)`, which runs
    :meth:`~lgir_pyg.training.Trainer.train_epoch` on one whole epoch of BPR
    batches or its first :obj:`num_batches` (a warm-up) and waits for the
    device, and the batches per epoch."""
    config = load_config(name, overrides=overrides)
    torch.manual_seed(config.seed)
    # The features LGIR reads; LightGCN ignores them.
    user_type, _, item_type = interaction_edge_type(data)
    data[user_type].x_irc, data[item_type].x = user_x, item_x
    model = build_model(name, data, **config.model_kwargs)
    trainer = Trainer(model, data, Evaluator(data), seed=config.seed,
                      **config.train)
    sampler, optimizers = trainer.sampler(), trainer.optimizers()

    def train(num_batches: Optional[int] = None) -> None:
        batches = sampler if num_batches is None else (
            b for _, b in zip(range(num_batches), sampler))
        trainer.train_epoch(batches, *optimizers)
        _sync(trainer.device)

    return config, trainer, train, len(sampler)


def time_evaluation(trainer: Trainer,
                    batch_size: Optional[int] = None) -> Dict[str, Any]:
    r"""Times the full-ranking test evaluation of :obj:`trainer`'s model by
    an :class:`~lgir_pyg.evaluation.Evaluator` with :obj:`batch_size` users
    per batch (default: :obj:`EVAL_SCORES` scores per batch), embeddings
    included."""
    data, model = trainer.data, trainer.model
    num_items = data[model.edge_type[2]].num_nodes
    batch_size = batch_size or max(1, EVAL_SCORES // num_items)
    evaluator = Evaluator(data, batch_size=batch_size,
                          edge_type=model.edge_type)
    start = time.perf_counter()
    evaluator.evaluate(model.scorer(), 'test')
    seconds = time.perf_counter() - start
    num_users = data[model.edge_type].test_edge_label_index[0].unique()
    return {'num_users': num_users.numel(), 'seconds': seconds,
            'users_per_s': num_users.numel() / seconds,
            'batch_size': batch_size}


def neighbourhood_size(model: GraphRecommender, sampler: BPRSampler,
                       num_batches: int = 5) -> Dict[str, float]:
    r"""The mean nodes and edges of the neighbourhoods that :obj:`model`'s
    mini-batches of :obj:`sampler` gather (:meth:`~lgir_pyg.training.
    GraphRecommender.fanouts` deep), over :obj:`num_batches` batches: the
    work of a step."""
    nodes, edges = [], []
    offset = model.num_users
    for _, (user, pos, neg) in zip(range(num_batches), sampler):
        seed = torch.unique(torch.cat([user, pos + offset, neg + offset]))
        device = model.edge_index.device
        subgraph = model.neighborhood.sample(
            seed.to(device), torch.stack([user, pos]).to(device),
            model.fanouts())
        nodes.append(subgraph.node.numel())
        edges.append(subgraph.edge_index.size(1))
    return {'nodes': sum(nodes) / len(nodes),
            'edges': sum(edges) / len(edges)}


def scale_point(data: HeteroData, scale: int, embedding_dim: int,
                num_test_users: int, runs: int = 1,
                device: Optional[torch.device] = None,
                name: str = 'lgir') -> Dict[str, Any]:
    r"""Trains the registered model :obj:`name` (see
    :func:`model_overrides`) for up to :obj:`runs` whole epochs, each
    timed, as many as fit in :obj:`EPOCH_BUDGET_S` seconds (after a warm-up
    batch), on :func:`synthetic_graph` at :obj:`scale` of :obj:`data` and
    evaluates it on :obj:`num_test_users` held-out pairs. The peak memory
    is this scale's: graph, features, model, epochs and evaluation."""
    _reset_peak_memory(device)
    graph = synthetic_graph(data, scale, num_test_users)
    user_x, item_x = random_text(graph)
    overrides = {'train.device': None if device is None else str(device),
                 **model_overrides(name, embedding_dim)}
    _, trainer, train, num_batches = epoch_runner(name, graph, user_x,
                                                  item_x, overrides)
    train(1)
    times, start = [], time.perf_counter()
    while len(times) < runs and (
            not times or time.perf_counter() - start < EPOCH_BUDGET_S):
        times.append(alternate({f'x{scale} epoch': train}, 1)[
            f'x{scale} epoch'][0])
    seconds = median(times)
    evaluation = time_evaluation(trainer)
    model, edge_type = trainer.model, trainer.model.edge_type
    num_edges = graph[edge_type].edge_index.size(1)
    out = {
        'model': name,
        'scale': scale,
        'num_users': graph[edge_type[0]].num_nodes,
        'num_jobs': graph[edge_type[2]].num_nodes,
        'num_edges': num_edges,
        'batches': num_batches,
        'propagation': model.resolve_propagation(trainer.propagation),
        'neighbourhood': neighbourhood_size(model, trainer.sampler()),
        'epoch_s': seconds,
        'epoch_runs_s': times,
        's_per_edge': seconds / num_edges,
        'evaluation': evaluation,
        'peak_rss_mib': peak_rss_mib(),
    }
    if device is not None and device.type == 'cuda':
        out['peak_gpu_mib'] = torch.cuda.max_memory_allocated(device) / 2**20
    return out


def run_speed(
    threads: int = 1,
    runs: int = 5,
    scales: Sequence[int] = (1, 10, 100),
    output_dir: str = 'benchmarks/results',
    embedding_dim: int = 64,
    data: Optional[HeteroData] = None,
    device: Optional[str] = None,
    num_test_users: int = 500,
    swept: Sequence[str] = SWEPT,
    dataset: str = 'KaggleJobViews',
) -> Dict[str, Any]:
    r"""Measures in this process, with :obj:`torch.set_num_threads(threads)`
    (left set) and on :obj:`device` (default: the CPU):

    * the time of a training epoch (:meth:`lgir_pyg.training.Trainer.
      train_epoch`: BPR batches of the registered training config, the GAN
      step included) of the registered :obj:`"lgir"` model against the
      registered :obj:`"lightgcn"` (PyG's
      :class:`~torch_geometric.nn.models.LightGCN`), and of the other
      models of :obj:`COMPARED` that are registered, all at their defaults
      but for the size of their trained embeddings,
      :obj:`embedding_dim` (see :func:`model_overrides`), on :obj:`data`
      (default: KaggleJobViews) with :func:`random_text` features, on each
      propagation path; runs of one epoch alternate, :obj:`runs` each,
      after a warm-up batch; the ratio of the medians on the paths that
      :obj:`propagation="auto"` picks is LGIR / LightGCN;
    * the users per second of the full-ranking test evaluation of LGIR on
      :obj:`data` by :class:`~lgir_pyg.evaluation.Evaluator` (embeddings
      included), in batches of :obj:`EVAL_SCORES` scores;
    * the epoch (the median of up to :obj:`runs` whole epochs, as many as
      fit in :obj:`EPOCH_BUDGET_S` seconds, each timed in full), seconds
      per training edge, peak RSS and evaluation of each registered model
      of :obj:`swept` on :func:`synthetic_graph` at each of :obj:`scales`,
      with :obj:`num_test_users` held-out pairs (see :func:`scale_point`).

    Writes :obj:`speed.json` (everything) and :obj:`speed.md` (tables and
    goals) to :obj:`output_dir` and returns the result.
    """
    torch.set_num_threads(threads)
    device = resolve_device(device)
    if data is None:
        data = KaggleJobViews()[0]
    edge_type = interaction_edge_type(data)
    user_x, item_x = random_text(data)

    compared = [name for name in COMPARED if name in MODELS]
    runners, trainers, configs = {}, {}, {}
    for name in compared:
        for propagation in PROPAGATIONS:
            key = f'{name} {propagation}'
            overrides = {'train.propagation': propagation,
                         'train.device': None if device is None else
                         str(device),
                         **model_overrides(name, embedding_dim)}
            configs[key], trainers[key], train, _ = epoch_runner(
                name, data, user_x, item_x, overrides)
            train(1)
            runners[key] = train
    times = alternate(runners, runs)
    epoch = {}
    for name in compared:
        # The path of the registered default, propagation='auto'.
        path = trainers[f'{name} full'].model.resolve_propagation('auto')
        key = f'{name} {path}'
        epoch[name] = {
            'median_s': median(times[key]),
            'runs_s': times[key],
            'propagation': path,
            'paths_s': {p: median(times[f'{name} {p}'])
                        for p in PROPAGATIONS},
            'model': repr(trainers[key].model),
            'config': configs[key].to_dict(),
        }
    ratio = epoch['lgir']['median_s'] / epoch['lightgcn']['median_s']

    trainer = trainers[f"lgir {epoch['lgir']['propagation']}"]
    evaluations = [time_evaluation(trainer) for _ in range(runs)]
    eval_s = [e['seconds'] for e in evaluations]
    del runners, trainers, trainer
    gc.collect()

    sweep, goals = [], {'ratio': _goal(ratio, RATIO_GOAL)}
    for name in [name for name in swept if name in MODELS]:
        rows = []
        for scale in scales:
            rows.append(scale_point(data, scale, embedding_dim,
                                    num_test_users, runs, device, name))
            print(f"{name} x{scale}: epoch {rows[-1]['epoch_s']:.2f} s, "
                  f"peak RSS {rows[-1]['peak_rss_mib']:.0f} MiB", flush=True)
            gc.collect()
        sweep += rows
        goals[f'scaling {name}'] = _goal(
            rows[-1]['s_per_edge'] / rows[0]['s_per_edge'], SCALING_GOAL)
        goals[f'peak_rss_mib {name}'] = _goal(rows[-1]['peak_rss_mib'],
                                              RSS_GOAL_MIB)

    result = {
        'command': command(),
        **machine(),
        'device': 'cpu' if device is None else str(device),
        'runs': runs,
        'embedding_dim': embedding_dim,
        'text_channels': TEXT_CHANNELS,
        'graph': {
            'name': dataset,
            'user_type': edge_type[0],
            'item_type': edge_type[2],
            'num_users': data[edge_type[0]].num_nodes,
            'num_jobs': data[edge_type[2]].num_nodes,
            'num_edges': data[edge_type].edge_index.size(1),
        },
        'epoch': epoch,
        'evaluation': {
            'num_users': evaluations[0]['num_users'],
            'batch_size': evaluations[0]['batch_size'],
            'median_s': median(eval_s),
            'runs_s': eval_s,
            'users_per_s': evaluations[0]['num_users'] / median(eval_s),
        },
        'sweep': sweep,
        'goals': goals,
    }
    write_json(osp.join(output_dir, 'speed.json'), result)
    with open(osp.join(output_dir, 'speed.md'), 'w') as f:
        f.write(format_speed(result))
    plot_speed(result, osp.join(output_dir, 'speed.png'))
    return result


def _goal(value: float, goal: float) -> Dict[str, Any]:
    return {'value': value, 'goal': goal, 'reached': value <= goal}


def _reached(goal: Dict[str, Any]) -> str:
    return 'reached' if goal['reached'] else '**NOT reached**'


def format_speed(result: Dict[str, Any]) -> str:
    r"""The markdown report of a :func:`run_speed` result."""
    graph, ev, goals = result['graph'], result['evaluation'], result['goals']
    sweep = result['sweep']
    scales = sorted({row['scale'] for row in sweep})
    first, last = f'x{scales[0]}', f'x{scales[-1]}'
    lines = [
        '# Speed: LGIR against PyG LightGCN', '',
        f"Made by `{result['command']}` in one process with "
        f"`torch.set_num_threads({result['torch_num_threads']})` on "
        f"{result['cpu_count']} CPU cores ({result['cpu']}), device "
        f"`{result['device']}`, torch {result['torch']}.", '',
        '## Goals', '',
        '| goal | measured | target | |', '|---|---|---|---|',
        f"| lgir epoch / lightgcn epoch (real graph) | "
        f"{goals['ratio']['value']:.2f}x | <= {goals['ratio']['goal']}x | "
        f"{_reached(goals['ratio'])} |",
    ]
    for key, goal in goals.items():
        kind, _, name = key.partition(' ')
        if kind == 'scaling':
            lines.append(f"| {name}: seconds per edge, {last} / {first} | "
                         f"{goal['value']:.2f}x | <= {goal['goal']}x | "
                         f"{_reached(goal)} |")
        elif kind == 'peak_rss_mib':
            lines.append(f"| {name}: peak RSS at {last} | "
                         f"{goal['value']:,.0f} MiB | <= "
                         f"{goal['goal']:,} MiB | {_reached(goal)} |")
    # The graph's own names (older results: generic ones).
    dataset = graph.get('name', 'the dataset')
    user = graph.get('user_type', 'user')
    item = graph.get('item_type', 'item')
    lines += [
        '', f"## One training epoch on {dataset} "
        f"({graph['num_users']:,} {user}s, {graph['num_jobs']:,} {item}s, "
        f"{graph['num_edges']:,} training edges)", '',
        f"Registered models at their defaults but for the size of their "
        f"trained embeddings, {result['embedding_dim']}, on random "
        f"{result['text_channels']}-dim text features; "
        f"`Trainer.train_epoch` with the registered training config (the "
        f"GAN step included); median of {result['runs']} alternating "
        f"one-epoch runs after a warm-up batch, on the path that the default "
        f"`propagation='auto'` picks; the next columns time each path.", '',
        '| model | epoch (s) | runs (s) | auto path | full graph (s) | '
        'mini-batch (s) | model |', '|---|---|---|---|---|---|---|'
    ]
    for name, row in result['epoch'].items():
        runs = ', '.join(f'{t:.2f}' for t in row['runs_s'])
        lines.append(f"| {name} | {row['median_s']:.3f} | {runs} | "
                     f"{row['propagation']} | {row['paths_s']['full']:.3f} | "
                     f"{row['paths_s']['batch']:.3f} | `{row['model']}` |")
    lines += [
        '', '## Evaluation', '',
        f"Full-ranking test evaluation of lgir by the `Evaluator` "
        f"(embeddings included, {ev['batch_size']} {user}s per batch): "
        f"{ev['num_users']:,} {user}s in {ev['median_s']:.3f} s (median of "
        f"{result['runs']}), **{ev['users_per_s']:,.0f} {user}s/s**.", '',
        '## Scale sweep on synthetic graphs', '',
        f'Each scale multiplies the {user}s and {item}s of {dataset}; '
        f'{user}s '
        f"get the degrees of random real {user}s, edges go to {item}s drawn "
        f"in proportion to the degrees of random real {item}s (cold {item}s "
        "stay cold), repeated pairs are merged. Each epoch is timed whole, "
        "after a warm-up batch (the median of the epochs run), nothing is "
        "extrapolated. Peak RSS is the process's during that scale (graph, "
        "features, model, epochs, evaluation; reset between scales). The "
        f"evaluation ranks all {item}s for the held-out pair of each of "
        f"{sweep[0]['evaluation']['num_users']:,} random {user}s, in batches "
        "of at most 4M scores. Nodes / edges per batch: the neighbourhood "
        "a mini-batch gathers.", '',
        f'| model | scale | {user}s | {item}s | edges | batches | path | '
        'nodes / edges per batch | epochs run | epoch (s) | s per edge | '
        f'eval {user}s/s | peak RSS (MiB) |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|'
    ]
    for row in sweep:
        hood = row['neighbourhood']
        lines.append(
            f"| {row['model']} | x{row['scale']} | {row['num_users']:,} | "
            f"{row['num_jobs']:,} | {row['num_edges']:,} | "
            f"{row['batches']} | {row['propagation']} | "
            f"{hood['nodes']:,.0f} / {hood['edges']:,.0f} | "
            f"{len(row['epoch_runs_s'])} | {row['epoch_s']:.2f} | "
            f"{row['s_per_edge'] * 1e6:.1f} us | "
            f"{row['evaluation']['users_per_s']:,.1f} | "
            f"{row['peak_rss_mib']:,.0f} |")
    lines += [
        '', "On a small graph the neighbourhoods within a batch overlap "
        f"(popular {item}s and their {user}s recur), on a large one they "
        "do not, "
        "so a step does more work until the overlap is gone; the work of a "
        "step is bounded by the batch, not by the graph. An ID embedding "
        "table is the exception: Adam updates all of its rows at every "
        "step."
    ]
    return '\n'.join(lines) + '\n'


def plot_speed(result: Dict[str, Any], path: str):
    r"""Draws a :func:`run_speed` result to :obj:`path`: one training
    epoch of each model on the real graph, on each propagation path (the
    path :obj:`propagation="auto"` picks outlined, its runs as dots), and
    the epoch of each swept model against the training edges of each scale
    (log-log), beside the time that grows linearly from the smallest
    scale. Returns the :class:`matplotlib.figure.Figure`."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    epoch = result['epoch']
    width = 0.8 / len(PROPAGATIONS)
    for i, path_name in enumerate(PROPAGATIONS):
        x = [k + (i - (len(PROPAGATIONS) - 1) / 2) * width
             for k in range(len(epoch))]
        left.bar(x, [row['paths_s'][path_name] for row in epoch.values()],
                 width, label=path_name, color=f'C{i}',
                 edgecolor=['black' if row['propagation'] == path_name else
                            'none' for row in epoch.values()],
                 linewidth=1.5)
        for xi, row in zip(x, epoch.values()):
            if row['propagation'] == path_name:
                left.plot([xi] * len(row['runs_s']), row['runs_s'], '.',
                          color='black', markersize=4)
    left.set_xticks(range(len(epoch)))
    left.set_xticklabels(list(epoch))
    left.set_ylabel('seconds per epoch')
    graph = result['graph']
    left.set_title(f"one epoch, {graph['num_users']:,} users, "
                   f"{graph['num_edges']:,} training edges (outlined: "
                   "auto)", fontsize=9)
    left.legend(title='propagation', fontsize=8)

    for i, name in enumerate(dict.fromkeys(r['model']
                                           for r in result['sweep'])):
        rows = [r for r in result['sweep'] if r['model'] == name]
        edges = [r['num_edges'] for r in rows]
        seconds = [r['epoch_s'] for r in rows]
        right.plot(edges, seconds, 'o-', color=f'C{i}', label=name)
        right.plot(edges, [seconds[0] * e / edges[0] for e in edges], '--',
                   color=f'C{i}', linewidth=0.8,
                   label=f'{name}, linear from x{rows[0]["scale"]}')
        for r in rows:
            right.annotate(f"x{r['scale']}", (r['num_edges'], r['epoch_s']),
                           textcoords='offset points', xytext=(4, -10),
                           fontsize=8)
    right.set_xscale('log')
    right.set_yscale('log')
    right.set_xlabel('training edges (log scale)')
    right.set_ylabel('seconds per epoch (log scale)')
    right.set_title('scale sweep on synthetic graphs', fontsize=9)
    right.legend(fontsize=8)
    fig.suptitle(f"Training speed, torch.set_num_threads("
                 f"{result['torch_num_threads']}), device "
                 f"{result['device']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return fig
