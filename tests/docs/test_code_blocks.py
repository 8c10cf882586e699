r"""Every Python code block of the docs and of the README runs.

A page runs as a reader runs it: its blocks in order, in one namespace,
from a fresh folder holding the shop tables (``tests/data/shop/``),
offline, with one thread. The blocks shown are ``.. code-block:: python``
(also ``code``/``sourcecode``), ``::`` literal blocks (Python unless a
``.. highlight::`` says otherwise), ``.. literalinclude::`` of Python
files (the part shown) and the README's ```` ```python ```` fences;
``.. testsetup::`` blocks (``sphinx.ext.doctest``, not shown) give a block
what the page says it needs, e.g. a graph.

By default :obj:`$LGIR_HOME` holds a tiny KaggleJobViews (see
``conftest.py``), so a block that loads ``KaggleJobViews()`` runs on it
verbatim. A block that needs the real dataset to mean anything is marked
by the comment ``.. docs-test: full-data`` before it (in the README
``<!-- docs-test: full-data -->``): its page runs once more on the real
dataset, under the pytest marker ``full_data``, deselected by default::

    pytest -m full_data tests/docs/test_code_blocks.py
"""
import glob
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import textwrap
from typing import List, NamedTuple, Optional, Tuple

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHOP = osp.join(ROOT, 'tests', 'data', 'shop')
PYTHON = {'python', 'python3', 'py', 'py3'}
DIRECTIVE = re.compile(r'^( *)\.\. (code-block|code|sourcecode|'
                       r'literalinclude|testsetup|highlight)::(.*)$')
RST_MARKER = '.. docs-test: full-data'
MD_MARKER = '<!-- docs-test: full-data -->'
FENCE = re.compile(r'^```(\S*)\s*$')
# Runs (path, first line, code) triples in one namespace; the code is
# shifted to its line, so a traceback names the page's line.
RUNNER = ('import json, sys\n'
          "namespace = {'__name__': '__main__'}\n"
          'for path, line, code in json.load(sys.stdin):\n'
          "    code = '\\n' * (line - 1) + code\n"
          "    exec(compile(code, path, 'exec'), namespace)\n")


class Block(NamedTuple):
    path: str
    line: int  # Of the code's first line in the page (1-based).
    code: str
    full_data: bool


def _body(lines: List[str], start: int,
          indent: int) -> Tuple[dict, List[Tuple[int, str]], int]:
    # The options and the content lines (with their index) of the
    # directive or literal block whose body starts at lines[start], and
    # the index after it: the body is what is indented deeper than
    # `indent`.
    options, content, i = {}, [], start
    while i < len(lines) and lines[i].strip().startswith(':') and \
            len(lines[i]) - len(lines[i].lstrip()) > indent:
        name, _, value = lines[i].strip()[1:].partition(':')
        options[name] = value.strip()
        i += 1
    while i < len(lines) and (not lines[i].strip() or
                              len(lines[i]) - len(lines[i].lstrip()) >
                              indent):
        content.append((i, lines[i]))
        i += 1
    while content and not content[-1][1].strip():
        content.pop()
    while content and not content[0][1].strip():
        content.pop(0)
    return options, content, i


def _included(path: str, options: dict) -> Tuple[int, str]:
    # The first line and the lines of a file that `.. literalinclude::`
    # shows (Sphinx's start-after/start-at/end-before/end-at rules).
    unsupported = set(options) - {'language', 'start-after', 'start-at',
                                  'end-before', 'end-at', 'caption'}
    if unsupported:
        raise ValueError(f'{path}: literalinclude options '
                         f'{sorted(unsupported)} are not supported here')
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines(keepends=True)

    def find(text: str) -> int:
        return next(i for i, line in enumerate(lines) if text in line)

    start, end = 0, len(lines)
    if 'start-after' in options:
        start = find(options['start-after']) + 1
    if 'start-at' in options:
        start = find(options['start-at'])
    if 'end-before' in options:
        end = find(options['end-before'])
    if 'end-at' in options:
        end = find(options['end-at']) + 1
    return start + 1, ''.join(lines[start:end])


def rst_blocks(path: str, text: Optional[str] = None) -> List[Block]:
    r"""The Python blocks of the reStructuredText page at :obj:`path`
    (read from it unless :obj:`text` is given), in page order."""
    if text is None:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    lines = text.splitlines()
    language, marked, blocks, i = 'python', False, [], 0
    while i < len(lines):
        line = lines[i]
        match = DIRECTIVE.match(line)
        if line.strip() == RST_MARKER:
            marked = True
        elif match and match.group(2) == 'highlight':
            language = match.group(3).strip()
        elif match:
            indent, name, arg = len(match.group(1)), match.group(2), \
                match.group(3).strip()
            options, content, end = _body(lines, i + 1, indent)
            block = None
            if name == 'literalinclude':
                file = osp.normpath(osp.join(osp.dirname(path), arg))
                default = 'python' if file.endswith('.py') else ''
                if options.get('language', default) in PYTHON:
                    block = Block(file, *_included(file, options), marked)
            elif content and (name == 'testsetup' or
                              (arg or language) in PYTHON):
                code = textwrap.dedent('\n'.join(c for _, c in content))
                block = Block(path, content[0][0] + 1, code, marked)
            if block is not None:
                blocks.append(block)
                marked = False
            i = end
            continue
        elif line.rstrip().endswith('::') and \
                not line.lstrip().startswith('.. '):
            indent = len(line) - len(line.lstrip())
            _, content, end = _body(lines, i + 1, indent)
            if content and language in PYTHON:
                blocks.append(
                    Block(path,
                          content[0][0] + 1,
                          textwrap.dedent('\n'.join(c for _, c in content)),
                          marked))
                marked = False
            i = end
            continue
        i += 1
    return blocks


