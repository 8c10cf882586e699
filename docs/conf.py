# Sphinx configuration of the lgir_pyg documentation.
#
# Build with `make -C docs html` (warnings are errors); the pages import the
# real package, so build from an environment where lgir_pyg is installed.
import datetime
import json
import os
import os.path as osp
import re
import sys
from typing import Dict

DOCS = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(DOCS)
# Document the working tree, even where another lgir_pyg is installed.
sys.path.insert(0, ROOT)

import lgir_pyg  # noqa: E402

project = 'lgir_pyg'
author = 'the lgir_pyg authors'
copyright = f'{datetime.date.today().year}, {author}'
version = release = lgir_pyg.__version__

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.napoleon',  # PyG docstrings use Google-style `Args:`.
    'sphinx.ext.mathjax',  # `.. math::` in docstrings.
    # MathJax 3 from its PyPI package into _static/mathjax: math renders
    # offline, no page loads a script from a CDN.
    'sphinx-mathjax-offline',
    # Only for `.. testsetup::`: code a page's blocks need but do not show
    # (tests/docs/test_code_blocks.py runs it before them).
    'sphinx.ext.doctest',
    'myst_parser',  # The Markdown results files, included as tables.
    'sphinx.ext.viewcode',
]
# No intersphinx: builds run offline, and fetching inventories would warn.

exclude_patterns = ['_build', '_generated']
templates_path = []
html_static_path = ['_static']
html_theme = 'pydata_sphinx_theme'
html_title = f'lgir_pyg {version}'
html_theme_options = {
    'navigation_with_keys': False,
    'show_toc_level': 2,
}
html_show_sourcelink = False
html_css_files = ['results.css']
# The results pages have no sub-pages: their tables get the left column.
html_sidebars = {'benchmarks': [], 'when_lgir_helps': []}

add_module_names = False
autodoc_member_order = 'bysource'
autodoc_typehints = 'signature'
autodoc_default_options = {'members': True}
# Otherwise every `forward` without a docstring shows torch.nn.Module's, and
# datasets show PyG's `download`/`process` protocol.
autodoc_inherit_docstrings = False

napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
# PyG's `Shapes:` sections render as their own rubric.
napoleon_custom_sections = ['Shapes']

nitpicky = False
# Quotes and ellipses only: '--' stays two hyphens, as in '--help' in the
# results files' plain text.
smartquotes_action = 'qe'
# The results files are included under the Benchmarks page's own sections,
# without their '#' titles: their headings start at '##' by design.
suppress_warnings = ['myst.header']

# Generated snippets, written fresh on every build into docs/_generated
# (ignored by git and excluded as source documents): the command-line help,
# the table of registered models and the benchmark results, which exist
# only after the benchmarks ran.
GENERATED = osp.join(DOCS, '_generated')
RESULTS_DIR = osp.join(ROOT, 'benchmarks', 'results')
# The results files the Benchmarks page shows, each with its plots and the
# heading of the section each plot illustrates.
RESULTS = {
    'quality': {
        'quality_groups.png': 'NDCG@5 by training interactions per user',
        'quality_gains.png': 'LGIR against every other model',
    },
    'speed': {'speed.png': 'Scale sweep on synthetic graphs'},
    'density': {'density_gains.png': 'lgir minus the strongest baseline'},
    'fabrication': {},
    'resumes_sample': {},
    'llm_speed': {},
    'cli_startup': {},
}


def _write(name: str, text: str) -> None:
    # Rewrite only on change, so Sphinx does not re-read unchanged pages.
    path = osp.join(GENERATED, name)
    if osp.exists(path):
        with open(path, encoding='utf-8') as f:
            if f.read() == text:
                return
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def _cli_help() -> str:
    import contextlib
    import io

    from lgir_pyg.cli.main import SUBCOMMANDS, build_parser

    parts = []
    for args in [['--help']] + [[name, '--help'] for name in SUBCOMMANDS]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            build_parser().parse_args(args)
        parts.append(f'$ lgir {" ".join(args)}\n{out.getvalue()}')
    # Defaults under the repository read the same on every machine.
    return '\n'.join(parts).replace(ROOT, '<repo>')


def _escape(text: str) -> str:
    # Plain text into reStructuredText: no markup, no substitutions.
    for char in '\\*`|_':
        text = text.replace(char, '\\' + char)
    return text


