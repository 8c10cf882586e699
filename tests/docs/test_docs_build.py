import glob
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DOCS = osp.join(ROOT, 'docs')
RESULTS = osp.join(ROOT, 'benchmarks', 'results')
EXAMPLES = sorted(glob.glob(osp.join(DOCS, 'examples', '*.py')))
# Examples whose page shows the graph they print.
SHOWS_GRAPH = {'bring_your_own_data.py'}
# Pages with math: the formulas must render without a network.
MATH_PAGES = ('method', 'why_this_job', 'examples/gan_in_your_gnn',
              'api/nn')
SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]*)"')
LINK_HREF = re.compile(r'<link[^>]*\shref="([^"]*)"')


def _env():
    # One thread: tiny ops on a busy 2-core machine are many times slower
    # with more.
    return {
        **os.environ, 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1',
        'TRANSFORMERS_OFFLINE': '1'
    }


@pytest.fixture(scope='module')
def html(tmp_path_factory) -> str:
    r"""The docs built once for this module's tests; the folder of the
    HTML."""
    pytest.importorskip('sphinx')
    out = tmp_path_factory.mktemp('docs')
    # -W: any warning (a broken docstring, reference or include) fails.
    cmd = [
        sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q', '-b',
        'html', '-d',
        str(out / 'doctrees'), DOCS,
        str(out / 'html')
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(),
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return str(out / 'html')


def _read(html: str, page: str) -> str:
    with open(osp.join(html, f'{page}.html'), encoding='utf-8') as f:
        return f.read()


def test_docs_build(html):
    for page in ('index', 'method', 'api/nn', 'api/training',
                 'examples/gan_in_your_gnn', 'benchmarks'):
        assert osp.exists(osp.join(html, f'{page}.html'))
    assert 'id="lgir_pyg.nn.GANRefine"' in _read(html, 'api/nn')


def test_no_remote_scripts_or_styles(html):
    pages = glob.glob(osp.join(html, '**', '*.html'), recursive=True)
    assert len(pages) > 10
    for page in pages:
        with open(page, encoding='utf-8') as f:
            text = f.read()
        # A script or style sheet from elsewhere fails offline.
        for url in SCRIPT_SRC.findall(text) + LINK_HREF.findall(text):
            assert not url.startswith(('http:', 'https:', '//')), (page, url)


@pytest.mark.parametrize('page', MATH_PAGES)
def test_math_is_served_locally(html, page):
    text = _read(html, page)
    assert 'class="math' in text  # The page has math to render.
    scripts = [s for s in SCRIPT_SRC.findall(text) if 'mathjax' in s]
    assert len(scripts) == 1, scripts
    # The MathJax bundle the page loads, and the fonts it loads from its
    # own folder, are in the built site.
    path = osp.normpath(osp.join(osp.dirname(osp.join(html, page)),
                                 scripts[0].split('?')[0]))
    assert path.startswith(html) and osp.getsize(path) > 100_000
    fonts = osp.join(osp.dirname(path), 'output', 'chtml', 'fonts',
                     'woff-v2')
    assert any(name.startswith('MathJax_Main') for name in os.listdir(fonts))


@pytest.mark.skipif(shutil.which('chromium') is None,
                    reason='needs a headless chromium')
def test_math_renders_offline(html):
    # The browser is cut off from the network: what renders came from the
    # built site.
    proc = subprocess.run([
        'chromium', '--headless', '--no-sandbox', '--disable-gpu',
        '--proxy-server=127.0.0.1:9', '--virtual-time-budget=20000',
        '--dump-dom', 'file://' + osp.join(html, 'method.html')
    ], capture_output=True, text=True, timeout=120)
    assert proc.stdout.count('<mjx-container') >= 3, proc.stderr[-2000:]


def test_benchmarks_page_shows_tables_and_plots(html):
    text = _read(html, 'benchmarks')
    # The results files the page includes (docs/conf.py's RESULTS that
    # exist), through the snippets the build wrote.
    shown = set()
    for snippet in glob.glob(osp.join(DOCS, '_generated', '*.rst')):
        with open(snippet, encoding='utf-8') as f:
            shown.update(re.findall(
                r'include:: /\.\./benchmarks/results/(\w+)\.md', f.read()))
    assert {'quality', 'speed', 'density'} <= shown
    tables = 0
    for name in shown:
        with open(osp.join(RESULTS, f'{name}.md'), encoding='utf-8') as f:
            tables += f.read().count('\n|---')
    # Every Markdown table is a table; none shows as raw Markdown.
    assert tables > 5 and text.count('<table') == tables
    assert '|---|' not in text
    for plot in glob.glob(osp.join(RESULTS, '*.png')):
        assert f'src="_images/{osp.basename(plot)}"' in text, plot


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
