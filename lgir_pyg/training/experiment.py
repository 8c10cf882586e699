from typing import Any, Dict, Optional, Tuple

import torch
from torch_geometric.data import HeteroData

from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import Recommender, build_model, model_spec
from lgir_pyg.training.trainer import Trainer


def _flat(result: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in result.items() if not isinstance(v, dict)}


def prepare_model(name: str, data: HeteroData, seed: int = 0,
                  **kwargs) -> Recommender:
    r"""Builds the registered model :obj:`name` on :obj:`data` after
    :obj:`torch.manual_seed(seed)`; :obj:`**kwargs` go to the model's
    builder. The text features a text model reads must already be on
    :obj:`data` (see :class:`lgir_pyg.transforms.EncodeText`)."""
    model_spec(name)  # An unknown name fails before seeding.
    torch.manual_seed(seed)
    return build_model(name, data, **kwargs)


def run_experiment(
    name: str,
    data: HeteroData,
    seed: int = 0,
    evaluator: Optional[Evaluator] = None,
    model_kwargs: Optional[Dict[str, Any]] = None,
    train_kwargs: Optional[Dict[str, Any]] = None,
    beyond: bool = False,
    progress: bool = False,
) -> Tuple[Recommender, Dict[str, Any]]:
    r"""Builds the registered model :obj:`name` (:func:`prepare_model`),
    trains it with :class:`Trainer` (its registered defaults, updated by
    :obj:`train_kwargs`) and evaluates it. Returns the model and
    :obj:`{"model", "seed", "valid", "test", "test_sampled",
    "test_groups", "test_warm_cold", "test_item_side",
    "test_item_side_groups", "best_epoch", "seconds_per_epoch"}` (and
    :obj:`"test_beyond"`, :obj:`"test_fairness"` with :obj:`beyond`); the
    metrics come from the full ranking unless named :obj:`"..._sampled"`,
    and :obj:`"test_item_side"` ranks users for each held-out item (the
    employer side).

    Args:
        name (str): A registered model name.
        data (HeteroData): The split graph, with the text features of text
            models.
        seed (int, optional): Seed of initialisation and training; the
            evaluator's sampled negatives do not depend on it.
            (default: :obj:`0`)
        evaluator (Evaluator, optional): The evaluator, shared by models
            that are compared. (default: :obj:`Evaluator(data)`)
        model_kwargs (dict, optional): Arguments of the model's builder.
        train_kwargs (dict, optional): Arguments of :class:`Trainer`.
        beyond (bool, optional): Also report the beyond-accuracy and
            fairness metrics of the test split (see
            :meth:`Evaluator.evaluate`). (default: :obj:`False`)
        progress (bool, optional): Show a progress bar of training (see
            :meth:`Trainer.fit`) on a terminal. (default: :obj:`False`)
    """
    model = prepare_model(name, data, seed, **(model_kwargs or {}))
    evaluator = evaluator or Evaluator(data, edge_type=model.edge_type)
    trainer = Trainer(model, data, evaluator, seed=seed,
                      **{**model_spec(name).train, **(train_kwargs or {})})
    fit = trainer.fit(progress)

    score = model.scorer()
    valid = evaluator.evaluate(score, 'val')
    test = evaluator.evaluate(score, 'test', beyond=beyond)
    item_side = evaluator.evaluate(model.scorer('item'), 'test', side='item')
    extra = ({'test_beyond': test['beyond'],
              'test_fairness': test['fairness']} if beyond else {})
    return model, {
        'model': name,
        'seed': seed,
        'valid': _flat(valid),
        'test': _flat(test),
        'test_sampled': _flat(evaluator.evaluate(score, 'test', 'sampled')),
        'test_groups': test['groups'],
        'test_warm_cold': test['warm_cold'],
        'test_item_side': _flat(item_side),
        'test_item_side_groups': item_side['groups'],
        'best_epoch': fit['best_epoch'],
        'seconds_per_epoch': fit['seconds_per_epoch'],
        **extra,
    }


#: The metrics of the summary table of :func:`format_result`, by label.
SUMMARY_METRICS = {'ndcg@5': 'NDCG@5', 'mrr': 'MRR', 'recall@20': 'Recall@20'}


def format_result(result: Dict[str, Any]) -> str:
    r"""A short table of a :func:`run_experiment` result: one row per
    split and side (validation, test, the test's sampled protocol and its
    item side, where users are ranked for each held-out item) with
    :data:`SUMMARY_METRICS` and the examples counted, then the best epoch
    and the seconds per epoch."""
    rows = [('valid', 'users ranked items (full)', result['valid']),
            ('test', 'users ranked items (full)', result['test']),
            ('test', 'held-out item vs sampled items',
             result['test_sampled']),
            ('test', 'items ranked users (full)', result['test_item_side'])]
    head = ['split', 'side', *SUMMARY_METRICS.values(), 'examples']
    cells = [[split, side] + [
        '-' if row.get(m) is None else f'{row[m]:.4f}'
        for m in SUMMARY_METRICS] + [f"{row.get('count', 0):,}"]
        for split, side, row in rows]
    widths = [max(len(str(c)) for c in column)
              for column in zip(head, *cells)]
    lines = [f"{result['model']} (seed {result['seed']})"]
    for line in [head] + cells:
        lines.append('  '.join(str(c).ljust(w) if i < 2 else
                               str(c).rjust(w)
                               for i, (c, w) in enumerate(zip(line,
                                                              widths))))
    seconds = result['seconds_per_epoch']
    lines.append(f"best epoch {result['best_epoch']}, "
                 f"{seconds:.2f} s per epoch" if seconds else
                 'no training (the model has nothing to train)')
    return '\n'.join(lines)
