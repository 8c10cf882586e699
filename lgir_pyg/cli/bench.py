import argparse
import os

HELP = ('Benchmarks: model quality against LightGCN and the baselines, and '
        'training speed.')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.bench.quality import ALL_MODELS
    from lgir_pyg.cli._args import positive_int, writable_dir
    from lgir_pyg.cli._data import add_config_arguments
    parser.add_argument('suite', choices=['quality', 'speed'])
    parser.add_argument('--seeds', type=positive_int, default=5,
                        help='quality: seeds per model (default: 5)')
    parser.add_argument('--models', nargs='+', default=list(ALL_MODELS),
                        help='quality: registered model names (default: '
                        'all)')
    parser.add_argument('--epochs', type=positive_int, default=None,
                        help='quality: cap every model at this many epochs '
                        '(smoke runs)')
    parser.add_argument('--runs', type=positive_int, default=5,
                        help='speed: timed runs per measurement')
    parser.add_argument('--threads', type=positive_int, default=1,
                        help='torch.set_num_threads (default: 1)')
    parser.add_argument('--output-dir', type=writable_dir,
                        default=os.path.join(
        'benchmarks', 'results'), help='where results go (default: '
                        '%(default)s, relative to the working folder)')
    add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from lgir_pyg.cli._data import run_config
    from lgir_pyg.errors import UsageError
    from lgir_pyg.training import MODELS

    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        raise UsageError(f"--models: unknown model(s) {unknown}; valid "
                         f"names: {', '.join(MODELS)}")
    os.makedirs(args.output_dir, exist_ok=True)
    config = run_config(args)
    if args.suite == 'quality':
        from lgir_pyg.bench.quality import format_quality, run_quality
        from lgir_pyg.cli.train import prepare
        from lgir_pyg.pipeline import dataset_name

        dataset, data, _ = prepare(config, args.models)
        overrides = {'epochs': args.epochs} if args.epochs else None
        result = run_quality(
            data, args.models, args.seeds, args.output_dir, args.threads,
            dataset_name(dataset), train_overrides=overrides,
            item_category=config.data['item_category']
            or getattr(dataset, 'item_category', None),
            user_attribute=config.data['user_attribute'])
        print(format_quality(result))
    else:
        from lgir_pyg.bench.speed import run_speed
        from lgir_pyg.cli._data import open_dataset
        _, data, _ = open_dataset(config)
        run_speed(threads=args.threads, runs=args.runs,
                  output_dir=args.output_dir, data=data)
    print(f'results written to {args.output_dir}')
    return 0
