import gzip
import json
import os.path as osp
from typing import Dict, Iterable, List, Optional

from torch_geometric.data import HeteroData

from lgir_pyg.datasets.kaggle_job_views import SHIPPED_DIR


def _open(path: str, mode: str):
    if path.endswith('.gz'):
        return gzip.open(path, mode + 't', encoding='utf-8')
    return open(path, mode, encoding='utf-8')


def write_resumes(path: str, records: Iterable[Dict]) -> int:
    r"""Writes resume records (:obj:`{"user", "mode", "prompt", "resume",
    ...}`) as JSON lines, gzip-compressed if :obj:`path` ends in
    :obj:`.gz`. Returns the number written."""
    count = 0
    # mtime=0 keeps the gzip bytes reproducible.
    if path.endswith('.gz'):
        f = gzip.GzipFile(path, 'wb', mtime=0)
        write = lambda line: f.write(line.encode('utf-8'))  # noqa: E731
    else:
        f = open(path, 'w', encoding='utf-8')
        write = f.write
    with f:
        for record in records:
            write(json.dumps(record, ensure_ascii=False) + '\n')
            count += 1
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
                raise ValueError(f"'{path}', line {line_no}: not a resume "
                                 f"record with 'user' and 'resume' ({e})")
            records.append(record)
    return records


def shipped_resumes_path(mode: str) -> str:
    return osp.join(SHIPPED_DIR, f'resumes_{mode}.jsonl.gz')


def load_resumes(data: HeteroData, mode: str = 'irc',
                 path: Optional[str] = None) -> List[str]:
    r"""Resumes aligned with :obj:`data['user']`, read from a file written
    by :obj:`lgir complete --output` (default: the resumes shipped for
    KaggleJobViews). A user without a record is an error, not a gap."""
    path = path or shipped_resumes_path(mode)
    if not osp.exists(path):
        raise FileNotFoundError(
            f"No resumes at '{path}'; generate them with `lgir complete "
            f"--mode {mode} --output {path}`")
    by_user = {str(r['user']): r['resume'] for r in read_resumes(path)
               if r.get('mode', mode) == mode}
    missing = [u for u in data['user'].node_id if str(u) not in by_user]
    if missing:
        raise ValueError(f"'{path}' has no {mode} resume for {len(missing)} "
                         f"users (first: {missing[0]!r})")
    return [by_user[str(u)] for u in data['user'].node_id]
