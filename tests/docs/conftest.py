import csv
import io
import os.path as osp
import zipfile

import pytest

from lgir_pyg.datasets.kaggle_job_views import SHIPPED_DIR

# Enough job seekers for a split with test users (28 of the first 50 have
# two or more views), few enough to encode in seconds.
TINY_USERS = 50


def tiny_raw_archive(path: str, num_users: int = TINY_USERS) -> None:
    r"""Writes the shipped KaggleJobViews archive cut to the rows of its
    first :obj:`num_users` job seekers (by id) to :obj:`path`."""
    with zipfile.ZipFile(osp.join(SHIPPED_DIR, 'raw_csv.zip')) as src:
        tables = {
            name: list(csv.reader(io.StringIO(src.read(name).decode())))
            for name in src.namelist()
        }
    ids = sorted({row[0]
                  for row in tables['Job_Views.csv'][1:]}, key=int)
    keep = set(ids[:num_users])
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as dst:
        for name, rows in tables.items():
            out = io.StringIO()
            csv.writer(out, lineterminator='\n').writerows(
                [rows[0]] + [row for row in rows[1:] if row[0] in keep])
            dst.writestr(name, out.getvalue())


@pytest.fixture(scope='session')
def tiny_lgir_home(tmp_path_factory) -> str:
    r"""An :obj:`$LGIR_HOME` whose raw KaggleJobViews archive is
    :func:`tiny_raw_archive`'s: code written for the real dataset
    (:obj:`KaggleJobViews()`) runs on it verbatim, on a tiny graph."""
    home = tmp_path_factory.mktemp('lgir_home')
    raw = home / 'kaggle_job_views' / 'raw'
    raw.mkdir(parents=True)
    tiny_raw_archive(str(raw / 'raw_csv.zip'))
    return str(home)
