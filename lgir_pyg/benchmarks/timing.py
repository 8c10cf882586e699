import json
import os
import os.path as osp
import platform
import resource
import statistics
import sys
import time
from typing import Any, Callable, Dict, List

import torch


def alternate(runners: Dict[str, Callable[[], Any]],
              runs: int = 3) -> Dict[str, List[float]]:
    r"""Times each runner :obj:`runs` times, alternating between them so
    that load on a shared machine hits all alike; returns seconds per run."""
    times: Dict[str, List[float]] = {name: [] for name in runners}
    for _ in range(runs):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
            print(f'{name}: {times[name][-1]:.2f} s', flush=True)
    return times


def median(values: List[float]) -> float:
    return statistics.median(values)


def peak_rss_mib() -> float:
    r"""Peak resident memory of this process so far, in MiB."""
    # ru_maxrss survives exec, so a child started from a big process reports
    # its parent's peak; Linux's VmHWM is this process image's own.
    try:
        with open('/proc/self/status') as f:
            line = next(line for line in f if line.startswith('VmHWM:'))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> Dict[str, Any]:
    r"""What a timing depends on: threads, cores, versions and the
    machine's load average (1, 5, 15 minutes)."""
    return {
        'torch_num_threads': torch.get_num_threads(),
        'cpu_count': os.cpu_count(),
        'cpu': platform.processor() or platform.machine(),
        'torch': torch.__version__,
        'python': platform.python_version(),
        # Other work on a shared machine slows every timing alike.
        'load_average': os.getloadavg(),
    }


def command() -> str:
    r"""The command line that is running, for the record."""
    return ' '.join(['python', osp.relpath(sys.argv[0])] + sys.argv[1:])


def write_json(path: str, result: Dict[str, Any]) -> None:
    r"""Writes :obj:`result` to :obj:`path` as JSON, atomically: a run
    stopped while writing leaves the previous file."""
    from lgir_pyg.io import atomic_open
    with atomic_open(path) as f:
        json.dump(result, f, indent=2)
