import gzip
import json
from typing import Dict, Iterable, List

from lgir_pyg.errors import DataError
from lgir_pyg.io import atomic_open


def _open(path: str, mode: str):
    if path.endswith('.gz'):
        return gzip.open(path, mode + 't', encoding='utf-8')
    return open(path, mode, encoding='utf-8')


def write_resumes(path: str, records: Iterable[Dict]) -> int:
    r"""Writes resume records (:obj:`{"user", "mode", "prompt", "resume",
    ...}`) as JSON lines, gzip-compressed if :obj:`path` ends in
    :obj:`.gz`, atomically (a failure leaves :obj:`path` as it was).
    Returns the number written."""
    count = 0
    with atomic_open(path, 'wb') as raw:
        # mtime=0 keeps the gzip bytes reproducible.
        f = gzip.GzipFile(fileobj=raw, mode='wb', mtime=0) \
            if path.endswith('.gz') else raw
        for record in records:
            f.write((json.dumps(record, ensure_ascii=False) +
                     '\n').encode('utf-8'))
            count += 1
        if f is not raw:
            f.close()
    return count


def read_resumes(path: str) -> List[Dict]:
    r"""Reads resume records written by :func:`write_resumes`."""
    records = []
    with _open(path, 'r') as f:
        for line_no, line in enumerate(f, 1):
            try:
                record = json.loads(line)
                record['user'], record['resume']
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise DataError(f"'{path}', line {line_no}: not a resume "
                                f"record with 'user' and 'resume' ({e})")
            records.append(record)
    return records
