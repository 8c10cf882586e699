r"""Builds the bipartite user-item graph of LGIR from plain tables
(:class:`pandas.DataFrame`, CSV or Parquet files), checking them on the
way: every problem is a :class:`~lgir_pyg.errors.TableError` that names the
table or file, the column and the first offending row (and its line in a
CSV file)."""
import csv
import datetime
import gzip
import io
import keyword
import logging
import math
import os
import os.path as osp
import re
import warnings
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd
import torch
from dateutil.parser import UnknownTimezoneWarning
from dateutil.parser import parse as parse_date
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.data.storage import NodeStorage

from lgir_pyg.datasets.graph import REV_PREFIX, reverse_edge_type
from lgir_pyg.errors import TableError, UsageError, first_line

logger = logging.getLogger(__name__)

Table = Union[pd.DataFrame, str, os.PathLike]

# Times outside [1900-01-01, 2200-01-01) UTC are taken for unit or typing
# mistakes (milliseconds read as seconds, a year 9999 placeholder).
MIN_TIME = -2208988800
MAX_TIME = 7258118400

PARQUET_EXTENSIONS = ('.parquet', '.pq', '.parq')

# Node attributes that from_tables or later stages write.
RESERVED_ATTRS = {'node_id', 'text', 'title', 'num_nodes', 'x', 'time',
                  'num_train_interactions', 'edge_index'}
RESERVED_PREFIXES = ('x_', 'resume_', '_')

# Column name parts that suggest a timestamp, for the missing-time warning.
TIME_WORDS = {'time', 'timestamp', 'date', 'datetime', 'ts', 'dt', 'when',
              'created', 'epoch'}

# ISO 8601 text with a year, a month and a day.
FULL_ISO_DATE = re.compile(r'\s*[+-]?\d{4}-\d{2}-\d{2}')
# Two defaults for the parts a date text lacks (see _date_text_seconds).
FILL_ONE = datetime.datetime(1, 1, 1)
FILL_TWO = datetime.datetime(2, 2, 2)

# A day/month/year date whose first two fields could be either way round.
NUMERIC_DATE = re.compile(r'\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}(?!\d)')


class RecordLines:
    r"""The first line of every record of a CSV text, found on first use
    (only error messages need it): a quoted cell can span several lines,
    and blank lines are skipped. Kept in :obj:`DataFrame.attrs`."""
    def __init__(self, text: str) -> None:
        self.text = text
        self._records: Optional[List[int]] = None
        self._units: Optional[List[int]] = None

    def __deepcopy__(self, memo) -> 'RecordLines':
        # pandas deep-copies attrs on every operation; this never changes.
        return self

    def _scan(self) -> None:
        records, units, line = [], [], 0
        reader = csv.reader(io.StringIO(self.text))
        try:
            for row in reader:
                units.append(line + 1)
                if row and not (len(row) == 1 and row[0].isspace()):
                    records.append(line + 1)
                line = reader.line_num
        except csv.Error:  # A field over csv's size limit: lines unknown.
            pass
        self._records, self._units = records, units

    def record(self, pos: int) -> Optional[int]:
        r"""The first line of record :obj:`pos` (the header is record 0)."""
        if self._records is None:
            self._scan()
        return self._records[pos] if pos < len(self._records) else None

    def unit(self, pos: int) -> Optional[int]:
        r"""The first line of the :obj:`pos`-th record or blank line
        (0-based), as pandas' parser counts its "lines"."""
        if self._units is None:
            self._scan()
        return self._units[pos] if pos < len(self._units) else None


def read_table(table: Table, name: str) -> pd.DataFrame:
    r"""Reads a CSV or Parquet file (or passes a :class:`pandas.DataFrame`
    through). CSV files are read with every column as text, so ids such as
    :obj:`"007"` survive; they must be UTF-8 (a byte-order mark is
    dropped) and may be gzip-compressed. Parquet is recognised by its
    content (the :obj:`PAR1` magic bytes) or by a :obj:`.parquet`,
    :obj:`.pq` or :obj:`.parq` extension in any case, and keeps its column
    types. :obj:`name` names the table in errors."""
    if isinstance(table, pd.DataFrame):
        df = table.copy()
        df.attrs.setdefault('source', f'{name} table')
        return df
    if not isinstance(table, (str, os.PathLike)):
        raise TableError(f"'{name}' must be a pandas DataFrame or a path to "
                         f"a CSV/Parquet file (got {type(table).__name__})")
    path = os.fspath(table)
    source = f"{name} file '{path}'"
    if not osp.exists(path):
        raise TableError(f"{source} does not exist")
    if osp.isdir(path):
        raise TableError(f"{source} is a directory, not a CSV or Parquet "
                         f"file")
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as e:
        raise TableError(f"Cannot read {source}: {first_line(e)}") from e
    if not raw:
        raise TableError(f"{source} is empty (0 bytes): expected a CSV file "
                         f"with a header row or a Parquet file")
    if raw[:4] == b'PAR1':
        return _read_parquet(raw, source)
    if path.lower().endswith(PARQUET_EXTENSIONS):
        raise TableError(f"{source} has a Parquet extension but is not a "
                         f"Parquet file (it does not start with the bytes "
                         f"PAR1)")
    if raw[:4] == b'PK\x03\x04':
        raise TableError(f"{source} is a ZIP archive (an Excel workbook?); "
                         f"expected CSV or Parquet")
    if raw[:2] == b'\x1f\x8b':
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise TableError(f"{source} is a damaged gzip file: "
                             f"{first_line(e)}") from e
    return read_csv_bytes(raw, path, name)


