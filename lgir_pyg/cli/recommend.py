import argparse

HELP = ('Recommend items to one user of the dataset with a registered '
        'model.')
DEFAULT_MODEL = 'lightgcn-text'


def add_arguments(parser: argparse.ArgumentParser, k: int = 10) -> None:
    r"""The arguments of :func:`trained_model`, and :obj:`-k` (default
    :obj:`k`)."""
    from lgir_pyg.cli._args import (existing_file, non_negative_int,
                                    positive_int)
    from lgir_pyg.cli._data import add_config_arguments, add_threads_argument
    from lgir_pyg.cli.train import add_model_epilog
    from lgir_pyg.models import MODELS
    parser.add_argument('--user', required=True, metavar='ID',
                        help="the user's original id (node_id)")
    parser.add_argument('-k', type=positive_int, default=k,
                        help=f'number of items (default: {k})')
    parser.add_argument('--model', default=None, choices=list(MODELS),
                        metavar='NAME', help=f'a registered model (default: '
                        f'the checkpoint\'s, else {DEFAULT_MODEL})')
    parser.add_argument('--checkpoint', type=existing_file, default=None,
                        metavar='PATH',
                        help='a model saved by `lgir train --save`; without '
                        'it the model is trained first')
    parser.add_argument('--seed', type=non_negative_int, default=None,
                        help='seed of initialisation and training '
                        '(default: 0)')
    add_config_arguments(parser)
    add_threads_argument(parser)
    add_model_epilog(parser)


def trained_model(args: argparse.Namespace):
    r"""The model of :obj:`--model` and :obj:`--checkpoint` (trained first
    without one) on the configured dataset, and :obj:`--user`'s index:
    returns :obj:`(name, data, model, user)`."""
    from lgir_pyg.cli._data import MODEL_SECTIONS, prepare, run_config
    from lgir_pyg.errors import CheckpointError, ConfigError, UsageError
    from lgir_pyg.pipeline import dataset_name, stage_sections
    from lgir_pyg.training import load_checkpoint, load_state, prepare_model

    checkpoint = load_checkpoint(args.checkpoint) if args.checkpoint \
        else None
    name = args.model or (checkpoint['meta']['model'] if checkpoint
                          else DEFAULT_MODEL)
    if checkpoint and checkpoint['meta']['model'] != name:
        raise CheckpointError(f"'{args.checkpoint}' holds model "
                              f"{checkpoint['meta']['model']!r}, not "
                              f"{name!r}")
    # A checkpoint is not trained again: its model arguments fix the
    # model, the training section and the seed take no part.
    uses = {'model_kwargs'} if checkpoint else set(MODEL_SECTIONS)
    config = run_config(args, name, {'seed': args.seed},
                        uses=uses | stage_sections([name]))
    if checkpoint:
        saved = checkpoint['meta'].get('config', {}).get('model_kwargs', {})
        for key, value in config.model_kwargs.items():
            source = config.sources.get(f'model_kwargs.{key}')
            if source and key in saved and saved[key] != value:
                where = ('the command line' if source == 'the overrides'
                         else source)
                raise ConfigError(
                    f"model_kwargs.{key}={value!r} ({where}): the "
                    f"checkpoint '{args.checkpoint}' holds a model trained "
                    f"with {key}={saved[key]!r}, which fixes it; drop the "
                    f"setting, or train anew (lgir train --save)")
        config.model_kwargs.update(saved)
    dataset, data, _ = prepare(config, [name], args.threads)
    ids = [str(i) for i in data[config.data['user_type']].node_id]
    if args.user not in ids:
        raise UsageError(f"--user: unknown user {args.user!r}; "
                         f"{dataset_name(dataset)} has {len(ids)} users "
                         f"with ids such as "
                         f"{', '.join(map(repr, ids[:3]))}")
    if checkpoint:
        model = prepare_model(name, data, config.seed, **config.model_kwargs)
        load_state(model, checkpoint, args.checkpoint)
    else:
        model, _ = config.run(data, progress=True)
    return name, data, model, ids.index(args.user)


def run(args: argparse.Namespace) -> int:
    from lgir_pyg.models import recommend_unseen

    name, data, model, user = trained_model(args)
    # Only unseen items are listed, so there may be fewer than -k.
    scores, jobs = recommend_unseen(model, data, user, args.k)
    items = data[model.edge_type[2]]
    titles = items.get('title', items.text)
    print(f'Top {jobs.numel()} {model.edge_type[2]} items for user '
          f'{args.user} ({name}), items already seen left out:')
    for rank, (score, job) in enumerate(zip(scores.tolist(),
                                            jobs.tolist()), 1):
        print(f'{rank:3d}. {score:8.4f}  {titles[job]} '
              f'[{items.node_id[job]}]')
    return 0
