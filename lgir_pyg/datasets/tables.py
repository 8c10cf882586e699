import io
import logging
import os.path as osp
from typing import List, Optional, Union

import pandas as pd
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

logger = logging.getLogger(__name__)

Table = Union[pd.DataFrame, str]

USER_COLUMNS = ('user_id', 'text')
JOB_COLUMNS = ('job_id', 'text')
INTERACTION_COLUMNS = ('user_id', 'job_id')

# The interaction edge type of every LGIR graph, and its reverse.
EDGE_TYPE = ('user', 'interacts', 'job')
REV_EDGE_TYPE = ('job', 'rev_interacts', 'user')


class TableError(ValueError):
    r"""Raised for malformed input tables; the message names the table, the
    column and the first offending row."""


def read_table(table: Table, name: str) -> pd.DataFrame:
    r"""Reads a CSV or Parquet file (or passes a :class:`pandas.DataFrame`
    through) with every column as text, so ids such as :obj:`"007"` survive.
    CSV files must be UTF-8; the error for other bytes names the line."""
    if isinstance(table, pd.DataFrame):
        df = table.copy()
        df.attrs.setdefault('source', f'{name} table')
        return df
    if not isinstance(table, str) and not hasattr(table, '__fspath__'):
        raise TableError(f"'{name}' must be a pandas DataFrame or a path to "
                         f"a CSV/Parquet file (got {type(table).__name__})")
    path = str(table)
    if not osp.exists(path):
        raise TableError(f"{name} file '{path}' does not exist")
    if path.endswith('.parquet'):
        df = pd.read_parquet(path).astype(object)
    else:
        with open(path, 'rb') as f:
            raw = f.read()
        df = read_csv_bytes(raw, path)
    df.attrs.update(source=f"{name} file '{path}'", is_file=True)
    return df


def read_csv_bytes(raw: bytes, path: str) -> pd.DataFrame:
    r"""Parses UTF-8 CSV bytes with every column as text, keeping empty
    fields as empty strings (nothing is turned into NaN and dropped).
    :obj:`path` names the file in errors."""
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b'\n') + 1
        raise TableError(f"'{path}' is not valid UTF-8: byte "
                         f"{raw[e.start:e.start + 1]!r} at line {line}") from e
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df.attrs.update(source=f"'{path}'", is_file=True)
    return df


def _row(df: pd.DataFrame, pos: int) -> str:
    # Files report the line (header is line 1); DataFrames the index label.
    if df.attrs.get('is_file'):
        return f'row {pos} (line {pos + 2})'
    return f'row {df.index[pos]!r}'


