import re
from typing import Dict, Optional, Sequence, Set, Tuple

from lgir_pyg.llm.fabrication import (NOT_STATED, content_words,
                                      dangling_end, degenerate_items,
                                      employers, has_loop, invented_degrees,
                                      invented_employers, invented_titles,
                                      list_items, trim_dangling,
                                      ungrounded_words)
from lgir_pyg.llm.generators import DEFAULT_SECTIONS, Completion
from lgir_pyg.llm.prompts import prompt_facts, stated_sections


# Where a self-description of KaggleJobViews states a section's facts.
DEFAULT_STATED = {'Experience': 'Experience:',
                  'Interests': 'Positions of interest:'}


class ResumeFormat:
    r"""The structure of a completed resume: one line per section, each
    started by its header. What the user wrote is a fact to copy, not to
    generate: the :obj:`stated` sections are taken from the user's own
    text in the prompt by a rule
    (:func:`~lgir_pyg.llm.prompts.stated_sections`: the part of the text
    under the given header, verbatim and cleaned). The LLM writes only the
    other :obj:`sections`, which need inference. A section both stated
    and written (by default :obj:`"Interests"`: the positions the user
    said they want, then what the LLM infers) lists the stated items
    first and then the written ones that do not repeat them; a stated
    section the LLM does not write (:obj:`"Experience"`) is the copy
    alone, :obj:`"not stated"` if the user wrote none. The lines the LLM
    writes are checked against the prompt's facts (the user's own text
    and the items listed, see :func:`~lgir_pyg.llm.prompts.prompt_facts`).

    :meth:`validate` says why a generated answer does not fit: a missing or
    empty section, a cut-off, a loop, and, with the prompt, an item (see
    :func:`~lgir_pyg.llm.fabrication.list_items`) that ends unfinished
    ("Proficient in"), names a degree, title or employer the facts do not
    have, is made of words of the prompt's examples or instruction that
    the facts lack, or has a capitalised word (a name) that only the
    examples have or, after its first word, that the facts lack. An item
    without a content word ("no experience"), one that starts with a
    joining word or a preposition, one of more than :obj:`max_item_words`
    words (a sentence), one with a word twice in a row ("job jobs"), one
    that names an employer (where the user worked is copied, not
    written), one said twice, and a degenerate list (an item that repeats
    another's words, more than :obj:`max_same_head` items on the same head
    word, see :func:`~lgir_pyg.llm.fabrication.degenerate_items`) do not
    fit either. :class:`~lgir_pyg.llm.CachedGenerator` then retries the
    answer (if asked to) and finally falls back to :meth:`repair` of the
    first answer, which drops such items, trims unfinished ends and says
    :obj:`"not stated"` for what is left empty. The resume puts the
    sections only stated first; a resume with nothing stated is the empty
    string.

    Args:
        sections (Sequence[str], optional): The sections the LLM writes,
            in order. (default: :obj:`("Likely skills", "Interests")`)
        stated (Dict[str, str], optional): Sections copied from the
            user's own text, each with the header that starts its part
            there; :obj:`None` is :obj:`DEFAULT_STATED`.
            (default: :obj:`None`)
        min_chars (int, optional): Letters a section needs to count as
            written. (default: :obj:`3`)
        max_same_head (int, optional): Items of a line that may start
            with the same content word. (default: :obj:`2`)
        max_item_words (int, optional): Words an item may have.
            (default: :obj:`6`)
    """
    def __init__(self, sections: Sequence[str] = tuple(
            h.rstrip(':') for h in DEFAULT_SECTIONS),
            stated: Optional[Dict[str, str]] = None, min_chars: int = 3,
            max_same_head: int = 2, max_item_words: int = 6) -> None:
        self.sections = tuple(s.rstrip(':').strip() for s in sections)
        self.stated = dict(DEFAULT_STATED if stated is None else stated)
        # The lines of a resume: sections only stated, then the written.
        self.names = tuple(s for s in self.stated
                           if s not in self.sections) + self.sections
        self.min_chars = min_chars
        self.max_same_head = max_same_head
        self.max_item_words = max_item_words
        # A header at a line start, maybe dressed as markdown; the stated
        # ones are known so that an answer that writes one anyway does not
        # run into the section before.
        names = '|'.join(re.escape(s) for s in self.names)
        self._header = re.compile(
            rf'^[\s#*\-]*({names})[\s*]*:[\s*]*', re.IGNORECASE | re.MULTILINE)

    @property
    def version(self) -> str:
        stated = '/'.join(f'{k}<{v}' for k, v in self.stated.items())
        return (f"sections-v3:{stated}:"
                f"{'/'.join(self.sections)}:{self.min_chars}:"
                f'{self.max_same_head}:{self.max_item_words}')

    @property
    def headers(self) -> tuple:
        r"""The headers of the lines the LLM writes."""
        return tuple(f'{s}:' for s in self.sections)

    def parse(self, text: str) -> Dict[str, str]:
        r"""The generated sections found in :obj:`text` (first occurrence
        of each), their content on one line with runs of whitespace and
        trailing separators removed; a section only stated is left out."""
        by_name = {s.lower(): s for s in self.names}
        marks = list(self._header.finditer(text))
        out: Dict[str, str] = {}
        for mark, after in zip(marks, marks[1:] + [None]):
            name = by_name[mark.group(1).lower()]
            end = after.start() if after else len(text)
            content = ' '.join(text[mark.end():end].split()).strip(' ,;:')
            if _NOTHING.match(content):
                content = NOT_STATED
            if name in self.sections:
                out.setdefault(name, content)
        return out

    def _written(self, content: Optional[str]) -> bool:
        return content is not None and sum(
            c.isalpha() for c in content) >= self.min_chars

    def _item_problem(self, item: str, facts: '_Facts') -> Optional[str]:
        # Why one item may not stand, given the prompt's facts.
        if not content_words(item) or _NOTHING.match(item):
            return 'empty words'  # "no experience", "not specified".
        words = item.split()
        if words[0].lower() in _JOINING:
            return 'fragment'  # "but mentioned in the description".
        if len(words) > self.max_item_words:
            return 'long item'  # A sentence, not a skill or an interest.
        if _TWICE.search(item):
            return 'repeated word'  # "cashier job jobs".
        sources = facts.sources
        for name, found in (
                ('degree', invented_degrees(item, sources)),
                ('title', invented_titles(item, sources)),
                ('employer', invented_employers(item, sources))):
            if found:
                return f'invented {name} {sorted(found)[0]!r}'
        if employers(item):
            return 'employer'  # Where they worked is copied, not written.
        # Only words of the examples or the instruction, none of the facts,
        # or a name of the examples ("jobs in Dallas").
        ungrounded = ungrounded_words(item, sources)
        names = set(ungrounded_words(' '.join(
            w for w in words if w[0].isupper()), sources))
        if set(ungrounded) <= facts.template_words and len(ungrounded) == \
                len(content_words(item)) or names & facts.template_words:
            return 'copied from the prompt'
        # A name the facts do not have; an item may start with a capital.
        if set(ungrounded_words(' '.join(
                w for w in words[1:] if w[0].isupper()), sources)):
            return 'invented name'
        return None

    def validate(self, completion: Completion,
                 prompt: Optional[str] = None) -> Optional[str]:
        r"""Returns why :obj:`completion` does not fit the format (and, if
        given, the facts of its :obj:`prompt`), or :obj:`None` if it
        does."""
        if completion.finish_reason == 'length':
            return 'cut off'
        parsed = self.parse(completion.text)
        for name in self.sections:
            if not self._written(parsed.get(name)):
                return f'no {name}'
        if has_loop(completion.text):
            return 'loop'
        if prompt is None:
            return None
        facts = _Facts(prompt)
        for name in self.sections:
            if parsed[name] == NOT_STATED:
                continue
            items = list_items(parsed[name])
            if len(set(i.lower() for i in items)) < len(items):
                return f'repeated item in {name}'
            for item in items:
                if dangling_end(item):
                    return f'unfinished {name}'
                problem = self._item_problem(item, facts)
                if problem is not None:
                    return f'{problem} in {name}'
            if degenerate_items(items, self.max_same_head):
                return f'degenerate list in {name}'
        return None

    def render(self, sections: Dict[str, str]) -> str:
        r"""The resume text of :obj:`sections`: one line per section,
        :obj:`"not stated"` for a missing one, and the empty string if none
        is stated."""
        if all(sections.get(name, NOT_STATED) == NOT_STATED
               for name in self.names):
            return ''
        return '\n'.join(f'{name}: {sections.get(name) or NOT_STATED}'
                         for name in self.names)

    def stated_parts(self, prompt: Optional[str]) -> Dict[str, str]:
        r"""The :obj:`stated` sections of the user of :obj:`prompt`, taken
        from their own text (see
        :func:`~lgir_pyg.llm.prompts.stated_sections`); :obj:`""` where
        they state none, and without a prompt."""
        own = prompt_facts(prompt)[0] if prompt else ''
        parts = stated_sections(own, list(self.stated.values()))
        return {name: parts[header] for name, header in self.stated.items()}

    def _combine(self, written: Dict[str, str],
                 prompt: Optional[str]) -> str:
        # The resume of the written sections and the user's stated ones.
        out = {}
        for name, stated in self.stated_parts(prompt).items():
            if name not in self.sections:
                out[name] = stated
            elif stated:  # The user's rows, then what does not repeat them.
                ours = stated.split('; ')
                theirs = [i for i in list_items(written.get(name, ''))
                          if i != NOT_STATED and i.lower() not in
                          {s.lower() for s in ours}]
                dropped = set(degenerate_items(ours + theirs,
                                               self.max_same_head))
                out[name] = '; '.join(ours + [
                    item for i, item in enumerate(theirs, len(ours))
                    if i not in dropped])
        return self.render({**written, **{k: v for k, v in out.items()
                                          if v}})

    def repair(self, completion: Completion,
               prompt: Optional[str] = None) -> str:
        r"""The fallback for an answer that failed every attempt: keeps the
        written sections (a cut-off one up to its last complete item or
        sentence) and, with the :obj:`prompt`, only their items that fit
        its facts and keep the list from being degenerate, with unfinished
        ends trimmed; says :obj:`"not stated"` for the rest."""
        parsed = self.parse(completion.text)
        if completion.finish_reason == 'length' and parsed:
            # Only the last written section can be the cut one.
            last = [s for s in self.sections if s in parsed][-1]
            content = parsed[last]
            cut = max(content.rfind(c) for c in ',;.')
            parsed[last] = content[:cut].strip(' ,;') if cut > 0 else ''
        facts = None if prompt is None else _Facts(prompt)
        out = {}
        for name, content in parsed.items():
            if not self._written(content) or has_loop(content):
                continue
            if facts is not None and content != NOT_STATED:
                kept = list(dict.fromkeys(
                    item for item in map(trim_dangling, list_items(content))
                    if self._written(item) and self._item_problem(
                        item, facts) is None))
                dropped = set(degenerate_items(kept, self.max_same_head))
                content = ', '.join(item for i, item in enumerate(kept)
                                    if i not in dropped)
            if self._written(content):
                out[name] = content
        return self._combine(out, prompt)

    def finish(self, completion: Completion,
               prompt: Optional[str] = None) -> str:
        r"""The resume of a valid :obj:`completion` of :obj:`prompt`."""
        return self._combine(self.parse(completion.text), prompt)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}("
                f"{', '.join(self.names)})")


# Ways of saying "not stated", and words that cannot start an item.
_NOTHING = re.compile(r'^(not (stated|listed|specified|mentioned|given|'
                      r'provided|available)|none|n/a|unknown)\.?$',
                      re.IGNORECASE)
_TWICE = re.compile(r'\b(\w{3,}?)s?\s+\1s?\b', re.IGNORECASE)
_JOINING = frozenset('but and or nor however although though because so '
                     'yet in at on of for to from with by as'.split())


class _Facts:
    # What a prompt grounds: the user's own text, the items, and the
    # words of the rest of the prompt (instruction, examples).
    def __init__(self, prompt: str) -> None:
        self.own, self.items = prompt_facts(prompt)
        self.sources: Tuple[str, ...] = (self.own, *self.items)
        self.template_words: Set[str] = set(content_words(prompt)) - set(
            content_words(' '.join(self.sources)))
