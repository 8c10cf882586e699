r"""Speed of :class:`lgir_pyg.text.SentenceTransformerEncoder` against a bare
:meth:`SentenceTransformer.encode` call on the same loaded model, the same
real sentences (KaggleJobViews job texts) and the same batch size.

Runs alternate (ours, bare, ours, ...) after a one-batch warm-up each; the
medians are compared. Writes :obj:`benchmarks/results/encoder_speed.json`
and prints a markdown table.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/encoder_speed.py
"""
import argparse
import os.path as osp

import torch

from lgir_pyg.benchmarks.timing import (alternate, command, machine,
                                        median, peak_rss_mib, write_json)

RESULTS = osp.join(osp.dirname(osp.abspath(__file__)), 'results',
                   'encoder_speed.json')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--num-texts', type=int, default=2000)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    import sentence_transformers

    from lgir_pyg.datasets import KaggleJobViews
    from lgir_pyg.text import SentenceTransformerEncoder

    texts = KaggleJobViews()[0]['job'].text[:args.num_texts]
    encoder = SentenceTransformerEncoder(batch_size=args.batch_size,
                                         device='cpu')
    model = encoder.model
    runners = {
        'SentenceTransformerEncoder.encode':
        lambda texts: encoder.encode(texts),
        'SentenceTransformer.encode':
        lambda texts: model.encode(texts, batch_size=args.batch_size,
                                   normalize_embeddings=True),
    }
    # Warm up on one batch; check that both calls give the same vectors.
    ours, bare = (run(texts[:args.batch_size]) for run in runners.values())
    max_diff = (ours - torch.from_numpy(bare)).abs().max().item()

    times = alternate({name: (lambda run=run: run(texts))
                       for name, run in runners.items()}, args.runs)

    rows = {
        name: {
            'median_s': median(ts),
            'runs_s': ts,
            'sentences_per_s': len(texts) / median(ts),
        }
        for name, ts in times.items()
    }
    ours, bare = (rows[name]['sentences_per_s'] for name in runners)
    result = {
        'command': command(),
        'model': encoder.name,
        'num_texts': len(texts),
        'batch_size': args.batch_size,
        'runs': args.runs,
        **machine(),
        'sentence_transformers': sentence_transformers.__version__,
        'results': rows,
        'speed_ratio': ours / bare,
        'max_abs_diff': max_diff,
        'peak_rss_mib': peak_rss_mib(),
    }
    write_json(RESULTS, result)

    print(f"{result['model']}, {len(texts)} KaggleJobViews job texts, batch "
          f"size {args.batch_size}, torch.set_num_threads({args.threads}), "
          f"median of {args.runs} alternating runs\n")
    print('| call | median (s) | sentences/s |')
    print('|---|---|---|')
    for name, row in rows.items():
        print(f"| {name} | {row['median_s']:.2f} | "
              f"{row['sentences_per_s']:.0f} |")
    print(f"\nspeed ratio (ours / bare): {result['speed_ratio']:.3f}x; max "
          f"|difference|: {max_diff:.1e}; peak RSS: "
          f"{result['peak_rss_mib']:.0f} MiB\nwrote {RESULTS}")


if __name__ == '__main__':
    main()