def check_columns(df: pd.DataFrame, columns) -> None:
    r"""Raises :class:`TableError` naming the table and the columns of
    :obj:`columns` that :obj:`df` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise TableError(f"{df.attrs['source']} is missing column(s) "
                         f"{missing} (has {list(df.columns)})")


def _ids(df: pd.DataFrame, column: str) -> pd.Series:
    ids = df[column]
    bad = ids.isna() | (ids.astype(str).str.strip() == '')
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise TableError(f"{df.attrs['source']}, column '{column}', "
                         f"{_row(df, pos)}: empty id")
    return ids.astype(str).str.strip()


def _texts(df: pd.DataFrame, column: str) -> List[str]:
    # Empty or missing text is allowed (resume completion fills it in);
    # anything that is not text is an error rather than a silent str().
    out = []
    for pos, value in enumerate(df[column].tolist()):
        if value is None or (isinstance(value, float) and value != value):
            value = ''
        if not isinstance(value, str):
            raise TableError(f"{df.attrs['source']}, column '{column}', "
                             f"{_row(df, pos)}: expected text, got "
                             f"{type(value).__name__} {value!r}")
        out.append(value.strip())
    return out


def _index_nodes(df: pd.DataFrame, column: str) -> pd.Series:
    ids = _ids(df, column)
    dup = ids.duplicated()
    if dup.any():
        pos = int(dup.to_numpy().nonzero()[0][0])
        raise TableError(f"{df.attrs['source']}, column '{column}', "
                         f"{_row(df, pos)}: duplicate id {ids.iloc[pos]!r}")
    return pd.Series(range(len(ids)), index=ids.to_numpy())


def _map_ids(df: pd.DataFrame, column: str, index: pd.Series,
             kind: str) -> Tensor:
    ids = _ids(df, column)
    mapped = ids.map(index)
    unknown = mapped.isna()
    if unknown.any():
        pos = int(unknown.to_numpy().nonzero()[0][0])
        raise TableError(f"{df.attrs['source']}, column '{column}', "
                         f"{_row(df, pos)}: unknown {kind} id "
                         f"{ids.iloc[pos]!r} ({int(unknown.sum())} rows name "
                         f"unknown {kind}s)")
    return torch.tensor(mapped.to_numpy(dtype='int64'))


def parse_times(df: pd.DataFrame, column: str) -> Tensor:
    r"""Parses a timestamp column into int64 seconds since the epoch (UTC).
    Numbers are taken as seconds already."""
    values = df[column]
    numeric = pd.to_numeric(values, errors='coerce')
    if numeric.notna().all():
        return torch.tensor(numeric.to_numpy(dtype='float64')).long()
    parsed = pd.to_datetime(values, errors='coerce', utc=True, format='mixed')
    bad = parsed.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise TableError(f"{df.attrs['source']}, column '{column}', "
                         f"{_row(df, pos)}: cannot parse timestamp "
                         f"{values.iloc[pos]!r}")
    seconds = (parsed - pd.Timestamp(0, tz='UTC')) // pd.Timedelta(seconds=1)
    return torch.tensor(seconds.to_numpy(dtype='int64'))


def from_tables(
    users: Table,
    jobs: Table,
    interactions: Table,
    time_column: Optional[str] = 'time',
) -> HeteroData:
    r"""Builds the LGIR bipartite graph from three tables.

    Each table is a :class:`pandas.DataFrame` or a path to a CSV (UTF-8) or
    Parquet file, with these columns (others are ignored, except
    :obj:`title` on jobs, kept for display):

    * :obj:`users`: :obj:`user_id`, :obj:`text` (the self-description).
    * :obj:`jobs`: :obj:`job_id`, :obj:`text` (the job description),
      optional :obj:`title`.
    * :obj:`interactions`: :obj:`user_id`, :obj:`job_id`, and optionally a
      timestamp column :obj:`time_column` (ISO dates or epoch seconds).

    Handling, documented rather than silent: empty or missing text becomes
    :obj:`""`; duplicate (user, job) pairs are merged into one edge with the
    earliest time (their number is logged and stored as
    :obj:`num_merged_duplicates`). Missing columns, empty ids, duplicate
    user or job ids, interactions that name unknown users or jobs,
    unparseable timestamps, non-text values, non-UTF-8 files and an empty
    interaction table raise :class:`TableError` naming the table, column and
    first offending row.

    Returns a :class:`~torch_geometric.data.HeteroData` with :obj:`user` and
    :obj:`job` nodes (:obj:`node_id` and raw :obj:`text` lists), and all
    interactions in :obj:`('user', 'interacts', 'job').edge_index` (with
    :obj:`time` if given) plus the reverse edge type
    :obj:`('job', 'rev_interacts', 'user')`. Apply
    :class:`lgir_pyg.transforms.PerUserSplit` to hold out evaluation edges.
    """
    users = read_table(users, 'users')
    jobs = read_table(jobs, 'jobs')
    inter = read_table(interactions, 'interactions')
    check_columns(users, USER_COLUMNS)
    check_columns(jobs, JOB_COLUMNS)
    columns = INTERACTION_COLUMNS + ((time_column, ) if time_column else ())
    if time_column and time_column not in inter.columns:
        # Time is optional: only complain when other columns are fine too.
        check_columns(inter, INTERACTION_COLUMNS)
        columns, time_column = INTERACTION_COLUMNS, None
    check_columns(inter, columns)
    if len(inter) == 0:
        raise TableError(f"{inter.attrs['source']} has no rows: a graph "
                         f"needs at least one interaction")

    user_index = _index_nodes(users, 'user_id')
    job_index = _index_nodes(jobs, 'job_id')
    user = _map_ids(inter, 'user_id', user_index, 'user')
    job = _map_ids(inter, 'job_id', job_index, 'job')
    time = parse_times(inter, time_column) if time_column else None

    # Merge duplicate pairs, keeping the earliest time.
    key = user * len(job_index) + job
    if time is not None:
        order = torch.argsort(time, stable=True)
        key, user, job, time = key[order], user[order], job[order], time[order]
    uniq, inverse = torch.unique(key, return_inverse=True)
    first = torch.full((uniq.numel(), ), key.numel(), dtype=torch.long)
    first.scatter_reduce_(0, inverse, torch.arange(key.numel()), 'amin')
    first = first.sort().values
    num_merged = key.numel() - first.numel()
    if num_merged > 0:
        logger.warning(f"{inter.attrs['source']}: merged {num_merged} "
                       f"duplicate (user_id, job_id) rows into one edge "
                       f"each (earliest time kept)")

    data = HeteroData()
    data['user'].node_id = user_index.index.tolist()
    data['user'].text = _texts(users, 'text')
    data['user'].num_nodes = len(user_index)
    data['job'].node_id = job_index.index.tolist()
    data['job'].text = _texts(jobs, 'text')
    if 'title' in jobs.columns:
        data['job'].title = _texts(jobs, 'title')
    data['job'].num_nodes = len(job_index)
    store = data[EDGE_TYPE]
    store.edge_index = torch.stack([user[first], job[first]])
    if time is not None:
        store.time = time[first]
    store.num_merged_duplicates = num_merged
    data[REV_EDGE_TYPE].edge_index = store.edge_index.flip(0)
    return data