def _read_parquet(raw: bytes, source: str) -> pd.DataFrame:
    try:
        df = pd.read_parquet(io.BytesIO(raw))
    except Exception as e:  # pyarrow raises several types for bad files.
        raise TableError(f"{source} is not a readable Parquet file: "
                         f"{first_line(e)}") from e
    df.attrs.update(source=source, is_file=True)
    return df


def read_csv_bytes(raw: bytes, path: str,
                   name: Optional[str] = None) -> pd.DataFrame:
    r"""Parses UTF-8 CSV bytes with every column as text, keeping empty
    fields as empty strings (nothing is turned into NaN and dropped).
    :obj:`path` (and the table's :obj:`name`, if given) names the file in
    errors, which give the line: for bytes that are not UTF-8, for a row
    with more fields than the header (e.g. an unquoted comma), for a quote
    that is never closed, and for a byte-order mark or a repeat of the
    header row after the first line (two files joined). Column names are
    kept as written: a name the header repeats names several columns, which
    :func:`check_columns` refuses for a column that is read."""
    source = f"{name} file '{path}'" if name else f"'{path}'"
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b'\n') + 1
        raise TableError(f"{source} is not valid UTF-8: byte "
                         f"{raw[e.start:e.start + 1]!r} at line {line}") from e
    lines = RecordLines(text)
    bom = text.find('\ufeff')
    if bom >= 0:
        line = text.count('\n', 0, bom) + 1
        raise TableError(f"{source}, line {line}: a byte-order mark "
                         f"(U+FEFF) in the middle of the file, as where two "
                         f"CSV files were joined; remove it and any "
                         f"repeated header line")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError as e:
        raise TableError(f"{source} has no header row") from e
    except pd.errors.ParserError as e:
        raise TableError(_parser_message(str(e), source, lines)) from e
    if not isinstance(df.index, pd.RangeIndex):
        # pandas takes a first column without a header for the index.
        raise TableError(f"{source}, line {lines.record(1)}: more fields "
                         f"than the header's {len(df.columns)} "
                         f"({list(df.columns)}); quote fields that contain "
                         f"commas")
    df.attrs.update(source=source, is_file=True, lines=lines)
    header = _header(text)
    if header is not None and len(header) == len(df.columns):
        _check_header(df, header)
        # pandas renames a repeated name ('text' to 'text.1'): keep the
        # names as written, so a repeated column in use is an error.
        df.columns = [raw if raw else name
                      for raw, name in zip(header, df.columns)]
    return df


def _header(text: str) -> Optional[List[str]]:
    # The header's names as written: the first record that is not blank.
    try:
        for row in csv.reader(io.StringIO(text)):
            if row and not (len(row) == 1 and row[0].isspace()):
                return row
    except csv.Error:  # A field over csv's size limit: names unknown.
        pass
    return None


def _check_header(df: pd.DataFrame, header: List[str]) -> None:
    # A data row that repeats the header is another file's header, where
    # two files were joined: it would become a user or an item.
    repeats = np.all(df.to_numpy(dtype=object) == np.array(
        header, dtype=object), axis=1) if len(df) else np.zeros(0, bool)
    if repeats.any():
        raise TableError(f"{df.attrs['source']}, {_row(df, _first(repeats))}"
                         f": the header row again, as where two CSV files "
                         f"were joined; remove it")


