import argparse

HELP = ('Recommend jobs to one user of the default dataset (KaggleJobViews) '
        'with a registered model.')
DEFAULT_MODEL = 'lightgcn-text'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli.train import add_common_arguments
    from lgir_pyg.training import MODELS
    parser.add_argument('--user', required=True, metavar='ID',
                        help="the user's original id (data['user'].node_id)")
    parser.add_argument('-k', type=int, default=10,
                        help='number of jobs (default: 10)')
    parser.add_argument('--model', default=None, choices=list(MODELS),
                        metavar='NAME', help=f'a registered model (default: '
                        f'the checkpoint\'s, else {DEFAULT_MODEL})')
    parser.add_argument('--checkpoint', default=None, metavar='PATH',
                        help='a model saved by `lgir train --save`; without '
                        'it the model is trained first')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of initialisation and training '
                        '(default: 0)')
    add_common_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import torch

    from lgir_pyg.cli.train import load_dataset
    from lgir_pyg.datasets.tables import EDGE_TYPE
    from lgir_pyg.training import (
        Evaluator,
        Trainer,
        load_checkpoint,
        model_spec,
        prepare_model,
    )

    data, cache_dir = load_dataset(args.root)
    ids = [str(i) for i in data['user'].node_id]
    if args.user not in ids:
        raise SystemExit(f"Unknown user {args.user!r}: KaggleJobViews has "
                         f"{len(ids)} users with ids such as "
                         f"{', '.join(map(repr, ids[:3]))}")
    checkpoint = load_checkpoint(args.checkpoint) if args.checkpoint \
        else None
    name = args.model or (checkpoint['meta']['model'] if checkpoint
                          else DEFAULT_MODEL)
    if checkpoint and checkpoint['meta']['model'] != name:
        raise SystemExit(f"'{args.checkpoint}' holds model "
                         f"{checkpoint['meta']['model']!r}, not {name!r}")

    # The checkpoint's model arguments (from `lgir train`) fix its shapes.
    model_kwargs = checkpoint['meta'].get('config', {}).get(
        'model_kwargs', {}) if checkpoint else {}
    model = prepare_model(name, data, args.seed, cache_dir=cache_dir,
                          **model_kwargs)
    if checkpoint:
        model.load_state_dict(checkpoint['state_dict'])
    else:
        Trainer(model, data, Evaluator(data), seed=args.seed,
                **model_spec(name).train).fit()

    store = data[EDGE_TYPE]
    seen = torch.cat([store.edge_index, store.val_edge_label_index,
                      store.test_edge_label_index], dim=1)
    user = ids.index(args.user)
    scores, jobs = model.recommend(torch.tensor([user]), args.k, seen)
    titles = data['job'].get('title', data['job'].text)
    print(f'Top {args.k} jobs for user {args.user} ({name}), jobs already '
          f'seen left out:')
    for rank, (score, job) in enumerate(zip(scores[0].tolist(),
                                            jobs[0].tolist()), 1):
        print(f'{rank:3d}. {score:8.4f}  {titles[job]} '
              f'[job {data["job"].node_id[job]}]')
    return 0
