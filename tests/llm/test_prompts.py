import pytest

from lgir_pyg.errors import UsageError
from lgir_pyg.llm import ResumePrompts
from lgir_pyg.llm.prompts import (DEFAULT_INSTRUCTION, EMPTY_TEXT,
                                  prompt_facts, prompt_messages,
                                  stated_sections)

TEXTS = ['Cashier at Safeway.', '', 'Nurse.']
RECENT = [['Barista @ Blue'], ['Server @ Haven', 'Cook @ Diner'], []]
VIEWED = 'Jobs they viewed (interests, not experience):\n'


def test_src_and_irc_prompts():
    builder = ResumePrompts('src')
    prompts = builder.build(TEXTS)
    assert prompts[0].startswith("Write this job seeker's likely skills")
    # Worked examples, then the user's facts.
    assert prompts[0].count('Example:\n') == 3
    assert prompts[0].endswith('Now this job seeker:\n'
                               'Self-description: Cashier at Safeway.')
    assert 'viewed' not in prompts[0]
    # Nothing to ground a resume on: no prompt, so no LLM call.
    assert prompts[1] == ''
    assert str(builder) == 'ResumePrompts(src-v4)'
    irc = ResumePrompts('irc').build(TEXTS, RECENT)
    assert irc[0].endswith('Now this job seeker:\n'
                           'Self-description: Cashier at Safeway.\n' +
                           VIEWED + '- Barista @ Blue')
    # An empty self-description is said so.
    assert irc[1].endswith(f'Self-description: {EMPTY_TEXT}\n' + VIEWED +
                           '- Server @ Haven\n- Cook @ Diner')
    assert irc[2].endswith(VIEWED + '- (none)')  # No training items.
    assert prompt_facts(irc[0]) == ('Cashier at Safeway.',
                                    ['Barista @ Blue'])
    assert prompt_facts(irc[1]) == ('', ['Server @ Haven', 'Cook @ Diner'])
    assert prompt_facts('no layout') == ('no layout', [])
    assert ResumePrompts('irc', k=3).version == 'irc-v4-k3'


def test_one_prompt():
    builder = ResumePrompts('irc')
    # Texts go on one line; a user without text or items gets none.
    prompt = builder.prompt("Cook\n\n at  Denny's", ['Server @ Haven'])
    assert prompt_facts(prompt) == ("Cook at Denny's", ['Server @ Haven'])
    assert builder.prompt('', []) == ''
    assert ResumePrompts('src').prompt('', ['Server @ Haven']) == ''


def test_irc_shows_the_first_k_items():
    prompt = ResumePrompts('irc', k=1).build(TEXTS, RECENT)[1]
    assert 'Server @ Haven' in prompt and 'Cook @ Diner' not in prompt
    # k=0 would tell the LLM that every user did nothing.
    with pytest.raises(UsageError, match="'k' must be positive \\(got 0\\); "
                       "a prompt without interactions is mode='src'"):
        ResumePrompts('irc', k=0)


def test_truncation_is_counted():
    builder = ResumePrompts('irc', max_text_chars=50, max_job_chars=5)
    prompts = builder.build(['nurse ' * 200, 'cook'],
                            [['Barista @ Blue', 'Cook'], ['Server']])
    own = prompt_facts(prompts[0])[0]
    assert own.startswith('nurse nurse') and own.count('nurse') < 12
    assert prompts[0].endswith('- Baris ...\n- Cook')
    assert builder.num_truncated == 1 + 2  # One text, two items.
    assert builder.version == 'irc-v4-c50-5'


def test_any_wording():
    builder = ResumePrompts('irc', user_name='customer',
                            item_name='products', interaction_name='bought')
    prompts = builder.build(['Likes hiking.', ''], [['Boots', 'Tent'],
                                                     ['Stove']])
    # The default examples are about jobs: other names get none.
    assert prompts[0] == (
        "Write this customer's likely skills and interests from the facts "
        'only; "not stated" if the facts say nothing.'
        '\n\nNow this customer:\nSelf-description: Likes hiking.\n'
        'Products they bought (interests, not experience):\n- Boots\n'
        '- Tent')
    # The wording keys the cache: a short hash of it joins the version.
    version = builder.version
    assert version.startswith('irc-v4-t') and len(version) == 16
    assert ResumePrompts('irc', user_name='shopper').version != version
    assert ResumePrompts('irc', instruction=DEFAULT_INSTRUCTION + ' Be '
                         'brief.').version not in (version, 'irc-v4')
    # Examples of your own join the prompt and the version.
    own = ResumePrompts('irc', user_name='customer', item_name='products',
                        interaction_name='bought', examples=[
                            ('', ['Tent'], 'Likely skills: camping\n'
                             'Interests: tents')])
    assert own.build(['Likes hiking.'], [['Boots']])[0].count(
        'Example:\n') == 1
    assert own.version not in (version, 'irc-v4')


def test_words_in_capitals_are_calmed():
    # A small model misspells words in capitals when it copies them.
    prompt = ResumePrompts('irc').prompt('Experience: CASHIER at IGA.',
                                         ['ASSISTANT MANAGER @ USA Inc'])
    assert prompt_facts(prompt) == ('Experience: Cashier at IGA.',
                                    ['Assistant Manager @ USA Inc'])


