import argparse
import os

HELP = ('Benchmarks: model quality against LightGCN and the baselines, '
        'training speed, quality as the graph gets denser (synthetic '
        'graphs), and time against torch threads.')
# The texts whose encoding `bench threads` times.
ENCODE_TEXTS = 512


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli._args import positive_int, writable_dir
    from lgir_pyg.cli._data import add_config_arguments, add_threads_argument
    from lgir_pyg.benchmarks.density import DENSITIES, MODELS as DENSITY_MODELS
    parser.add_argument('suite', choices=['quality', 'speed', 'density',
                                          'threads'])
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
    parser.add_argument('--runs', type=positive_int, default=None,
                        help='speed, threads: timed runs per measurement '
                        '(default: 5, threads: 3)')
    parser.add_argument('--sweep', nargs='+', default=None, metavar='NAME',
                        help='speed: the registered models of the scale '
                        'sweep (default: lgir, and lgir-text where it is '
                        'registered)')
    parser.add_argument('--counts', nargs='+', type=positive_int,
                        default=None, metavar='N', help='threads: the '
                        'thread counts timed (default: 1, 2, 4, ... up to '
                        'the cores)')
    parser.add_argument('--scales', nargs='+', type=positive_int,
                        default=[1, 10], metavar='N', help='threads: '
                        'sizes of the graphs timed, in multiples of the '
                        'dataset (default: %(default)s)')
    add_threads_argument(parser)
    parser.add_argument('--device', default=None,
                        help="torch device of training and evaluation, e.g. "
                        "'cuda' (default: the CPU)")
    parser.add_argument('--output-dir', type=writable_dir,
                        default=os.path.join(
        'benchmarks', 'results'), help='where results go (default: '
                        '%(default)s, relative to the working folder)')
    add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from lgir_pyg.cli._data import prepare, run_config
    from lgir_pyg.errors import UsageError
    from lgir_pyg.pipeline import open_dataset, stage_sections
    from lgir_pyg.models import MODELS

    from lgir_pyg.benchmarks.density import MODELS as DENSITY_MODELS
    from lgir_pyg.benchmarks.quality import ALL_MODELS

    suite = args.suite
    models = args.models or list(DENSITY_MODELS if suite == 'density' else
                                 ALL_MODELS)
    seeds = args.seeds or (2 if suite == 'density' else 5)
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise UsageError(f"--models: unknown model(s) {unknown}; valid "
                         f"names: {', '.join(MODELS)}")
    # What each suite reads of the config: quality trains the models on
    # the configured data; density on synthetic graphs; speed and threads
    # time registered defaults on the configured graph.
    uses = {'quality': {'train', 'model_kwargs'} | stage_sections(models),
            'density': {'train'},
            'speed': {'data'},
            'threads': {'data', 'encoder'}}[suite]
    config = run_config(args, uses=uses,
                        models=models if suite == 'quality' else None)
    os.makedirs(args.output_dir, exist_ok=True)
    overrides = {**config.train, **{k: v for k, v in (
        ('epochs', args.epochs), ('device', args.device)) if v}}
    if suite == 'quality':
        from lgir_pyg.benchmarks.quality import format_quality, run_quality
        from lgir_pyg.pipeline import dataset_name

        dataset, data, _ = prepare(config, models, args.threads)
        result = run_quality(
            data, models, seeds, args.output_dir, None,
            dataset_name(dataset), train_overrides=overrides,
            item_category=config.data['item_category']
            or getattr(dataset, 'item_category', None),
            user_attribute=config.data['user_attribute'],
            tune_trials=args.tune_trials or 0,
            model_overrides=config.model_kwargs)
        print(format_quality(result))
    elif suite == 'density':
        from lgir_pyg.benchmarks.density import format_density, run_density
        from lgir_pyg.cli._data import set_threads
        result = run_density(args.densities, models, seeds,
                             args.tune_trials or 0,
                             output_dir=args.output_dir,
                             threads=set_threads(args.threads),
                             train_overrides=overrides)
        print(format_density(result))
    elif suite == 'speed':
        from lgir_pyg.benchmarks.speed import run_speed
        from lgir_pyg.cli._data import set_threads
        from lgir_pyg.pipeline import dataset_name
        dataset, data, _ = open_dataset(config)
        run_speed(threads=set_threads(args.threads),
                  runs=args.runs or 5, output_dir=args.output_dir,
                  data=data, device=args.device,
                  dataset=dataset_name(dataset),
                  **({'swept': args.sweep} if args.sweep else {}))
    else:
        from lgir_pyg.benchmarks.threads import format_threads, run_threads
        from lgir_pyg.factories import encoder_factory
        from lgir_pyg.datasets import interaction_edge_type
        # Torch's CPU threads are timed: the encoder runs on the CPU.
        config.encoder['device'] = config.encoder['device'] or 'cpu'
        _, data, _ = open_dataset(config)
        items = data[interaction_edge_type(data)[2]]
        result = run_threads(data, items.text[:ENCODE_TEXTS],
                             encoder_factory(config), args.scales,
                             counts=args.counts,
                             runs=args.runs or 3,
                             output_dir=args.output_dir)
        print(format_threads(result))
    print(f'results written to {args.output_dir}')
    return 0
