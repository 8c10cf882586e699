r"""The house: import-linter's contracts in pyproject.toml (the layers of
lgir_pyg, no cycle between the modules of a subpackage) hold, and they
catch what they are meant to catch."""
import os
import os.path as osp
import shutil
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
LINT_IMPORTS = osp.join(osp.dirname(sys.executable), 'lint-imports')


def lint_imports(root: str) -> subprocess.CompletedProcess:
    # --no-cache: no cache folder in the repository.
    return subprocess.run([LINT_IMPORTS, '--no-cache'], cwd=root,
                          env={**os.environ, 'PYTHONPATH': root},
                          capture_output=True, text=True)


def test_import_contracts_are_kept():
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'Contracts: 2 kept, 0 broken.' in proc.stdout


def test_import_contracts_catch_violations(tmp_path):
    shutil.copytree(osp.join(ROOT, 'lgir_pyg'), tmp_path / 'lgir_pyg',
                    ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copy(osp.join(ROOT, 'pyproject.toml'), tmp_path)
    package = tmp_path / 'lgir_pyg'
    with open(package / 'errors.py', 'a') as f:  # A layer imports upwards.
        f.write('\n\ndef _up():\n    import lgir_pyg.cli.main  # noqa\n')
    with open(package / 'models' / 'subgraph.py', 'a') as f:  # A cycle.
        f.write('\nimport lgir_pyg.models.base  # noqa\n')
    (package / 'extra.py').write_text('')  # A module of no layer.
    proc = lint_imports(str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'Contracts: 0 kept, 2 broken.' in proc.stdout
    assert ('lgir_pyg.errors is not allowed to import lgir_pyg.cli'
            in proc.stdout)
    assert '- lgir_pyg.extra' in proc.stdout
    assert 'No cycles are allowed in lgir_pyg.models.' in proc.stdout
    assert '- .subgraph -> .base (1 import)' in proc.stdout
