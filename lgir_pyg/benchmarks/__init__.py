r"""The runners behind :obj:`lgir bench`, one module per suite (their
results go to the repository's :obj:`benchmarks/results/`). The package
imports none of them, so :obj:`lgir bench --help` loads no torch."""

__all__ = ['quality', 'density', 'speed', 'threads']
