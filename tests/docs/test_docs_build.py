import glob
import os
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DOCS = osp.join(ROOT, 'docs')
EXAMPLES = sorted(glob.glob(osp.join(DOCS, 'examples', '*.py')))
# Examples whose page shows the graph they print.
SHOWS_GRAPH = {'bring_your_own_data.py'}


def _env():
    # One thread: tiny ops on a busy 2-core machine are many times slower
    # with more.
    return {
        **os.environ, 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1',
        'TRANSFORMERS_OFFLINE': '1'
    }


def test_docs_build(tmp_path):
    pytest.importorskip('sphinx')
    # -W: any warning (a broken docstring, reference or include) fails.
    cmd = [
        sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q', '-b',
        'html', '-d',
        str(tmp_path / 'doctrees'), DOCS,
        str(tmp_path / 'html')
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(),
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-5000:]
    for page in ('index', 'method', 'api/nn', 'api/training',
                 'examples/gan_in_your_gnn', 'benchmarks'):
        assert (tmp_path / 'html' / f'{page}.html').exists()
    html = (tmp_path / 'html' / 'api' / 'nn.html').read_text()
    assert 'id="lgir_pyg.nn.GANRefine"' in html


@pytest.mark.parametrize('path', EXAMPLES, ids=osp.basename)
def test_example_runs(path, tmp_path):
    proc = subprocess.run([sys.executable, path], capture_output=True,
                          text=True, env=_env(), cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-5000:]
    if osp.basename(path) in SHOWS_GRAPH:
        page = open(path[:-3] + '.rst', encoding='utf-8').read()
        graph = proc.stdout[:proc.stdout.index('\n)\n')]
        for line in graph.splitlines():
            assert line.strip() in page, line
