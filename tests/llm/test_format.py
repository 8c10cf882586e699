import pytest

from lgir_pyg.llm import Completion, ResumeFormat, ResumePrompts

GOOD = ('Likely skills: serving tables, customer service\n'
        'Interests: restaurant jobs in Austin')

# A real prompt: the user wrote of Luigi's and viewed a job at a bistro.
IRC = ResumePrompts('irc').prompt("Experience: Waiter at Luigi's.",
                                  ['Host @ Olive Bistro, Austin'])
# A user who also said which positions they want.
WANTS = ResumePrompts('irc').prompt(
    "Positions of interest: Server; Host. Experience: Waiter at Luigi's.",
    ['Host @ Olive Bistro, Austin'])
EMPTY_IRC = ResumePrompts('irc').prompt('', ['Front Desk Coordinator @ '
                                             'Hilton, Germantown, Maryland'])


def test_parse_and_render():
    fmt = ResumeFormat()
    assert fmt.parse(GOOD) == {
        'Likely skills': 'serving tables, customer service',
        'Interests': 'restaurant jobs in Austin'}
    # Without a prompt nothing is copied.
    assert fmt.finish(Completion(GOOD)) == 'Experience: not stated\n' + GOOD
    # Markdown headers, other case, content over several lines, trailing
    # separators, "Not stated.": all normalised; an Experience line the
    # model wrote anyway is not taken (it is copied from the user's text).
    messy = ('## Experience: Waiter.\n**likely skills:** serving '
             'tables,\n  customer service;\nINTERESTS:Not stated.')
    assert fmt.parse(messy) == {
        'Likely skills': 'serving tables, customer service',
        'Interests': 'not stated'}
    assert fmt.parse('Interests: Not specified')['Interests'] == 'not stated'
    assert fmt.headers == ('Likely skills:', 'Interests:')
    assert str(fmt) == 'ResumeFormat(Experience, Likely skills, Interests)'
    # Nothing stated at all is no resume.
    assert fmt.render({}) == ''
    assert fmt.render({'Interests': 'retail'}) == (
        'Experience: not stated\nLikely skills: not stated\n'
        'Interests: retail')


def test_stated_sections_are_copied_from_the_prompt():
    fmt = ResumeFormat()
    assert fmt.stated_parts(IRC) == {'Experience': "Waiter at Luigi's",
                                     'Interests': ''}
    assert fmt.stated_parts(WANTS) == {'Experience': "Waiter at Luigi's",
                                       'Interests': 'Server; Host'}
    assert fmt.stated_parts(EMPTY_IRC) == {'Experience': '',
                                           'Interests': ''}
    assert fmt.finish(Completion(GOOD), IRC) == (
        "Experience: Waiter at Luigi's\n" + GOOD)
    # The stated positions come first, then the written interests that do
    # not repeat them.
    assert fmt.finish(Completion(
        'Likely skills: serving tables\nInterests: server jobs, restaurant '
        'jobs in Austin'), WANTS) == (
        "Experience: Waiter at Luigi's\nLikely skills: serving tables\n"
        'Interests: Server; Host; restaurant jobs in Austin')
    # The copies stand when every written line is dropped.
    assert fmt.repair(Completion('Likely skills: Proficient in'), WANTS) == (
        "Experience: Waiter at Luigi's\nLikely skills: not stated\n"
        'Interests: Server; Host')


@pytest.mark.parametrize('text,reason,problem', [
    (GOOD, 'stop', None),
    (GOOD, 'length', 'cut off'),
    ('Likely skills: sales', 'stop', 'no Interests'),
    ('Likely skills: ..\nInterests: retail', 'stop', 'no Likely skills'),
    ('Likely skills: a b a b a b a b\nInterests: retail', 'stop', 'loop'),
])
def test_validate_structure(text, reason, problem):
    assert ResumeFormat().validate(Completion(text, reason)) == problem


