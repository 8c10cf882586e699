r"""What every subcommand shares: the run config (a YAML file, flags for
the data section, :obj:`--set KEY=VALUE`), the dataset it names and the
factories of the encoder and the LLM."""
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


def open_dataset(config: RunConfig):
    r"""Returns :obj:`(dataset, data, root)`: the configured dataset, its
    graph and the folder of its caches."""
    from lgir_pyg.pipeline import load_dataset
    dataset = load_dataset(config.data_config)
    return dataset, dataset[0], dataset.root


def encoder_factory(config: RunConfig):
    r"""A factory of the configured text encoder (loaded when called)."""
    def make():
        from lgir_pyg.text import SentenceTransformerEncoder
        enc = config.encoder
        return SentenceTransformerEncoder(enc['model'], enc['batch_size'],
                                          device=enc['device'])
    return make


def build_llm(config: RunConfig, root: str,
              args: Optional[argparse.Namespace] = None):
    r"""The configured LLM (:obj:`config.llm`, updated by the LLM flags of
    :obj:`args` if given) in a :class:`~lgir_pyg.llm.CachedGenerator` with
    the completion cache :obj:`llm.cache`, by default
    :obj:`<root>/llm_cache.sqlite`; the model loads on its first miss."""
    from lgir_pyg.llm import CachedGenerator, GenerationCache
    from lgir_pyg.llm import build_generator
    options = dict(config.llm)
    if args is not None:
        from lgir_pyg.cli._llm import generation_options
        flags = generation_options(args)
        if args.backend == 'hf':  # The default: the config may name one.
            flags.pop('backend')
        options.update(flags)
        if args.cache:
            options['cache'] = args.cache
        if args.retries is not None:
            options['retries'] = args.retries
    cache = options.pop('cache', None) or osp.join(root, 'llm_cache.sqlite')
    retries = options.pop('retries', 1)
    return CachedGenerator(build_generator(**options),
                           GenerationCache(cache), retries=retries)


def resume_prompts(config: RunConfig, mode: str, **kwargs):
    r"""The configured :class:`~lgir_pyg.llm.ResumePrompts` of :obj:`mode`
    (:obj:`config.prompts`, updated by :obj:`kwargs`)."""
    from lgir_pyg.llm import ResumePrompts
    return ResumePrompts(mode=mode, **{**config.prompts, **kwargs})


def generator_factory(config: RunConfig, root: str):
    r"""A factory of the configured LLM for a mode (see :func:`build_llm`),
    for :func:`lgir_pyg.pipeline.add_model_inputs`."""
    return lambda mode: build_llm(config, root)
