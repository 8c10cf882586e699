import hashlib
import json
from typing import List, Optional, Tuple

import torch
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.errors import DataError, UsageError

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


def _text(data: HeteroData, node_type: str) -> List[str]:
    texts = data[node_type].get('text')
    if texts is None:
        raise DataError(f"data['{node_type}'] has no 'text'")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise DataError(f"data['{node_type}'].text[{i}] must be a "
                            f"string (got {type(text).__name__})")
    return texts


def recent_training_jobs(data: HeteroData, k: int = 5,
                         edge_type: Optional[EdgeType] = None
                         ) -> List[List[int]]:
    r"""Returns, per user, the indices of up to :obj:`k` most recent
    *training* items (most recent first; ties by item index) of the
    interaction edge type (:obj:`edge_type`, or the one non-reverse edge
    type of :obj:`data`). Only :obj:`edge_index` is read, so validation and
    test items can never leak into a prompt."""
    if k < 0:
        raise UsageError(f"'k' must be non-negative (got {k})")
    edge_type = interaction_edge_type(data, edge_type)
    store = data[edge_type]
    user, job = store.edge_index
    time = store.get('time')
    if time is None:  # Without timestamps, edge order stands for time.
        time = torch.arange(user.numel())
    perm = torch.argsort(job, stable=True)
    perm = perm[torch.argsort(time[perm], descending=True, stable=True)]
    perm = perm[torch.argsort(user[perm], stable=True)]
    out: List[List[int]] = [[] for _ in range(data[edge_type[0]].num_nodes)]
    for u, j in zip(user[perm].tolist(), job[perm].tolist()):
        if len(out[u]) < k:
            out[u].append(j)
    return out


class ResumePrompts:
    r"""Builds LGIR's resume-completion prompts, one per user.

    :obj:`mode="src"` (simple resume completion) shows the LLM the
    self-description alone; :obj:`mode="irc"` (interactive resume
    completion) also lists up to :obj:`k` of the user's most recent
    training interactions (item texts) and asks for the skills and
    preferences they imply. Users and items are the source and destination
    node types of the interaction edge type (:obj:`edge_type`, or the one
    non-reverse edge type of the graph). An empty self-description is
    allowed and said so in the prompt. Over-long texts are cut at a word
    boundary to :obj:`max_text_chars` (self-description) and
    :obj:`max_job_chars` (each item); :attr:`num_truncated` counts the
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
        edge_type (Tuple[str, str, str], optional): The interaction edge
            type; :obj:`None` infers it. (default: :obj:`None`)
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
                 edge_type: Optional[EdgeType] = None,
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
        self.edge_type = edge_type
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

    def build(self, data: HeteroData) -> List[str]:
        r"""Returns one prompt (the user message) per user of :obj:`data`."""
        edge_type = interaction_edge_type(data, self.edge_type)
        texts = _text(data, edge_type[0])
        self.num_truncated = 0
        fields = dict(self.names, instruction=self._instruction,
                      Items=self.names['items'][:1].upper() +
                      self.names['items'][1:])
        if self.mode == 'src':
            template, items = SRC_TEMPLATE, None
        else:
            template = IRC_TEMPLATE
            items = recent_training_jobs(data, self.k, edge_type)
            item_text = _text(data, edge_type[2])
        prompts = []
        for user, text in enumerate(texts):
            text, cut = _truncate(text.strip(), self.max_text_chars)
            self.num_truncated += cut
            fields['text'] = text or EMPTY_TEXT
            if items is not None:
                lines = []
                for j in items[user]:
                    item, cut = _truncate(item_text[j].strip(),
                                          self.max_job_chars)
                    self.num_truncated += cut
                    lines.append(f'- {item}')
                fields['item_list'] = '\n'.join(lines) or '- (none)'
            prompts.append(template.format(**fields))
        return prompts

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.version})'


def user_context(data: HeteroData, k: int = 5,
                 edge_type: Optional[EdgeType] = None) -> List[str]:
    r"""The text an IRC prompt shows the LLM, without the LLM: each user's
    self-description followed by their :obj:`k` most recent training item
    texts. Encoding it directly is the no-LLM control of the benchmarks."""
    edge_type = interaction_edge_type(data, edge_type)
    items = recent_training_jobs(data, k, edge_type)
    item_text = _text(data, edge_type[2])
    out = []
    for text, js in zip(_text(data, edge_type[0]), items):
        parts = (t.strip().rstrip('.') for t in [text] + [item_text[j]
                                                         for j in js])
        out.append('. '.join(p for p in parts if p))
    return out