def _models_table() -> str:
    from lgir_pyg.models import MODELS

    rows = ''.join(
        f'   * - ``{name}``\n'
        f'     - {f"``{spec.user_text}``" if spec.user_text else "none"}\n'
        f'     - {_escape(spec.description)}\n'
        for name, spec in MODELS.items())
    return ('.. list-table::\n   :header-rows: 1\n   :widths: 20 15 65\n\n'
            '   * - Name\n     - User texts\n     - Model\n' + rows)


# The method page's table of defaults: each step, its class and the
# arguments shown; the values come from the signatures.
DEFAULTS = (
    ('split', 'lgir_pyg.datasets.PerUserSplit',
     ('strategy', 'val_ratio', 'test_ratio', 'seed')),
    ('prompts', 'lgir_pyg.llm.ResumePrompts',
     ('mode', 'k', 'max_text_chars', 'max_job_chars')),
    ('LLM', 'lgir_pyg.llm.HFTextGenerator',
     ('model', 'max_new_tokens', 'temperature', 'no_repeat_ngram_size',
      'batch_size', 'dtype')),
    ('encoder', 'lgir_pyg.text.SentenceTransformerEncoder',
     ('model_name_or_path', 'batch_size', 'normalize')),
    ('GAN', 'lgir_pyg.nn.GANRefine',
     ('hidden_channels', 'num_layers', 'thresholds', 'k1', 'k2',
      'quantiles', 'identity_weight', 'select')),
    ('text-only LGIR', 'lgir_pyg.nn.LGIR',
     ('embedding_dim', 'num_layers', 'fusion', 'use_id', 'self_loops',
      'text_init')),
    ('hybrid LGIR', 'lgir_pyg.nn.HybridLGIR',
     ('id_dim', 'id_layers', 'text_layers', 'id_lr_scale', 'id_init',
      'refine_at')),
    ('training', 'lgir_pyg.training.Trainer',
     ('epochs', 'batch_size', 'lr', 'lambda_gan', 'patience', 'monitor',
      'propagation')),
)


def _defaults_table() -> str:
    import importlib
    import inspect

    rows = []
    for step, path, names in DEFAULTS:
        module, _, name = path.rpartition('.')
        params = inspect.signature(getattr(importlib.import_module(module),
                                           name)).parameters
        values = ', '.join(f'``{n}={params[n].default!r}``' for n in names)
        rows.append(f'   * - {step}\n     - :class:`~{path}`\n'
                    f'     - {values}\n')
    return ('.. list-table::\n   :header-rows: 1\n   :widths: 15 25 60\n\n'
            '   * - Step\n     - Class\n     - Defaults\n' + ''.join(rows))


def _result_snippet(name: str, plots: Dict[str, str]) -> str:
    # The Markdown results file as MyST (real tables), its own title left
    # out (the page's section names it), and each plot after the section
    # whose heading starts with the text it maps to.
    path = osp.join(RESULTS_DIR, f'{name}.md')
    if not osp.exists(path):
        return (f'*Not yet run:* :file:`benchmarks/results/{name}.md` does '
                f'not exist yet.\n')
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith('#')]
    ends = {}  # plot -> the line its section ends before
    for plot, heading in plots.items():
        starts = [i for i in headings if lines[i].lstrip('# ').startswith(
            heading)]
        if not starts:
            raise ValueError(f"{path} has no section '{heading}' for "
                             f"{plot}; update RESULTS in docs/conf.py")
        ends[plot] = next((i for i in headings if i > starts[0]),
                          len(lines))
    parts, start = [], 1
    for plot, end in sorted(ends.items(), key=lambda item: item[1]):
        parts.append(_include_md(name, start, end))
        parts.append(f'.. image:: /../benchmarks/results/{plot}\n'
                     f'   :alt: {plots[plot]} (plot)\n   :width: 100%\n')
        start = end
    if start < len(lines):
        parts.append(_include_md(name, start, len(lines)))
    return '\n'.join(parts)


def _include_md(name: str, start: int, end: int) -> str:
    return (f'.. include:: /../benchmarks/results/{name}.md\n'
            f'   :parser: myst_parser.sphinx_\n'
            f'   :start-line: {start}\n   :end-line: {end}\n')


def _results(name: str) -> dict:
    with open(osp.join(RESULTS_DIR, f'{name}.json'), encoding='utf-8') as f:
        return json.load(f)


def _slug(text: str) -> str:
    # A substitution name: 'lgir-text' -> 'lgir_text', '1-2' -> '1_2',
    # '6+' -> '6plus'.
    return re.sub(r'\W+', '_', text.replace('+', 'plus')).strip('_').lower()


