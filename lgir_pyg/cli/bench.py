import argparse
import os.path as osp

HELP = ('Benchmarks: model quality against LightGCN and the baselines, and '
        'training speed.')
RESULTS = osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'benchmarks', 'results')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.bench.quality import ALL_MODELS
    parser.add_argument('suite', choices=['quality', 'speed'])
    parser.add_argument('--seeds', type=int, default=5,
                        help='quality: seeds per model (default: 5)')
    parser.add_argument('--models', nargs='+', default=list(ALL_MODELS),
                        help='quality: registered model names (default: '
                        'all)')
    parser.add_argument('--epochs', type=int, default=None,
                        help='quality: cap every model at this many epochs '
                        '(smoke runs)')
    parser.add_argument('--runs', type=int, default=5,
                        help='speed: timed runs per measurement')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch.set_num_threads (default: 1)')
    parser.add_argument('--output-dir', default=RESULTS,
                        help='where results go (default: %(default)s)')


def run(args: argparse.Namespace) -> int:
    if args.suite == 'quality':
        from lgir_pyg.bench.quality import format_quality, run_quality
        from lgir_pyg.training import MODELS

        unknown = [m for m in args.models if m not in MODELS]
        if unknown:
            raise SystemExit(f"Unknown model(s) {unknown}; valid names: "
                             f"{', '.join(MODELS)}")
        overrides = {'epochs': args.epochs} if args.epochs else None
        result = run_quality(args.models, args.seeds, args.output_dir,
                             args.threads, train_overrides=overrides)
        print(format_quality(result))
    else:
        from lgir_pyg.bench.speed import run_speed
        run_speed(threads=args.threads, runs=args.runs,
                  output_dir=args.output_dir)
    print(f'results written to {args.output_dir}')
    return 0
