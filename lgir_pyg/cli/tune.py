import argparse

HELP = ("Choose a registered model's hyper-parameters on the validation "
        'split (never on test) and print the chosen config as YAML for '
        '`lgir train --config`.')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli._args import positive_int, writable_file
    from lgir_pyg.cli._data import add_config_arguments, add_threads_argument
    from lgir_pyg.cli.train import add_model_epilog
    from lgir_pyg.models import MODELS
    parser.add_argument('--model', required=True, choices=list(MODELS),
                        metavar='NAME', help='a registered model (below)')
    parser.add_argument('--trials', type=positive_int, default=8,
                        help='configurations tried, the starting one '
                        'first; the whole search space if it is smaller '
                        '(default: 8)')
    parser.add_argument('--seeds', type=positive_int, default=1,
                        help='seeds per trial, whose mean validation metric '
                        'decides (default: 1)')
    parser.add_argument('--search-seed', type=int, default=0,
                        help='seed of the random subset of the search '
                        'space (default: 0)')
    parser.add_argument('--output', type=writable_file, default=None,
                        metavar='PATH', help='also write the chosen config '
                        'to PATH')
    add_config_arguments(parser)
    add_threads_argument(parser)
    add_model_epilog(parser)


def run(args: argparse.Namespace) -> int:
    import sys

    from lgir_pyg.cli._data import MODEL_SECTIONS, prepare, run_config
    from lgir_pyg.io import atomic_open
    from lgir_pyg.pipeline import stage_sections
    from lgir_pyg.training.tune import tune

    # The seed goes into the chosen config; the trials use seeds 0, 1, ...
    config = run_config(args, args.model, uses={
        *MODEL_SECTIONS, *stage_sections([args.model])})
    _, data, _ = prepare(config, [config.model], args.threads)
    result = tune(config.model, data, args.trials, args.seeds,
                  config=config, search_seed=args.search_seed)
    # The trials on stderr, so that stdout is the config alone.
    print(f'# validation {result.monitor} of each trial\n{result.format()}'
          if result.trials else
          f'# {config.model} has no hyper-parameters to tune',
          file=sys.stderr, flush=True)
    text = result.config.to_yaml()
    print(text, end='')
    if args.output:
        with atomic_open(args.output) as f:
            f.write(text)
    return 0
