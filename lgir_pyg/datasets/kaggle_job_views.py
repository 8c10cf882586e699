import hashlib
import os
import os.path as osp
import shutil
import zipfile
from typing import Callable, Dict, List, Optional

from torch_geometric.data import HeteroData, InMemoryDataset

from lgir_pyg.datasets.tables import (check_columns, from_tables,
                                      read_csv_bytes)

# The raw archive and the completed resumes travel as package data.
SHIPPED_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'shipped',
                       'kaggle_job_views')
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_ROOT = osp.join(REPO_ROOT, 'data', 'kaggle_job_views')

VIEW_COLUMNS = ('Applicant.ID', 'Job.ID', 'Title', 'Position', 'Company',
                'City', 'State.Name', 'Industry', 'View.Start')
EXPERIENCE_COLUMNS = ('Applicant.ID', 'Position.Name', 'Employer.Name',
                      'Job.Description')
INTEREST_COLUMNS = ('Applicant.ID', 'Position.Of.Interest')


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


class KaggleJobViews(InMemoryDataset):
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
    from behaviour. A job's text joins its title, position, company, city,
    state and industry.

    The raw archive ships with lgir_pyg (:obj:`datasets/kaggle_job_views/`);
    no download happens.

    Args:
        root (str, optional): Root directory for raw and processed files.
            (default: :obj:`<repo>/data/kaggle_job_views`)
        split (callable, optional): The split applied before
            :obj:`pre_transform`; :obj:`None` keeps every interaction in
            :obj:`edge_index`. (default:
            :class:`lgir_pyg.transforms.PerUserSplit`)
        raw_path (str, optional): Another copy of :obj:`raw_csv.zip` to
            read. (default: the shipped one)
        transform (callable, optional): A transform applied on every
            access. (default: :obj:`None`)
        pre_transform (callable, optional): A transform applied before
            saving, e.g. text encoding. (default: :obj:`None`)
        force_reload (bool, optional): Re-process the dataset.
            (default: :obj:`False`)
    """
    def __init__(
        self,
        root: str = DEFAULT_ROOT,
        split: Optional[Callable] = 'default',
        raw_path: Optional[str] = None,
        transform: Optional[Callable] = None,
        pre_transform: Optional[Callable] = None,
        force_reload: bool = False,
    ) -> None:
        if split == 'default':
            from lgir_pyg.transforms import PerUserSplit
            split = PerUserSplit()
        self.split = split
        self.raw_path = raw_path or osp.join(SHIPPED_DIR, 'raw_csv.zip')
        super().__init__(root, transform, pre_transform,
                         force_reload=force_reload)
        self.load(self.processed_paths[0], data_cls=HeteroData)

    @property
    def raw_file_names(self) -> List[str]:
        return ['raw_csv.zip']

    @property
    def processed_file_names(self) -> str:
        # One processed file per split and pre_transform (whose repr names
        # its encoder or LLM), so a change never reuses a stale graph.
        key = f'{self.split!r}|{self.pre_transform!r}'
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
        users = pd.DataFrame({
            'user_id': user_ids,
            'text': self._user_texts(user_ids, tables),
        })
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
        data = from_tables(users, jobs, interactions)
        if self.split is not None:
            data = self.split(data)
        if self.pre_transform is not None:
            data = self.pre_transform(data)
        self.save([data], self.processed_paths[0])

    @staticmethod
    def _user_texts(user_ids: List[str], tables) -> List[str]:
        interests: Dict[str, List[str]] = {}
        for uid, pos in zip(tables['Positions_Of_Interest.csv']
                            ['Applicant.ID'],
                            tables['Positions_Of_Interest.csv']
                            ['Position.Of.Interest']):
            if _value(pos):
                interests.setdefault(uid, []).append(_value(pos))
        experience: Dict[str, List[str]] = {}
        exp = tables['Experience.csv']
        for uid, pos, emp, desc in zip(exp['Applicant.ID'],
                                       exp['Position.Name'],
                                       exp['Employer.Name'],
                                       exp['Job.Description']):
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
