import os

import torch

from lgir_pyg.cli.main import build_parser, main


def test_encode_arguments():
    args = build_parser().parse_args(['encode'])
    assert args.model is None and args.source == 'self'
    assert args.batch_size is None and args.output is None


def test_encode_own_tables(shop, tmp_path, capsys):
    output = tmp_path / 'out.pt'
    assert main(['encode', '--batch-size', '2', '--output', str(output)] +
                shop) == 0
    out = capsys.readouterr().out
    assert 'customer.x: (4, 384)\nproduct.x: (9, 384)\n' in out
    saved = torch.load(output, weights_only=True)
    assert saved['user'].shape == (4, 384) and saved['item'].shape == (9, 384)
    assert saved['encoder']['batch_size'] == 2
    # The embedding cache that training reads, one file per text source.
    cache = tmp_path / 'shop' / 'embeddings'
    files = sorted(os.listdir(cache))
    assert len(files) == 2 and any('customer.text' in f for f in files)
    stamps = [os.stat(cache / f).st_mtime_ns for f in files]
    # The IRC prompt's context: a third source; the others are reused.
    assert main(['encode', '--source', 'context'] + shop) == 0
    assert 'customer.x_context: (4, 384)' in capsys.readouterr().out
    assert [os.stat(cache / f).st_mtime_ns for f in files] == stamps
    assert len(os.listdir(cache)) == 3
