r"""The exception family of lgir_pyg: every error caused by the user's input
(tables, arguments, config values, caches, checkpoints) is an
:class:`LGIRError`, so a caller can tell it from a bug. The command line
prints one line for it and exits with :attr:`LGIRError.exit_code`."""


class LGIRError(Exception):
    r"""Base class of user errors: the message names the file, column, row
    or argument and what was expected."""
    exit_code = 1


class UsageError(LGIRError, ValueError):
    r"""A bad argument or option value (exit status 2)."""
    exit_code = 2


class ConfigError(UsageError):
    r"""A bad config file or config value (exit status 2)."""


class TableError(LGIRError, ValueError):
    r"""A malformed input table: the message names the table or file, the
    column and the first offending row."""


class DataError(LGIRError, ValueError):
    r"""A graph that lacks what a stage needs (an attribute, a split, an
    edge type)."""


class CacheError(LGIRError):
    r"""A cache that cannot be used (and could not be moved aside)."""


class CheckpointError(LGIRError):
    r"""A checkpoint file that cannot be read or does not fit the model."""


def first_line(error: BaseException) -> str:
    r"""The first line of :obj:`error`'s message, or its type name if the
    message is empty: a short reason for a one-line error."""
    lines = str(error).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__


class LostRankError(LGIRError):
    r"""A process of a data-parallel run ended, was terminated or stopped
    answering: the message names its rank."""
