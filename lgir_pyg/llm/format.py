import re
from typing import Dict, Optional, Sequence

from lgir_pyg.llm.generators import Completion

NOT_STATED = 'not stated'


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


class ResumeFormat:
    r"""The structure of a completed resume: one line per section, each
    started by its header (:obj:`"Skills: ..."`, :obj:`"Experience: ..."`,
    :obj:`"Preferences: ..."`).

    :meth:`validate` says why a generated answer does not fit (a missing or
    empty section, a cut-off, a loop); :class:`~lgir_pyg.llm.CachedGenerator`
    then retries it and finally falls back to :meth:`repair`, which keeps
    what is usable and says :obj:`"not stated"` for the rest.

    Args:
        sections (Sequence[str], optional): The section names, in order.
            (default: :obj:`("Skills", "Experience", "Preferences")`)
        min_chars (int, optional): Letters a section needs to count as
            written. (default: :obj:`3`)
    """
    def __init__(self, sections: Sequence[str] = ('Skills', 'Experience',
                                                   'Preferences'),
                 min_chars: int = 3) -> None:
        self.sections = tuple(s.rstrip(':').strip() for s in sections)
        self.min_chars = min_chars
        names = '|'.join(re.escape(s) for s in self.sections)
        # A header at a line start, maybe dressed as markdown.
        self._header = re.compile(
            rf'^[\s#*\-]*({names})[\s*]*:[\s*]*', re.IGNORECASE | re.MULTILINE)

    @property
    def version(self) -> str:
        return f"sections-v1:{'/'.join(self.sections)}:{self.min_chars}"

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
            out.setdefault(name, content)
        return out

    def _written(self, content: Optional[str]) -> bool:
        return content is not None and sum(
            c.isalpha() for c in content) >= self.min_chars

    def validate(self, completion: Completion) -> Optional[str]:
        r"""Returns why :obj:`completion` does not fit the format, or
        :obj:`None` if it does."""
        if completion.finish_reason == 'length':
            return 'cut off'
        parsed = self.parse(completion.text)
        for name in self.sections:
            if not self._written(parsed.get(name)):
                return f'no {name}'
        if has_loop(completion.text):
            return 'loop'
        return None

    def render(self, sections: Dict[str, str]) -> str:
        r"""The resume text of parsed :obj:`sections`."""
        return '\n'.join(f'{name}: {sections.get(name) or NOT_STATED}'
                         for name in self.sections)

    def repair(self, completion: Completion) -> str:
        r"""The fallback for an answer that failed every attempt: keeps the
        written sections (a cut-off one up to its last complete item or
        sentence), and says :obj:`"not stated"` for the others."""
        parsed = self.parse(completion.text)
        if completion.finish_reason == 'length' and parsed:
            # Only the last written section can be the cut one.
            last = [s for s in self.sections if s in parsed][-1]
            content = parsed[last]
            cut = max(content.rfind(c) for c in ',;.')
            parsed[last] = content[:cut].strip(' ,;') if cut > 0 else ''
        return self.render({name: content for name, content in parsed.items()
                            if self._written(content)
                            and not has_loop(content)})

    def finish(self, completion: Completion) -> str:
        r"""The resume text of a valid :obj:`completion`."""
        return self.render(self.parse(completion.text))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({', '.join(self.sections)})"
