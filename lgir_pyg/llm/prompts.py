import hashlib
import json
import re
from typing import Dict, List, Optional, Sequence, Tuple

from lgir_pyg.errors import UsageError
from lgir_pyg.llm.fabrication import trim_dangling

# {user}, {items} and {interacted} name the domain. A prompt is the
# instruction, worked examples, then the user's facts: their own text and,
# for IRC, their recent items; prompt_messages turns it into chat turns.
# The LLM writes only what needs inference; the experience the user wrote
# is copied by ResumeFormat, not generated.
DEFAULT_INSTRUCTION = (
    "Write this {user}'s likely skills and interests from the facts only; "
    '"not stated" if the facts say nothing.')
SELF_LABEL = 'Self-description:'
SRC_FACTS = SELF_LABEL + ' {text}'
IRC_FACTS = (SRC_FACTS + '\n'
             '{Items} they {interacted} (interests, not experience):\n'
             '{item_list}')
EXAMPLE_TEMPLATE = 'Example:\n{facts}\nAnswer:\n{resume}\n\n'
PROMPT_TEMPLATE = '{instruction}\n\n{examples}Now this {user}:\n{facts}'
DEFAULT_NAMES = {'user': 'job seeker', 'items': 'jobs',
                 'interacted': 'viewed'}

EMPTY_TEXT = '(empty)'
# What _truncate appends to a cut text.
CUT_MARK = ' ...'

# Worked examples of the default (job) wording, per mode:
# (self-description, items, answer). Skills come from what the user did
# and viewed; SRC's interests are what the user said they want, IRC's
# generalise the viewed jobs.
_RECEPTIONIST = 'Positions of interest: Receptionist; Cashier.'
_COOK = "Experience: Cook at Denny's: prepared breakfast orders."
_STOCKER = ('Positions of interest: Driver. Experience: Stocker at '
            'Walmart: unloaded trucks.')
DEFAULT_EXAMPLES = {
    'src': [
        (_RECEPTIONIST, [], 'Likely skills: answering phones, cash '
         'handling\nInterests: receptionist jobs, cashier jobs'),
        (_COOK, [], 'Likely skills: cooking, food preparation\n'
         'Interests: not stated'),
        (_STOCKER, [], 'Likely skills: stocking shelves, unloading '
         'trucks\nInterests: driver jobs'),
    ],
    'irc': [
        ('', ['Warehouse Associate @ Amazon, Reno, Nevada',
              'Forklift Operator @ Sysco, Sparks, Nevada'],
         'Likely skills: warehouse work, forklift operation\n'
         'Interests: warehouse jobs in Nevada'),
        (_RECEPTIONIST, ['Front Desk Agent @ Hilton, Austin, Texas'],
         'Likely skills: answering phones, greeting guests\n'
         'Interests: receptionist jobs, front desk jobs in Austin, Texas'),
        (_COOK, ['Line Cook @ Olive Garden, Dallas, Texas'],
         'Likely skills: cooking, food preparation\n'
         'Interests: restaurant jobs in Dallas, Texas'),
    ],
}

# Bump a version whenever its template, examples or truncation changes:
# the version is part of every cache key and of CompleteResumes' repr.
TEMPLATE_VERSIONS = {'src': 'src-v4', 'irc': 'irc-v4'}


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


# Bullets and list marks of pasted resumes: symbols, a lone "*", and the
# private-use characters that symbol fonts' bullets become.
_BULLET = ('(?:[\u2022\u00b7\u25ba\u25aa\u25cf\u25e6\u25a0\u2756\u27a2'
           '\u27a4\u2713\u2714\ue000-\uf8ff]|\\*(?=\\s))')


def stated_sections(text: str, headers: Sequence[str]) -> Dict[str, str]:
    r"""What a self-description :obj:`text` states under each of
    :obj:`headers`, copied verbatim and cleaned (e.g. the parts
    :class:`~lgir_pyg.datasets.KaggleJobViews` writes as
    :obj:`"Positions of interest: Server; Host. Experience: Cashier at
    Safeway: helped customers; Clerk at Target."`); :obj:`""` for a header
    the text does not have. A part runs from the first occurrence of its
    header to the next header's or the end of the text.

    Cleaning: a part cut to the prompt budget (the text ends in
    :obj:`" ..."`) keeps its complete rows (:obj:`"; "`) or sentences;
    bullets go (one that does not follow a sentence end ends the sentence
    before it); runs of dots become one, and no space stays before a
    punctuation mark; a row without a position (:obj:`"at Retired"`) loses
    its :obj:`"at "`; an empty description (:obj:`"Clerk at Target: ."`)
    goes; the end loses its dots, separators and unfinished words
    (:obj:`"and"`, see :func:`~lgir_pyg.llm.fabrication.dangling_end`)."""
    starts = {}
    for header in headers:
        match = re.search(rf'(?:^|\s){re.escape(header)}', text)
        if match is not None:
            starts[header] = (match.start(), match.end())
    out = {header: '' for header in headers}
    for header, (_, begin) in starts.items():
        end = min((s for s, _ in starts.values() if s > begin),
                  default=len(text))
        out[header] = _clean(text[begin:end], end == len(text) and
                             text.endswith(CUT_MARK))
    return out


