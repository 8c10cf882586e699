import argparse

HELP = ("Encode the default dataset's (KaggleJobViews) user and job texts "
        "with a sentence encoder.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--model', default=None, metavar='ID_OR_PATH',
                        help='sentence-transformers model id or local folder '
                        '(default: the bundled all-MiniLM-L6-v2)')
    parser.add_argument('--source', default='self', choices=['self'],
                        help="the user texts: 'self' is the self-description "
                        "(default: self)")
    parser.add_argument('--batch-size', type=int, default=64,
                        help='encoder batch size (default: 64)')
    parser.add_argument('--output', default=None, metavar='PATH',
                        help='the .pt file to write (default: '
                        '<root>/embeddings/<model>__<source>.pt)')
    parser.add_argument('--root', default=None,
                        help='dataset root (default: <repo>/data/...)')


def run(args: argparse.Namespace) -> int:
    import os
    import os.path as osp
    import time

    import torch

    from lgir_pyg.datasets import KaggleJobViews
    from lgir_pyg.text import SentenceTransformerEncoder
    from lgir_pyg.text.cache import embedding_file_name

    dataset = KaggleJobViews(**({'root': args.root} if args.root else {}))
    data = dataset[0]
    encoder = SentenceTransformerEncoder(args.model,
                                         batch_size=args.batch_size)
    encoder.dim  # Load the model before the clock starts.

    out, num_truncated = {}, 0
    start = time.perf_counter()
    for node_type in ('user', 'job'):
        out[node_type] = encoder.encode(data[node_type].text)
        num_truncated += encoder.last_num_truncated
    seconds = time.perf_counter() - start

    for node_type in ('user', 'job'):
        print(f'{node_type}: {tuple(out[node_type].shape)}')
    num_texts = sum(x.size(0) for x in out.values())
    print(f'{encoder.name}: {num_texts} texts in {seconds:.1f} s '
          f'({num_texts / seconds:.0f} sentences/s), {num_truncated} '
          f'truncated')

    path = args.output or osp.join(dataset.root, 'embeddings',
                                   embedding_file_name(encoder.name,
                                                       args.source))
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save({**out, 'encoder': encoder.name}, path)
    print(f'wrote {path}')
    return 0
