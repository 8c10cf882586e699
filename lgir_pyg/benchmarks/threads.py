r"""How the time of a training epoch and of text encoding changes with
torch's thread count, on the real graph and on bigger synthetic ones: the
measurement behind :func:`lgir_pyg.threads.default_threads`; see
:func:`run_threads`."""
import gc
import os.path as osp
from typing import Any, Callable, Dict, List, Optional, Sequence

import torch
from torch_geometric.data import HeteroData

from lgir_pyg.benchmarks.speed import (epoch_runner, model_overrides,
                                       random_text, synthetic_graph)
from lgir_pyg.benchmarks.timing import (alternate, command, machine,
                                        median, write_json)
from lgir_pyg.datasets.graph import interaction_edge_type
from lgir_pyg.threads import cores, free_cores


def thread_counts(cores: int) -> List[int]:
    r"""1, 2, 4, ... up to :obj:`cores`, and :obj:`cores` itself."""
    counts = [1]
    while counts[-1] * 2 <= cores:
        counts.append(counts[-1] * 2)
    return counts + ([cores] if counts[-1] != cores else [])


def _with_threads(threads: int, run: Callable[[], Any]) -> Callable[[], Any]:
    def runner() -> Any:
        torch.set_num_threads(threads)
        return run()
    return runner


def time_threads(run: Callable[[], Any], counts: Sequence[int],
                 runs: int) -> Dict[int, Dict[str, Any]]:
    r"""Runs :obj:`run` with each thread count of :obj:`counts`, once as a
    warm-up and then :obj:`runs` times, alternating between the counts
    (so that load on a shared machine hits all alike); returns the median
    and the runs of each."""
    runners = {n: _with_threads(n, run) for n in counts}
    for runner in runners.values():
        runner()
    times = alternate(runners, runs)
    return {n: {'median_s': median(t), 'runs_s': t}
            for n, t in times.items()}


def run_threads(
    data: HeteroData,
    texts: Optional[Sequence[str]] = None,
    encoder: Optional[Callable[[], Any]] = None,
    scales: Sequence[int] = (1, 10),
    counts: Optional[Sequence[int]] = None,
    runs: int = 3,
    model: str = 'lgir',
    embedding_dim: int = 64,
    output_dir: Optional[str] = None,
) -> Dict[str, Any]:
    r"""Times, for each thread count of :obj:`counts` (default:
    :func:`thread_counts` of the machine's cores), the median of
    :obj:`runs` alternating runs after a warm-up of

    * one training epoch of the registered :obj:`model` (its registered
      config but for :obj:`embedding_dim`, on random 384-dim text
      features, see :func:`lgir_pyg.benchmarks.speed.epoch_runner`) on
      :func:`~lgir_pyg.benchmarks.speed.synthetic_graph` at each of
      :obj:`scales` of :obj:`data` (x1 is as big as :obj:`data`);
    * encoding :obj:`texts` with the encoder :obj:`encoder()` (if given).

    Records the best count of each, the speed-up over one thread and the
    free cores at the start (:func:`~lgir_pyg.threads.free_cores`, what
    :func:`~lgir_pyg.threads.default_threads` picks). With
    :obj:`output_dir`, writes :obj:`threads.json` and :obj:`threads.md`.
    """
    counts = list(counts or thread_counts(cores()))
    result: Dict[str, Any] = {
        'command': command(), **machine(), 'cores': cores(),
        'free_cores_at_start': free_cores(), 'counts': counts, 'runs': runs,
        'model': model, 'epoch': [], 'encode': None}
    for scale in scales:
        graph = synthetic_graph(data, scale, num_test_users=100) \
            if scale != 1 else data
        user_x, item_x = random_text(graph)
        _, trainer, train, num_batches = epoch_runner(
            model, graph, user_x, item_x,
            model_overrides(model, embedding_dim))
        edge_type = interaction_edge_type(graph)
        num_edges = graph[edge_type].edge_index.size(1)
        times = time_threads(train, counts, runs)
        result['epoch'].append(_row(times, scale=scale, num_edges=num_edges,
                                    batches=num_batches))
        print(f"x{scale}: best {result['epoch'][-1]['best']} threads",
              flush=True)
        del trainer, train
        gc.collect()
    if encoder is not None and texts:
        enc = encoder()
        times = time_threads(lambda: enc.encode(list(texts)), counts, runs)
        result['encode'] = _row(times, num_texts=len(texts),
                                encoder=repr(enc))
    if output_dir is not None:
        write_json(osp.join(output_dir, 'threads.json'), result)
        with open(osp.join(output_dir, 'threads.md'), 'w') as f:
            f.write(format_threads(result))
    return result


def _row(times: Dict[int, Dict[str, Any]], **extra) -> Dict[str, Any]:
    one = times[min(times)]['median_s']
    best = min(times, key=lambda n: times[n]['median_s'])
    return {**extra, 'times': {str(n): t for n, t in times.items()},
            'best': best,
            'speedup': {str(n): one / t['median_s']
                        for n, t in times.items()}}


def format_threads(result: Dict[str, Any]) -> str:
    r"""The markdown tables of a :func:`run_threads` result."""
    counts = result['counts']
    head = ' | '.join(f'{n} thread{"s" if n > 1 else ""} (s)'
                      for n in counts)
    lines = [
        '# Threads: training and encoding time against torch threads', '',
        f"Made by `{result['command']}` on {result['cores']} cores "
        f"({result['cpu']}, torch {result['torch']}; "
        f"{result['free_cores_at_start']} free at the start by the load "
        f"average), median of {result['runs']} alternating runs after a "
        'warm-up.', '',
        f"## One training epoch of {result['model']}", '',
        f'| graph | training edges | batches | {head} | best | speed-up '
        f'of the best |',
        '|---|---|---|' + '---|' * len(counts) + '---|---|']
    for row in result['epoch']:
        cells = ' | '.join(f"{row['times'][str(n)]['median_s']:.3f}"
                           for n in counts)
        lines.append(f"| x{row['scale']} | {row['num_edges']:,} | "
                     f"{row['batches']} | {cells} | {row['best']} | "
                     f"{row['speedup'][str(row['best'])]:.2f}x |")
    enc = result.get('encode')
    if enc:
        cells = ' | '.join(f"{enc['times'][str(n)]['median_s']:.3f}"
                           for n in counts)
        lines += ['', f"## Encoding {enc['num_texts']:,} texts", '',
                  f'| encoder | {head} | best | speed-up of the best |',
                  '|---|' + '---|' * len(counts) + '---|---|',
                  f"| `{enc['encoder']}` | {cells} | {enc['best']} | "
                  f"{enc['speedup'][str(enc['best'])]:.2f}x |"]
    return '\n'.join(lines) + '\n'
