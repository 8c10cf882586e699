r"""The default number of torch threads of the :obj:`lgir` commands that
compute (:obj:`--threads` unset): one per free core, :func:`free_cores`.

Measured by :obj:`lgir bench threads` (:func:`lgir_pyg.benchmarks.threads.
run_threads`; :obj:`benchmarks/results/threads*.md`): on an idle 16-core
machine a training epoch of :obj:`lgir` on the KaggleJobViews graph (6,129
training edges) ran 4.7x faster with 16 threads than with one, and 5.2x
on a graph 10 times bigger, each count faster than the one before, so the
work's size sets no lower cap down to that size; on a 2-core machine kept
busy by other processes (load average about 8), 2 threads made the epoch
6.0x and the encoding 3.8x slower than one, so threads beyond the free
cores are left out. Imports
nothing heavy, so the command line's help stays fast."""
import os


def cores() -> int:
    r"""The cores this process may run on (its CPU affinity)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Not Linux.
        return os.cpu_count() or 1


def free_cores() -> int:
    r""":func:`cores`, less those that other processes keep busy (the
    one-minute load average, rounded), at least 1: on a shared machine,
    threads beyond the free cores wait for each other at every parallel
    step."""
    try:
        busy = round(os.getloadavg()[0])
    except OSError:  # No load average on this system.
        busy = 0
    return max(1, cores() - busy)


def default_threads() -> int:
    r"""The default torch threads: :func:`free_cores`."""
    return free_cores()
