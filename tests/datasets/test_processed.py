import glob
import logging
import os.path as osp
import zipfile

import pytest
import torch

from lgir_pyg.datasets import KaggleJobViews, TablesDataset
from lgir_pyg.datasets.kaggle_job_views import (EXPERIENCE_COLUMNS,
                                                INTEREST_COLUMNS,
                                                VIEW_COLUMNS)


def _damage(path: str, how: str) -> None:
    with open(path, 'rb') as f:
        content = f.read()
    damaged = {'garbage': b'not a torch file\n' * 20,
               'truncated': content[:len(content) // 2],
               'empty': b''}[how]
    with open(path, 'wb') as f:
        f.write(damaged)


def _same_graph(a, b) -> bool:
    edge_type = ('user', 'interacts', a.node_types[1])
    return (a.node_types == b.node_types
            and all(a[t].node_id == b[t].node_id for t in a.node_types)
            and torch.equal(a[edge_type].edge_index,
                            b[edge_type].edge_index)
            and torch.equal(a[edge_type].test_edge_label_index,
                            b[edge_type].test_edge_label_index))


def _rebuilt_with_one_warning(make, path, how, caplog):
    before = make()[0]
    _damage(path, how)
    with caplog.at_level(logging.WARNING):
        after = make()[0]
    # Besides what building the graph logs: the file's warning.
    warnings = [r.getMessage() for r in caplog.records
                if r.name == 'lgir_pyg.io']
    assert len(warnings) == 1 and '\n' not in warnings[0], warnings
    assert warnings[0].startswith(f"'{path}' is unreadable (")
    assert f"moved it to '{path}.corrupt-" in warnings[0]
    assert len(glob.glob(f'{path}.corrupt-*')) == 1
    assert _same_graph(before, after)
    # Rebuilt for good: the next load reads it, quietly.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert _same_graph(make()[0], before)
    assert not caplog.records
    return warnings[0]


@pytest.fixture
def table_files(tables, tmp_path):
    paths = []
    for name, table in zip(('users', 'jobs', 'inter'), tables):
        paths.append(str(tmp_path / f'{name}.csv'))
        table.to_csv(paths[-1], index=False)
    return paths


@pytest.mark.parametrize('how', ['garbage', 'truncated', 'empty'])
@pytest.mark.parametrize('file', ['data', 'pre_transform.pt'])
def test_tables_dataset_rebuilds_unreadable_files(table_files, tmp_path,
                                                  caplog, how, file):
    root = str(tmp_path / 'root')

    def make():
        return TablesDataset(root, *table_files, table_kwargs=dict(
            item_id_column='job_id'))

    dataset = make()
    path = dataset.processed_paths[0] if file == 'data' else osp.join(
        dataset.processed_dir, file)
    _rebuilt_with_one_warning(make, path, how, caplog)


def test_not_a_dataset_file(table_files, tmp_path, caplog):
    # A readable torch file of something else is as unusable.
    root = str(tmp_path / 'root')
    dataset = TablesDataset(root, *table_files,
                            table_kwargs=dict(item_id_column='job_id'))
    torch.save({'a': 1}, dataset.processed_paths[0])
    with caplog.at_level(logging.WARNING):
        data = TablesDataset(root, *table_files, table_kwargs=dict(
            item_id_column='job_id'))[0]
    assert 'is unreadable' in caplog.text
    assert data['item'].num_nodes == 5


@pytest.fixture
def tiny_archive(tmp_path):
    # The Kaggle archive's three files with two users and three jobs.
    def csv(columns, rows):
        return '\n'.join([','.join(columns)] + [','.join(r) for r in rows])

    view = ['Title', 'Position', 'Company', 'City', 'State.Name', 'Retail']
    path = tmp_path / 'raw_csv.zip'
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('Job_Views.csv', csv(VIEW_COLUMNS, [
            ['1', '10', *view, '2014-01-01 10:00:00 UTC'],
            ['1', '11', *view, '2014-01-02 10:00:00 UTC'],
            ['1', '12', *view, '2014-01-03 10:00:00 UTC'],
            ['2', '11', *view, '2014-01-04 10:00:00 UTC'],
        ]))
        archive.writestr('Experience.csv', csv(EXPERIENCE_COLUMNS, [
            ['1', 'Clerk', 'Safeway', 'NA', '2013-01-01 10:00:00 UTC']]))
        archive.writestr('Positions_Of_Interest.csv', csv(
            INTEREST_COLUMNS, [['2', 'Cashier', 'NA']]))
    return str(path)


@pytest.mark.parametrize('how', ['garbage', 'truncated', 'empty'])
def test_kaggle_rebuilds_unreadable_files(tiny_archive, tmp_path, caplog,
                                          how):
    root = str(tmp_path / 'root')

    def make():
        return KaggleJobViews(root, raw_path=tiny_archive, resumes=())

    dataset = make()
    assert dataset[0]['user'].text == ['Experience: Clerk at Safeway.',
                                       'Positions of interest: Cashier.']
    _rebuilt_with_one_warning(make, dataset.processed_paths[0], how, caplog)
