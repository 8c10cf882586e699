import argparse

HELP = 'Build the default dataset (KaggleJobViews) and print its statistics.'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('action', choices=['stats'])
    parser.add_argument('--root', default=None,
                        help='dataset root (default: <repo>/data/...)')


def run(args: argparse.Namespace) -> int:
    from lgir_pyg.datasets import KaggleJobViews
    from lgir_pyg.datasets.stats import dataset_stats, format_stats

    kwargs = {'root': args.root} if args.root else {}
    print(format_stats(dataset_stats(KaggleJobViews(**kwargs)[0])))
    return 0
