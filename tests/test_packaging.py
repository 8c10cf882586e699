import os.path as osp
import subprocess
import sys
import zipfile

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_wheel_ships_the_default_dataset(tmp_path):
    # Offline: the venv's own setuptools builds it.
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps',
                    '--no-build-isolation', '-q', '-w', str(tmp_path), ROOT],
                   check=True, capture_output=True)
    wheel, = tmp_path.glob('lgir_pyg-*.whl')
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = 'lgir_pyg/datasets/shipped/kaggle_job_views/'
    for name in ('raw_csv.zip', 'resumes_src.jsonl.gz',
                 'resumes_irc.jsonl.gz', 'README.md'):
        assert shipped + name in names
    assert 'lgir_pyg/cli/main.py' in names
    assert not any(n.startswith(('tests/', 'benchmarks/')) for n in names)
    metadata = next(n for n in names if n.endswith('METADATA'))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert 'Requires-Dist: torch-geometric>=2.7' in text
    entry = next(n for n in names if n.endswith('entry_points.txt'))
    assert 'lgir = lgir_pyg.cli.main:main' in zipfile.ZipFile(wheel).read(
        entry).decode()
