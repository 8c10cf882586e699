r"""Start-up time of the :obj:`lgir` command's help: :obj:`lgir --help` and
:obj:`lgir <command> --help` for every subcommand, each a fresh process
(the installed console script next to this Python), against two
baselines run the same way: the bare interpreter (:obj:`python -c pass`,
the floor) and :obj:`python -c "import torch"` (what every help paid
before the parser stopped importing torch).

Runs alternate (one of each command, then the next round) so that load on
a shared machine hits all alike; the median of :obj:`--runs` is reported.
The thread count does not matter (nothing is computed) and is recorded.
Writes :obj:`benchmarks/results/cli_startup.json` and
:obj:`cli_startup.md`.

    .venv/bin/python benchmarks/cli_startup.py --runs 5
"""
import argparse
import os
import os.path as osp
import subprocess
import sys
from typing import Any, Dict, List

from lgir_pyg.benchmarks.timing import alternate, command, machine, median
from lgir_pyg.benchmarks.timing import write_json
from lgir_pyg.cli.main import SUBCOMMANDS

RESULTS = osp.join(osp.dirname(osp.abspath(__file__)), 'results')
GOAL_S = 1.0  # Every help answers in under a second.


def _runner(cmd: List[str]):
    def run() -> None:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return run


def format_startup(result: Dict[str, Any]) -> str:
    r"""The markdown report of :obj:`result`."""
    lines = [
        '# Start-up time of `lgir --help`', '',
        f"Command: `{result['command']}`; median of {result['runs']} "
        f"alternating runs, each a fresh process; "
        f"torch.set_num_threads({result['torch_num_threads']}) (nothing is "
        f"computed), {result['cpu_count']} CPUs, Python "
        f"{result['python']}.", '',
        '| command | median (s) | runs (s) |', '|---|---|---|',
    ]
    for name, row in result['times'].items():
        runs = ', '.join(f'{t:.2f}' for t in row['runs_s'])
        lines.append(f"| `{name}` | {row['median_s']:.2f} | {runs} |")
    goal = result['goal']
    lines += ['', f"Goal: every help under {goal['goal_s']:g} s: slowest "
              f"{goal['slowest']} at {goal['slowest_s']:.2f} s, "
              f"**{'reached' if goal['reached'] else 'not reached'}**.", '']
    return '\n'.join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()

    lgir = osp.join(osp.dirname(sys.executable), 'lgir')
    helps = {'lgir --help': [lgir, '--help']}
    helps.update({f'lgir {name} --help': [lgir, name, '--help']
                  for name in SUBCOMMANDS})
    baselines = {
        'python -c pass': [sys.executable, '-c', 'pass'],
        'python -c "import torch"': [sys.executable, '-c', 'import torch'],
    }
    commands = {**baselines, **helps}
    for cmd in commands.values():  # Warm the file cache once.
        _runner(cmd)()
    times = alternate({name: _runner(cmd) for name, cmd in commands.items()},
                      args.runs)
    rows = {name: {'median_s': median(ts), 'runs_s': ts}
            for name, ts in times.items()}
    slowest = max(helps, key=lambda name: rows[name]['median_s'])
    result = {
        'command': command(),
        **machine(),
        'runs': args.runs,
        'executable': osp.relpath(lgir, os.getcwd()),
        'times': rows,
        'goal': {'goal_s': GOAL_S, 'slowest': slowest,
                 'slowest_s': rows[slowest]['median_s'],
                 'reached': rows[slowest]['median_s'] < GOAL_S},
    }
    write_json(osp.join(RESULTS, 'cli_startup.json'), result)
    text = format_startup(result)
    with open(osp.join(RESULTS, 'cli_startup.md'), 'w') as f:
        f.write(text)
    print(text)


if __name__ == '__main__':
    main()
