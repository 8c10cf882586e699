import math

import pytest

from lgir_pyg.llm.fabrication import (content_words, dangling_end,
                                      dangling_lines, degenerate_items,
                                      degrees, durations, employers,
                                      fabrication_rate, has_loop,
                                      invented_degrees, invented_durations,
                                      invented_employers, invented_titles,
                                      list_items, resume_quality, titles,
                                      trim_dangling, ungrounded_words,
                                      viewed_as_experience)


def test_content_words():
    assert content_words("Skills: the Cashiers' tills and POS") == [
        'cashier', 'till', 'pos']
    # An empty section's marker is no content.
    assert content_words('Experience: not stated') == []


def test_fabrication_rate():
    sources = ['Cashier at Safeway', 'Barista @ Blue Bottle']
    assert fabrication_rate('Skills: cashier, barista', sources) == 0.0
    # 2 of 4 content words are grounded.
    assert fabrication_rate('cashier barista astronaut surgeon',
                            sources) == 0.5
    assert ungrounded_words('cashier astronaut, astronaut',
                            sources) == ['astronaut', 'astronaut']
    assert math.isnan(fabrication_rate('Skills: and the', sources))


def test_has_loop():
    assert has_loop('4. Law Enforcement 5. Law Enforcement 6. Law '
                    'Enforcement 7. Law Enforcement')
    assert not has_loop('Law Enforcement, Law Enforcement, Law Enforcement')
    assert has_loop('a b a b a b', n=2, min_repeats=3)


@pytest.mark.parametrize('text', [
    'Proficient in', 'Master of', 'cooking and', 'retail jobs in',
    'Professional and', 'answering phones, greeting the', 'Part Time/',
    'Proficient', 'Prof.', 'sales with their'
])
def test_dangling_end(text):
    assert dangling_end(text)


@pytest.mark.parametrize('text', [
    'cooking, food preparation', 'cashier at Safeway.', 'not stated',
    'line cook jobs in Dallas, Texas', 'customer service', '', 'Sales Rep'
])
def test_finished_end(text):
    assert not dangling_end(text)


def test_dangling_lines():
    resume = ('Experience: Proficient in\nLikely skills: cooking\n'
              'Interests: Master of')
    assert dangling_lines(resume) == ['Experience: Proficient in',
                                      'Interests: Master of']
    assert dangling_lines('Experience: cashier at Safeway') == []


@pytest.mark.parametrize('text,trimmed', [
    ('retail jobs in', 'retail jobs'), ('Proficient in', ''),
    ('cooking and baking.', 'cooking and baking'),
    ('sales, customer service and,', 'sales, customer service'),
    ('Part Time/', 'Part'), ('', ''),
])
def test_trim_dangling(text, trimmed):
    assert trim_dangling(text) == trimmed


def test_list_items():
    assert list_items('sales; cashier jobs, jobs in Austin, Texas, Toys R '
                      'Us, Inc, retail') == [
                          'sales', 'cashier jobs',
                          'jobs in Austin, Texas, Toys R Us, Inc', 'retail']
    assert list_items(' , ') == []


@pytest.mark.parametrize('items,dropped', [
    (['cooking', 'food preparation', 'cleaning'], []),
    # Items on one head word: the first two stand.
    (['street marketing', 'street art', 'street food', 'street fashion'],
     [2, 3]),
    (['customer service', 'customer support', 'customer relationship '
      'management', 'sales'], [2]),
    # One item's words within another's, either way, plurals folded.
    (['acting', 'modeling', 'acting in movies'], [2]),
    (['florist', 'florists', 'floristry'], [1, 2]),
    (['Delivering goods', 'deliveries'], [1]),
    (['part-time', 'part time', 'sales'], [1]),
    # No content word: not judged here.
    (['the', 'and'], []),
])
def test_degenerate_items(items, dropped):
    assert degenerate_items(items) == dropped


def test_degenerate_items_head_limit():
    items = ['food safety', 'food handling', 'food service']
    assert degenerate_items(items, max_same_head=3) == []
    assert degenerate_items(items, max_same_head=1) == [1, 2]