def _clean(part: str, cut: bool) -> str:
    # One stated part, cleaned as stated_sections says.
    part = ' '.join(part.split())
    if cut:
        part = part[:-len(CUT_MARK)]
        end = max(part.rfind('; '), part.rfind('. '))
        part = part[:end + 1] if end > 0 else part
    part = re.sub(rf'(?<=[.!?:;])\s*{_BULLET}\s*', ' ', part)
    part = re.sub(rf'\s*{_BULLET}\s*', '. ', part)
    part = re.sub(r'\.(\s*\.)+', '.', part)
    part = re.sub(r'\s+(?=[,;.:])', '', part)  # "Cashier , cleaning".
    part = re.sub(r'\s*:\s*\.(?=;|$)', '', part)  # An empty description.
    rows = [re.sub(r'^at\s+', '', row.strip(' .;:'))
            for row in part.split('; ')]
    return trim_dangling('; '.join(row for row in rows if row))


_EXAMPLE = re.compile(r'Example:\n(.*?)\nAnswer:\n(.*?)\n\n', re.DOTALL)


def prompt_messages(prompt: str) -> List[Dict[str, str]]:
    r"""The chat turns of a prompt made by :class:`ResumePrompts`: each
    worked example becomes a user turn (its facts) answered by an
    assistant turn (its answer), the instruction opens the first user
    turn, and the user's facts are the last user turn. Small instruct
    models follow examples given as earlier turns of the conversation
    far better than examples inline (they copy those). A prompt without
    examples, or of another layout, is one user turn."""
    examples = list(_EXAMPLE.finditer(prompt))
    if not examples:
        return [{'role': 'user', 'content': prompt}]
    instruction = prompt[:examples[0].start()].strip()
    facts = prompt[examples[-1].end():].split('\n', 1)[-1]
    turns = []
    for example in examples:
        turns += [{'role': 'user', 'content': example.group(1)},
                  {'role': 'assistant', 'content': example.group(2)}]
    turns[0]['content'] = f"{instruction}\n\n{turns[0]['content']}"
    return turns + [{'role': 'user', 'content': facts}]


def _calm(text: str) -> str:
    # Words in capitals ("ASSISTANT MANAGER") as capitalised words: a small
    # model splits them into odd tokens and misspells them when it copies.
    return re.sub(r'\b[A-Z]{4,}\b', lambda m: m.group().capitalize(), text)


def _truncate(text: str, max_chars: int) -> Tuple[str, bool]:
    text = _calm(' '.join(text.split()))
    if len(text) <= max_chars:
        return text, False
    cut = text[:max_chars].rsplit(' ', 1)[0]
    return cut + CUT_MARK, True


class ResumePrompts:
    r"""Builds LGIR's resume-completion prompts, one per user.

    :obj:`mode="src"` (simple resume completion) shows the LLM the
    self-description alone; :obj:`mode="irc"` (interactive resume
    completion) also lists up to :obj:`k` of the user's most recent
    training interactions (item texts) as interests, not experience, from
    which the LLM infers likely skills. :meth:`build` takes texts, not a
    graph: :func:`lgir_pyg.transforms.user_prompts` reads them from one.
    The LLM answers with what needs inference, the lines "Likely skills"
    and "Interests"; what the user wrote of themselves is copied into the
    resume by :class:`~lgir_pyg.llm.ResumeFormat`. Worked :obj:`examples`
    before the user's facts show the answer to the LLM (a chat backend
    sends them as earlier turns, see :func:`prompt_messages`). An empty
    self-description is said so in the prompt; a user with nothing to
    ground a resume on (an empty text and, for IRC, no item) gets an empty
    prompt, which :class:`~lgir_pyg.llm.CachedGenerator` answers with an
    empty resume without calling the LLM. Texts are put on one line, words
    in capitals capitalised (:obj:`"ASSISTANT MANAGER"` -> :obj:`"Assistant
    Manager"`: a small model misspells them when it copies them);
    over-long ones are cut at a word boundary to :obj:`max_text_chars`
    (self-description) and :obj:`max_job_chars` (each item), ending in
    :obj:`" ..."`; :attr:`num_truncated` counts the texts cut by the last
    :meth:`build`.

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
            examples, each (self-description, item texts, answer);
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
        text, cut = _truncate(text, self.max_text_chars)
        self.num_truncated += cut
        items = [] if self.mode == 'src' else list(items or [])
        for i, item in enumerate(items):
            items[i], cut = _truncate(item, self.max_job_chars)
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