@pytest.mark.parametrize('text,problem', [
    (GOOD, None),
    ('Likely skills: serving guests\nInterests: host jobs in Austin', None),
    ('Likely skills: Proficient in\nInterests: restaurant',
     'unfinished Likely skills'),
    ('Likely skills: serving tables\nInterests: restaurant jobs and',
     'unfinished Interests'),
    ('Likely skills: serving, MBA\nInterests: restaurant',
     "invented degree 'mba' in Likely skills"),
    ('Likely skills: serving\nInterests: Prof. Dr. Smith',
     "invented title 'dr' in Interests"),
    ('Likely skills: serving at Walmart\nInterests: restaurant',
     "invented employer 'Walmart' in Likely skills"),
    ('Likely skills: serving\nInterests: host jobs at Olive Bistro',
     'employer in Interests'),
    ('Likely skills: serving, Serving\nInterests: restaurant',
     'repeated item in Likely skills'),
    ('Likely skills: no experience\nInterests: restaurant',
     'empty words in Likely skills'),
    ('Likely skills: forklift operation\nInterests: restaurant',
     'copied from the prompt in Likely skills'),
    ('Likely skills: serving\nInterests: host jobs in Reno',
     'copied from the prompt in Interests'),
    ('Likely skills: serving\nInterests: host jobs in Austinville',
     'invented name in Interests'),
    ('Likely skills: serving\nInterests: but mentioned in the description',
     'fragment in Interests'),
    ('Likely skills: serving\nInterests: in Austin', 'fragment in Interests'),
    ('Likely skills: serving tables to guests in a busy Austin bistro\n'
     'Interests: restaurant', 'long item in Likely skills'),
    ('Likely skills: serving\nInterests: host job jobs',
     'repeated word in Interests'),
    ('Likely skills: serving, serving tables\nInterests: restaurant',
     'degenerate list in Likely skills'),
    ('Likely skills: serving\nInterests: host jobs, host events, host '
     'parties', 'degenerate list in Interests'),
])
def test_validate_against_the_prompt(text, problem):
    assert ResumeFormat().validate(Completion(text), IRC) == problem


def test_examples_are_not_copied():
    # The default IRC examples hold a warehouse worker in Nevada; a user
    # who viewed a front desk job does not become one.
    copied = Completion('Likely skills: forklift operation\n'
                        'Interests: front desk jobs in Germantown')
    fmt = ResumeFormat()
    assert fmt.validate(copied, EMPTY_IRC) == (
        'copied from the prompt in Likely skills')
    assert fmt.repair(copied, EMPTY_IRC) == (
        'Experience: not stated\nLikely skills: not stated\n'
        'Interests: front desk jobs in Germantown')


def test_repair():
    fmt = ResumeFormat()
    cut = Completion('Likely skills: cash handling, selling\nInterests: '
                     'retail jobs, sales jobs, store wo', 'length')
    assert fmt.repair(cut) == (
        'Experience: not stated\nLikely skills: cash handling, selling\n'
        'Interests: retail jobs, sales jobs')
    assert fmt.repair(Completion('nothing useful')) == ''
    # Against the prompt: items that do not fit go, unfinished ends are
    # trimmed, repeats are said once, a degenerate list is cut back.
    answer = Completion(
        'Likely skills: scheduling, Proficient in, scheduling, '
        'guest relations, guest services, guest care\n'
        'Interests: front desk jobs in Maryland and, Master of Arts')
    assert fmt.repair(answer, EMPTY_IRC) == (
        'Experience: not stated\nLikely skills: scheduling, guest '
        'relations, guest services\nInterests: front desk jobs in '
        'Maryland')


def test_other_sections_and_version():
    fmt = ResumeFormat(['Interests', 'Budget'], stated={}, min_chars=1)
    assert fmt.parse('Interests: tents\nBudget: low') == {
        'Interests': 'tents', 'Budget': 'low'}
    assert fmt.finish(Completion('Interests: tents\nBudget: low')) == (
        'Interests: tents\nBudget: low')
    assert fmt.version != ResumeFormat().version
    assert ResumeFormat(max_same_head=3).version != ResumeFormat().version
    # Stated sections of your own: a skills part, copied as it is.
    own = ResumeFormat(stated={'Experience': 'Did:'})
    assert str(own) == 'ResumeFormat(Experience, Likely skills, Interests)'
    assert own.version != ResumeFormat().version
    prompt = ResumePrompts('src').prompt('Did: baking.')
    assert own.finish(Completion(GOOD), prompt) == (
        'Experience: baking\n' + GOOD)
