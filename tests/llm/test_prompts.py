import pytest

from lgir_pyg.errors import UsageError
from lgir_pyg.llm import ResumePrompts
from lgir_pyg.llm.prompts import (DEFAULT_INSTRUCTION, EMPTY_TEXT,
                                  prompt_facts)

TEXTS = ['Cashier at Safeway.', '', 'Nurse.']
RECENT = [['Barista @ Blue'], ['Server @ Haven', 'Cook @ Diner'], []]
VIEWED = 'Jobs they viewed (interests, not experience):\n'


def test_src_and_irc_prompts():
    builder = ResumePrompts('src')
    prompts = builder.build(TEXTS)
    assert prompts[0].startswith("Write this job seeker's resume")
    # Worked examples, then the user's facts.
    assert prompts[0].count('Example:\n') == 2
    assert prompts[0].endswith('Now this job seeker:\n'
                               'Self-description: Cashier at Safeway.')
    assert 'viewed' not in prompts[0]
    # Nothing to ground a resume on: no prompt, so no LLM call.
    assert prompts[1] == ''
    assert str(builder) == 'ResumePrompts(src-v3)'
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
    assert ResumePrompts('irc', k=3).version == 'irc-v3-k3'


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
    assert builder.version == 'irc-v3-c50-5'


def test_any_wording():
    builder = ResumePrompts('irc', user_name='customer',
                            item_name='products', interaction_name='bought')
    prompts = builder.build(['Likes hiking.', ''], [['Boots', 'Tent'],
                                                     ['Stove']])
    # The default examples are about jobs: other names get none.
    assert prompts[0] == (
        "Write this customer's resume as in the examples, from the facts "
        'only: Experience is what they wrote they did, else "not stated".'
        '\n\nNow this customer:\nSelf-description: Likes hiking.\n'
        'Products they bought (interests, not experience):\n- Boots\n'
        '- Tent')
    # The wording keys the cache: a short hash of it joins the version.
    version = builder.version
    assert version.startswith('irc-v3-t') and len(version) == 16
    assert ResumePrompts('irc', user_name='shopper').version != version
    assert ResumePrompts('irc', instruction=DEFAULT_INSTRUCTION + ' Be '
                         'brief.').version not in (version, 'irc-v3')
    # Examples of your own join the prompt and the version.
    own = ResumePrompts('irc', user_name='customer', item_name='products',
                        interaction_name='bought', examples=[
                            ('', ['Tent'], 'Experience: not stated\n'
                             'Likely skills: camping\nInterests: tents')])
    assert own.build(['Likes hiking.'], [['Boots']])[0].count(
        'Example:\n') == 1
    assert own.version not in (version, 'irc-v3')


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
