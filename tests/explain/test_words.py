from lgir_pyg.explain import explain, matching_words
from lgir_pyg.models import build_model


def test_matching_words():
    assert matching_words('Registered nurses; the ICU and CPR, nurses',
                          'ICU nurse (nights) and CPR') == [
                              'nurses', 'icu', 'cpr']
    # Stop words and one-character words never match.
    assert matching_words('a job for the C team', 'The C job for a team') \
        == ['job', 'team']
    assert matching_words('', 'nurse') == []


def test_words_of_the_model_texts(graph):
    graph['job'].text[5] = 'Nurse (ICU), nights'
    model = build_model('lgir-nogan', graph)
    # User 2 has seen jobs 0, 1, 3 and 8: 8 others.
    out = explain(model, graph, 2, k=8, user_text='resume_irc')
    words = {e.item: e.words for e in out}
    assert len(words) == 8
    assert words.pop(5) == ['nurses', 'icu']
    assert all(w == [] for w in words.values())
    assert all(e.words == [] for e in explain(model, graph, 2, k=8))
