r"""Training any recommender: BPR mini-batches, the loop with early stopping
on validation, data-parallel training, checkpoints, hyper-parameter
selection on validation, and one call that builds, trains and evaluates a
registered model. Hyper-parameters are selected in
:mod:`lgir_pyg.training.tune`."""
from lgir_pyg.training.sampler import BPRSampler
from lgir_pyg.training.trainer import Trainer
from lgir_pyg.training.checkpoint import (
    load_checkpoint,
    load_state,
    save_checkpoint,
)
from lgir_pyg.training.experiment import (format_result, prepare_model,
                                          run_experiment)

__all__ = [
    'BPRSampler',
    'Trainer',
    'save_checkpoint',
    'load_checkpoint',
    'load_state',
    'prepare_model',
    'run_experiment',
    'format_result',
]
