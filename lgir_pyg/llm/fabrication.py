import re
from typing import Dict, Iterable, List, Set

from lgir_pyg.llm.format import has_loop

# Function words, plus the words of the prompt template and the resume
# format: none of them is a claim about the job seeker.
STOPWORDS = frozenset('''
a about above after again against all also am an and any are as at be been
being below between both but by can could did do does doing down during each
etc few for from further had has have having he her here hers him his how i
if in into is it its just me more most my no nor not now of off on once only
or other our out over own same she should so some such than that the their
them then there these they this those through to too under until up very was
we were what when where which while who whom why will with would you your
skills skill experience experiences preferences preference resume job jobs
seeker seekers work working well including include includes based strong
new various using use ability able excellent years year role roles position
positions interest interested viewed recently'''.split())

_WORD = re.compile(r"[a-z][a-z0-9+#'&-]*")


def _stem(word: str) -> str:
    # A light plural/possessive fold so "cashiers" matches "cashier".
    word = word.strip("'-&")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith('s') and not word.endswith('ss'):
        word = word[:-1]
    return word


def content_words(text: str) -> List[str]:
    r"""The lower-cased, lightly stemmed content words of :obj:`text`, in
    order (repeats kept)."""
    words = (_stem(w) for w in _WORD.findall(text.lower()))
    return [w for w in words if len(w) > 2 and w not in STOPWORDS]


def fabrication_rate(resume: str, sources: Iterable[str]) -> float:
    r"""The share of :obj:`resume`'s content words that appear in none of
    :obj:`sources` (the user's own text and the jobs shown to the LLM): a
    proxy for "fabricated generation". Returns :obj:`nan` for a resume
    without content words."""
    words = content_words(resume)
    if not words:
        return float('nan')
    known: Set[str] = set()
    for source in sources:
        known.update(content_words(source))
    return sum(w not in known for w in words) / len(words)


def summarize_rates(rates: Iterable[float]) -> Dict[str, float]:
    r"""Mean fabrication rate over resumes with content words, with their
    count."""
    rates = [r for r in rates if r == r]
    mean = sum(rates) / len(rates) if rates else float('nan')
    return {'mean': mean, 'num_resumes': len(rates)}


_NUMBER_WORDS = ('one two three four five six seven eight nine ten eleven '
                 'twelve fifteen twenty thirty').split()
_DURATION = re.compile(
    r"\b(\d+(?:\.\d+)?|" + '|'.join(_NUMBER_WORDS) +
    r")\s*\+?\s*(?:-\s*)?(years?|yrs?)\b", re.IGNORECASE)


def durations(text: str) -> Set[str]:
    r"""The "N years" claims of :obj:`text`, normalised
    (:obj:`"5+ yrs"` -> :obj:`"5 years"`)."""
    return {f'{n.lower()} years' for n, _ in _DURATION.findall(text)}


def invented_durations(resume: str, sources: Iterable[str]) -> Set[str]:
    r"""The "N years" claims of :obj:`resume` that none of :obj:`sources`
    makes."""
    known: Set[str] = set()
    for source in sources:
        known |= durations(source)
    return durations(resume) - known


def resume_quality(resumes: List[str], sources: List[List[str]],
                   cut_off: List[bool]) -> Dict[str, float]:
    r"""The rates a set of completed resumes is judged by, each over
    :obj:`len(resumes)` users: :obj:`cut_off` (generation ran out of tokens,
    as :obj:`cut_off` says per resume), :obj:`loop` (a phrase repeats, see
    :func:`~lgir_pyg.llm.format.has_loop`), :obj:`distinct` (distinct
    resumes per user), :obj:`invented_durations` (an "N years" that no
    source states), and the mean :func:`fabrication_rate`."""
    n = len(resumes)
    if n == 0:
        return {'num_users': 0}
    fabrication = summarize_rates(
        fabrication_rate(r, s) for r, s in zip(resumes, sources))
    return {
        'num_users': n,
        'cut_off': sum(cut_off) / n,
        'loop': sum(has_loop(r) for r in resumes) / n,
        'distinct': len(set(resumes)) / n,
        'invented_durations': sum(
            bool(invented_durations(r, s))
            for r, s in zip(resumes, sources)) / n,
        'fabrication': fabrication['mean'],
    }
