import pytest

from lgir_pyg.llm import Completion, ResumeFormat
from lgir_pyg.llm.format import has_loop

GOOD = ('Skills: cashier, customer service\n'
        'Experience: Cashier at Safeway.\n'
        'Preferences: retail jobs in Oakland')


def test_has_loop():
    assert has_loop('4. Law Enforcement 5. Law Enforcement 6. Law '
                    'Enforcement 7. Law Enforcement')
    assert not has_loop('Law Enforcement, Law Enforcement, Law Enforcement')
    assert has_loop('a b a b a b', n=2, min_repeats=3)
    assert not has_loop(GOOD)


def test_parse_and_render():
    fmt = ResumeFormat()
    assert fmt.parse(GOOD) == {
        'Skills': 'cashier, customer service',
        'Experience': 'Cashier at Safeway.',
        'Preferences': 'retail jobs in Oakland'}
    assert fmt.finish(Completion(GOOD)) == GOOD
    # Markdown headers, other case, content over several lines, trailing
    # separators: all normalised.
    messy = ('**skills:** cashier,\n  customer service;\n'
             '## Experience: Cashier at Safeway.\nPREFERENCES:retail jobs '
             'in Oakland,')
    assert fmt.finish(Completion(messy)) == GOOD
    assert fmt.headers == ('Skills:', 'Experience:', 'Preferences:')
    assert str(fmt) == 'ResumeFormat(Skills, Experience, Preferences)'


@pytest.mark.parametrize('text,reason,problem', [
    (GOOD, 'stop', None),
    (GOOD, 'length', 'cut off'),
    ('Skills: cashier\nPreferences: retail', 'stop', 'no Experience'),
    ('Skills: cashier\nExperience: ..\nPreferences: retail', 'stop',
     'no Experience'),
    ('Skills: a b a b a b a b\nExperience: cashier\nPreferences: retail',
     'stop', 'loop'),
])
def test_validate(text, reason, problem):
    assert ResumeFormat().validate(Completion(text, reason)) == problem


def test_repair():
    fmt = ResumeFormat()
    cut = Completion('Skills: cashier, barista\nExperience: Cashier at '
                     'Safeway, barista at Blue Bottle, server at Ha', 'length')
    assert fmt.repair(cut) == (
        'Skills: cashier, barista\n'
        'Experience: Cashier at Safeway, barista at Blue Bottle\n'
        'Preferences: not stated')
    assert fmt.repair(Completion('nothing useful')) == (
        'Skills: not stated\nExperience: not stated\nPreferences: not stated')


def test_own_sections_and_version():
    fmt = ResumeFormat(['Interests', 'Budget'], min_chars=1)
    assert fmt.parse('Interests: tents\nBudget: low') == {
        'Interests': 'tents', 'Budget': 'low'}
    assert fmt.version != ResumeFormat().version
