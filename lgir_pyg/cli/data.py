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
    from lgir_pyg.datasets.graph import interaction_edge_type
    from lgir_pyg.pipeline import (configured_resumes, dataset_name,
                                   open_dataset)

    config = run_config(args, uses={'data'})
    dataset, data, root = open_dataset(config)
    print(f'{dataset_name(dataset)} (processed in {root})')
    print(format_stats(dataset_stats(data)))
    path = config.data['resumes']
    if path:  # What the file brings.
        ids = {str(i) for i in data[interaction_edge_type(data)[0]].node_id}
        for mode, by_user in configured_resumes(config.data_config).items():
            have = len(ids & set(by_user))
            print(f'{mode} resumes in {path}: {have:,} of the {len(ids):,} '
                  f'users ({have / max(len(ids), 1):.1%})')
    return 0
