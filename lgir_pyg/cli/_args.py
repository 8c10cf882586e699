r"""Argument types for the subcommands' :obj:`argparse` options
(:obj:`type=positive_int`, ...): each checks its value while the command
line is parsed, before any dataset build, encoding or training, and its
error names what was expected."""
import argparse
import math
import os
import os.path as osp

from lgir_pyg.io import unwritable_reason


def _number(text: str, kind: type, expected: str, ok) -> float:
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not ok(value):
        raise argparse.ArgumentTypeError(f'expected {expected}, got {text!r}')
    return value


def positive_int(text: str) -> int:
    r"""An integer >= 1."""
    return _number(text, int, 'a positive integer', lambda v: v >= 1)


def non_negative_int(text: str) -> int:
    r"""An integer >= 0."""
    return _number(text, int, 'a non-negative integer', lambda v: v >= 0)


def positive_float(text: str) -> float:
    r"""A finite number > 0."""
    return _number(text, float, 'a positive number', lambda v: v > 0)


def probability(text: str) -> float:
    r"""A number in [0, 1]."""
    return _number(text, float, 'a probability in [0, 1]',
                   lambda v: 0 <= v <= 1)


def writable_file(text: str) -> str:
    r"""A path a file can be written to: not a folder, and in a folder that
    exists, or can be created, and is writable. Nothing is created."""
    if not text:
        raise argparse.ArgumentTypeError('expected a file path, got ""')
    if osp.isdir(text):
        raise argparse.ArgumentTypeError(f"'{text}' is a folder, not a file")
    if osp.exists(text) and not os.access(text, os.W_OK):
        raise argparse.ArgumentTypeError(f"'{text}' is not writable")
    reason = unwritable_reason(osp.dirname(osp.abspath(text)))
    if reason is not None:
        raise argparse.ArgumentTypeError(f"cannot write '{text}': {reason}")
    return text


def writable_dir(text: str) -> str:
    r"""A folder that exists, or can be created, and is writable. Nothing
    is created."""
    if not text:
        raise argparse.ArgumentTypeError('expected a folder path, got ""')
    reason = unwritable_reason(text)
    if reason is not None:
        raise argparse.ArgumentTypeError(f"cannot write into '{text}': "
                                         f"{reason}")
    return text


def existing_file(text: str) -> str:
    r"""A file that exists and is readable."""
    if not osp.exists(text):
        raise argparse.ArgumentTypeError(f"'{text}' does not exist")
    if osp.isdir(text):
        raise argparse.ArgumentTypeError(f"'{text}' is a folder, not a file")
    if not os.access(text, os.R_OK):
        raise argparse.ArgumentTypeError(f"'{text}' is not readable")
    return text
