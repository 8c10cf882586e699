import hashlib
import inspect
import json
import os.path as osp
from typing import Any, Callable, Dict, List, Optional

from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import interaction_edge_type
from lgir_pyg.datasets.processed import GraphDataset
from lgir_pyg.datasets.split import default_split
from lgir_pyg.datasets.tables import from_tables
from lgir_pyg.errors import DataError, TableError, UsageError

# The arguments of from_tables that table_kwargs may set.
TABLE_KWARGS = list(inspect.signature(from_tables).parameters)[3:]


def _content_sha256(path: str) -> str:
    if not osp.isfile(path):
        raise DataError(f"Table file '{path}' does not exist or is not a "
                        f"file")
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


class TablesDataset(GraphDataset):
    r"""Your own users, items and interactions as a LGIR dataset: the
    graph of :func:`lgir_pyg.datasets.from_tables`, split by :obj:`split`
    and processed by :obj:`pre_transform` once, then loaded from
    :obj:`root`.

    The processed file is named after the SHA-256 of the three files'
    contents, the :func:`~lgir_pyg.datasets.from_tables` arguments, the
    split and the :obj:`pre_transform`, so an edited table, another column
    mapping or another encoder never reuses a stale graph; an unreadable
    one is moved aside and rebuilt (see
    :class:`~lgir_pyg.datasets.processed.GraphDataset`). A bad
    :obj:`split` or an unknown key of :obj:`table_kwargs` raises
    :class:`~lgir_pyg.errors.UsageError` before any file is read.

    Args:
        root (str): Where processed files (and the stages' caches) go.
        users (str): The users CSV or Parquet file.
        items (str): The items CSV or Parquet file.
        interactions (str): The interactions CSV or Parquet file.
        name (str, optional): The dataset's name in reports.
            (default: the folder of :obj:`interactions`)
        split (callable, optional): The split applied before
            :obj:`pre_transform`; :obj:`None` keeps every interaction.
            (default: :class:`lgir_pyg.transforms.PerUserSplit`)
        table_kwargs (dict, optional): Other arguments of
            :func:`~lgir_pyg.datasets.from_tables` (column names, node and
            edge type names, :obj:`time_column`). (default: :obj:`None`)
        transform (callable, optional): A transform applied on every
            access. (default: :obj:`None`)
        pre_transform (callable, optional): A transform applied before
            saving. (default: :obj:`None`)
        force_reload (bool, optional): Re-process the dataset.
            (default: :obj:`False`)
    """
    def __init__(
        self,
        root: str,
        users: str,
        items: str,
        interactions: str,
        name: Optional[str] = None,
        split: Optional[Callable] = 'default',
        table_kwargs: Optional[Dict[str, Any]] = None,
        transform: Optional[Callable] = None,
        pre_transform: Optional[Callable] = None,
        force_reload: bool = False,
    ) -> None:
        self.split = default_split(split)
        self.table_kwargs = dict(table_kwargs or {})
        unknown = sorted(set(self.table_kwargs) - set(TABLE_KWARGS))
        if unknown:
            raise UsageError(f"'table_kwargs' has {unknown[0]!r}, not an "
                             f"argument of from_tables; valid: "
                             f"{', '.join(TABLE_KWARGS)}")
        self.tables = {'users': str(users), 'items': str(items),
                       'interactions': str(interactions)}
        self.name = name or osp.basename(osp.dirname(osp.abspath(
            interactions))) or 'tables'
        # Hashed up front: a missing file fails before anything is built.
        self._digests = {k: _content_sha256(p)
                         for k, p in self.tables.items()}
        super().__init__(root, transform, pre_transform,
                         force_reload=force_reload)

    @property
    def raw_file_names(self) -> List[str]:
        return []  # The user's files are read where they are.

    @property
    def processed_file_names(self) -> str:
        key = json.dumps([self._digests, self.table_kwargs,
                          repr(self.split), repr(self.pre_transform)],
                         sort_keys=True, default=str)
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        return f'data_{digest}.pt'

    def download(self) -> None:
        pass

    def process(self) -> None:
        data = from_tables(self.tables['users'], self.tables['items'],
                           self.tables['interactions'], **self.table_kwargs)
        if self.split is not None:
            self._check_times(data)
            data = self.split(data)
        if self.pre_transform is not None:
            data = self.pre_transform(data)
        self.save([data], self.processed_paths[0])

    def _check_times(self, data: HeteroData) -> None:
        # The temporal split fails on untimed interactions: say which
        # file and column are at fault, and the way out.
        if getattr(self.split, 'strategy', None) != 'temporal' or \
                'time' in data[interaction_edge_type(data)]:
            return
        column = self.table_kwargs.get('time_column', 'time')
        lacks = ('is untimed (time_column is None)' if column is None else
                 f'has no time column {column!r}')
        raise TableError(f"interactions file "
                         f"'{self.tables['interactions']}' {lacks}, but the "
                         f"temporal split orders each user's interactions "
                         f"by time: name the time column (time_column, "
                         f"--time-column) or split at random "
                         f"(PerUserSplit('random'), --split random)")

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.name})'
