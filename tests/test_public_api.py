import importlib
import pkgutil

import pytest

import lgir_pyg

SUBPACKAGES = sorted(m.name for m in pkgutil.iter_modules(
    lgir_pyg.__path__, 'lgir_pyg.') if m.ispkg)


def test_every_subpackage_is_checked():
    assert SUBPACKAGES == [
        'lgir_pyg.benchmarks', 'lgir_pyg.cli', 'lgir_pyg.datasets',
        'lgir_pyg.evaluation', 'lgir_pyg.explain', 'lgir_pyg.llm',
        'lgir_pyg.models', 'lgir_pyg.nn', 'lgir_pyg.text',
        'lgir_pyg.training', 'lgir_pyg.transforms'
    ]


@pytest.mark.parametrize('name', ['lgir_pyg'] + SUBPACKAGES)
def test_every_public_name_imports(name):
    module = importlib.import_module(name)
    names = module.__all__
    assert names and len(set(names)) == len(names)
    for public in names:
        # A package whose public names are its modules (cli, benchmarks)
        # lists them; they load on import.
        value = getattr(module, public, None) or importlib.import_module(
            f'{name}.{public}')
        assert value is not None, public


def test_flagship_layers_and_recommenders_are_exported():
    from lgir_pyg.models import HybridRecommender, LGIRRecommender
    from lgir_pyg.nn import LGIR, HybridLGIR
    assert HybridLGIR.__module__ == 'lgir_pyg.nn.hybrid_lgir'
    assert LGIR.__module__ == 'lgir_pyg.nn.lgir'
    assert HybridRecommender.__module__ == (
        'lgir_pyg.models.hybrid_recommender')
    assert LGIRRecommender.__module__ == 'lgir_pyg.models.lgir_recommender'
