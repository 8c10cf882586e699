import argparse

HELP = ("Encode the default dataset's (KaggleJobViews) user and job texts "
        "with a sentence encoder.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.training.experiment import USER_TEXTS
    parser.add_argument('--model', default=None, metavar='ID_OR_PATH',
                        help='sentence-transformers model id or local folder '
                        '(default: the bundled all-MiniLM-L6-v2)')
    parser.add_argument('--source', default='self', choices=USER_TEXTS,
                        help="the user texts: self-descriptions, the IRC "
                        "prompt's context, or the SRC/IRC resumes "
                        "(default: self)")
    parser.add_argument('--batch-size', type=int, default=64,
                        help='encoder batch size (default: 64)')
    parser.add_argument('--output', default=None, metavar='PATH',
                        help='also write {user, job, encoder} to this .pt '
                        'file')
    parser.add_argument('--root', default=None,
                        help='dataset root (default: <repo>/data/...)')


def run(args: argparse.Namespace) -> int:
    import time

    import torch

    from lgir_pyg.cli.train import load_dataset
    from lgir_pyg.text import SentenceTransformerEncoder
    from lgir_pyg.training.experiment import text_inputs

    data, cache_dir = load_dataset(args.root)
    encoder = SentenceTransformerEncoder(args.model,
                                         batch_size=args.batch_size)
    start = time.perf_counter()
    # The same cache that training reads, so `lgir train` reuses it.
    user_x, job_x = text_inputs(data, args.source, encoder, cache_dir)
    seconds = time.perf_counter() - start
    print(f'user: {tuple(user_x.shape)}\njob: {tuple(job_x.shape)}')
    num_texts = user_x.size(0) + job_x.size(0)
    print(f'{encoder.name}: {num_texts} texts in {seconds:.1f} s '
          f'({num_texts / seconds:.0f} sentences/s, cached ones included) '
          f'into {cache_dir}')
    if args.output:
        torch.save({'user': user_x, 'job': job_x, 'encoder': encoder.name},
                   args.output)
        print(f'wrote {args.output}')
    return 0
