import argparse

HELP = ('Train and evaluate a registered model on the dataset (the bundled '
        'KaggleJobViews, or your own tables) and print a summary table of '
        'its metrics (all of them as JSON with --output-json).')


def add_model_epilog(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.models import MODELS
    parser.epilog = 'models: ' + ', '.join(
        f'{name} ({spec.description})' for name, spec in MODELS.items())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli._args import (non_negative_int, positive_float,
                                    writable_file)
    from lgir_pyg.cli._data import add_config_arguments, add_threads_argument
    from lgir_pyg.models import MODELS
    parser.add_argument('--model', required=True, choices=list(MODELS),
                        metavar='NAME', help='a registered model (below)')
    parser.add_argument('--seed', type=non_negative_int, default=None,
                        help='seed of initialisation and training, short for '
                        '--set seed=N (default: 0)')
    parser.add_argument('--epochs', type=non_negative_int, default=None,
                        help="maximum epochs, short for --set "
                        "train.epochs=N (default: the model's)")
    parser.add_argument('--device', default=None,
                        help="torch device to train on, e.g. 'cuda' (under "
                        "torchrun each process takes GPU LOCAL_RANK), short "
                        "for --set train.device=... (default: the CPU)")
    parser.add_argument('--timeout', type=positive_float, default=None,
                        metavar='SECONDS',
                        help='under torchrun: how long a process waits for '
                        'one that stopped answering before it fails the '
                        'run, naming its rank; more than rank 0 takes alone '
                        'to validate (default: 600)')
    parser.add_argument('--output-json', type=writable_file, default=None,
                        metavar='PATH',
                        help='write every result (all metrics, user '
                        'groups, training history, config) to PATH as '
                        'JSON')
    parser.add_argument('--save', type=writable_file, default=None,
                        metavar='PATH',
                        help='save the trained model for `lgir recommend '
                        '--checkpoint PATH`')
    add_config_arguments(parser)
    add_threads_argument(parser)
    add_model_epilog(parser)


def run(args: argparse.Namespace) -> int:
    import json

    from lgir_pyg.cli._data import MODEL_SECTIONS, prepare, run_config
    from lgir_pyg.io import atomic_open
    from lgir_pyg.pipeline import stage_sections
    from lgir_pyg.training import format_result, save_checkpoint
    from lgir_pyg.training.distributed import (close_distributed,
                                               init_distributed,
                                               main_process_first)

    config = run_config(args, args.model, {'seed': args.seed,
                                           'train.epochs': args.epochs,
                                           'train.device': args.device},
                        uses={*MODEL_SECTIONS,
                              *stage_sections([args.model])})
    # Under torchrun every process trains its shard; rank 0 alone reports
    # and saves.
    main = init_distributed(config.train['device'], args.timeout).is_main
    with main_process_first():  # Builds the caches once.
        _, data, _ = prepare(config, [config.model], args.threads)
    model, result = config.run(data, progress=main)
    if main:
        print(format_result(result))
        if args.output_json:
            with atomic_open(args.output_json) as f:
                f.write(json.dumps(result, indent=2) + '\n')
        if args.save:
            save_checkpoint(model, args.save, {'model': config.model,
                                               'seed': config.seed,
                                               'config': config.to_dict()})
    close_distributed()
    return 0
