r"""What every subcommand shares: the run config (a YAML file, flags for
the data section, :obj:`--set KEY=VALUE`); :mod:`lgir_pyg.pipeline` opens
the dataset it names and :mod:`lgir_pyg.factories` builds its encoder, LLM
and prompts."""
import argparse
import logging
import os.path as osp
from dataclasses import fields
from typing import Any, Dict, Iterable, List, Optional, Tuple

from lgir_pyg.config import PATH_KEYS, DataConfig, RunConfig, load_config

logger = logging.getLogger(__name__)


def key_value(text: str) -> Tuple[str, str]:
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError(f'expected KEY=VALUE (got {text!r})')
    return key, value


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    r"""Adds :obj:`--config`, :obj:`--set` and one flag per field of
    :class:`~lgir_pyg.config.DataConfig` (e.g. :obj:`--users`,
    :obj:`--time-column`), each short for :obj:`--set data.<field>=...`."""
    parser.add_argument('--config', default=None, metavar='PATH',
                        help='a YAML file with any of the sections data, '
                        'encoder, llm, seed, model_kwargs and train (see '
                        'lgir_pyg.config.RunConfig)')
    parser.add_argument('--set', type=key_value, action='append',
                        default=[], metavar='KEY=VALUE', dest='overrides',
                        help='set a config value, e.g. data.users=u.csv, '
                        'train.lr=5e-4 or llm.max_new_tokens=64; '
                        'repeatable, wins over --config and the flags')
    group = parser.add_argument_group(
        'data', 'your own tables (CSV or Parquet) instead of the bundled '
        'KaggleJobViews; short for --set data.FIELD=VALUE')
    for f in fields(DataConfig):
        group.add_argument('--' + f.name.replace('_', '-'), default=None,
                           dest=f'data_{f.name}', metavar='VALUE')


# The sections of a command that trains one model.
MODEL_SECTIONS = ('seed', 'train', 'model_kwargs')


def run_config(args: argparse.Namespace, model: Optional[str] = None,
               shortcuts: Optional[Dict[str, Any]] = None, *,
               uses: Iterable[str],
               models: Optional[Iterable[str]] = None) -> RunConfig:
    r"""The run config of the command line: defaults < :obj:`--config` <
    data flags and :obj:`shortcuts` < :obj:`--set`, checked
    (:meth:`~lgir_pyg.config.RunConfig.check`) before any work. Every value
    set by the file or the command line that the command does not read (a
    section or dotted key outside :obj:`uses`, a :obj:`model_kwargs` key
    that no builder of :obj:`models` takes) is reported by a warning that
    names it (see :meth:`~lgir_pyg.config.RunConfig.unused`)."""
    overrides = {f'data.{f.name}': getattr(args, f'data_{f.name}')
                 for f in fields(DataConfig)}
    overrides.update(shortcuts or {})
    overrides = {k: v for k, v in overrides.items() if v is not None}
    for key in PATH_KEYS:
        key = f'data.{key}'
        if key in overrides:  # Flags are relative to the working folder.
            overrides[key] = osp.abspath(overrides[key])
    config = load_config(model, args.config,
                         {**overrides, **dict(args.overrides)}).check()
    uses = sorted(set(uses))
    for source, keys in config.unused(uses, models).items():
        if source == 'the overrides':
            what, source = ', '.join(keys), 'the command line'
        else:  # A file's sections, which may serve other commands.
            what = ', '.join(_sections(keys, [
                k for k, v in config.sources.items() if v == source]))
        logger.warning(f'{what} ({source}): not used by this command, '
                       f"which reads {', '.join(uses)}")
    logger.info(f'# config\n{config}')
    return config


def _sections(keys: List[str], given: List[str]) -> List[str]:
    # keys, with 'section.*' for those sections all of whose given keys
    # are among them.
    out = []
    for key in keys:
        section = key.partition('.')[0]
        whole = section != key and all(
            k in keys for k in given if k.startswith(section + '.'))
        name = f'{section}.*' if whole else key
        if name not in out:
            out.append(name)
    return out


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    r"""Adds :obj:`--threads N` (default:
    :func:`~lgir_pyg.threads.default_threads`)."""
    from lgir_pyg.cli._args import positive_int
    parser.add_argument('--threads', type=positive_int, default=None,
                        metavar='N', help='torch threads (default: one per '
                        'free core: the cores less the 1-minute load '
                        'average, at least 1; see lgir_pyg.threads)')


def set_threads(threads: Optional[int] = None) -> int:
    r"""Sets :func:`torch.set_num_threads` to :obj:`threads`, or to
    :func:`~lgir_pyg.threads.default_threads`, and returns it."""
    import torch

    from lgir_pyg.threads import default_threads
    threads = threads or default_threads()
    torch.set_num_threads(threads)
    logger.info(f'torch threads: {threads}')
    return threads


def prepare(config: RunConfig, models: Iterable[str],
            threads: Optional[int] = None):
    r""":func:`lgir_pyg.pipeline.prepare_data` of the registered
    :obj:`models`, computed with :obj:`threads` (see :func:`set_threads`):
    returns :obj:`(dataset, data, root)`."""
    from lgir_pyg.pipeline import prepare_data
    set_threads(threads)
    return prepare_data(config, models)
