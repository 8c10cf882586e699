import re
from typing import Dict, Iterable, List, Set

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
