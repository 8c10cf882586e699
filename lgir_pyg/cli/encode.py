import argparse

HELP = ("Encode the dataset's user and item texts with a sentence encoder "
        "into the embedding cache that training reads.")
# The user texts by their command-line names.
SOURCES = {'self': 'text', 'context': 'context', 'src': 'resume_src',
           'irc': 'resume_irc'}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli._args import positive_int, writable_file
    from lgir_pyg.cli._data import add_config_arguments, add_threads_argument
    parser.add_argument('--model', default=None, metavar='ID_OR_PATH',
                        help='sentence-transformers model id or local folder '
                        '(default: the bundled all-MiniLM-L6-v2); short for '
                        '--set encoder.model=...')
    parser.add_argument('--source', default='self', choices=list(SOURCES),
                        help="the user texts: self-descriptions, the IRC "
                        "prompt's context, or the SRC/IRC resumes "
                        "(completed first if the dataset lacks them; "
                        "default: self)")
    parser.add_argument('--batch-size', type=positive_int, default=None,
                        metavar='N',
                        help='encoder batch size (default: 64)')
    parser.add_argument('--device', default=None,
                        help="torch device, e.g. 'cuda' (default: auto)")
    parser.add_argument('--output', type=writable_file, default=None,
                        metavar='PATH',
                        help='also write {user, item, encoder} to this .pt '
                        'file')
    add_config_arguments(parser)
    add_threads_argument(parser)


def run(args: argparse.Namespace) -> int:
    import os.path as osp
    import time

    import torch

    from lgir_pyg.cli._data import prepare, run_config
    from lgir_pyg.datasets import interaction_edge_type
    from lgir_pyg.pipeline import stage_sections
    from lgir_pyg.transforms import feature_name

    text = SOURCES[args.source]
    # The model that reads these texts: the same cache as training.
    model = {'text': 'lightgcn-text', 'context': 'prompt-text',
             'resume_src': 'lgir-src', 'resume_irc': 'lgir'}[text]
    config = run_config(args, shortcuts={
        'encoder.model': args.model, 'encoder.batch_size': args.batch_size,
        'encoder.device': args.device}, uses=stage_sections([model]))
    start = time.perf_counter()
    _, data, root = prepare(config, [model], args.threads)
    edge_type = interaction_edge_type(data)
    cache_dir = osp.join(root, 'embeddings')
    seconds = time.perf_counter() - start
    user_x = data[edge_type[0]][feature_name(text)]
    item_x = data[edge_type[2]].x
    print(f'{edge_type[0]}.{feature_name(text)}: {tuple(user_x.shape)}\n'
          f'{edge_type[2]}.x: {tuple(item_x.shape)}')
    print(f'{user_x.size(0) + item_x.size(0)} texts in {seconds:.1f} s '
          f'(cached ones included) into {cache_dir}')
    if args.output:
        from lgir_pyg.io import atomic_open
        with atomic_open(args.output, 'wb') as f:
            torch.save({'user': user_x, 'item': item_x,
                        'encoder': config.encoder}, f)
        print(f'wrote {args.output}')
    return 0