def test_degrees():
    assert degrees("Master's in Business, a B.S. in CS, PhD, BA, MBA, "
                   'Bachelors, diploma') == {
                       'master', 'bs', 'phd', 'ba', 'mba', 'bachelor',
                       'diploma'}
    # Not degrees: MS Office, MA the state, "ba" in a word, mastery.
    assert degrees('MS Office, Boston MA, bartender, mastery, ms, ba') == set()
    assert degrees('M.S. and M.A.') == {'ms', 'ma'}


def test_invented_degrees():
    sources = ["Nurse at Mercy: Bachelor's degree in nursing"]
    assert invented_degrees('Bachelor of nursing, degree', sources) == set()
    assert invented_degrees('Master of Business Administration / B.S. in '
                            'Business', sources) == {'master', 'bs'}
    assert invented_degrees('Experience: not stated', []) == set()


def test_titles_and_invented_titles():
    assert titles('Prof. Dr. John Smith, Sales Managers') == {
        'prof', 'dr', 'manager'}
    sources = ['Sales Manager @ Target']
    assert invented_titles('Prof. Dr. Dr., sales manager', sources) == {
        'prof', 'dr'}
    assert invented_titles('Likely skills: managing a sales team',
                           sources) == set()
    assert invented_titles('Interests: nurse and manager jobs',
                           sources) == {'nurse'}


def test_employers_and_invented_employers():
    assert employers('Cashier at Safeway Stores, work for Procter and '
                     'Gamble, Server @ Quest LLC, with customers') == {
                         'Safeway Stores', 'Procter and Gamble', 'Quest LLC'}
    sources = ['Cashier at Safeway Stores']
    assert invented_employers('cashier at Safeway', sources) == set()
    assert invented_employers('Cashier at Walmart, helped customers',
                              sources) == {'Walmart'}


def test_viewed_as_experience():
    viewed = ['Front Desk Coordinator @ Hilton, Germantown, Maryland']
    assert viewed_as_experience('Front Desk Coordinator, Germantown',
                                '', viewed) == {'front', 'desk',
                                                'coordinator', 'germantown'}
    # The user's own experience may share words with what they viewed.
    assert viewed_as_experience('Coordinator at Hilton',
                                'Experience: Coordinator at Hilton.',
                                viewed) == set()
    assert viewed_as_experience('not stated', '', viewed) == set()


def test_durations():
    assert durations('5 years of sales, 10+ yrs retail, two year degree, '
                     '3-year plan, 2015') == {'5 years', '10 years',
                                              'two years', '3 years'}
    sources = ['Cashier for 5 years', 'Server']
    assert invented_durations('5 years as cashier, 10 years as server',
                              sources) == {'10 years'}
    assert invented_durations('cashier', sources) == set()


def test_resume_quality():
    resumes = [
        'Experience: cashier at Safeway\nInterests: cashier jobs',
        'Experience: cashier at Safeway\nInterests: cashier jobs',
        '',
        'Experience: Server at Haven, 10 years\nInterests: Master of',
    ]
    own = ['Cashier at Safeway.', 'Cashier at Safeway.', '', '']
    items = [[], ['Server @ Haven'], [], ['Server @ Haven']]
    quality = resume_quality(resumes, own, items,
                             out_of_tokens=[False, False, False, True],
                             experience=[r.split('\n')[0] for r in resumes],
                             generated=['Interests: cashier jobs',
                                        'Interests: cashier, cashiers', '',
                                        'Interests: Master of'])
    assert quality == pytest.approx({
        'num_users': 4, 'empty': 0.25, 'most_common': 0.5,
        'distinct': 0.5, 'dangling': 0.25, 'out_of_tokens': 0.25,
        'loop': 0.0, 'invented_degrees': 0.25, 'invented_titles': 0.0,
        'invented_employers': 0.0, 'invented_durations': 0.25,
        'viewed_as_experience': 0.25, 'degenerate': 0.25,
        # Pooled: cashier safeway cashier (x2, grounded), server haven
        # (grounded) master (not): 1 of 9 words.
        'fabrication': 1 / 9,
        # Generated lines only: cashier (x3) grounded, master not.
        'fabrication_generated': 1 / 4})
    assert resume_quality([], [], []) == {'num_users': 0}
