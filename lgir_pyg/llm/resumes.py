import csv
import gzip
import json
import logging
from contextlib import nullcontext
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

from lgir_pyg.errors import DataError

logger = logging.getLogger(__name__)


def _open(path: str, mode: str):
    if path.endswith('.gz'):
        return gzip.open(path, mode + 't', encoding='utf-8')
    return open(path, mode, encoding='utf-8')


def write_resumes(path: str, records: Iterable[Dict]) -> int:
    r"""Writes resume records (:obj:`{"user", "mode", "prompt", "resume",
    ...}`) as JSON lines, gzip-compressed if :obj:`path` ends in
    :obj:`.gz`, each one as it comes (flushed at once), so a run that stops
    part-way leaves the records it finished; :func:`read_resumes` and
    :func:`load_resumes` read such a file too. Returns the number
    written."""
    count = 0
    with open(path, 'wb') as raw, (
            # mtime=0 keeps the gzip bytes reproducible.
            gzip.GzipFile(fileobj=raw, mode='wb', mtime=0)
            if path.endswith('.gz') else nullcontext(raw)) as f:
        for record in records:
            f.write((json.dumps(record, ensure_ascii=False) +
                     '\n').encode('utf-8'))
            f.flush()  # A gzip stream is readable up to here.
            count += 1
    return count


def _lines(path: str) -> Iterator[Tuple[int, str]]:
    # (line number, line) of a JSON-lines file; of a gzip file that ends
    # early (a run that was killed) the complete lines, with a warning.
    with _open(path, 'r') as f:
        line_no = 0
        try:
            for line_no, line in enumerate(f, 1):
                yield line_no, line
        except EOFError:
            logger.warning(f"'{path}' ends early (a stopped run?); read "
                           f"its first {line_no} lines")


def read_resumes(path: str) -> List[Dict]:
    r"""Reads resume records written by :func:`write_resumes`."""
    records = []
    for line_no, line in _lines(path):
        try:
            record = json.loads(line)
            record['user'], record['resume']
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise DataError(f"'{path}', line {line_no}: not a resume "
                            f"record with 'user' and 'resume' ({e})")
        records.append(record)
    return records


#: The keys (JSON lines) or columns (CSV) :func:`load_resumes` reads the
#: user id, the text and the mode from, the first one present of each.
USER_KEYS = ('user', 'user_id', 'id')
TEXT_KEYS = ('resume', 'text')
MODES = ('src', 'irc')


def _first(record: Dict, keys, what: str, where: str) -> str:
    key = next((k for k in keys if k in record), None)
    if key is None:
        raise DataError(f"{where}: no {what} ({' or '.join(map(repr, keys))})")
    value = record[key]
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise DataError(f"{where}: {key!r} must be text (got {value!r})")
    return str(value)


def load_resumes(path: str, mode: str = 'irc',
                 user_key: Optional[str] = None
                 ) -> Dict[str, Dict[str, str]]:
    r"""Resumes made elsewhere, by mode and user id
    (:obj:`{"irc": {"u1": "...", ...}}`), from a JSON-lines file (one
    object per line, :obj:`.gz` compressed too; :obj:`lgir complete
    --output` writes one) or a CSV file with a header (:obj:`.csv`,
    :obj:`.csv.gz`). The user id is read from the first of
    :obj:`user_key` (e.g. your users table's id column) and
    :data:`USER_KEYS` (:obj:`user`, :obj:`user_id`, :obj:`id`) present, the
    text from the first of :data:`TEXT_KEYS` (:obj:`resume`, :obj:`text`);
    an optional :obj:`mode` (:obj:`src` or :obj:`irc`) says which resumes
    a record holds, else :obj:`mode`. An empty text is a resume that says
    nothing. Raises :class:`~lgir_pyg.errors.DataError` naming the file and
    line of a record that lacks a key, has a bad mode, or repeats a user of
    its mode."""
    if mode not in MODES:
        raise DataError(f"'mode' must be one of {list(MODES)} (got {mode!r})")
    user_keys = tuple(dict.fromkeys((user_key, ) + USER_KEYS
                                    if user_key else USER_KEYS))
    out: Dict[str, Dict[str, str]] = {}
    lines: Dict[tuple, int] = {}
    for line_no, record in _records(path):
        where = f"'{path}', line {line_no}"
        user = _first(record, user_keys, 'user id', where)
        text = _first(record, TEXT_KEYS, 'text', where)
        mode_of = record.get('mode') or mode
        if mode_of not in MODES:
            raise DataError(f"{where}: 'mode' must be one of {list(MODES)} "
                            f"(got {mode_of!r})")
        if (mode_of, user) in lines:
            raise DataError(f"{where}: user {user!r} has a {mode_of} resume "
                            f"on line {lines[mode_of, user]} already")
        lines[mode_of, user] = line_no
        out.setdefault(mode_of, {})[user] = text
    return out


def _records(path: str) -> Iterable:
    # (line number, dict) of each record of a JSON-lines or CSV file.
    name = path[:-3] if path.endswith('.gz') else path
    try:
        if name.endswith('.csv'):
            with _open(path, 'r') as f:
                reader = csv.DictReader(f)
                for record in reader:
                    if None in record:  # More fields than the header.
                        raise DataError(f"'{path}', line {reader.line_num}: "
                                        f"more fields than the header "
                                        f"{reader.fieldnames}")
                    yield reader.line_num, record
            return
        for line_no, line in _lines(path):
            if not line.strip():
                continue
            try:
                record: Optional[Dict] = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(f"'{path}', line {line_no}: not JSON "
                                f"({e.msg}); expected one object per "
                                f"line, or a .csv file") from e
            if not isinstance(record, dict):
                raise DataError(f"'{path}', line {line_no}: expected a "
                                f"JSON object with a user id and a text")
            yield line_no, record
    except UnicodeDecodeError as e:
        raise DataError(f"'{path}' is not UTF-8 text ({e.reason})") from e
    except csv.Error as e:
        raise DataError(f"'{path}': {e}") from e
