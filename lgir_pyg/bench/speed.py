r"""Training and evaluation speed of LGIR against PyG's LightGCN, and how
LGIR's epoch time and memory grow with the graph; see :func:`run_speed`."""
import json
import os.path as osp
import subprocess
import sys
import tempfile
import time
from itertools import islice
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.bench.timing import (alternate, command, machine, median,
                                   peak_rss_mib, write_json)
from lgir_pyg.config import RunConfig, load_config
from lgir_pyg.training import Evaluator, Recommender, Trainer, build_model
from lgir_pyg.datasets.tables import EDGE_TYPE

TEXT_CHANNELS = 384  # all-MiniLM-L6-v2's embedding size.
# The registered models, each at its defaults but for the embedding size.
# LGIR's default 'identity' initialisation needs embedding_dim = the text
# size; the initial values do not change the speed.
COMPARED = {'lgir': {'model_kwargs.text_init': 'random'}, 'lightgcn': {}}
GOAL = 1.5  # LGIR's epoch at most this many times LightGCN's.


def random_text(data: HeteroData, channels: int = TEXT_CHANNELS,
                seed: int = 0) -> Tuple[Tensor, Tensor]:
    r"""Random unit-norm user and job text embeddings: the speed of a model
    does not depend on their values."""
    gen = torch.Generator().manual_seed(seed)
    return tuple(
        F.normalize(torch.randn(data[t].num_nodes, channels, generator=gen),
                    dim=-1) for t in ('user', 'job'))


