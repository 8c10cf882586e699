r"""One evaluator for every model: the protocol (full ranking or sampled
negatives, either side), its metrics, and paired comparisons of models on
the same test examples."""
from lgir_pyg.evaluation.evaluator import Evaluator
from lgir_pyg.evaluation.metrics import DEFAULT_METRICS
from lgir_pyg.evaluation.paired import (bootstrap_interval,
                                        format_difference, paired_difference)

__all__ = [
    'Evaluator',
    'DEFAULT_METRICS',
    'bootstrap_interval',
    'format_difference',
    'paired_difference',
]
