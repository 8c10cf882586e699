import glob
import os.path as osp
import re

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# A quoted figure: a signed decimal, a count with thousands separators, a
# percentage or a ratio ("1.081x").
# ('1-2' is a range: its '-2' is no figure, nor 'x100' a count.)
NUMBER = re.compile(r'(?<![\w.])[+-]?\d[\d,]*(?:\.\d+)?(?:%|x)?')


def _readme() -> str:
    with open(osp.join(ROOT, 'README.md'), encoding='utf-8') as f:
        return f.read()


def _section(text: str, title: str) -> str:
    start = text.index(f'\n## {title}\n')
    end = text.find('\n## ', start + 1)
    return text[start:end if end >= 0 else len(text)]


def _plain(text: str) -> str:
    # The typographic minus as '-', and no thousands separators.
    return re.sub(r'(?<=\d),(?=\d{3})', '', text.replace('\u2212', '-'))


def quoted_figures(text: str):
    r"""The figures :obj:`text` quotes: every number with a decimal point,
    a sign, a percent or an 'x', or of three or more digits (small counts
    such as '5 seeds' are words, not results)."""
    for token in NUMBER.findall(_plain(text)):
        token = token.rstrip(',')
        digits = re.sub(r'\D', '', token)
        if '.' in token or token[0] in '+-' or token[-1] in '%x' or \
                len(digits) >= 3:
            yield token


def occurs(figure: str, results: str) -> bool:
    r"""Whether :obj:`figure` occurs in :obj:`results` as a whole number
    ('1.08x' does not occur in '1.081x'); a percentage also as the
    fraction the results files print ('1.9%' as '0.019')."""
    forms = [figure]
    if figure.endswith('%'):
        value = figure[:-1].lstrip('+')
        decimals = len(value.partition('.')[2]) + 2
        forms.append(f'{float(value) / 100:.{decimals}f}')
    return any(
        re.search(r'(?<![\d.])' + re.escape(form) + r'(?!\d)', results)
        for form in forms)


def test_results_section_quotes_the_results_files():
    results = ''
    for path in sorted(glob.glob(osp.join(ROOT, 'benchmarks', 'results',
                                          '*.md'))):
        with open(path, encoding='utf-8') as f:
            results += _plain(f.read())
    figures = list(quoted_figures(_section(_readme(), 'Results')))
    assert len(figures) > 50
    missing = [f for f in figures if not occurs(f, results)]
    assert not missing, (
        f'README.md quotes figures that no benchmarks/results/*.md holds: '
        f'{missing}; quote the results files as they are (re-made results '
        f'mean a re-written README)')


def test_figure_matching():
    results = 'ratio 1.081x, +0.0056 [-0.0020, +0.0020], cut-off 0.019, 4067'
    assert list(quoted_figures(
        '1.08x and 1,741 users, 5 seeds, 4.1 GiB, 1-2 interactions, x100')) \
        == ['1.08x', '1741', '4.1']
    assert occurs('1.081x', results) and not occurs('1.08x', results)
    assert occurs('-0.0020', results) and not occurs('0.002', results)
    assert occurs('1.9%', results) and not occurs('1.7%', results)
    assert occurs('4067', results) and not occurs('406', results)


def test_readme_links_exist():
    for target in re.findall(r'\]\(([^)#]+)\)', _readme()):
        if not target.startswith(('http:', 'https:')):
            assert osp.exists(osp.join(ROOT, target)), target
