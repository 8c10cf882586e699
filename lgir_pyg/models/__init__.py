r"""Recommenders bound to their training graph, one module per family, and
the registry of named models (:obj:`MODELS`).

Importing this package loads no torch: the registry is read without it
(e.g. by the command line's help), and the recommender classes are
imported on first use (:pep:`562`)."""
import importlib
from typing import Any, List

from lgir_pyg.models.registry import MODELS, ModelSpec, build_model, model_spec

# Public name -> the module that defines it, imported when it is asked for.
_LAZY = {
    'Recommender': 'base',
    'FixedEmbedding': 'base',
    'GraphRecommender': 'base',
    'PROPAGATIONS': 'base',
    'node_features': 'base',
    'text_features': 'base',
    'seen_edge_index': 'base',
    'recommend_unseen': 'base',
    'NeighborhoodSampler': 'subgraph',
    'Subgraph': 'subgraph',
    'subgraph_gcn_norm': 'subgraph',
    'popularity': 'id_recommenders',
    'LightGCNRecommender': 'id_recommenders',
    'text_cosine': 'text_recommenders',
    'item_mean': 'text_recommenders',
    'LGIRRecommender': 'lgir_recommender',
    'register_shot_groups': 'lgir_recommender',
    'HybridRecommender': 'hybrid_recommender',
}

__all__ = ['MODELS', 'ModelSpec', 'model_spec', 'build_model', *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f'{__name__}.{_LAZY[name]}')
        return getattr(module, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