def markdown_blocks(path: str) -> List[Block]:
    r"""The ```` ```python ```` fences of the Markdown file at
    :obj:`path`, in order."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    blocks, marked, i = [], False, 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if lines[i].strip() == MD_MARKER:
            marked = True
        elif match:
            end = next(j for j in range(i + 1, len(lines))
                       if lines[j].startswith('```'))
            if match.group(1) in PYTHON:
                blocks.append(
                    Block(path, i + 2, '\n'.join(lines[i + 1:end]), marked))
                marked = False
            i = end
        i += 1
    return blocks


def _pages() -> List[str]:
    pages = sorted(glob.glob(osp.join(ROOT, 'docs', '**', '*.rst'),
                             recursive=True))
    pages = [p for p in pages if '_build' not in p and '_generated' not in p]
    return [osp.join(ROOT, 'README.md')] + pages


def _blocks(page: str) -> List[Block]:
    if page.endswith('.md'):
        return markdown_blocks(page)
    return rst_blocks(page)


PAGES = [p for p in _pages() if _blocks(p)]
FULL_DATA_PAGES = [p for p in PAGES if any(b.full_data for b in _blocks(p))]


def run_page(page: str, cwd: str, lgir_home: Optional[str],
             timeout: float) -> subprocess.CompletedProcess:
    r"""Runs the blocks of :obj:`page` in one process from :obj:`cwd`
    (with a copy of the shop tables in it), with :obj:`$LGIR_HOME` set to
    :obj:`lgir_home` unless it is :obj:`None`."""
    for name in os.listdir(SHOP):
        shutil.copy(osp.join(SHOP, name), cwd)
    env = {
        **os.environ, 'HF_HUB_OFFLINE': '1', 'TRANSFORMERS_OFFLINE': '1',
        'OMP_NUM_THREADS': '1', 'PYTHONPATH': os.pathsep.join(
            [ROOT, os.environ.get('PYTHONPATH', '')])
    }
    if lgir_home is not None:
        env['LGIR_HOME'] = lgir_home
    blocks = [(b.path, b.line, b.code) for b in _blocks(page)]
    return subprocess.run([sys.executable, '-c', RUNNER],
                          input=json.dumps(blocks), capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=timeout)


def _id(page: str) -> str:
    return osp.relpath(page, ROOT)


# Pages that run the bundled LLM take a minute of CPU.
@pytest.mark.timeout(900)
@pytest.mark.parametrize('page', PAGES, ids=_id)
def test_page_runs(page, tmp_path, tiny_lgir_home):
    proc = run_page(page, str(tmp_path), tiny_lgir_home, timeout=880)
    assert proc.returncode == 0, proc.stderr[-5000:]


@pytest.mark.full_data
@pytest.mark.timeout(3600)
@pytest.mark.parametrize('page', FULL_DATA_PAGES, ids=_id)
def test_page_runs_on_full_data(page, tmp_path):
    proc = run_page(page, str(tmp_path), None, timeout=3500)
    print(proc.stdout)
    assert proc.returncode == 0, proc.stderr[-5000:]


def test_rst_blocks(tmp_path):
    (tmp_path / 'script.py').write_text('a = 1\n# cut\nb = 2\n')
    page = textwrap.dedent('''\
        Title
        =====

        .. testsetup::

           data = 'graph'

        .. code-block:: bash

           lgir train

        .. docs-test: full-data

        .. code-block:: python
           :caption: first

           x = data
           if x:
               y = 1

        A literal block::

           z = 2

        * In a list:

          .. code-block:: python

             w = 3

        .. literalinclude:: script.py
           :end-before: # cut

        .. highlight:: text

        Now text::

           not python
        ''')
    path = str(tmp_path / 'page.rst')
    blocks = rst_blocks(path, page)
    assert [(b.path, b.line, b.code, b.full_data) for b in blocks] == [
        (path, 6, "data = 'graph'", False),
        (path, 17, 'x = data\nif x:\n    y = 1', True),
        (path, 23, 'z = 2', False),
        (path, 29, 'w = 3', False),
        (str(tmp_path / 'script.py'), 1, 'a = 1\n', False),
    ]


def test_markdown_blocks(tmp_path):
    (tmp_path / 'README.md').write_text(
        '# Title\n\n```bash\nlgir train\n```\n\n' + MD_MARKER +
        '\n```python\nimport os\n```\n\n```python\nx = 1\n```\n')
    blocks = markdown_blocks(str(tmp_path / 'README.md'))
    assert [(b.line, b.code, b.full_data) for b in blocks] == [
        (9, 'import os', True), (13, 'x = 1', False)]


def test_every_page_with_python_runs():
    # The parametrization covers the pages that show Python, the README's
    # and the Quickstart's included; the real dataset's pages are marked.
    ids = [_id(p) for p in PAGES]
    assert 'README.md' in ids and 'docs/quickstart.rst' in ids
    assert _id(osp.join(ROOT, 'docs', 'quickstart.rst')) in [
        _id(p) for p in FULL_DATA_PAGES]
