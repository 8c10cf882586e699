from lgir_pyg.training.sampler import (
    BPRSampler,
    NeighborhoodSampler,
    Subgraph,
    subgraph_gcn_norm,
)
from lgir_pyg.training.evaluator import Evaluator
from lgir_pyg.training.models import (
    MODELS,
    FixedEmbedding,
    GraphRecommender,
    LGIRRecommender,
    LightGCNRecommender,
    ModelSpec,
    Recommender,
    build_model,
    model_spec,
)
from lgir_pyg.training.trainer import Trainer
from lgir_pyg.training.checkpoint import (
    load_checkpoint,
    load_state,
    save_checkpoint,
)
from lgir_pyg.training.experiment import prepare_model, run_experiment
from lgir_pyg.training.explain import (
    Contribution,
    Explanation,
    explain,
    format_explanations,
    matching_words,
    plot_explanations,
)

__all__ = [
    'BPRSampler',
    'NeighborhoodSampler',
    'Subgraph',
    'subgraph_gcn_norm',
    'Evaluator',
    'MODELS',
    'ModelSpec',
    'Recommender',
    'FixedEmbedding',
    'GraphRecommender',
    'LightGCNRecommender',
    'LGIRRecommender',
    'build_model',
    'model_spec',
    'Trainer',
    'save_checkpoint',
    'load_checkpoint',
    'load_state',
    'prepare_model',
    'run_experiment',
    'explain',
    'Explanation',
    'Contribution',
    'matching_words',
    'format_explanations',
    'plot_explanations',
]
