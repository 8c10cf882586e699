import argparse
import os.path as osp
from typing import Tuple

from torch_geometric.data import HeteroData

HELP = ('Train and evaluate a registered model on the default dataset '
        '(KaggleJobViews) and print the results as JSON.')


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.training import MODELS
    parser.add_argument('--root', default=None,
                        help='dataset root (default: <repo>/data/...)')
    parser.epilog = 'models: ' + ', '.join(
        f'{name} ({spec.description})' for name, spec in MODELS.items())


def load_dataset(root) -> Tuple[HeteroData, str]:
    r"""The split KaggleJobViews graph and the folder caching its text
    embeddings."""
    from lgir_pyg.datasets import KaggleJobViews

    dataset = KaggleJobViews(**({'root': root} if root else {}))
    return dataset[0], osp.join(dataset.root, 'embeddings')


def key_value(text: str) -> Tuple[str, str]:
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError(f'expected KEY=VALUE (got {text!r})')
    return key, value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.training import MODELS
    parser.add_argument('--model', required=True, choices=list(MODELS),
                        metavar='NAME', help='a registered model (below)')
    parser.add_argument('--config', default=None, metavar='PATH',
                        help='a YAML file of seed, model_kwargs and train '
                        'that updates the defaults (see RunConfig)')
    parser.add_argument('--set', type=key_value, action='append',
                        default=[], metavar='KEY=VALUE', dest='overrides',
                        help='set a config value, e.g. train.lr=5e-4 or '
                        'model_kwargs.num_layers=2; repeatable, wins over '
                        '--config, --seed and --epochs')
    parser.add_argument('--seed', type=int, default=None,
                        help='seed of initialisation and training, short for '
                        '--set seed=N (default: 0)')
    parser.add_argument('--epochs', type=int, default=None,
                        help="maximum epochs, short for --set "
                        "train.epochs=N (default: the model's)")
    parser.add_argument('--output-json', default=None, metavar='PATH',
                        help='also write the results to PATH')
    parser.add_argument('--save', default=None, metavar='PATH',
                        help='save the trained model for `lgir recommend '
                        '--checkpoint PATH`')
    add_common_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from lgir_pyg.config import load_config
    from lgir_pyg.training import save_checkpoint

    if args.epochs is not None and args.epochs < 0:
        raise SystemExit(f'--epochs must be non-negative (got {args.epochs})')
    shortcuts = {'seed': args.seed, 'train.epochs': args.epochs}
    overrides = {k: v for k, v in shortcuts.items() if v is not None}
    try:
        config = load_config(args.model, args.config,
                             {**overrides, **dict(args.overrides)})
    except (OSError, ValueError) as error:
        raise SystemExit(str(error))
    # stderr, so that stdout stays the JSON result.
    print(f'# config\n{config}', file=sys.stderr, flush=True)
    data, cache_dir = load_dataset(args.root)
    model, result = config.run(data, cache_dir=cache_dir)
    text = json.dumps(result, indent=2)
    print(text)
    if args.output_json:
        with open(args.output_json, 'w') as f:
            f.write(text + '\n')
    if args.save:
        save_checkpoint(model, args.save, {'model': config.model,
                                           'seed': config.seed,
                                           'config': config.to_dict()})
    return 0
