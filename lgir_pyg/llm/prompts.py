import hashlib
import json
from typing import List, Optional, Sequence, Tuple

from lgir_pyg.errors import UsageError

# {user}, {items} and {interacted} name the domain; {text} and {item_list}
# are the user's own text and their recent items.
DEFAULT_INSTRUCTION = (
    "Write this {user}'s resume: their skills, their experience in one "
    'sentence, and the {items} they want. Use only the facts below; do not '
    'invent employers, dates, years or degrees.')
SRC_TEMPLATE = '{instruction}\nSelf-description: {text}'
IRC_TEMPLATE = (SRC_TEMPLATE + '\n'
                '{Items} they recently {interacted}:\n{item_list}\n'
                'Infer their skills and preferences from these {items}.')
DEFAULT_NAMES = {'user': 'job seeker', 'items': 'jobs',
                 'interacted': 'viewed'}

EMPTY_TEXT = '(empty: they wrote nothing)'

# Bump a version whenever its template or its truncation changes: the
# version is part of every cache key and of CompleteResumes' repr.
TEMPLATE_VERSIONS = {'src': 'src-v2', 'irc': 'irc-v2'}


def _truncate(text: str, max_chars: int) -> Tuple[str, bool]:
    if len(text) <= max_chars:
        return text, False
    cut = text[:max_chars].rsplit(' ', 1)[0]
    return cut + ' ...', True


class ResumePrompts:
    r"""Builds LGIR's resume-completion prompts, one per user.

    :obj:`mode="src"` (simple resume completion) shows the LLM the
    self-description alone; :obj:`mode="irc"` (interactive resume
    completion) also lists up to :obj:`k` of the user's most recent
    training interactions (item texts) and asks for the skills and
    preferences they imply. :meth:`build` takes texts, not a graph:
    :func:`lgir_pyg.transforms.user_prompts` reads them from one. An empty
    self-description is allowed and said so in the prompt. Over-long texts
    are cut at a word boundary to :obj:`max_text_chars` (self-description)
    and :obj:`max_job_chars` (each item); :attr:`num_truncated` counts the
    texts cut by the last :meth:`build`.

    The wording is the job seeker's by default and can be set for any
    domain: :obj:`instruction` may use :obj:`{user}`, :obj:`{items}` and
    :obj:`{interacted}`, filled with :obj:`user_name`, :obj:`item_name`
    and :obj:`interaction_name`. Non-default wording adds a short hash of
    it to :attr:`version`, so the cache never mixes two wordings.

    Args:
        mode (str, optional): :obj:`"src"` or :obj:`"irc"`.
            (default: :obj:`"irc"`)
        k (int, optional): Training interactions shown by IRC.
            (default: :obj:`5`)
        max_text_chars (int, optional): Self-description budget.
            (default: :obj:`400`)
        max_job_chars (int, optional): Budget of each item text.
            (default: :obj:`120`)
        instruction (str, optional): The task given to the LLM.
            (default: :obj:`DEFAULT_INSTRUCTION`)
        user_name (str, optional): What a user is called.
            (default: :obj:`"job seeker"`)
        item_name (str, optional): What the items are called, plural.
            (default: :obj:`"jobs"`)
        interaction_name (str, optional): The verb of an interaction, past
            tense. (default: :obj:`"viewed"`)
    """
    def __init__(self, mode: str = 'irc', k: int = 5,
                 max_text_chars: int = 400, max_job_chars: int = 120,
                 instruction: str = DEFAULT_INSTRUCTION,
                 user_name: str = DEFAULT_NAMES['user'],
                 item_name: str = DEFAULT_NAMES['items'],
                 interaction_name: str = DEFAULT_NAMES['interacted']):
        if mode not in TEMPLATE_VERSIONS:
            raise UsageError(f"'mode' must be one of "
                             f"{sorted(TEMPLATE_VERSIONS)} (got {mode!r})")
        if k < 0:
            raise UsageError(f"'k' must be non-negative (got {k})")
        self.mode = mode
        self.k = k
        self.max_text_chars = max_text_chars
        self.max_job_chars = max_job_chars
        self.instruction = instruction
        self.names = {'user': user_name, 'items': item_name,
                      'interacted': interaction_name}
        try:
            self._instruction = instruction.format(**self.names)
        except (KeyError, IndexError, ValueError) as e:
            raise UsageError(f"'instruction' may use only {{user}}, "
                             f"{{items}} and {{interacted}} ({e!r})") from e
        self.num_truncated = 0

    @property
    def version(self) -> str:
        r"""The template version, with non-default settings appended."""
        version = TEMPLATE_VERSIONS[self.mode]
        if self.mode == 'irc' and self.k != 5:
            version += f'-k{self.k}'
        if (self.max_text_chars, self.max_job_chars) != (400, 120):
            version += f'-c{self.max_text_chars}-{self.max_job_chars}'
        if (self.instruction, self.names) != (DEFAULT_INSTRUCTION,
                                              DEFAULT_NAMES):
            wording = json.dumps([self.instruction, self.names],
                                 sort_keys=True)
            version += '-t' + hashlib.sha256(wording.encode()).hexdigest()[:8]
        return version

    def build(
        self,
        texts: Sequence[str],
        item_texts: Optional[Sequence[Sequence[str]]] = None,
    ) -> List[str]:
        r"""Returns one prompt (the user message) per user.

        Args:
            texts (Sequence[str]): The users' self-descriptions.
            item_texts (Sequence[Sequence[str]], optional): IRC only: the
                texts of each user's most recent training items, most
                recent first, of which the first :obj:`k` are shown (see
                :func:`lgir_pyg.transforms.recent_item_texts`).
                (default: :obj:`None`)
        """
        if self.mode == 'irc' and item_texts is None:
            raise UsageError("Mode 'irc' needs 'item_texts', the texts of "
                             "each user's recent training items")
        if self.mode == 'src' and item_texts is not None:
            raise UsageError("Mode 'src' shows no items; pass no "
                             "'item_texts'")
        if item_texts is not None and len(item_texts) != len(texts):
            raise UsageError(f"'item_texts' must hold one list per user "
                             f"({len(texts)}, got {len(item_texts)})")
        self.num_truncated = 0
        fields = dict(self.names, instruction=self._instruction,
                      Items=self.names['items'][:1].upper() +
                      self.names['items'][1:])
        template = SRC_TEMPLATE if self.mode == 'src' else IRC_TEMPLATE
        prompts = []
        for user, text in enumerate(texts):
            text, cut = _truncate(text.strip(), self.max_text_chars)
            self.num_truncated += cut
            fields['text'] = text or EMPTY_TEXT
            if item_texts is not None:
                lines = []
                for item in item_texts[user][:self.k]:
                    item, cut = _truncate(item.strip(), self.max_job_chars)
                    self.num_truncated += cut
                    lines.append(f'- {item}')
                fields['item_list'] = '\n'.join(lines) or '- (none)'
            prompts.append(template.format(**fields))
        return prompts

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.version})'

