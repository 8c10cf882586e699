import hashlib
import json
from typing import List, Optional, Sequence, Tuple

from lgir_pyg.errors import UsageError

# {user}, {items} and {interacted} name the domain. A prompt is the
# instruction, worked examples, then the user's facts: their own text and,
# for IRC, their recent items.
DEFAULT_INSTRUCTION = (
    "Write this {user}'s resume as in the examples, from the facts only: "
    'Experience is what they wrote they did, else "not stated".')
SELF_LABEL = 'Self-description:'
SRC_FACTS = SELF_LABEL + ' {text}'
IRC_FACTS = (SRC_FACTS + '\n'
             '{Items} they {interacted} (interests, not experience):\n'
             '{item_list}')
EXAMPLE_TEMPLATE = 'Example:\n{facts}\nResume:\n{resume}\n\n'
PROMPT_TEMPLATE = '{instruction}\n\n{examples}Now this {user}:\n{facts}'
DEFAULT_NAMES = {'user': 'job seeker', 'items': 'jobs',
                 'interacted': 'viewed'}

EMPTY_TEXT = '(empty)'

# Worked examples of the default (job) wording, per mode:
# (self-description, items, resume). They show "not stated" for what the
# facts do not say, and viewed jobs turned into interests and likely skills.
_COOK = ('', ['Line Cook @ Olive Garden, Dallas, Texas'])
_RECEPTIONIST = ('Positions of interest: Receptionist.', [])
_CASHIER = ('Experience: Cashier at Safeway: helped customers.',
            ['Sales Associate @ Target, Oakland, California'])
DEFAULT_EXAMPLES = {
    'src': [
        _RECEPTIONIST + ('Experience: not stated\n'
                         'Likely skills: answering phones\n'
                         'Interests: receptionist jobs',),
        _CASHIER + ('Experience: cashier at Safeway, helped customers\n'
                    'Likely skills: cash handling\n'
                    'Interests: not stated',),
    ],
    'irc': [
        _COOK + ('Experience: not stated\n'
                 'Likely skills: cooking\n'
                 'Interests: line cook jobs in Dallas, Texas',),
        _CASHIER + ('Experience: cashier at Safeway, helped customers\n'
                    'Likely skills: cash handling, selling\n'
                    'Interests: sales jobs in Oakland, California',),
    ],
}

# Bump a version whenever its template, examples or truncation changes:
# the version is part of every cache key and of CompleteResumes' repr.
TEMPLATE_VERSIONS = {'src': 'src-v3', 'irc': 'irc-v3'}