def synthetic_graph(data: HeteroData, scale: int,
                    seed: int = 0) -> HeteroData:
    r"""A random user-job graph :obj:`scale` times the size of the training
    graph of :obj:`data`, with the same shape of degree distributions: each
    of the :obj:`scale` times as many users gets the degree of a random user
    of :obj:`data`, and each of its edges goes to a job drawn with
    probability proportional to the degree of a random job of :obj:`data`
    (so cold jobs stay cold and popular jobs popular). Repeated pairs are
    merged, so there are slightly fewer than :obj:`scale` times the edges.
    There are no held-out edges."""
    gen = torch.Generator().manual_seed(seed)
    edge_index = data[EDGE_TYPE].edge_index
    num_users, num_jobs = data['user'].num_nodes, data['job'].num_nodes
    user_deg = torch.bincount(edge_index[0], minlength=num_users)
    job_deg = torch.bincount(edge_index[1], minlength=num_jobs)
    user_deg = user_deg[torch.randint(num_users, (scale * num_users, ),
                                      generator=gen)]
    job_weight = job_deg[torch.randint(num_jobs, (scale * num_jobs, ),
                                       generator=gen)]
    user = torch.repeat_interleave(torch.arange(user_deg.numel()), user_deg)
    job = torch.multinomial(job_weight.float(), user.numel(),
                            replacement=True, generator=gen)
    num_jobs = job_weight.numel()
    key = torch.unique(user * num_jobs + job)

    out = HeteroData()
    out['user'].num_nodes = user_deg.numel()
    out['job'].num_nodes = num_jobs
    store = out[EDGE_TYPE]
    store.edge_index = torch.stack([key // num_jobs, key % num_jobs])
    store.val_edge_label_index = store.test_edge_label_index = \
        torch.empty(2, 0, dtype=torch.long)
    return out


def epoch_runner(
    name: str,
    data: HeteroData,
    user_x: Tensor,
    job_x: Tensor,
    overrides: Dict[str, Any],
) -> Tuple[RunConfig, Recommender, Callable[[Optional[int]], None], int]:
    r"""Builds the registered model :obj:`name` with its config updated by
    :obj:`overrides` (see :func:`lgir_pyg.config.load_config`), and returns
    the config, the model, :obj:`train(max_batches=None)`, which runs
    :meth:`lgir_pyg.training.Trainer.train_epoch` on one epoch of BPR
    batches or its first :obj:`max_batches`, and the batches per epoch."""
    config = load_config(name, overrides=overrides)
    torch.manual_seed(config.seed)
    # The features LGIR reads; LightGCN ignores them.
    data['user'].x_irc, data['job'].x = user_x, job_x
    model = build_model(name, data, **config.model_kwargs)
    trainer = Trainer(model, data, Evaluator(data), seed=config.seed,
                      **config.train)
    sampler, optimizers = trainer.sampler(), trainer.optimizers()

    def train(max_batches: Optional[int] = None) -> None:
        trainer.train_epoch(islice(sampler, max_batches), *optimizers)

    return config, model, train, len(sampler)


def scale_point(path: str, scale: int, threads: int, embedding_dim: int,
                max_batches: int) -> Dict[str, Any]:
    r"""Times LGIR's training on :func:`synthetic_graph` at :obj:`scale` of
    the graph saved at :obj:`path`; run it in a fresh process, so that its
    peak RSS is this scale's. Times up to :obj:`max_batches` batches after
    one warm-up batch and extrapolates to the epoch if it has more."""
    torch.set_num_threads(threads)
    start_rss = peak_rss_mib()
    base = torch.load(path, weights_only=True)
    data = HeteroData()
    data['user'].num_nodes, data['job'].num_nodes = base['num_nodes']
    data[EDGE_TYPE].edge_index = base['edge_index']
    data = synthetic_graph(data, scale)
    user_x, job_x = random_text(data)
    overrides = {'model_kwargs.embedding_dim': embedding_dim,
                 **COMPARED['lgir']}
    _, _, train, num_batches = epoch_runner('lgir', data, user_x, job_x,
                                            overrides)
    train(1)
    num_timed = min(max_batches, num_batches)
    start = time.perf_counter()
    train(num_timed)
    seconds = time.perf_counter() - start
    peak_rss = peak_rss_mib()
    return {
        'scale': scale,
        'num_users': data['user'].num_nodes,
        'num_jobs': data['job'].num_nodes,
        'num_edges': data[EDGE_TYPE].edge_index.size(1),
        'batches_per_epoch': num_batches,
        'batches_timed': num_timed,
        'seconds_timed': seconds,
        'epoch_s': seconds * num_batches / num_timed,
        'extrapolated': num_timed < num_batches,
        'peak_rss_mib': peak_rss,
        'rss_growth_mib': peak_rss - start_rss,
    }


def _run_scale(**kwargs) -> Dict[str, Any]:
    code = ('import json, sys; from lgir_pyg.bench.speed import scale_point;'
            ' print(json.dumps(scale_point(**json.loads(sys.argv[1]))))')
    out = subprocess.run([sys.executable, '-c', code, json.dumps(kwargs)],
                         check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.splitlines()[-1])


def run_speed(
    threads: int = 1,
    runs: int = 5,
    scales: Sequence[int] = (1, 10, 100),
    epochs_per_run: int = 1,
    output_dir: str = 'benchmarks/results',
    embedding_dim: int = 64,
    max_batches: int = 10,
    data: Optional[HeteroData] = None,
) -> Dict[str, Any]:
    r"""Measures, with :obj:`torch.set_num_threads(threads)` (left set):

    * the time of a training epoch (:meth:`lgir_pyg.training.Trainer.
      train_epoch`: BPR batches of the registered training config, the GAN
      step included) of the registered :obj:`"lgir"` model against the
      registered :obj:`"lightgcn"` (PyG's
      :class:`~torch_geometric.nn.models.LightGCN`), both at their
      defaults but for the same :obj:`embedding_dim`, on :obj:`data`
      (default: KaggleJobViews) with :func:`random_text` features; runs of
      :obj:`epochs_per_run` epochs alternate, :obj:`runs` each, after one
      warm-up batch; the ratio of the medians is LGIR / LightGCN;
    * the users per second of the full-ranking test evaluation of
      :class:`~lgir_pyg.training.Evaluator` of LGIR (embeddings included);
    * LGIR's epoch time and peak RSS on :func:`synthetic_graph` at each of
      :obj:`scales`, each in its own process (see :func:`scale_point`;
      epochs of more than :obj:`max_batches` batches are extrapolated).

    Writes :obj:`speed.json` (everything) and :obj:`speed.md` (tables) to
    :obj:`output_dir` and returns the result.
    """
    torch.set_num_threads(threads)
    if data is None:
        from lgir_pyg.datasets import KaggleJobViews
        data = KaggleJobViews()[0]
    user_x, job_x = random_text(data)

    configs, models, runners = {}, {}, {}
    for name, extra in COMPARED.items():
        overrides = {'model_kwargs.embedding_dim': embedding_dim, **extra}
        configs[name], models[name], train, _ = epoch_runner(
            name, data, user_x, job_x, overrides)
        train(1)
        runners[name] = lambda train=train: [
            train() for _ in range(epochs_per_run)
        ]
    times = alternate(runners, runs)
    epoch = {
        name: {
            'median_s': median(ts) / epochs_per_run,
            'runs_s': ts,
            'model': repr(models[name]),
            'config': configs[name].to_dict(),
        }
        for name, ts in times.items()
    }
    ratio = epoch['lgir']['median_s'] / epoch['lightgcn']['median_s']

    evaluator, model = Evaluator(data), models['lgir']
    eval_times = alternate(
        {'evaluate': lambda: evaluator.evaluate(model.scorer(), 'test')},
        runs)['evaluate']
    num_users = data[EDGE_TYPE].test_edge_label_index[0].unique().numel()

    with tempfile.TemporaryDirectory() as tmp:
        path = osp.join(tmp, 'graph.pt')
        torch.save({'edge_index': data[EDGE_TYPE].edge_index,
                    'num_nodes': (data['user'].num_nodes,
                                  data['job'].num_nodes)}, path)
        sweep = [
            _run_scale(path=path, scale=scale, threads=threads,
                       embedding_dim=embedding_dim, max_batches=max_batches)
            for scale in scales
        ]

    result = {
        'command': command(),
        **machine(),
        'runs': runs,
        'epochs_per_run': epochs_per_run,
        'embedding_dim': embedding_dim,
        'text_channels': TEXT_CHANNELS,
        'graph': {
            'num_users': data['user'].num_nodes,
            'num_jobs': data['job'].num_nodes,
            'num_edges': data[EDGE_TYPE].edge_index.size(1),
        },
        'epoch': epoch,
        'ratio': ratio,
        'goal': GOAL,
        'goal_reached': ratio <= GOAL,
        'evaluation': {
            'num_users': num_users,
            'median_s': median(eval_times),
            'runs_s': eval_times,
            'users_per_s': num_users / median(eval_times),
        },
        'peak_rss_mib': peak_rss_mib(),
        'max_batches': max_batches,
        'sweep': sweep,
    }
    write_json(osp.join(output_dir, 'speed.json'), result)
    with open(osp.join(output_dir, 'speed.md'), 'w') as f:
        f.write(format_speed(result))
    return result


def format_speed(result: Dict[str, Any]) -> str:
    r"""The markdown report of a :func:`run_speed` result."""
    graph, ev = result['graph'], result['evaluation']
    lines = [
        '# Speed: LGIR against PyG LightGCN', '',
        f"Made by `{result['command']}` with "
        f"`torch.set_num_threads({result['torch_num_threads']})` on "
        f"{result['cpu_count']} CPU cores ({result['cpu']}), torch "
        f"{result['torch']}. Peak RSS of the process (real graph, both "
        f"models, evaluation): {result['peak_rss_mib']:.0f} MiB.", '',
        f"## One training epoch on KaggleJobViews ({graph['num_users']:,} "
        f"users, {graph['num_jobs']:,} jobs, {graph['num_edges']:,} "
        f"training edges)", '',
        f"Registered models at their defaults but for `embedding_dim="
        f"{result['embedding_dim']}` (both), on random "
        f"{result['text_channels']}-dim text features; "
        f"`Trainer.train_epoch` with the registered training config (LGIR's "
        f"GAN step included); median of {result['runs']} alternating runs "
        f"of {result['epochs_per_run']} epoch(s) after a warm-up batch.", '',
        '| model | epoch (s) | runs (s) | model |', '|---|---|---|---|'
    ]
    for name, row in result['epoch'].items():
        runs = ', '.join(f'{t:.2f}' for t in row['runs_s'])
        lines.append(f"| {name} | {row['median_s']:.3f} | {runs} | "
                     f"`{row['model']}` |")
    reached = 'reached' if result['goal_reached'] else 'NOT reached'
    lines += [
        '', f"LGIR / LightGCN: **{result['ratio']:.2f}x** (goal <= "
        f"{result['goal']}x: {reached}).", '',
        '## Evaluation', '',
        f"Full-ranking test evaluation of LGIR by the `Evaluator` "
        f"(embeddings included): {ev['num_users']:,} users in "
        f"{ev['median_s']:.3f} s (median of {result['runs']}), "
        f"**{ev['users_per_s']:,.0f} users/s**.", '',
        '## Scale sweep: LGIR on synthetic graphs', '',
        'Each scale multiplies the users and jobs of KaggleJobViews; users '
        "get the degrees of random real users, edges go to jobs drawn in "
        "proportion to the degrees of random real jobs (cold jobs stay "
        "cold), repeated pairs are merged. Each scale runs in its own "
        "process; peak RSS is that process's, growth is over the process "
        f"after imports. Epochs of more than {result['max_batches']} "
        "batches are timed on that many batches after a warm-up batch and "
        "the epoch time is extrapolated from them.", '',
        '| scale | users | jobs | edges | batches timed / epoch | '
        'epoch (s) | peak RSS (MiB) | RSS growth (MiB) |',
        '|---|---|---|---|---|---|---|---|'
    ]
    for row in result['sweep']:
        mark = ' (extrapolated)' if row['extrapolated'] else ''
        lines.append(
            f"| x{row['scale']} | {row['num_users']:,} | "
            f"{row['num_jobs']:,} | {row['num_edges']:,} | "
            f"{row['batches_timed']} / {row['batches_per_epoch']} | "
            f"{row['epoch_s']:.2f}{mark} | {row['peak_rss_mib']:.0f} | "
            f"{row['rss_growth_mib']:.0f} |")
    return '\n'.join(lines) + '\n'
