from typing import List, Tuple

import torch
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.tables import EDGE_TYPE

SRC_TEMPLATE = (
    "Write this job seeker's resume: Skills, Experience, Preferences. Do not "
    'invent employers, dates or degrees.\n'
    'Self-description: {text}')

IRC_TEMPLATE = (
    SRC_TEMPLATE + '\n'
    'Jobs they recently viewed:\n{jobs}\n'
    'Infer the skills and preferences these views imply.')

EMPTY_TEXT = '(empty: they wrote nothing)'

# Bump a version whenever its template or its truncation changes: the
# version is part of every cache key and of CompleteResumes' repr.
TEMPLATE_VERSIONS = {'src': 'src-v1', 'irc': 'irc-v1'}


def _truncate(text: str, max_chars: int) -> Tuple[str, bool]:
    if len(text) <= max_chars:
        return text, False
    cut = text[:max_chars].rsplit(' ', 1)[0]
    return cut + ' ...', True


def recent_training_jobs(data: HeteroData, k: int = 5) -> List[List[int]]:
    r"""Returns, per user, the indices of up to :obj:`k` most recent
    *training* jobs (most recent first; ties by job index). Only
    :obj:`edge_index` is read, so validation and test jobs can never leak
    into a prompt."""
    if k < 0:
        raise ValueError(f"'k' must be non-negative (got {k})")
    store = data[EDGE_TYPE]
    user, job = store.edge_index
    time = store.get('time')
    if time is None:  # Without timestamps, edge order stands for time.
        time = torch.arange(user.numel())
    perm = torch.argsort(job, stable=True)
    perm = perm[torch.argsort(time[perm], descending=True, stable=True)]
    perm = perm[torch.argsort(user[perm], stable=True)]
    out: List[List[int]] = [[] for _ in range(data['user'].num_nodes)]
    for u, j in zip(user[perm].tolist(), job[perm].tolist()):
        if len(out[u]) < k:
            out[u].append(j)
    return out


class ResumePrompts:
    r"""Builds LGIR's resume-completion prompts, one per user.

    :obj:`mode="src"` (simple resume completion) shows the LLM the
    self-description alone; :obj:`mode="irc"` (interactive resume
    completion) also lists up to :obj:`k` of the user's most recent
    training interactions (job texts) and asks for the skills and
    preferences they imply. An empty self-description is allowed and said
    so in the prompt. Over-long texts are cut at a word boundary to
    :obj:`max_text_chars` (self-description) and :obj:`max_job_chars` (each
    job); :attr:`num_truncated` counts the texts cut by the last
    :meth:`build`.

    Args:
        mode (str, optional): :obj:`"src"` or :obj:`"irc"`.
            (default: :obj:`"irc"`)
        k (int, optional): Training interactions shown by IRC.
            (default: :obj:`5`)
        max_text_chars (int, optional): Self-description budget.
            (default: :obj:`400`)
        max_job_chars (int, optional): Budget of each job text.
            (default: :obj:`120`)
    """
    def __init__(self, mode: str = 'irc', k: int = 5,
                 max_text_chars: int = 400, max_job_chars: int = 120):
        if mode not in TEMPLATE_VERSIONS:
            raise ValueError(f"'mode' must be one of "
                             f"{sorted(TEMPLATE_VERSIONS)} (got {mode!r})")
        self.mode = mode
        self.k = k
        self.max_text_chars = max_text_chars
        self.max_job_chars = max_job_chars
        self.num_truncated = 0

    @property
    def version(self) -> str:
        r"""The template version, with non-default settings appended."""
        version = TEMPLATE_VERSIONS[self.mode]
        if self.mode == 'irc' and self.k != 5:
            version += f'-k{self.k}'
        if (self.max_text_chars, self.max_job_chars) != (400, 120):
            version += f'-c{self.max_text_chars}-{self.max_job_chars}'
        return version

    def build(self, data: HeteroData) -> List[str]:
        r"""Returns one prompt (the user message) per user of :obj:`data`."""
        texts = data['user'].text
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"data['user'].text[{i}] must be a string "
                                f"(got {type(text).__name__})")
        self.num_truncated = 0
        jobs = recent_training_jobs(data, self.k) if self.mode == 'irc' \
            else None
        prompts = []
        for user, text in enumerate(texts):
            text, cut = _truncate(text.strip(), self.max_text_chars)
            self.num_truncated += cut
            fields = {'text': text or EMPTY_TEXT}
            if jobs is not None:
                lines = []
                for j in jobs[user]:
                    job, cut = _truncate(data['job'].text[j].strip(),
                                         self.max_job_chars)
                    self.num_truncated += cut
                    lines.append(f'- {job}')
                fields['jobs'] = '\n'.join(lines) or '- (none)'
                prompts.append(IRC_TEMPLATE.format(**fields))
            else:
                prompts.append(SRC_TEMPLATE.format(**fields))
        return prompts

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.version})'


def user_context(data: HeteroData, k: int = 5) -> List[str]:
    r"""The text an IRC prompt shows the LLM, without the LLM: each user's
    self-description followed by their :obj:`k` most recent training job
    texts. Encoding it directly is the no-LLM control of the benchmarks."""
    jobs = recent_training_jobs(data, k)
    job_text = data['job'].text
    out = []
    for text, js in zip(data['user'].text, jobs):
        parts = (t.strip().rstrip('.') for t in [text] + [job_text[j]
                                                         for j in js])
        out.append('. '.join(p for p in parts if p))
    return out
