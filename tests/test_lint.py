import os.path as osp
import shutil
import subprocess

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.mark.skipif(shutil.which('ruff') is None and not osp.exists(
    osp.join(ROOT, '.venv', 'bin', 'ruff')), reason='ruff not installed')
def test_ruff_check():
    ruff = shutil.which('ruff') or osp.join(ROOT, '.venv', 'bin', 'ruff')
    proc = subprocess.run([ruff, 'check', '.'], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