def _figures() -> Dict[str, str]:
    r"""The figures the pages quote, by name, from the committed results
    (quality.json, density.json): a page writes ``|name|``, never a number
    by hand. Names:

    * ``ndcg_MODEL_KIND``: test NDCG@5 of MODEL, KIND ``all``, ``warm``
      or ``cold`` jobs; ``n_KIND``, ``share_KIND`` its test examples;
    * ``vs_MODEL_SLICE``: lgir minus MODEL, paired, with its 95% interval,
      on SLICE (``all``, ``1``, ``2``, ``1_2``, ``3_5``, ``6plus``,
      ``warm``, ``cold``); ``rel_MODEL``: that difference overall,
      relative; ``best`` the strongest non-LGIR model, ``vs_best_SLICE``,
      ``rel_best``, ``ndcg_best_KIND`` its figures;
    * ``goal_WORD``: a goal's verdict and figure, by its first word
      (``overall``, ``1_2``, ``warm``, ``cold``, ``irc``, ``gan``);
    * ``quality_*``, ``density_*``: how the benchmarks were run and the
      density sweep's figures.
    """
    from lgir_pyg.evaluation import format_difference

    quality, density = _results('quality'), _results('density')
    summary, comp = quality['summary'], quality['comparisons']
    best, vs = comp['strongest_baseline'], comp['lgir_vs']
    slices = vs[best]
    out = {
        'best': f'``{best}``',
        'quality_command': f"``{quality['command']}``",
        'quality_seeds': str(quality['seeds']),
    }
    for kind in ('all', 'warm', 'cold', '1'):
        count = slices[kind]['num_examples']
        out[f'n_{kind}'] = f'{count:,}'
        out[f'share_{kind}'] = f"{count / slices['all']['num_examples']:.0%}"
    for model, s in summary.items():
        for kind, value in [('all', s['test']['ndcg@5'])] + [
                (k, v['ndcg@5']) for k, v in s['test_warm_cold'].items()]:
            out[f'ndcg_{_slug(model)}_{kind}'] = f"{value['mean']:.4f}"
    for model, parts in vs.items():
        all_ = parts['all']
        for name in [_slug(model)] + (['best'] if model == best else []):
            out[f'rel_{name}'] = f"{all_['mean'] / all_['b']:+.1%}"
            for slice_name, d in parts.items():
                out[f'vs_{name}_{_slug(slice_name)}'] = format_difference(d)
    for kind in ('all', 'warm', 'cold'):
        out[f'ndcg_best_{kind}'] = out[f'ndcg_{_slug(best)}_{kind}']
    for goal, g in quality['goals'].items():
        verdict = 'reached' if g['reached'] else '**not reached**'
        out[f'goal_{_slug(goal.split()[0])}'] = f"{verdict} ({g['figure']})"
    out['lgir_chosen'] = ', '.join(
        f'``{k.partition(".")[2]}={v}``'
        for k, v in quality['tuning']['lgir']['chosen'].items())

    points = density['points']
    gains = [p['gain']['all'] for p in points]
    out.update({
        'density_command': f"``{density['command']}``",
        'density_seeds': str(density['seeds']),
        'density_trials': str(density['tune_trials']),
        'density_graph': ', '.join(f'{k}={v}' for k, v in
                                   density['graph_kwargs'].items()),
        'density_count': str(len(points)),
        'density_reached': str(sum(g['a'] >= g['b'] for g in gains)),
        'density_excluding_zero': str(sum(
            g['ci_low'] > 0 or g['ci_high'] < 0 for g in gains)),
        'density_relative': ', '.join(
            f"{g['mean'] / g['b']:+.1%} at {p['density']:g}"
            for p, g in zip(points, gains)),
        'density_nogan_ahead': str(sum(
            p['ndcg@5']['lgir-nogan']['mean'] > p['ndcg@5']['lgir']['mean']
            for p in points)),
    })
    return out


os.makedirs(GENERATED, exist_ok=True)
_columns = os.environ.get('COLUMNS')
os.environ['COLUMNS'] = '80'  # The same argparse line width everywhere.
_write('cli.txt', _cli_help())
if _columns is None:
    del os.environ['COLUMNS']
else:
    os.environ['COLUMNS'] = _columns
_write('models.rst', _models_table())
_write('defaults.rst', _defaults_table())
for _name, _plots in RESULTS.items():
    _write(f'{_name}.rst', _result_snippet(_name, _plots))
rst_epilog = ''.join(f'\n.. |{name}| replace:: {value}\n'
                     for name, value in _figures().items())