def _parser_message(message: str, source: str, lines: RecordLines) -> str:
    match = re.search(r'Expected (\d+) fields in line (\d+), saw (\d+)',
                      message)
    if match:
        expected, unit, saw = map(int, match.groups())
        return (f"{source}, line {lines.unit(unit - 1) or unit}: expected "
                f"{expected} fields, saw {saw}; quote fields that contain "
                f"commas")
    match = re.search(r'EOF inside string starting at row (\d+)', message)
    if match:
        line = lines.unit(int(match[1]))
        where = f', line {line}' if line else ''
        return (f"{source}{where}: a quoted field is never closed "
                f"(unbalanced quote)")
    return f"{source} is not valid CSV: {message}"


def _row(df: pd.DataFrame, pos: int) -> str:
    # CSV files report the line too, tables the index label.
    lines = df.attrs.get('lines')
    line = lines.record(pos + 1) if lines is not None else None
    if line is not None:
        return f'row {pos} (line {line})'
    if df.attrs.get('is_file'):
        return f'row {pos}'
    return f'row {df.index[pos]!r}'


def _error(df: pd.DataFrame, column: str, pos: int, what: str) -> TableError:
    return TableError(f"{df.attrs['source']}, column '{column}', "
                      f"{_row(df, pos)}: {what}")


def _show(value) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + '...'


