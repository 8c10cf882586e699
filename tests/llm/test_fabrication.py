import math

import pytest

from lgir_pyg.llm.fabrication import (content_words, durations,
                                      fabrication_rate, invented_durations,
                                      resume_quality, summarize_rates)


def test_content_words():
    assert content_words("Skills: the Cashiers' tills and POS") == [
        'cashier', 'till', 'pos']


def test_fabrication_rate():
    sources = ['Cashier at Safeway', 'Barista @ Blue Bottle']
    assert fabrication_rate('Skills: cashier, barista', sources) == 0.0
    # 2 of 4 content words are grounded.
    assert fabrication_rate('cashier barista astronaut surgeon',
                            sources) == 0.5
    assert math.isnan(fabrication_rate('Skills: and the', sources))
    assert summarize_rates([0.5, float('nan'), 1.0]) == {
        'mean': 0.75, 'num_resumes': 2}


def test_durations():
    assert durations('5 years of sales, 10+ yrs retail, two year degree, '
                     '3-year plan, 2015') == {'5 years', '10 years',
                                              'two years', '3 years'}
    sources = ['Cashier for 5 years', 'Server']
    assert invented_durations('5 years as cashier, 10 years as server',
                              sources) == {'10 years'}
    assert invented_durations('cashier', sources) == set()


def test_resume_quality():
    resumes = ['Skills: cashier', 'Skills: cashier',
               'Law Enforcement Law Enforcement Law Enforcement Law '
               'Enforcement', 'Skills: 10 years of surgery']
    sources = [['cashier'], ['cashier'], ['law enforcement'], ['surgeon']]
    quality = resume_quality(resumes, sources, [False, False, True, True])
    assert quality == pytest.approx({
        'num_users': 4, 'cut_off': 0.5, 'loop': 0.25, 'distinct': 0.75,
        'invented_durations': 0.25,
        # Per resume: 0, 0, 0 and 1 of 1 ("surgery" is not "surgeon").
        'fabrication': 0.25})
    assert resume_quality([], [], []) == {'num_users': 0}
