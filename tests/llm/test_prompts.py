import pytest

from lgir_pyg.errors import UsageError
from lgir_pyg.llm import ResumePrompts
from lgir_pyg.llm.prompts import DEFAULT_INSTRUCTION, EMPTY_TEXT

TEXTS = ['Cashier at Safeway.', '', 'Nurse.']
RECENT = [['Barista @ Blue'], ['Server @ Haven', 'Cook @ Diner'], []]


def test_src_and_irc_prompts():
    builder = ResumePrompts('src')
    prompts = builder.build(TEXTS)
    assert prompts[0].startswith("Write this job seeker's resume")
    assert prompts[0].endswith('Self-description: Cashier at Safeway.')
    assert 'viewed' not in prompts[0]
    assert EMPTY_TEXT in prompts[1]  # An empty self-description is said so.
    assert str(builder) == 'ResumePrompts(src-v2)'
    irc = ResumePrompts('irc').build(TEXTS, RECENT)
    assert irc[0].startswith(prompts[0])
    assert irc[0].endswith('Jobs they recently viewed:\n- Barista @ Blue\n'
                           'Infer their skills and preferences from these '
                           'jobs.')
    assert irc[1].endswith('viewed:\n- Server @ Haven\n- Cook @ Diner\n'
                           'Infer their skills and preferences from these '
                           'jobs.')
    assert '- (none)' in irc[2]  # A user without training items.
    assert ResumePrompts('irc', k=3).version == 'irc-v2-k3'


def test_irc_shows_the_first_k_items():
    prompt = ResumePrompts('irc', k=1).build(TEXTS, RECENT)[1]
    assert 'Server @ Haven' in prompt and 'Cook @ Diner' not in prompt
    assert ResumePrompts('irc', k=0).build(TEXTS, RECENT)[1].endswith(
        'viewed:\n- (none)\nInfer their skills and preferences from these '
        'jobs.')


def test_truncation_is_counted():
    builder = ResumePrompts('irc', max_text_chars=50, max_job_chars=5)
    prompts = builder.build(['nurse ' * 200, 'cook'],
                            [['Barista @ Blue', 'Cook'], ['Server']])
    assert 'nurse nurse' in prompts[0] and prompts[0].count('nurse') < 12
    assert prompts[0].endswith('- Baris ...\n- Cook\nInfer their skills '
                               'and preferences from these jobs.')
    assert builder.num_truncated == 1 + 2  # One text, two items.
    assert builder.version == 'irc-v2-c50-5'


def test_any_wording():
    builder = ResumePrompts('irc', user_name='customer',
                            item_name='products', interaction_name='bought')
    prompts = builder.build(['Likes hiking.', ''], [['Boots', 'Tent'],
                                                     ['Stove']])
    assert prompts[0] == (
        "Write this customer's resume: their skills, their experience in "
        'one sentence, and the products they want. Use only the facts '
        'below; do not invent employers, dates, years or degrees.\n'
        'Self-description: Likes hiking.\n'
        'Products they recently bought:\n- Boots\n- Tent\n'
        'Infer their skills and preferences from these products.')
    # The wording keys the cache: a short hash of it joins the version.
    version = builder.version
    assert version.startswith('irc-v2-t') and len(version) == 16
    assert ResumePrompts('irc', user_name='shopper').version != version
    assert ResumePrompts('irc', instruction=DEFAULT_INSTRUCTION + ' Be '
                         'brief.').version not in (version, 'irc-v2')


def test_bad_input():
    with pytest.raises(UsageError, match="'mode'"):
        ResumePrompts('fancy')
    with pytest.raises(UsageError, match="'k' must be non-negative"):
        ResumePrompts('irc', k=-1)
    with pytest.raises(UsageError, match="'instruction' may use only"):
        ResumePrompts(instruction='Describe this {person}.')
    with pytest.raises(UsageError, match="Mode 'irc' needs 'item_texts'"):
        ResumePrompts('irc').build(TEXTS)
    with pytest.raises(UsageError, match="Mode 'src' shows no items"):
        ResumePrompts('src').build(TEXTS, RECENT)
    with pytest.raises(UsageError, match=r"one list per user \(3, got 2\)"):
        ResumePrompts('irc').build(TEXTS, RECENT[:2])
