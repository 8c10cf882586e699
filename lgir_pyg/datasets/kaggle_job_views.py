import gzip
import hashlib
import json
import os
import os.path as osp
import shutil
import zipfile
from typing import Callable, Dict, List, Optional, Sequence

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.tables import (check_columns, from_tables,
                                      read_csv_bytes)
from lgir_pyg.datasets.processed import GraphDataset
from lgir_pyg.datasets.split import default_split
from lgir_pyg.errors import DataError

# The raw archive and the completed resumes travel as package data.
SHIPPED_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'shipped',
                       'kaggle_job_views')
RESUME_MODES = ('src', 'irc')
# Bump when process() changes what it builds: the processed file's name
# carries it, so an old graph is never reused.
PROCESS_VERSION = 2
NO_CUTOFF = torch.iinfo(torch.long).max
# Users view jobs.
EDGE_TYPE = ('user', 'interacts', 'job')

VIEW_COLUMNS = ('Applicant.ID', 'Job.ID', 'Title', 'Position', 'Company',
                'City', 'State.Name', 'Industry', 'View.Start')
EXPERIENCE_COLUMNS = ('Applicant.ID', 'Position.Name', 'Employer.Name',
                      'Job.Description', 'Created.At')
INTEREST_COLUMNS = ('Applicant.ID', 'Position.Of.Interest', 'Created.At')


def lgir_home() -> str:
    r"""Where processed datasets and caches go by default:
    :obj:`$LGIR_HOME`, else :obj:`~/.cache/lgir_pyg`."""
    return os.environ.get('LGIR_HOME') or osp.join(
        osp.expanduser('~'), '.cache', 'lgir_pyg')


def shipped_resumes_path(mode: str) -> str:
    r"""The completed resumes of :obj:`mode` shipped with KaggleJobViews."""
    return osp.join(SHIPPED_DIR, f'resumes_{mode}.jsonl.gz')


def _value(field: str) -> str:
    field = field.strip()
    return '' if field in ('NA', 'N/A') else field


def _join_new(parts: List[str], sep: str = ', ') -> str:
    # Titles often repeat the position and company ("X @ Company"): keep
    # only the parts that add something.
    out: List[str] = []
    for part in parts:
        if part and not any(part.lower() in p.lower() for p in out):
            out.append(part)
    return sep.join(out)


def _file_sha256(path: str) -> str:
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def parse_dates(values) -> List[Optional[int]]:
    r"""Seconds since the epoch of each date string; :obj:`None` where a
    value is missing or unparseable."""
    import pandas as pd
    parsed = pd.to_datetime(pd.Series(list(values)).map(_value),
                            errors='coerce', utc=True, format='mixed')
    seconds = (parsed - pd.Timestamp(0, tz='UTC')) // pd.Timedelta(seconds=1)
    return [None if pd.isna(s) else int(s) for s in seconds]


def first_held_out_time(data: HeteroData) -> Tensor:
    r"""Per user, the time of their first held-out (validation or test)
    interaction, as :class:`lgir_pyg.transforms.PerUserSplit` keeps it in
    :obj:`val_time` / :obj:`test_time`; :obj:`NO_CUTOFF` for users without
    one."""
    store = data[EDGE_TYPE]
    cutoff = torch.full((data['user'].num_nodes, ), NO_CUTOFF)
    for split in ('val', 'test'):
        index = store.get(f'{split}_edge_label_index')
        time = store.get(f'{split}_time')
        if index is not None and time is not None:
            cutoff.scatter_reduce_(0, index[0], time, 'amin')
    return cutoff


def read_shipped_resumes(mode: str, user_ids: List[str]) -> List[str]:
    r"""The shipped :obj:`mode` resumes aligned with :obj:`user_ids`; a user
    without one is an error, not a gap."""
    path = shipped_resumes_path(mode)
    by_user = {}
    with gzip.open(path, 'rt', encoding='utf-8') as f:
        for line_no, line in enumerate(f, 1):
            try:
                record = json.loads(line)
                by_user[str(record['user'])] = record['resume']
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise DataError(f"'{path}', line {line_no}: not a resume "
                                f"record with 'user' and 'resume' ({e})")
    missing = [u for u in user_ids if u not in by_user]
    if missing:
        raise DataError(f"'{path}' has no {mode} resume for {len(missing)} "
                        f"users (first: {missing[0]!r})")
    return [by_user[u] for u in user_ids]


