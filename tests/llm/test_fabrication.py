import math

from lgir_pyg.llm.fabrication import (content_words, fabrication_rate,
                                      summarize_rates)


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
