import argparse
import os

HELP = ('Benchmarks: model quality against LightGCN and the baselines, '
        'training speed, and quality as the graph gets denser (synthetic '
        'graphs).')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli._args import positive_int, writable_dir
    from lgir_pyg.cli._data import add_config_arguments
    from lgir_pyg.benchmarks.density import DENSITIES
    from lgir_pyg.benchmarks.density import MODELS as DENSITY_MODELS
    parser.add_argument('suite', choices=['quality', 'speed', 'density'])
    parser.add_argument('--seeds', type=positive_int, default=None,
                        help='quality, density: seeds per model (default: '
                        '5, density: 2)')
    parser.add_argument('--models', nargs='+', default=None,
                        help='quality, density: registered model names '
                        f"(default: all; density: {' '.join(DENSITY_MODELS)})")
    parser.add_argument('--densities', nargs='+', type=float,
                        default=list(DENSITIES), help='density: '
                        'interactions per user of the synthetic graphs '
                        '(default: %(default)s)')
    parser.add_argument('--epochs', type=positive_int, default=None,
                        help='quality: cap every model at this many epochs '
                        '(smoke runs)')
    parser.add_argument('--tune-trials', type=positive_int, default=None,
                        metavar='N', help='quality, density: first choose '
                        'each '
                        "model's hyper-parameters on validation with N "
                        'trials (lgir_pyg.training.tune; default: the '
                        'registered defaults)')
    parser.add_argument('--runs', type=positive_int, default=5,
                        help='speed: timed runs per measurement')
    parser.add_argument('--sweep', nargs='+', default=None, metavar='NAME',
                        help='speed: the registered models of the scale '
                        'sweep (default: lgir, and lgir-text where it is '
                        'registered)')
    parser.add_argument('--threads', type=positive_int, default=1,
                        help='torch.set_num_threads (default: 1)')
    parser.add_argument('--device', default=None,
                        help="torch device of training and evaluation, e.g. "
                        "'cuda' (default: the CPU)")
    parser.add_argument('--output-dir', type=writable_dir,
                        default=os.path.join(
        'benchmarks', 'results'), help='where results go (default: '
                        '%(default)s, relative to the working folder)')
    add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from lgir_pyg.cli._data import run_config
    from lgir_pyg.errors import UsageError
    from lgir_pyg.models import MODELS

    from lgir_pyg.benchmarks.density import MODELS as DENSITY_MODELS
    from lgir_pyg.benchmarks.quality import ALL_MODELS

    density = args.suite == 'density'
    args.models = args.models or list(DENSITY_MODELS if density else
                                      ALL_MODELS)
    args.seeds = args.seeds or (2 if density else 5)
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        raise UsageError(f"--models: unknown model(s) {unknown}; valid "
                         f"names: {', '.join(MODELS)}")
    os.makedirs(args.output_dir, exist_ok=True)
    config = run_config(args)
    if args.suite == 'quality':
        from lgir_pyg.benchmarks.quality import format_quality, run_quality
        from lgir_pyg.pipeline import dataset_name, prepare_data

        dataset, data, _ = prepare_data(config, args.models)
        overrides = {k: v for k, v in (('epochs', args.epochs),
                                       ('device', args.device)) if v}
        result = run_quality(
            data, args.models, args.seeds, args.output_dir, args.threads,
            dataset_name(dataset), train_overrides=overrides,
            item_category=config.data['item_category']
            or getattr(dataset, 'item_category', None),
            user_attribute=config.data['user_attribute'],
            tune_trials=args.tune_trials or 0)
        print(format_quality(result))
    elif density:
        from lgir_pyg.benchmarks.density import format_density, run_density
        overrides = {k: v for k, v in (('epochs', args.epochs),
                                       ('device', args.device)) if v}
        result = run_density(args.densities, args.models, args.seeds,
                             args.tune_trials or 0,
                             output_dir=args.output_dir,
                             threads=args.threads,
                             train_overrides=overrides)
        print(format_density(result))
    else:
        from lgir_pyg.benchmarks.speed import run_speed
        from lgir_pyg.pipeline import open_dataset
        _, data, _ = open_dataset(config)
        run_speed(threads=args.threads, runs=args.runs,
                  output_dir=args.output_dir, data=data, device=args.device,
                  **({'swept': args.sweep} if args.sweep else {}))
    print(f'results written to {args.output_dir}')
    return 0