class KaggleJobViews(GraphDataset):
    r"""The Kaggle "Job Recommendation Case Study" job views: 3,448 job
    seekers, 7,047 jobs and 8,920 distinct (user, job) views from a US job
    portal (2014-2015), as a LGIR bipartite
    :class:`~torch_geometric.data.HeteroData` (see
    :func:`lgir_pyg.datasets.from_tables`).

    Interactions are the distinct (:obj:`Applicant.ID`, :obj:`Job.ID`)
    pairs of :obj:`Job_Views.csv`, timed by their earliest
    :obj:`View.Start`. A user's text joins their positions of interest and
    their experience rows (position, employer, description); users without
    any keep an empty text, which interactive resume completion fills in
    from behaviour. Side text is temporally honest: a row created
    (:obj:`Created.At`) at or after the user's first held-out interaction is
    left out, as it was not known when the held-out job was viewed; rows
    without a date are kept, and without a split every row is used. A job's
    text joins its title, position, company, city, state and industry;
    :obj:`data['job'].industry` holds the industry (:obj:`""` if unknown).

    The completed resumes shipped with lgir_pyg (SRC and IRC, by the bundled
    LLM; see the README next to the archive) are attached as
    :obj:`data['user'].resume_src` and :obj:`data['user'].resume_irc`, the
    attributes :class:`lgir_pyg.transforms.CompleteResumes` writes when it
    regenerates them.

    The raw archive and the resumes ship inside the package
    (:obj:`lgir_pyg/datasets/shipped/kaggle_job_views/`); no download
    happens. An unreadable processed file is moved aside and rebuilt (see
    :class:`~lgir_pyg.datasets.processed.GraphDataset`).

    Args:
        root (str, optional): Root directory for raw and processed files,
            and for the caches of the stages run on them. (default:
            :obj:`<lgir_home()>/kaggle_job_views`, see :func:`lgir_home`)
        split (callable, optional): The split applied before
            :obj:`pre_transform`; :obj:`None` keeps every interaction in
            :obj:`edge_index`. (default:
            :class:`lgir_pyg.transforms.PerUserSplit`)
        raw_path (str, optional): Another copy of :obj:`raw_csv.zip` to
            read. (default: the shipped one)
        resumes (Sequence[str], optional): The modes of shipped resumes to
            attach. (default: :obj:`("src", "irc")`)
        transform (callable, optional): A transform applied on every
            access. (default: :obj:`None`)
        pre_transform (callable, optional): A transform applied before
            saving, e.g. text encoding. (default: :obj:`None`)
        force_reload (bool, optional): Re-process the dataset.
            (default: :obj:`False`)
    """
    name = 'KaggleJobViews'
    item_category = 'industry'  # For the diversity of recommended lists.

    def __init__(
        self,
        root: Optional[str] = None,
        split: Optional[Callable] = 'default',
        raw_path: Optional[str] = None,
        resumes: Sequence[str] = RESUME_MODES,
        transform: Optional[Callable] = None,
        pre_transform: Optional[Callable] = None,
        force_reload: bool = False,
    ) -> None:
        self.split = default_split(split)
        self.raw_path = raw_path or osp.join(SHIPPED_DIR, 'raw_csv.zip')
        for mode in resumes:
            if mode not in RESUME_MODES:
                raise DataError(f"'resumes' holds {mode!r}; valid modes: "
                                f"{', '.join(RESUME_MODES)}")
        self.resumes = tuple(resumes)
        root = root or osp.join(lgir_home(), 'kaggle_job_views')
        super().__init__(root, transform, pre_transform,
                         force_reload=force_reload)

    @property
    def raw_file_names(self) -> List[str]:
        return ['raw_csv.zip']

    @property
    def processed_file_names(self) -> str:
        # One processed file per split, pre_transform (whose repr names
        # its encoder or LLM) and shipped resumes, so a change never reuses
        # a stale graph.
        resumes = [_file_sha256(shipped_resumes_path(m))
                   for m in self.resumes]
        key = (f'v{PROCESS_VERSION}|{self.split!r}|{self.pre_transform!r}|'
               f'{resumes}')
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        return f'data_{digest}.pt'

    def download(self) -> None:
        if not osp.exists(self.raw_path):
            raise FileNotFoundError(
                f"Cannot find '{self.raw_path}'; pass raw_path= pointing at "
                f"raw_csv.zip of the Kaggle job views")
        os.makedirs(self.raw_dir, exist_ok=True)
        shutil.copyfile(self.raw_path, self.raw_paths[0])

    def process(self) -> None:
        import pandas as pd

        path = self.raw_paths[0]
        with zipfile.ZipFile(path) as archive:
            tables = {
                name: read_csv_bytes(archive.read(name), f'{path}:{name}')
                for name in ('Job_Views.csv', 'Experience.csv',
                             'Positions_Of_Interest.csv')
            }
        views = tables['Job_Views.csv']
        for name, columns in (('Job_Views.csv', VIEW_COLUMNS),
                              ('Experience.csv', EXPERIENCE_COLUMNS),
                              ('Positions_Of_Interest.csv',
                               INTEREST_COLUMNS)):
            check_columns(tables[name], columns)

        user_ids = sorted(set(views['Applicant.ID']), key=int)
        # Side text needs the split's held-out times: it is set below.
        users = pd.DataFrame({'user_id': user_ids, 'text': ''})
        jobs_rows = views.drop_duplicates('Job.ID').sort_values(
            'Job.ID', key=lambda ids: ids.astype(int))
        jobs = pd.DataFrame({
            'job_id': jobs_rows['Job.ID'].tolist(),
            'title': [_value(t) for t in jobs_rows['Title']],
            'text': [
                _join_new([_value(row[c]) for c in (
                    'Title', 'Position', 'Company', 'City', 'State.Name',
                    'Industry')]) for _, row in jobs_rows.iterrows()
            ],
        })
        interactions = pd.DataFrame({
            'user_id': views['Applicant.ID'],
            'job_id': views['Job.ID'],
            'time': views['View.Start'],
        })
        # Errors then name the archive member and its line.
        interactions.attrs.update(views.attrs)
        data = from_tables(users, jobs, interactions, item_id_column='job_id',
                           user_type=EDGE_TYPE[0], relation=EDGE_TYPE[1],
                           item_type=EDGE_TYPE[2])
        data['job'].industry = [_value(i) for i in jobs_rows['Industry']]
        if self.split is not None:
            data = self.split(data)
        cutoff = dict(zip(user_ids, first_held_out_time(data).tolist()))
        data['user'].text = self._user_texts(user_ids, tables, cutoff)
        for mode in self.resumes:
            data['user'][f'resume_{mode}'] = read_shipped_resumes(
                mode, user_ids)
        if self.pre_transform is not None:
            data = self.pre_transform(data)
        self.save([data], self.processed_paths[0])

    @staticmethod
    def _user_texts(user_ids: List[str], tables,
                    cutoff: Dict[str, int]) -> List[str]:
        def known(name: str) -> List[bool]:
            # Rows created before the user's first held-out interaction, or
            # without a date.
            table = tables[name]
            return [
                c is None or c < cutoff.get(uid, NO_CUTOFF)
                for uid, c in zip(table['Applicant.ID'],
                                  parse_dates(table['Created.At']))
            ]

        interests: Dict[str, List[str]] = {}
        poi = tables['Positions_Of_Interest.csv']
        for uid, pos, keep in zip(poi['Applicant.ID'],
                                  poi['Position.Of.Interest'],
                                  known('Positions_Of_Interest.csv')):
            if keep and _value(pos):
                interests.setdefault(uid, []).append(_value(pos))
        experience: Dict[str, List[str]] = {}
        exp = tables['Experience.csv']
        for uid, pos, emp, desc, keep in zip(exp['Applicant.ID'],
                                             exp['Position.Name'],
                                             exp['Employer.Name'],
                                             exp['Job.Description'],
                                             known('Experience.csv')):
            if not keep:
                continue
            parts = [_value(pos)]
            if _value(emp):
                parts.append(f'at {_value(emp)}')
            line = ' '.join(p for p in parts if p)
            if _value(desc):
                line = f'{line}: {_value(desc)}' if line else _value(desc)
            if line:
                experience.setdefault(uid, []).append(line)
        texts = []
        for uid in user_ids:
            parts = []
            if uid in interests:
                parts.append('Positions of interest: ' +
                             _join_new(interests[uid], '; ') + '.')
            if uid in experience:
                parts.append('Experience: ' + '; '.join(experience[uid]) +
                             '.')
            texts.append(' '.join(parts))
        return texts

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'
