import argparse
import os.path as osp
from typing import Tuple

from torch_geometric.data import HeteroData

HELP = ('Train and evaluate a registered model on the default dataset '
        '(KaggleJobViews) and print the results as JSON.')


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.training import MODELS
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of initialisation and training '
                        '(default: 0)')
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.training import MODELS
    parser.add_argument('--model', required=True, choices=list(MODELS),
                        metavar='NAME', help='a registered model (below)')
    parser.add_argument('--epochs', type=int, default=None,
                        help="maximum epochs (default: the model's)")
    parser.add_argument('--output-json', default=None, metavar='PATH',
                        help='also write the results to PATH')
    parser.add_argument('--save', default=None, metavar='PATH',
                        help='save the trained model for `lgir recommend '
                        '--checkpoint PATH`')
    add_common_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import json

    from lgir_pyg.training import run_experiment, save_checkpoint

    if args.epochs is not None and args.epochs < 0:
        raise SystemExit(f'--epochs must be non-negative (got {args.epochs})')
    data, cache_dir = load_dataset(args.root)
    train_kwargs = {} if args.epochs is None else {'epochs': args.epochs}
    model, result = run_experiment(args.model, data, args.seed,
                                   cache_dir=cache_dir,
                                   train_kwargs=train_kwargs)
    text = json.dumps(result, indent=2)
    print(text)
    if args.output_json:
        with open(args.output_json, 'w') as f:
            f.write(text + '\n')
    if args.save:
        save_checkpoint(model, args.save, {'model': args.model,
                                           'seed': args.seed})
    return 0
