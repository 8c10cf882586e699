r"""What every subcommand shares: the run config (a YAML file, flags for
the data section, :obj:`--set KEY=VALUE`); :mod:`lgir_pyg.pipeline` opens
the dataset it names and :mod:`lgir_pyg.factories` builds its encoder, LLM
and prompts."""
import argparse
import os.path as osp
from dataclasses import fields
from typing import Any, Dict, Optional, Tuple

from lgir_pyg.config import DataConfig, RunConfig, load_config


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


def run_config(args: argparse.Namespace, model: Optional[str] = None,
               shortcuts: Optional[Dict[str, Any]] = None) -> RunConfig:
    r"""The run config of the command line: defaults < :obj:`--config` <
    data flags and :obj:`shortcuts` < :obj:`--set`, checked
    (:meth:`~lgir_pyg.config.RunConfig.check`) before any work."""
    overrides = {f'data.{f.name}': getattr(args, f'data_{f.name}')
                 for f in fields(DataConfig)}
    overrides.update(shortcuts or {})
    overrides = {k: v for k, v in overrides.items() if v is not None}
    for key in ('data.users', 'data.items', 'data.interactions',
                'data.root'):
        if key in overrides:  # Flags are relative to the working folder.
            overrides[key] = osp.abspath(overrides[key])
    return load_config(model, args.config,
                       {**overrides, **dict(args.overrides)}).check()
