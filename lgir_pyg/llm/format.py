import re
from typing import Dict, List, Optional, Sequence, Set, Tuple

from lgir_pyg.llm.fabrication import (NOT_STATED, content_words,
                                      dangling_end, has_loop,
                                      invented_degrees, invented_employers,
                                      invented_titles, ungrounded_words,
                                      viewed_as_experience)
from lgir_pyg.llm.generators import DEFAULT_SECTIONS, Completion
from lgir_pyg.llm.prompts import prompt_facts


class ResumeFormat:
    r"""The structure of a completed resume: one line per section, each
    started by its header (:obj:`"Experience: ..."`,
    :obj:`"Likely skills: ..."`, :obj:`"Interests: ..."`), and what its
    lines may say given the prompt's facts (the user's own text and the
    items listed, see :func:`~lgir_pyg.llm.prompts.prompt_facts`).

    :meth:`validate` says why a generated answer does not fit: a missing or
    empty section, a cut-off, a loop, and, with the prompt, an item (a part
    between :obj:`,` or :obj:`;`) that ends unfinished ("Proficient in"),
    names a degree, title or employer the facts do not have, is made of
    words of the prompt's examples or instruction that the facts lack, or,
    in an
    :obj:`own_sections` section, presents what the user only interacted
    with as their own (a viewed job as experience).
    An item without a content word ("no experience") or said twice does not
    fit either. :class:`~lgir_pyg.llm.CachedGenerator` then retries the
    answer and finally falls back to :meth:`repair` of the first answer,
    which drops such items, trims unfinished ends and says
    :obj:`"not stated"` for what is left empty. A resume with nothing
    stated is the empty string.

    Args:
        sections (Sequence[str], optional): The section names, in order.
            (default: :obj:`("Experience", "Likely skills", "Interests")`)
        min_chars (int, optional): Letters a section needs to count as
            written. (default: :obj:`3`)
        own_sections (Sequence[str], optional): Sections that state only
            what the user wrote about themselves.
            (default: :obj:`("Experience",)`)
    """
    def __init__(self, sections: Sequence[str] = tuple(
            h.rstrip(':') for h in DEFAULT_SECTIONS), min_chars: int = 3,
            own_sections: Sequence[str] = ('Experience',)) -> None:
        self.sections = tuple(s.rstrip(':').strip() for s in sections)
        self.min_chars = min_chars
        self.own_sections = tuple(s for s in own_sections
                                  if s in self.sections)
        names = '|'.join(re.escape(s) for s in self.sections)
        # A header at a line start, maybe dressed as markdown.
        self._header = re.compile(
            rf'^[\s#*\-]*({names})[\s*]*:[\s*]*', re.IGNORECASE | re.MULTILINE)

    @property
    def version(self) -> str:
        return (f"sections-v2:{'/'.join(self.sections)}:{self.min_chars}:"
                f"{'/'.join(self.own_sections)}")

    @property
    def headers(self) -> tuple:
        return tuple(f'{s}:' for s in self.sections)

    def parse(self, text: str) -> Dict[str, str]:
        r"""The sections found in :obj:`text` (first occurrence of each),
        their content on one line with runs of whitespace and trailing
        separators removed."""
        by_name = {s.lower(): s for s in self.sections}
        marks = list(self._header.finditer(text))
        out: Dict[str, str] = {}
        for mark, after in zip(marks, marks[1:] + [None]):
            name = by_name[mark.group(1).lower()]
            end = after.start() if after else len(text)
            content = ' '.join(text[mark.end():end].split()).strip(' ,;:')
            if _NOTHING.match(content):
                content = NOT_STATED
            out.setdefault(name, content)
        return out

    def _written(self, content: Optional[str]) -> bool:
        return content is not None and sum(
            c.isalpha() for c in content) >= self.min_chars

    def _item_problem(self, item: str, section: str, facts: '_Facts'
                      ) -> Optional[str]:
        # Why one item may not stand, given the prompt's facts.
        if not content_words(item) or _NOTHING.match(item):
            return 'empty words'  # "no experience", "not specified".
        if item.split()[0].lower() in _JOINING:
            return 'fragment'  # "but mentioned in the description".
        sources = facts.sources
        for name, found in (
                ('degree', invented_degrees(item, sources)),
                ('title', invented_titles(item, sources)),
                ('employer', invented_employers(item, sources))):
            if found:
                return f'invented {name} {sorted(found)[0]!r}'
        if section in self.own_sections and viewed_as_experience(
                item, facts.own, facts.items):
            return 'interaction as experience'
        # Only words of the examples or the instruction, none of the facts.
        ungrounded = ungrounded_words(item, sources)
        if len(ungrounded) == len(content_words(item)) and set(
                ungrounded) <= facts.template_words:
            return 'copied from the prompt'
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
            items = _items(parsed[name])
            if len(set(i.lower() for i in items)) < len(items):
                return f'repeated item in {name}'
            for item in items:
                if dangling_end(item):
                    return f'unfinished {name}'
                problem = self._item_problem(item, name, facts)
                if problem is not None:
                    return f'{problem} in {name}'
        return None

    def render(self, sections: Dict[str, str]) -> str:
        r"""The resume text of parsed :obj:`sections`: one line per
        section, :obj:`"not stated"` for a missing one, and the empty
        string if none is stated."""
        if all(sections.get(name, NOT_STATED) == NOT_STATED
               for name in self.sections):
            return ''
        return '\n'.join(f'{name}: {sections.get(name) or NOT_STATED}'
                         for name in self.sections)

    def repair(self, completion: Completion,
               prompt: Optional[str] = None) -> str:
        r"""The fallback for an answer that failed every attempt: keeps the
        written sections (a cut-off one up to its last complete item or
        sentence) and, with the :obj:`prompt`, only their items that fit
        its facts, with unfinished ends trimmed; says :obj:`"not stated"`
        for the rest."""
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
                kept = [item for item in map(_trim, _items(content))
                        if self._written(item) and self._item_problem(
                            item, name, facts) is None]
                content = ', '.join(dict.fromkeys(kept))
            if self._written(content):
                out[name] = content
        return self.render(out)

    def finish(self, completion: Completion) -> str:
        r"""The resume text of a valid :obj:`completion`."""
        return self.render(self.parse(completion.text))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({', '.join(self.sections)})"


# Ways of saying "not stated", and words that cannot start an item.
_NOTHING = re.compile(r'^(not (stated|listed|specified|mentioned|given|'
                      r'provided|available)|none|n/a|unknown)\.?$',
                      re.IGNORECASE)
_JOINING = frozenset('but and or nor however although though because so '
                     'yet'.split())


def _items(content: str) -> List[str]:
    return [i.strip() for i in re.split(r'[,;]', content) if i.strip()]


def _trim(item: str) -> str:
    # Drops unfinished words from the end ("Proficient in" -> "").
    words = item.rstrip(' .').split()
    while words and dangling_end(' '.join(words)):
        words.pop()
    return ' '.join(words)


class _Facts:
    # What a prompt grounds: the user's own text, the items, and the
    # words of the rest of the prompt (instruction, examples).
    def __init__(self, prompt: str) -> None:
        self.own, self.items = prompt_facts(prompt)
        self.sources: Tuple[str, ...] = (self.own, *self.items)
        self.template_words: Set[str] = set(content_words(prompt)) - set(
            content_words(' '.join(self.sources)))
