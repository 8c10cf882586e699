r"""The :obj:`lgir` command (:mod:`lgir_pyg.cli.main`), one module per
subcommand; it only composes the library."""

__all__ = ['main']