def prompt_facts(prompt: str) -> Tuple[str, List[str]]:
    r"""The facts of a prompt made by :class:`ResumePrompts`: the user's
    own text (:obj:`""` if empty) and the items listed after it; a prompt
    of another layout is all own text."""
    _, label, facts = prompt.rpartition(SELF_LABEL)
    if not label:
        return prompt, []
    own, _, rest = facts.partition('\n')
    own = own.strip()
    items = [line[2:] for line in rest.split('\n') if line.startswith('- ')]
    return ('' if own == EMPTY_TEXT else own), items


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
    training interactions (item texts) as interests, not experience, from
    which the LLM infers likely skills. :meth:`build` takes texts, not a
    graph: :func:`lgir_pyg.transforms.user_prompts` reads them from one.
    The answer has three lines: the experience the user wrote of (else "not
    stated"), likely skills and interests; worked :obj:`examples` before the
    user's facts show them to the LLM. An empty self-description is said so
    in the prompt; a user with nothing to ground a resume on (an empty text
    and, for IRC, no item) gets an empty prompt, which
    :class:`~lgir_pyg.llm.CachedGenerator` answers with an empty resume
    without calling the LLM. Texts are put on one line; over-long ones are
    cut at a word boundary to :obj:`max_text_chars` (self-description) and
    :obj:`max_job_chars` (each item); :attr:`num_truncated` counts the
    texts cut by the last :meth:`build`.

    The wording is the job seeker's by default and can be set for any
    domain: :obj:`instruction` may use :obj:`{user}`, :obj:`{items}` and
    :obj:`{interacted}`, filled with :obj:`user_name`, :obj:`item_name`
    and :obj:`interaction_name`. Non-default wording or examples add a
    short hash of them to :attr:`version`, so the cache never mixes two
    wordings.

    Args:
        mode (str, optional): :obj:`"src"` or :obj:`"irc"`.
            (default: :obj:`"irc"`)
        k (int, optional): Training interactions shown by IRC, at least
            one. (default: :obj:`5`)
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
        examples (List[Tuple[str, List[str], str]], optional): Worked
            examples, each (self-description, item texts, resume);
            :obj:`None` is :obj:`DEFAULT_EXAMPLES[mode]` with the default
            names and none with others (they are about jobs).
            (default: :obj:`None`)
    """
    def __init__(self, mode: str = 'irc', k: int = 5,
                 max_text_chars: int = 400, max_job_chars: int = 120,
                 instruction: str = DEFAULT_INSTRUCTION,
                 user_name: str = DEFAULT_NAMES['user'],
                 item_name: str = DEFAULT_NAMES['items'],
                 interaction_name: str = DEFAULT_NAMES['interacted'],
                 examples: Optional[List[Tuple[str, List[str], str]]] = None):
        if mode not in TEMPLATE_VERSIONS:
            raise UsageError(f"'mode' must be one of "
                             f"{sorted(TEMPLATE_VERSIONS)} (got {mode!r})")
        if k < 1:  # IRC with k=0 would say that the user did nothing.
            raise UsageError(f"'k' must be positive (got {k}); a prompt "
                             f"without interactions is mode='src'")
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
        self._fields = dict(self.names, Items=item_name[:1].upper() +
                            item_name[1:])
        if examples is None:
            examples = DEFAULT_EXAMPLES[mode] if self.names == DEFAULT_NAMES \
                else []
        self.examples = [tuple(e) for e in examples]
        self._examples = ''.join(
            EXAMPLE_TEMPLATE.format(facts=self._facts(text, items),
                                    resume=resume)
            for text, items, resume in self.examples)
        self.num_truncated = 0

    @property
    def version(self) -> str:
        r"""The template version, with non-default settings appended."""
        version = TEMPLATE_VERSIONS[self.mode]
        if self.mode == 'irc' and self.k != 5:
            version += f'-k{self.k}'
        if (self.max_text_chars, self.max_job_chars) != (400, 120):
            version += f'-c{self.max_text_chars}-{self.max_job_chars}'
        default = (DEFAULT_INSTRUCTION, DEFAULT_NAMES,
                   [tuple(e) for e in DEFAULT_EXAMPLES[self.mode]])
        if (self.instruction, self.names, self.examples) != default:
            wording = json.dumps([self.instruction, self.names,
                                  self.examples], sort_keys=True)
            version += '-t' + hashlib.sha256(wording.encode()).hexdigest()[:8]
        return version

    def _facts(self, text: str, items: Optional[List[str]]) -> str:
        # A user's facts, on the lines the examples use too.
        fields = dict(self._fields, text=text or EMPTY_TEXT)
        if self.mode == 'src':
            return SRC_FACTS.format(**fields)
        fields['item_list'] = '\n'.join(f'- {i}' for i in items) or '- (none)'
        return IRC_FACTS.format(**fields)

    def prompt(self, text: str, items: Optional[List[str]] = None) -> str:
        r"""The prompt of one user with self-description :obj:`text` and,
        for IRC, :obj:`items` (their texts, most recent first); :obj:`""`
        if there is nothing to ground a resume on."""
        text, cut = _truncate(' '.join(text.split()), self.max_text_chars)
        self.num_truncated += cut
        items = [] if self.mode == 'src' else list(items or [])
        for i, item in enumerate(items):
            items[i], cut = _truncate(' '.join(item.split()),
                                      self.max_job_chars)
            self.num_truncated += cut
        if not text and not items:
            return ''
        return PROMPT_TEMPLATE.format(
            instruction=self._instruction, examples=self._examples,
            user=self.names['user'], facts=self._facts(text, items))

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
        if item_texts is None:
            return [self.prompt(text) for text in texts]
        return [self.prompt(text, list(items)[:self.k])
                for text, items in zip(texts, item_texts)]

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.version})'

