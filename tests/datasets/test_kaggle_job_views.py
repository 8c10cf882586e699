import zipfile

import pytest

from lgir_pyg.datasets import KaggleJobViews
from lgir_pyg.datasets.stats import dataset_stats


@pytest.fixture(scope='module')
def kaggle(tmp_path_factory):
    return KaggleJobViews(str(tmp_path_factory.mktemp('kaggle')))[0]


def test_kaggle_counts(kaggle):
    stats = dataset_stats(kaggle)
    assert stats['users'] == 3448
    assert stats['jobs'] == 7047
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
