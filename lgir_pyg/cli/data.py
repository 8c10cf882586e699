import argparse

HELP = ('Build the dataset (the bundled KaggleJobViews, or your own tables) '
        'and print its statistics.')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli._data import add_config_arguments
    parser.add_argument('action', choices=['stats'])
    add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from lgir_pyg.cli._data import run_config
    from lgir_pyg.datasets.stats import dataset_stats, format_stats
    from lgir_pyg.pipeline import dataset_name, open_dataset

    dataset, data, root = open_dataset(run_config(args))
    print(f'{dataset_name(dataset)} (processed in {root})')
    print(format_stats(dataset_stats(data)))
    return 0