def test_examples_become_chat_turns():
    prompt = ResumePrompts('irc').prompt('Nurse.', ['Aide @ Mercy'])
    turns = prompt_messages(prompt)
    assert [t['role'] for t in turns] == ['user', 'assistant'] * 3 + [
        'user']
    # The instruction opens the conversation; each example is its facts
    # and its answer; the user's facts come last.
    assert turns[0]['content'].startswith(
        "Write this job seeker's likely skills and interests")
    assert turns[0]['content'].endswith(
        'Self-description: (empty)\nJobs they viewed (interests, not '
        'experience):\n- Warehouse Associate @ Amazon, Reno, Nevada\n'
        '- Forklift Operator @ Sysco, Sparks, Nevada')
    assert turns[1]['content'] == (
        'Likely skills: warehouse work, forklift operation\n'
        'Interests: warehouse jobs in Nevada')
    assert turns[-1]['content'] == (
        'Self-description: Nurse.\nJobs they viewed (interests, not '
        'experience):\n- Aide @ Mercy')
    # Without examples, or of another layout, a prompt is one turn.
    plain = ResumePrompts('irc', examples=[]).prompt('Nurse.', [])
    assert prompt_messages(plain) == [{'role': 'user', 'content': plain}]
    assert prompt_messages('Hi.') == [{'role': 'user', 'content': 'Hi.'}]


@pytest.mark.parametrize('text,stated', [
    ('', ''),
    ('Positions of interest: Receptionist.', ''),
    ('Positions of interest: Host. Experience: Street Marketer at Media '
     'Nation; Courtesy Clerk at Safeway.',
     'Street Marketer at Media Nation; Courtesy Clerk at Safeway'),
    # A row without a position, an empty description, runs of dots.
    ('Experience: at Retired.', 'Retired'),
    ('Experience: Clerk at DC Government: .; Aide at Mercy: helped..',
     'Clerk at DC Government; Aide at Mercy: helped'),
    # Bullets and spaces before punctuation go.
    ('Experience: Photographer at BAT: \u2022\tCaptured memories.\n'
     '\u2022\tProvided service \u2022 Engaged fans',
     'Photographer at BAT: Captured memories. Provided service. Engaged '
     'fans'),
    ('Experience: Cashier at GRK: Cashier , cleaning , ect..',
     'Cashier at GRK: Cashier, cleaning, ect'),
    # A symbol font's bullet is a private-use character.
    ('Experience: Promoter at AC: \u2756 Staffed events \uf0a7 Trained '
     'staff', 'Promoter at AC: Staffed events. Trained staff'),
    # A text cut to the prompt budget keeps its complete rows or
    # sentences; an unfinished end goes.
    ('Experience: Cook at Diner: fried eggs. Cleaned the grill; Banker at '
     'Chase: sold ...', 'Cook at Diner: fried eggs. Cleaned the grill'),
    ('Experience: Cook at Diner: fried eggs. Cleaned the ...',
     'Cook at Diner: fried eggs'),
    ('Experience: Cook at Diner: fried eggs and ...',
     'Cook at Diner: fried eggs'),
])
def test_stated_experience(text, stated):
    assert stated_sections(text, ['Experience:']) == {'Experience:': stated}


def test_stated_sections():
    # Each part runs to the next header; a header not in the text is "".
    text = ('Positions of interest: Server; Host. Experience: Cook at '
            'Diner: fried eggs.')
    assert stated_sections(text, ['Experience:', 'Positions of interest:',
                                  'Skills:']) == {
        'Experience:': 'Cook at Diner: fried eggs',
        'Positions of interest:': 'Server; Host', 'Skills:': ''}
    # What a prompt shows is what the rule copies from: a text cut to the
    # budget keeps its complete rows.
    builder = ResumePrompts('src', max_text_chars=60)
    text = ('Experience: Cook at Diner: fried eggs; Banker at Chase: sold '
            'loans and')
    own = prompt_facts(builder.prompt(text))[0]
    assert own.endswith(' ...')
    assert stated_sections(own, ['Experience:']) == {
        'Experience:': 'Cook at Diner: fried eggs'}


def test_bad_input():
    with pytest.raises(UsageError, match="'mode'"):
        ResumePrompts('fancy')
    with pytest.raises(UsageError, match="'k' must be positive"):
        ResumePrompts('irc', k=-1)
    with pytest.raises(UsageError, match="'instruction' may use only"):
        ResumePrompts(instruction='Describe this {person}.')
    with pytest.raises(UsageError, match="Mode 'irc' needs 'item_texts'"):
        ResumePrompts('irc').build(TEXTS)
    with pytest.raises(UsageError, match="Mode 'src' shows no items"):
        ResumePrompts('src').build(TEXTS, RECENT)
    with pytest.raises(UsageError, match=r"one list per user \(3, got 2\)"):
        ResumePrompts('irc').build(TEXTS, RECENT[:2])
