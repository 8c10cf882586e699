r"""Detectors of what a completed resume should not hold: words, degrees,
job titles and employers that its sources (the user's own text and the
items shown to the LLM) do not have, items the user only viewed presented
as experience, lines that end unfinished, loops. The resume format uses them
to validate and repair answers, and the fabrication benchmark to measure
the shipped resumes."""
import re
from typing import Dict, Iterable, List, Optional, Sequence, Set

NOT_STATED = 'not stated'

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
positions interest interested viewed recently likely stated'''.split())

_WORD = re.compile(r"[a-z][a-z0-9+#'&-]*")


def _stem(word: str) -> str:
    # A light plural/possessive fold so "cashiers" matches "cashier".
    word = word.strip("'-&")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith('s') and not word.endswith('ss'):
        word = word[:-1]
    return word


def _words(text: str) -> List[str]:
    return [_stem(w) for w in _WORD.findall(text.lower())]


def content_words(text: str) -> List[str]:
    r"""The lower-cased, lightly stemmed content words of :obj:`text`, in
    order (repeats kept); the :obj:`"not stated"` of an empty section is
    not content."""
    words = _words(text.replace(NOT_STATED, ' '))
    return [w for w in words if len(w) > 2 and w not in STOPWORDS]


def _known(sources: Iterable[str]) -> Set[str]:
    known: Set[str] = set()
    for source in sources:
        known.update(_words(source))
    return known


def ungrounded_words(text: str, sources: Iterable[str]) -> List[str]:
    r"""The content words of :obj:`text` that none of :obj:`sources` has,
    in order (repeats kept)."""
    known = _known(sources)
    return [w for w in content_words(text) if w not in known]


def fabrication_rate(resume: str, sources: Iterable[str]) -> float:
    r"""The share of :obj:`resume`'s content words that appear in none of
    :obj:`sources` (the user's own text and the items shown to the LLM): a
    proxy for "fabricated generation". Returns :obj:`nan` for a resume
    without content words."""
    words = content_words(resume)
    if not words:
        return float('nan')
    return len(ungrounded_words(resume, sources)) / len(words)


def has_loop(text: str, n: int = 2, min_repeats: int = 4) -> bool:
    r"""Whether some run of :obj:`n` words occurs :obj:`min_repeats` or
    more times in :obj:`text` (case and punctuation ignored): the loops
    small models fall into ("5. Law Enforcement 6. Law Enforcement ...")."""
    words = re.findall(r"[a-z0-9+#']+", text.lower())
    counts: Dict[tuple, int] = {}
    for i in range(len(words) - n + 1):
        gram = tuple(words[i:i + n])
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] >= min_repeats:
            return True
    return False


# Words a phrase cannot end on: articles, prepositions, conjunctions,
# possessives, and the openers small models stop after ("Proficient in"
# ends on "in", "Master of" on "of", but "Proficient" alone is cut too).
DANGLING_WORDS = frozenset('''
a an the of in on at to for from with by as into onto about like than via
per and or but nor & their his her its my our your this that these those
such including include includes e.g i.e proficient skilled experienced
expert master bachelor bachelors degree very more most prof dr mr mrs ms
is are was were be been has have had will can who which whose'''.split())


def dangling_end(text: str) -> bool:
    r"""Whether :obj:`text` (a line or an item) ends on a word that needs
    more after it (:obj:`DANGLING_WORDS`: "in", "of", "and", "Proficient
    in", "Master of", ...) or on a joining mark (:obj:`/`, :obj:`-`,
    :obj:`&`, :obj:`(`)."""
    text = text.strip().rstrip('.,;:!? ')
    if not text:
        return False
    if text[-1] in '/-&(+':
        return True
    last = text.split()[-1].lower().strip('.,;:()"\'')
    return last in DANGLING_WORDS


def dangling_lines(resume: str) -> List[str]:
    r"""The lines of :obj:`resume` whose content (after a
    :obj:`"Header:"`) ends unfinished, see :func:`dangling_end`."""
    return [line for line in resume.split('\n')
            if dangling_end(line.split(':', 1)[-1])]



def trim_dangling(text: str) -> str:
    r""":obj:`text` without the unfinished words at its end (see
    :func:`dangling_end`): :obj:`"retail jobs in"` -> :obj:`"retail
    jobs"`, :obj:`"Proficient in"` -> :obj:`""`."""
    words = text.rstrip(' .,;:').split()
    while words and dangling_end(' '.join(words)):
        words.pop()
    return ' '.join(words).rstrip(' ,;:')


def _word_keys(item: str) -> List[str]:
    # Content words by their first 5 letters ("florist", "florists" and
    # "floristry" are one word here), hyphenated ones split ("part-time"
    # is "part time").
    return [w[:5] for w in content_words(item.replace('-', ' '))]


def degenerate_items(items: Sequence[str], max_same_head: int = 2
                     ) -> List[int]:
    r"""The positions of the items of a list that make it degenerate, the
    lists small models fall into: an item whose content words all occur in
    an earlier item, or whose words an earlier item all has
    (:obj:`"florist, florists"`, :obj:`"acting, acting in movies"`), and
    every item after the first :obj:`max_same_head` that start with the
    same content word (:obj:`"street marketing, street art, street
    food"`). Words count by their first 5 letters (see
    :func:`content_words`); items without a content word are not judged
    here."""
    out, kept, heads = [], [], {}
    for i, item in enumerate(items):
        keys = set(_word_keys(item))
        if not keys:
            continue
        head = _word_keys(item)[0]
        if any(keys <= k or k <= keys for k in kept) or heads.get(
                head, 0) >= max_same_head:
            out.append(i)
            continue
        kept.append(keys)
        heads[head] = heads.get(head, 0) + 1
    return out


def list_items(line: str) -> List[str]:
    r"""The items of a resume line's content: its parts between
    :obj:`,` and :obj:`;`, where a part of capitalised words only stays
    with an item that ends on one (a place, :obj:`"jobs in Austin,
    Texas"`; a name, :obj:`"Toys R Us, Inc"`)."""
    items: List[str] = []
    for part in re.split(r'[,;]', line):
        part = part.strip()
        if not part:
            continue
        if items and _is_name(part) and _is_name(items[-1].split()[-1]):
            items[-1] += ', ' + part
        else:
            items.append(part)
    return items


def _is_name(text: str) -> bool:
    return all(w[0].isupper() or w in ('of', 'the', '&')
               for w in text.split())


# Degrees, named so that a mention can be looked up in the sources.
DEGREE_WORDS = ('master', 'bachelor', 'degree', 'diploma', 'doctorate',
                'mba', 'phd')
_DEGREE_WORD = re.compile(r"\b(masters?|master's|bachelors?|bachelor's|"
                          r"degrees?|diplomas?|doctorates?|ged)\b",
                          re.IGNORECASE)
# Abbreviations in capitals only; MS and MA only with dots (MS Office, MA
# the state).
_DEGREE_ABBR = re.compile(r'(?<![A-Za-z.])(MBA|M\.B\.A\.?|Ph\. ?D\.?|PhD|'
                          r'B\.S\.?c?|B\.A\.?|M\.S\.?c?|M\.A\.?|BSc|MSc|BS|BA)'
                          r'(?![A-Za-z])')


def degrees(text: str) -> Set[str]:
    r"""The degrees :obj:`text` mentions, normalised (:obj:`"Master's"`
    -> :obj:`"master"`, :obj:`"B.S."` -> :obj:`"bs"`); abbreviations count
    in capitals only, :obj:`"MS"` and :obj:`"MA"` only with dots."""
    out = set()
    for word in _DEGREE_WORD.findall(text):
        word = word.lower().replace("'", '')
        out.add(word[:-1] if word.endswith('s') else word)
    for abbr in _DEGREE_ABBR.findall(text):
        out.add(re.sub(r'[^A-Za-z]', '', abbr).lower())
    return out


def invented_degrees(resume: str, sources: Iterable[str]) -> Set[str]:
    r"""The degrees of :obj:`resume` that none of :obj:`sources`
    mentions."""
    known: Set[str] = set()
    for source in sources:
        known |= degrees(source)
    return degrees(resume) - known


# Honorifics and the nouns of job titles: a resume may name a title only if
# its sources do.
HONORIFICS = ('dr', 'prof', 'mr', 'mrs', 'ms', 'sir', 'madam', 'rev')
TITLE_WORDS = frozenset('''
manager director engineer assistant supervisor specialist coordinator
technician analyst officer representative clerk associate consultant
developer nurse teacher cashier driver administrator executive president
ceo cfo cto coo founder owner intern chief accountant designer programmer
architect scientist researcher professor instructor tutor agent advisor
adviser attorney lawyer paralegal receptionist secretary bookkeeper server
bartender barista cook chef dishwasher host hostess housekeeper janitor
mechanic electrician plumber carpenter welder operator laborer guard
therapist physician doctor pharmacist dentist surgeon counselor recruiter
planner buyer merchandiser stocker courier dispatcher editor writer
photographer artist trainer coach nanny caregiver aide superintendent
foreman vp partner principal lead head'''.split())
_HONORIFIC = re.compile(r'\b(' + '|'.join(h.capitalize() for h in HONORIFICS)
                        + r')\.?(?=\s|$)')


def titles(text: str) -> Set[str]:
    r"""The job-title nouns (:obj:`TITLE_WORDS`) and honorifics
    (:obj:`"Dr."`, :obj:`"Prof."`, capitalised) :obj:`text` holds,
    lower-cased and stemmed."""
    found = {w for w in _words(text) if w in TITLE_WORDS}
    return found | {m.lower() for m in _HONORIFIC.findall(text)}


def invented_titles(resume: str, sources: Iterable[str]) -> Set[str]:
    r"""The titles (see :func:`titles`) of :obj:`resume` that none of
    :obj:`sources` has."""
    sources = list(sources)
    known = _known(sources)
    for source in sources:
        known |= titles(source)
    return titles(resume) - known


# Capitalised words after at/for/with/from/@, on one line.
_EMPLOYER = re.compile(
    r"(?:\b(?:at|for|with|from) +|@ *)((?:[A-Z][\w&.'-]*"
    r"(?: +(?:of|and|&|the) +| +)?)+)")


def employers(text: str) -> Set[str]:
    r"""Employer-like names in :obj:`text`: runs of capitalised words after
    :obj:`at`, :obj:`for`, :obj:`with`, :obj:`from` or :obj:`@`."""
    names = (re.sub(r'(\s+(of|and|&|the))+$', '', m.strip(" .,'-"))
             for m in _EMPLOYER.findall(text))
    return {n for n in names if n}


def invented_employers(resume: str, sources: Iterable[str]) -> Set[str]:
    r"""The employers (see :func:`employers`) of :obj:`resume` with a word
    that none of :obj:`sources` has."""
    known = _known(sources)
    return {e for e in employers(resume)
            if any(w not in known for w in _words(e))}


def viewed_as_experience(experience: str, own_text: str,
                         items: Sequence[str]) -> Set[str]:
    r"""The content words of a resume's :obj:`experience` that come from
    the :obj:`items` the user interacted with and not from their
    :obj:`own_text`: a viewed job presented as a job held."""
    own = _known([own_text])
    from_items = _known(items)
    return {w for w in content_words(experience)
            if w in from_items and w not in own}


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
    r"""The "N years" claims of :obj:`resume` that none of
    :obj:`sources` makes."""
    known: Set[str] = set()
    for source in sources:
        known |= durations(source)
    return durations(resume) - known


def resume_quality(resumes: List[str], own_texts: List[str],
                   items: List[List[str]],
                   out_of_tokens: Optional[List[bool]] = None,
                   experience: Optional[List[str]] = None,
                   generated: Optional[List[str]] = None
                   ) -> Dict[str, float]:
    r"""The rates a set of completed resumes is judged by, each the share
    of :obj:`len(resumes)` users whose resume has it, with the sources of
    resume :obj:`i` being :obj:`own_texts[i]` and :obj:`items[i]`:

    * :obj:`empty`: an empty resume (nothing to ground one on),
    * :obj:`most_common`: the most common non-empty resume text,
    * :obj:`distinct`: distinct non-empty resumes per user,
    * :obj:`dangling`: a line ends unfinished (:func:`dangling_lines`),
    * :obj:`out_of_tokens`: generation ran out of tokens (as
      :obj:`out_of_tokens` says per resume, if given),
    * :obj:`loop`: a phrase repeats (:func:`has_loop`),
    * :obj:`invented_degrees`, :obj:`invented_titles`,
      :obj:`invented_employers`, :obj:`invented_durations`: one that no
      source has,
    * :obj:`viewed_as_experience`: the experience section
      (:obj:`experience[i]`, if given) holds words of the items and not of
      the user's own text,
    * :obj:`degenerate`: a line of the generated part of the resume
      (:obj:`generated[i]`, if given: the lines the LLM wrote, not those
      copied from the user's text) is a degenerate list
      (:func:`degenerate_items`),
    * :obj:`fabrication`: pooled over content words, the share of all the
      resumes' content words that their own sources lack. An empty resume
      adds no word, so it neither lowers nor raises it.
    * :obj:`fabrication_generated`: the same over the generated parts (if
      given).
    """
    n = len(resumes)
    if n == 0:
        return {'num_users': 0}
    sources = [[own] + list(its) for own, its in zip(own_texts, items)]
    written = [r for r in resumes if r]
    counts: Dict[str, int] = {}
    for r in written:
        counts[r] = counts.get(r, 0) + 1
    def pooled(texts: List[str]) -> float:
        num_words = num_ungrounded = 0
        for r, s in zip(texts, sources):
            num_words += len(content_words(r))
            num_ungrounded += len(ungrounded_words(r, s))
        return num_ungrounded / num_words if num_words else float('nan')

    def share(flags: Iterable[bool]) -> float:
        return sum(bool(f) for f in flags) / n

    out = {
        'num_users': n,
        'empty': share(not r for r in resumes),
        'most_common': max(counts.values(), default=0) / n,
        'distinct': len(counts) / n,
        'dangling': share(dangling_lines(r) for r in resumes),
        'loop': share(has_loop(r) for r in resumes),
        'invented_degrees': share(
            invented_degrees(r, s) for r, s in zip(resumes, sources)),
        'invented_titles': share(
            invented_titles(r, s) for r, s in zip(resumes, sources)),
        'invented_employers': share(
            invented_employers(r, s) for r, s in zip(resumes, sources)),
        'invented_durations': share(
            invented_durations(r, s) for r, s in zip(resumes, sources)),
        'fabrication': pooled(resumes),
    }
    if out_of_tokens is not None:
        out['out_of_tokens'] = share(out_of_tokens)
    if experience is not None:
        out['viewed_as_experience'] = share(
            viewed_as_experience(e, own, its)
            for e, own, its in zip(experience, own_texts, items))
    if generated is not None:
        out['degenerate'] = share(
            any(degenerate_items(list_items(line.split(':', 1)[-1]))
                for line in g.split('\n')) for g in generated)
        out['fabrication_generated'] = pooled(generated)
    return out
