from lgir_pyg.training.sampler import BPRSampler
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
from lgir_pyg.training.trainer import (
    Trainer,
    load_checkpoint,
    save_checkpoint,
)
from lgir_pyg.training.experiment import (
    prepare_model,
    run_experiment,
    text_inputs,
    user_texts,
)

__all__ = [
    'BPRSampler',
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
    'prepare_model',
    'run_experiment',
    'user_texts',
    'text_inputs',
]