def check_columns(df: pd.DataFrame,
                  columns: Union[Sequence[str], Dict[str, str]]) -> None:
    r"""Raises :class:`TableError` naming the table and the columns of
    :obj:`columns` that :obj:`df` lacks or has more than once. If
    :obj:`columns` maps each column to the argument that names it, the
    error says which argument to set."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        hint = ''
        if isinstance(columns, dict):
            args = ', '.join(dict.fromkeys(columns[c] for c in missing))
            them = 'it' if len(missing) == 1 else 'them'
            hint = f'; name {them} with {args}'
        raise TableError(f"{df.attrs['source']} is missing column(s) "
                         f"{missing} (has {list(df.columns)}){hint}")
    repeated = [c for c in columns if (df.columns == c).sum() > 1]
    if repeated:
        raise TableError(f"{df.attrs['source']} has more than one column "
                         f"named {repeated[0]!r}")


def _is_missing(value) -> bool:
    return (value is None or value is pd.NA or value is pd.NaT
            or (isinstance(value, (float, np.floating))
                and math.isnan(value)))


def _id(value) -> str:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError('empty id')
        return value
    if _is_missing(value):
        raise ValueError('empty id')
    if isinstance(value, (int, np.integer)) and not isinstance(
            value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value) or not float(value).is_integer():
            raise ValueError(f'non-integral numeric id {value!r}; ids must '
                             f'be text or whole numbers')
        return str(int(value))
    raise ValueError(f'expected a text or integer id, got '
                     f'{type(value).__name__} {value!r}')


def _text(value) -> str:
    # Empty or missing text is allowed (resume completion fills it in);
    # anything that is not text is an error rather than a silent str().
    if _is_missing(value):
        return ''
    if not isinstance(value, str):
        raise ValueError(f'expected text, got {type(value).__name__} '
                         f'{value!r}')
    return value.strip()


def _attr(value) -> str:
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        return _id(value) if float(value).is_integer() else repr(
            float(value))
    if isinstance(value, (int, np.integer)) and not isinstance(
            value, (bool, np.bool_)):
        return _id(value)
    try:
        return _text(value)
    except ValueError:
        raise ValueError(f'expected text or a finite number, got '
                         f'{type(value).__name__} {value!r}') from None


def _column(df: pd.DataFrame, column: str,
            convert: Callable[[object], str]) -> List[str]:
    out = []
    for pos, value in enumerate(df[column].tolist()):
        try:
            out.append(convert(value))
        except ValueError as e:
            raise _error(df, column, pos, str(e)) from None
    return out


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _epoch_seconds(times: pd.Series) -> np.ndarray:
    # Any unit and time zone to float seconds since the epoch, NaN for NaT.
    stamps = times.dt.tz_convert(None).to_numpy('datetime64[s]')
    seconds = stamps.astype('int64').astype('float64')
    seconds[np.isnat(stamps)] = np.nan
    return seconds


def _missing_time(value) -> bool:
    return _is_missing(value) or (isinstance(value, str)
                                  and not value.strip())


def _number(value) -> Optional[float]:
    # Numbers and numeric text are seconds; None for anything else.
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating, str)):
        try:
            return float(value)
        except OverflowError:
            return math.inf
        except ValueError:
            return None
    return None


def _day_first(df: pd.DataFrame, column: str, texts: Dict[int, str]) -> bool:
    # Whether the column's d/m/y dates put the day first: decided by the
    # rows whose day is over 12; an error if rows disagree or none tells.
    first: Dict[str, int] = {}
    for pos, text in texts.items():
        match = NUMERIC_DATE.match(text)
        if match:
            a, b = int(match[1]), int(match[2])
            kind = ('day' if a > 12 else 'month' if b > 12 else
                    'either' if a != b and a > 0 and b > 0 else None)
            if kind is not None:
                first.setdefault(kind, pos)
    if 'day' in first and 'month' in first:
        pos, other = max(first['day'], first['month']), min(
            first['day'], first['month'])
        order = 'day' if pos == first['day'] else 'month'
        raise _error(
            df, column, pos, f'date {texts[pos]!r} puts the {order} first '
            f'but {_row(df, other)} ({texts[other]!r}) does not; write '
            f'ISO dates (YYYY-MM-DD)')
    if 'either' in first and not ('day' in first or 'month' in first):
        pos = first['either']
        raise _error(
            df, column, pos, f'ambiguous date {texts[pos]!r}: day and month '
            f'could be either way round and no row has a day over 12; '
            f'write ISO dates (YYYY-MM-DD)')
    return 'day' in first


def _date_text_seconds(text: str, day_first: bool) -> float:
    # Seconds of date text in any format dateutil reads; a ValueError says
    # why the text is not a time.
    try:
        with warnings.catch_warnings():
            # dateutil ignores a time zone name it does not know.
            warnings.simplefilter('error', UnknownTimezoneWarning)
            # A part the text lacks is filled from the default: parsed
            # against a second default, a missing year, month or day shows.
            stamp = parse_date(text, default=FILL_ONE, dayfirst=day_first)
            missing = []
            if 1 in (stamp.year, stamp.month, stamp.day):
                other = parse_date(text, default=FILL_TWO,
                                   dayfirst=day_first)
                missing = [part for part in ('year', 'month', 'day')
                           if getattr(stamp, part) != getattr(other, part)]
    except UnknownTimezoneWarning:
        raise ValueError(f'unknown time zone in {_show(text)}; write an '
                         f'offset such as +01:00') from None
    except (ValueError, OverflowError):
        raise ValueError(f'cannot parse timestamp {_show(text)}') from None
    if len(missing) == 3:
        raise ValueError(f'{_show(text)} is a time of day without a date')
    if missing:
        raise ValueError(f'date {_show(text)} has no '
                         f'{" and no ".join(missing)}; write the full date '
                         f'(YYYY-MM-DD)')
    if stamp.tzinfo is None:  # Naive times are UTC.
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return stamp.timestamp()


def _parse_dates(df: pd.DataFrame, column: str, candidates: Dict[int, object]
                 ) -> Tuple[np.ndarray, Dict[int, str]]:
    # The seconds of the date values (row -> value) and, for each row that
    # holds no time, why.
    texts = {p: v for p, v in candidates.items() if isinstance(v, str)}
    day_first = _day_first(df, column, texts)
    values = pd.Series(list(candidates.values()), dtype=object)
    # ISO 8601 first (fast), then any format dateutil reads; pandas' ISO
    # parser also takes "now" and "2019-05", left to the second look.
    seconds = _epoch_seconds(pd.to_datetime(values, utc=True,
                                            format='ISO8601', errors='coerce'))
    is_text = np.array([isinstance(v, str) for v in values], dtype=bool)
    full = np.array([bool(t) and FULL_ISO_DATE.match(v) is not None
                     for t, v in zip(is_text, values)], dtype=bool)
    problems: Dict[int, str] = {}
    parsed: Dict[str, Union[float, ValueError]] = {}
    rows = list(candidates)
    for i in np.flatnonzero(np.isnan(seconds) | (is_text & ~full)):
        value = values.iloc[i]
        if not is_text[i]:
            problems[rows[i]] = f'cannot parse timestamp {_show(value)}'
            continue
        if value not in parsed:
            try:
                parsed[value] = _date_text_seconds(value, day_first)
            except ValueError as e:
                parsed[value] = e
        if isinstance(parsed[value], ValueError):
            problems[rows[i]] = str(parsed[value])
            seconds[i] = math.nan
        else:
            seconds[i] = parsed[value]
    return seconds, problems


def _number_times(seconds: np.ndarray, numbers: np.ndarray) -> Optional[int]:
    # Whole numbers are seconds since the epoch, unless they all look like
    # compact dates (YYYYMMDD, read as such in place; as seconds they
    # would all fall in Aug-Sep 1970) or like bare years (1900-2199, not
    # a time; as seconds, the first 37 minutes of 1970): the row of the
    # first year is returned.
    positions = np.flatnonzero(numbers & np.isfinite(seconds))
    values = seconds[positions]
    if values.size == 0 or (values != np.floor(values)).any():
        return None
    if ((values >= 1900) & (values < 2200)).all():
        return int(positions[0])
    if ((values >= 19000101) & (values < 22000000)).all():
        whole = values.astype('int64')
        stamps = pd.to_datetime(pd.DataFrame({
            'year': whole // 10000, 'month': whole // 100 % 100,
            'day': whole % 100}), errors='coerce', utc=True)
        if stamps.notna().all():
            seconds[positions] = _epoch_seconds(stamps)
    return None


def parse_times(df: pd.DataFrame, column: str) -> Tensor:
    r"""Parses a time column into int64 seconds since the epoch (UTC),
    whatever its type: :obj:`datetime64` of any unit (naive times are
    UTC, others are converted), pyarrow timestamps, numbers (taken as
    seconds, fractions floored), numeric text, and date text (ISO 8601,
    or any format :mod:`dateutil` reads, with a year, a month and a day;
    :obj:`d/m/y` dates put the day first when a row's first field is over
    12, month first when a second field is).

    Two kinds of whole numbers are not seconds: a column whose numbers are
    all compact dates :obj:`YYYYMMDD` (e.g. :obj:`20200101`, from 1900 to
    2199) reads them as those dates (as seconds they would all fall in
    August or September 1970), and one whose numbers all look like years
    (1900 to 2199, e.g. :obj:`2019`) is an error: a year is not a time.

    Raises :class:`TableError` naming the row of the first missing,
    unparseable, non-finite or out-of-range time (before 1900 or from 2200
    on), of a time of day without a date (e.g. :obj:`10:00`, which pandas
    would give today's date), a date without a year, month or day
    (:obj:`"March 2014"`, :obj:`"2019-05"`), a bare year, :obj:`"now"`,
    an unknown time zone name and an ambiguous :obj:`d/m/y` date (e.g.
    :obj:`01/02/2014` when no row tells the order)."""
    values = df[column]
    kind = values.dtype.kind
    problems: Dict[int, str] = {}
    if kind == 'M':
        seconds = _epoch_seconds(pd.to_datetime(values, utc=True))
        numbers = np.zeros(len(values), dtype=bool)
    elif kind in 'iuf':
        seconds = values.to_numpy('float64', na_value=np.nan)
        numbers = ~np.isnan(seconds)
    else:
        objects = values.astype(object).tolist()
        parsed = [_number(v) for v in objects]
        numbers = np.array([n is not None for n in parsed], dtype=bool)
        seconds = np.array([math.nan if n is None else n for n in parsed])
        dates: Dict[int, object] = {}
        for pos, (value, number) in enumerate(zip(objects, parsed)):
            if number is not None or _missing_time(value):
                continue
            if isinstance(value, (str, datetime.date, np.datetime64)):
                dates[pos] = value.strip() if isinstance(value,
                                                         str) else value
            else:
                problems[pos] = f'cannot parse timestamp {_show(value)}'
        if dates:
            positions = np.fromiter(dates, dtype='int64', count=len(dates))
            seconds[positions], date_problems = _parse_dates(df, column,
                                                             dates)
            problems.update(date_problems)
    year = _number_times(seconds, numbers)
    if year is not None:
        problems[year] = (f'{_show(values.iloc[year])} is a bare year, not '
                          f'a time; write a date (e.g. 2019-01-01) or '
                          f'seconds since 1970-01-01')
    missing = values.isna().to_numpy(dtype=bool)
    if kind not in 'Miuf':
        missing = missing | np.array([_missing_time(v) for v in objects],
                                     dtype=bool)
    unparsed = np.zeros(len(values), dtype=bool)
    unparsed[list(problems)] = True
    finite = np.isfinite(seconds)
    checks = [
        (missing, lambda v: 'missing time'),
        (~finite & ~missing & ~unparsed,
         lambda v: f'non-finite time {_show(v)}'),
        (finite & ~unparsed & ((seconds < MIN_TIME) | (seconds >= MAX_TIME)),
         lambda v: f'time {_show(v)} is out of range: times must lie in '
         f'[1900-01-01, 2200-01-01) UTC (numbers are seconds since '
         f'1970-01-01)'),
    ]
    bad = [(_first(mask), describe(values.iloc[_first(mask)]))
           for mask, describe in checks if mask.any()]
    if problems:
        bad.append(min(problems.items()))
    if bad:
        pos, what = min(bad, key=lambda b: b[0])
        raise _error(df, column, pos, what)
    return torch.from_numpy(np.floor(seconds).astype('int64'))


def _is_time_like(column, values: pd.Series) -> bool:
    if values.dtype.kind == 'M':
        return True
    name = re.sub(r'([a-z])([A-Z])', r'\1_\2', str(column)).lower()
    return any(word in TIME_WORDS or word.endswith(('time', 'date'))
               for word in re.split(r'[^a-z0-9]+', name))


def _check_names(user_type: str, item_type: str, relation: str,
                 attr_columns: Sequence[str]) -> None:
    for arg, name in (('user_type', user_type), ('item_type', item_type),
                      ('relation', relation)):
        if not isinstance(name, str) or not name or '__' in name:
            raise UsageError(f"'{arg}' must be a non-empty name without "
                             f"'__' (got {name!r})")
    if user_type == item_type:
        raise UsageError(f"'user_type' and 'item_type' must differ (both "
                         f"are {user_type!r})")
    if relation.startswith(REV_PREFIX):
        raise UsageError(f"'relation' must not start with {REV_PREFIX!r}, "
                         f"the prefix of reverse edge types (got "
                         f"{relation!r})")
    for column in attr_columns:
        if not column.isidentifier() or keyword.iskeyword(column):
            raise UsageError(f"Attribute column {column!r} must be a valid "
                             f"Python identifier to become a node attribute")
        if (column in RESERVED_ATTRS or column.startswith(RESERVED_PREFIXES)
                or hasattr(NodeStorage, column)):
            raise UsageError(f"Attribute column {column!r} clashes with a "
                             f"reserved node attribute; rename the column")


def _column_name(arg: str, value, optional: bool = False) -> Optional[str]:
    if (value is None and optional) or (isinstance(value, str) and value):
        return value
    raise UsageError(f"'{arg}' must be a column name (got {_show(value)})")


def _id_column(arg: str, value, shorthand_arg: str, shorthand) -> str:
    # A table's own id column argument, else the shorthand for two tables.
    if value is None:
        arg, value = shorthand_arg, shorthand
    return _column_name(arg, value)


def _column_names(arg: str, value) -> List[str]:
    # One column name, or any list of them.
    if isinstance(value, str):
        value = [value]
    try:
        names = list(value)
    except TypeError:
        names = [value]
    for name in names:
        if not isinstance(name, str) or not name:
            raise UsageError(f"'{arg}' must be a column name or a list of "
                             f"column names (got {_show(value)})")
    return names


def _add_nodes(data: HeteroData, node_type: str, df: pd.DataFrame,
               id_column: str, text_column: str, title_column: Optional[str],
               attr_columns: Sequence[str]) -> Dict[str, int]:
    ids = _column(df, id_column, _id)
    index: Dict[str, int] = {}
    for pos, node_id in enumerate(ids):
        if index.setdefault(node_id, pos) != pos:
            raise _error(df, id_column, pos, f'duplicate id {node_id!r} '
                         f'(first in {_row(df, index[node_id])})')
    store = data[node_type]
    store.node_id = ids
    store.text = _column(df, text_column, _text)
    if title_column is not None:
        store.title = _column(df, title_column, _text)
    for column in attr_columns:
        store[column] = _column(df, column, _attr)
    store.num_nodes = len(ids)
    return index


def _map_ids(df: pd.DataFrame, column: str, index: Dict[str, int],
             kind: str, nodes: pd.DataFrame, key: str) -> Tensor:
    ids = _column(df, column, _id)
    mapped = [index.get(i, -1) for i in ids]
    unknown = np.array(mapped) < 0
    if unknown.any():
        pos = _first(unknown)
        raise _error(df, column, pos, f'unknown {kind} id {ids[pos]!r}: '
                     f'not in column {key!r} of {nodes.attrs["source"]} '
                     f'({int(unknown.sum())} rows name unknown {kind}s)')
    return torch.tensor(mapped, dtype=torch.long)


def _optional_column(df: pd.DataFrame, arg: str, column: Optional[str],
                     default: str) -> Optional[str]:
    # The default time and title columns may be absent; a column named
    # otherwise must be there.
    if column is None or column in df.columns:
        return column
    if column != default:
        raise TableError(f"{df.attrs['source']} has no column {column!r} "
                         f"(has {list(df.columns)}), which '{arg}' names")
    return None


def from_tables(
    users: Table,
    items: Table,
    interactions: Table,
    time_column: Optional[str] = 'time',
    *,
    user_id_column: str = 'user_id',
    item_id_column: str = 'item_id',
    users_id_column: Optional[str] = None,
    items_id_column: Optional[str] = None,
    interactions_user_column: Optional[str] = None,
    interactions_item_column: Optional[str] = None,
    user_text_column: str = 'text',
    item_text_column: str = 'text',
    item_title_column: Optional[str] = 'title',
    user_type: str = 'user',
    item_type: str = 'item',
    relation: str = 'interacts',
    user_attr_columns: Union[str, Sequence[str]] = (),
    item_attr_columns: Union[str, Sequence[str]] = (),
) -> HeteroData:
    r"""Builds the LGIR bipartite graph from three tables of any domain.

    Each table is a :class:`pandas.DataFrame` or a path to a CSV (UTF-8,
    optionally gzip-compressed) or Parquet file (see :func:`read_table`):

    * :obj:`users`: the id column :obj:`users_id_column` and
      :obj:`user_text_column` (the self-description).
    * :obj:`items`: the id column :obj:`items_id_column`,
      :obj:`item_text_column` (the item description) and, if present,
      :obj:`item_title_column` (kept for display).
    * :obj:`interactions`: the user column :obj:`interactions_user_column`,
      the item column :obj:`interactions_item_column` and optionally the
      time column :obj:`time_column`, parsed by :func:`parse_times` into
      int64 seconds since the epoch (UTC).

    Each table names its id columns as it likes, e.g. a users table keyed
    :obj:`id` with interactions whose user column is :obj:`user_id`
    (:obj:`users_id_column="id"`). :obj:`user_id_column` is short for the
    user id column of both :obj:`users` and :obj:`interactions`, and
    :obj:`item_id_column` for the item id column of :obj:`items` and
    :obj:`interactions`; a table's own argument wins.

    The default time column :obj:`"time"` and title column
    :obj:`"title"` may be absent (untimed interactions, with a warning
    when another column looks like a time, e.g. :obj:`timestamp`; items
    without titles); a column named otherwise must be there. Other columns
    are ignored, except those named in :obj:`user_attr_columns` /
    :obj:`item_attr_columns`, kept as node attributes of that name (lists
    of :obj:`str`; numbers are written as text, whole numbers without a
    decimal point).

    Handling, documented rather than silent: ids are text (stripped) or
    whole numbers (:obj:`1.0` becomes :obj:`"1"`); empty or missing text
    becomes :obj:`""`; duplicate (user, item) pairs are merged into one edge
    with the earliest time (their number is logged and stored as
    :obj:`num_merged_duplicates`). A :class:`TableError` naming the table,
    column and first offending row (and line, for CSV files) is raised for
    missing or repeated columns, empty, non-integral or duplicate ids,
    interactions that name unknown users or items, missing, unparseable,
    partial (a time of day, a bare year), non-finite, out-of-range (before
    1900 or from 2200 on) or ambiguous day/month times, non-text values,
    malformed files (a CSV row with too many fields, a header row or
    byte-order mark in the middle, as where two files were joined) and an
    empty interaction table; a bad argument raises
    :class:`~lgir_pyg.errors.UsageError` naming it, before any table is
    read.

    Args:
        users (pandas.DataFrame or str): The users table.
        items (pandas.DataFrame or str): The items table.
        interactions (pandas.DataFrame or str): The interactions table.
        time_column (str, optional): The time column of
            :obj:`interactions`; :obj:`None` for untimed interactions.
            (default: :obj:`"time"`)
        user_id_column (str, optional): The user id column of
            :obj:`users` and :obj:`interactions`.
            (default: :obj:`"user_id"`)
        item_id_column (str, optional): The item id column of :obj:`items`
            and :obj:`interactions`. (default: :obj:`"item_id"`)
        users_id_column (str, optional): The id column of :obj:`users`.
            (default: :obj:`user_id_column`)
        items_id_column (str, optional): The id column of :obj:`items`.
            (default: :obj:`item_id_column`)
        interactions_user_column (str, optional): The user id column of
            :obj:`interactions`. (default: :obj:`user_id_column`)
        interactions_item_column (str, optional): The item id column of
            :obj:`interactions`. (default: :obj:`item_id_column`)
        user_text_column (str, optional): The text column of :obj:`users`.
            (default: :obj:`"text"`)
        item_text_column (str, optional): The text column of :obj:`items`.
            (default: :obj:`"text"`)
        item_title_column (str, optional): The title column of
            :obj:`items`. (default: :obj:`"title"`)
        user_type (str, optional): The user node type.
            (default: :obj:`"user"`)
        item_type (str, optional): The item node type.
            (default: :obj:`"item"`)
        relation (str, optional): The interaction relation.
            (default: :obj:`"interacts"`)
        user_attr_columns (str or List[str], optional): Columns of
            :obj:`users` kept as user attributes. (default: :obj:`()`)
        item_attr_columns (str or List[str], optional): Columns of
            :obj:`items` kept as item attributes. (default: :obj:`()`)

    Returns a :class:`~torch_geometric.data.HeteroData` with
    :obj:`user_type` and :obj:`item_type` nodes (:obj:`num_nodes`, and
    :obj:`node_id`, raw :obj:`text` and :obj:`title` lists) and all
    interactions in :obj:`(user_type, relation, item_type).edge_index`
    (with :obj:`time` if timed) plus the reverse edge type
    :obj:`(item_type, "rev_" + relation, user_type)`. Apply
    :class:`lgir_pyg.transforms.PerUserSplit` to hold out evaluation edges.
    """
    users_key = _id_column('users_id_column', users_id_column,
                           'user_id_column', user_id_column)
    items_key = _id_column('items_id_column', items_id_column,
                           'item_id_column', item_id_column)
    inter_user = _id_column('interactions_user_column',
                            interactions_user_column, 'user_id_column',
                            user_id_column)
    inter_item = _id_column('interactions_item_column',
                            interactions_item_column, 'item_id_column',
                            item_id_column)
    _column_name('user_text_column', user_text_column)
    _column_name('item_text_column', item_text_column)
    _column_name('item_title_column', item_title_column, optional=True)
    _column_name('time_column', time_column, optional=True)
    user_attrs = _column_names('user_attr_columns', user_attr_columns)
    item_attrs = _column_names('item_attr_columns', item_attr_columns)
    _check_names(user_type, item_type, relation, user_attrs + item_attrs)

    users = read_table(users, 'users')
    items = read_table(items, 'items')
    inter = read_table(interactions, 'interactions')
    check_columns(users, {users_key: 'users_id_column',
                          user_text_column: 'user_text_column',
                          **dict.fromkeys(user_attrs, 'user_attr_columns')})
    check_columns(items, {items_key: 'items_id_column',
                          item_text_column: 'item_text_column',
                          **dict.fromkeys(item_attrs, 'item_attr_columns')})
    check_columns(inter, {inter_user: 'interactions_user_column',
                          inter_item: 'interactions_item_column'})
    title_column = _optional_column(items, 'item_title_column',
                                    item_title_column, 'title')
    if title_column is not None:
        check_columns(items, [title_column])
    given_time = time_column
    time_column = _optional_column(inter, 'time_column', time_column, 'time')
    if time_column is not None:
        check_columns(inter, [time_column])
    elif given_time is not None:
        hints = [c for c, values in inter.items()
                 if c not in (inter_user, inter_item)
                 and _is_time_like(c, values)]
        if hints:
            logger.warning(f"{inter.attrs['source']} has no time column "
                           f"{given_time!r} but has {hints[0]!r}; pass "
                           f"time_column={hints[0]!r} to use it (the "
                           f"interactions are untimed)")
    if len(inter) == 0:
        raise TableError(f"{inter.attrs['source']} has no rows: a graph "
                         f"needs at least one interaction")

    data = HeteroData()
    user_index = _add_nodes(data, user_type, users, users_key,
                            user_text_column, None, user_attrs)
    item_index = _add_nodes(data, item_type, items, items_key,
                            item_text_column, title_column, item_attrs)
    user = _map_ids(inter, inter_user, user_index, user_type, users,
                    users_key)
    item = _map_ids(inter, inter_item, item_index, item_type, items,
                    items_key)
    time = parse_times(inter, time_column) if time_column else None

    # Merge duplicate pairs, keeping the earliest time.
    key = user * len(item_index) + item
    if time is not None:
        order = torch.argsort(time, stable=True)
        key, user, item, time = (key[order], user[order], item[order],
                                 time[order])
    uniq, inverse = torch.unique(key, return_inverse=True)
    first = torch.full((uniq.numel(), ), key.numel(), dtype=torch.long)
    first.scatter_reduce_(0, inverse, torch.arange(key.numel()), 'amin')
    first = first.sort().values
    num_merged = key.numel() - first.numel()
    if num_merged > 0:
        logger.warning(f"{inter.attrs['source']}: merged {num_merged} "
                       f"duplicate ({inter_user}, {inter_item}) rows into "
                       f"one edge each (earliest time kept)")

    edge_type = (user_type, relation, item_type)
    store = data[edge_type]
    store.edge_index = torch.stack([user[first], item[first]])
    if time is not None:
        store.time = time[first]
    store.num_merged_duplicates = num_merged
    data[reverse_edge_type(edge_type)].edge_index = store.edge_index.flip(0)
    return data
