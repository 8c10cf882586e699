import zipfile

import torch

import pytest

from lgir_pyg.datasets import KaggleJobViews
from lgir_pyg.datasets.stats import dataset_stats


@pytest.fixture(scope='module')
def kaggle(tmp_path_factory):
    return KaggleJobViews(str(tmp_path_factory.mktemp('kaggle')))[0]


def test_kaggle_counts(kaggle):
    stats = dataset_stats(kaggle)
    assert stats['users'] == 3448
    assert stats['items'] == 7047
    assert stats['users_with_empty_text'] == 2586
    assert stats['pairs'] == 8920
    assert stats['test_pairs'] == 1741
    assert stats['val_pairs'] == 1050
    assert stats['cold_test_pairs'] == 1344
    assert stats['users_by_train_interactions'] == {
        '1': 2732, '2': 226, '3-5': 310, '6+': 180}
    assert len(kaggle['user'].text) == 3448
    assert len(kaggle['job'].text) == 7047 and all(kaggle['job'].text)


def test_kaggle_texts(kaggle):
    user = kaggle['user'].node_id.index('10001')
    assert kaggle['user'].text[user].startswith(
        'Experience: Account Manager / Sales Administration / Quality '
        'Assurance at Barcode Resourcing')
    job = kaggle['job'].node_id.index('73666')
    # Title "Cashiers & Valets Needed! @ WallyPark" already names the
    # position and company.
    assert kaggle['job'].text[job] == ('Cashiers & Valets Needed! @ '
                                       'WallyPark, Newark, New Jersey')


def test_kaggle_bad_archive(tmp_path):
    bad = tmp_path / 'raw_csv.zip'
    with zipfile.ZipFile(bad, 'w') as archive:
        archive.writestr('Job_Views.csv', 'Applicant.ID,Job.ID\n1,2\n')
        archive.writestr('Experience.csv', 'Applicant.ID\n')
        archive.writestr('Positions_Of_Interest.csv', 'Applicant.ID\n')
    with pytest.raises(ValueError, match=r"Job_Views.csv' is missing "
                       r"column\(s\) \['Title'"):
        KaggleJobViews(str(tmp_path / 'root'), raw_path=str(bad))
    with pytest.raises(FileNotFoundError, match='raw_path'):
        KaggleJobViews(str(tmp_path / 'other'), raw_path=str(tmp_path / 'x'))


def test_kaggle_side_text_is_temporally_honest(kaggle):
    # Every user's text is built only from rows created before their first
    # held-out interaction.
    from lgir_pyg.datasets.kaggle_job_views import first_held_out_time
    cutoff = first_held_out_time(kaggle)
    store = kaggle['user', 'interacts', 'job']
    held_out = torch.cat([store.val_edge_label_index[0],
                          store.test_edge_label_index[0]]).unique()
    assert (cutoff[held_out] < torch.iinfo(torch.long).max).all()
    naive = {}
    for split in ('val', 'test'):
        index, time = (store[f'{split}_edge_label_index'],
                       store[f'{split}_time'])
        for u, t in zip(index[0].tolist(), time.tolist()):
            naive[u] = min(naive.get(u, t), t)
    assert {u: cutoff[u].item() for u in naive} == naive
    assert kaggle['user'].resume_irc[0] and kaggle['user'].resume_src[0]
    assert len(kaggle['job'].industry) == 7047


def test_user_texts_drop_rows_after_the_cutoff():
    import pandas as pd
    tables = {
        'Positions_Of_Interest.csv': pd.DataFrame({
            'Applicant.ID': ['1', '1', '2'],
            'Position.Of.Interest': ['Cashier', 'Server', 'Nurse'],
            'Created.At': ['2014-01-01 10:00:00 UTC',
                           '2014-01-02 10:00:00 UTC', 'NA'],
        }),
        'Experience.csv': pd.DataFrame({
            'Applicant.ID': ['1', '2'],
            'Position.Name': ['Clerk', 'RN'],
            'Employer.Name': ['Safeway', 'NA'],
            'Job.Description': ['NA', 'NA'],
            'Created.At': ['2014-01-03 10:00:00 UTC',
                           '2014-01-03 10:00:00 UTC'],
        }),
    }
    # User 1's first held-out view is on 2014-01-02 at 10:00: the interest
    # created at that very second and the later experience are left out.
    cutoff = {'1': int(pd.Timestamp('2014-01-02 10:00:00', tz='UTC')
                       .timestamp())}
    texts = KaggleJobViews._user_texts(['1', '2'], tables, cutoff)
    assert texts == ['Positions of interest: Cashier.',
                     'Positions of interest: Nurse. Experience: RN.']
    # Without a cutoff every row counts.
    assert KaggleJobViews._user_texts(['1'], tables, {}) == [
        'Positions of interest: Cashier; Server. Experience: Clerk at '
        'Safeway.']
