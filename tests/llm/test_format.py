import pytest

from lgir_pyg.llm import Completion, ResumeFormat, ResumePrompts

GOOD = ('Experience: Waiter at Luigi\'s\n'
        'Likely skills: serving tables, customer service\n'
        'Interests: restaurant jobs in Austin')

# A real prompt: the user wrote of Luigi's and viewed a job at a bistro.
IRC = ResumePrompts('irc').prompt("Experience: Waiter at Luigi's.",
                                  ['Host @ Olive Bistro, Austin'])
EMPTY_IRC = ResumePrompts('irc').prompt('', ['Front Desk Coordinator @ '
                                             'Hilton, Germantown, Maryland'])


def test_parse_and_render():
    fmt = ResumeFormat()
    assert fmt.parse(GOOD) == {
        'Experience': "Waiter at Luigi's",
        'Likely skills': 'serving tables, customer service',
        'Interests': 'restaurant jobs in Austin'}
    assert fmt.finish(Completion(GOOD)) == GOOD
    # Markdown headers, other case, content over several lines, trailing
    # separators, "Not stated.": all normalised.
    messy = ('## Experience: Not stated.\n**likely skills:** serving '
             'tables,\n  customer service;\nINTERESTS:restaurant jobs in '
             'Austin,')
    assert fmt.finish(Completion(messy)) == GOOD.replace(
        "Waiter at Luigi's", 'not stated')
    assert fmt.parse('Interests: Not specified')['Interests'] == 'not stated'
    assert fmt.headers == ('Experience:', 'Likely skills:', 'Interests:')
    assert str(fmt) == 'ResumeFormat(Experience, Likely skills, Interests)'
    # Nothing stated at all is no resume.
    assert fmt.render({}) == ''
    assert fmt.render({'Interests': 'retail'}) == (
        'Experience: not stated\nLikely skills: not stated\n'
        'Interests: retail')


@pytest.mark.parametrize('text,reason,problem', [
    (GOOD, 'stop', None),
    (GOOD, 'length', 'cut off'),
    ('Experience: cashier\nInterests: retail', 'stop', 'no Likely skills'),
    ('Experience: ..\nLikely skills: sales\nInterests: retail', 'stop',
     'no Experience'),
    ('Experience: a b a b a b a b\nLikely skills: sales\nInterests: retail',
     'stop', 'loop'),
])
def test_validate_structure(text, reason, problem):
    assert ResumeFormat().validate(Completion(text, reason)) == problem


@pytest.mark.parametrize('text,problem', [
    (GOOD, None),
    ('Experience: not stated\nLikely skills: greeting guests\nInterests: '
     'host jobs in Austin', None),
    ("Experience: Waiter at Luigi's\nLikely skills: Proficient in\n"
     'Interests: restaurant', 'unfinished Likely skills'),
    ("Experience: Waiter at Luigi's\nLikely skills: serving tables\n"
     'Interests: restaurant jobs and', 'unfinished Interests'),
    ("Experience: Waiter at Luigi's, MBA\nLikely skills: serving\n"
     'Interests: restaurant', "invented degree 'mba' in Experience"),
    ('Experience: Prof. Dr. Smith\nLikely skills: serving\nInterests: '
     'restaurant', "invented title 'dr' in Experience"),
    ('Experience: Waiter at Walmart\nLikely skills: serving\nInterests: '
     'restaurant', "invented employer 'Walmart' in Experience"),
    ('Experience: Host at Olive Bistro\nLikely skills: serving\n'
     'Interests: restaurant', 'interaction as experience in Experience'),
    ("Experience: Waiter at Luigi's\nLikely skills: serving, Serving\n"
     'Interests: restaurant', 'repeated item in Likely skills'),
    ("Experience: Waiter at Luigi's\nLikely skills: no experience\n"
     'Interests: restaurant', 'empty words in Likely skills'),
    ("Experience: Waiter at Luigi's\nLikely skills: cash handling\n"
     'Interests: restaurant', 'copied from the prompt in Likely skills'),
    ("Experience: Waiter at Luigi's\nLikely skills: serving\n"
     'Interests: but mentioned in the description',
     'fragment in Interests'),
])
def test_validate_against_the_prompt(text, problem):
    assert ResumeFormat().validate(Completion(text), IRC) == problem


def test_examples_are_not_copied():
    # The default IRC examples hold a line cook in Dallas; a user who
    # viewed a front desk job does not become one.
    copied = Completion('Experience: not stated\nLikely skills: cooking\n'
                        'Interests: front desk jobs in Germantown')
    fmt = ResumeFormat()
    assert fmt.validate(copied, EMPTY_IRC) == (
        'copied from the prompt in Likely skills')
    assert fmt.repair(copied, EMPTY_IRC) == (
        'Experience: not stated\nLikely skills: not stated\n'
        'Interests: front desk jobs in Germantown')


def test_repair():
    fmt = ResumeFormat()
    cut = Completion('Experience: Cashier at Safeway, barista at Blue '
                     'Bottle, server at Ha', 'length')
    assert fmt.repair(cut) == (
        'Experience: Cashier at Safeway, barista at Blue Bottle\n'
        'Likely skills: not stated\nInterests: not stated')
    assert fmt.repair(Completion('nothing useful')) == ''
    # Against the prompt: items that do not fit go, unfinished ends are
    # trimmed, repeats are said once.
    answer = Completion(
        'Experience: Front Desk Coordinator, Germantown\n'
        'Likely skills: greeting guests, Proficient in, greeting guests\n'
        'Interests: front desk jobs in Maryland and, Master of Arts')
    assert fmt.repair(answer, EMPTY_IRC) == (
        'Experience: not stated\nLikely skills: greeting guests\n'
        'Interests: front desk jobs in Maryland')


def test_own_sections_and_version():
    fmt = ResumeFormat(['Interests', 'Budget'], min_chars=1)
    assert fmt.parse('Interests: tents\nBudget: low') == {
        'Interests': 'tents', 'Budget': 'low'}
    assert fmt.own_sections == ()
    assert fmt.version != ResumeFormat().version
