r"""Hyper-parameter selection on the validation split only: a small
documented search space per kind of model, searched exhaustively or by a
seeded random subset, each trial trained with early stopping and scored by
its best validation metric. The test split is never evaluated."""
import copy
import itertools
import logging
import random
import statistics
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from torch_geometric.data import HeteroData

from lgir_pyg.errors import UsageError
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import (HybridRecommender, LGIRRecommender,
                             LightGCNRecommender, model_spec)
from lgir_pyg.training.experiment import prepare_model
from lgir_pyg.training.trainer import Trainer

logger = logging.getLogger(__name__)

Space = Dict[str, List[Any]]

#: The search space of each builder, as dotted config keys (see
#: :func:`lgir_pyg.config.load_config`) and their candidate values. Keys a
#: registered model fixes (e.g. :obj:`num_layers=0` of BPR-MF) and GAN keys
#: of models without a GAN are left out by :func:`search_space`.
SEARCH_SPACES: Dict[type, Space] = {
    LightGCNRecommender: {
        'train.lr': [1e-3, 3e-3, 1e-2],
        'model_kwargs.embedding_dim': [32, 64, 128],
        'model_kwargs.num_layers': [1, 2, 3],
        'model_kwargs.lambda_reg': [1e-5, 1e-4, 1e-3],
    },
    LGIRRecommender: {
        'train.lr': [3e-5, 1e-4, 3e-4],
        'model_kwargs.num_layers': [1, 2],
        'train.lambda_gan': [0.01, 0.1, 1.0],
    },
    HybridRecommender: {
        'train.lr': [3e-5, 1e-4],
        'model_kwargs.id_lr_scale': [30.0, 100.0],
        'model_kwargs.id_layers': [0, 1, 3],
        'model_kwargs.gan_at': ['input', 'output'],
        'train.lambda_gan': [0.01, 0.1, 1.0],
    },
}
GAN_KEYS = ('train.lambda_gan', 'model_kwargs.gan_at')


@dataclass
class TuneResult:
    r"""The outcome of :func:`tune`: the chosen
    :class:`~lgir_pyg.config.RunConfig` (:attr:`config`), the search space
    and every trial's values with its validation metric per seed and their
    mean, in the order they ran (the defaults first)."""
    config: Any
    monitor: str
    space: Space
    trials: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def best(self) -> Dict[str, Any]:
        r"""The chosen trial (the first of the best mean)."""
        return max(self.trials, key=lambda t: t['mean'])

    def format(self) -> str:
        r"""A markdown table of the trials, best marked."""
        keys = list(self.space)
        lines = [f"| {' | '.join(keys)} | val {self.monitor} (mean) | "
                 f"per seed |", '|' + '---|' * (len(keys) + 2)]
        best = self.best
        for trial in self.trials:
            mark = ' **chosen**' if trial is best else ''
            seeds = ', '.join(f'{v:.4f}' for v in trial['values'])
            values = ' | '.join(str(trial['params'][k]) for k in keys)
            lines.append(f"| {values} | {trial['mean']:.4f}{mark} | "
                         f"{seeds} |")
        return '\n'.join(lines)


def search_space(name: str) -> Space:
    r"""The search space of the registered model :obj:`name`: its
    builder's entry of :data:`SEARCH_SPACES` less the keys the registry
    fixes and, without a GAN, the GAN's keys. Empty for models without
    training (and builders without an entry)."""
    build = model_spec(name).build
    fixed = dict(getattr(build, 'keywords', {}))
    cls = getattr(build, 'func', build)
    space = dict(SEARCH_SPACES.get(cls, {}))
    if not fixed.get('gan', False):
        space = {k: v for k, v in space.items() if k not in GAN_KEYS}
    return {k: v for k, v in space.items()
            if k.partition('.')[2] not in fixed}


def _candidates(space: Space, defaults: Dict[str, Any], trials: int,
                seed: int) -> List[Dict[str, Any]]:
    # The defaults first, then the grid (or a seeded sample of it) in a
    # fixed order.
    keys = list(space)
    grid = [dict(zip(keys, values))
            for values in itertools.product(*space.values())]
    first = {k: defaults[k] for k in keys}
    rest = [point for point in grid if point != first]
    if trials - 1 < len(rest):
        rest = random.Random(seed).sample(rest, trials - 1)
    return [first] + rest


def tune(
    name: str,
    data: HeteroData,
    trials: int = 8,
    seeds: int = 1,
    space: Optional[Space] = None,
    *,
    config: Any,
    evaluator: Optional[Evaluator] = None,
    search_seed: int = 0,
) -> TuneResult:
    r"""Selects hyper-parameters of the registered model :obj:`name` on
    the validation split of :obj:`data`.

    Every trial is a point of :obj:`space` (default:
    :func:`search_space`); the first is the starting config's own values,
    the others the whole grid if it has at most :obj:`trials` points, else
    :obj:`trials - 1` of them drawn with :obj:`search_seed`. Each trial
    trains with seeds :obj:`0, ..., seeds - 1` (:class:`Trainer`, early
    stopping on the validation metric) and scores the mean over seeds of
    the best validation value of :obj:`monitor` (the trainer's). The trial
    with the highest mean wins (the earlier one on a tie, so the defaults
    win ties). The test split is never evaluated. A model without a search
    space keeps its config.

    Args:
        name (str): A registered model name.
        data (HeteroData): The split graph with the features the model
            reads.
        trials (int, optional): The number of trials. (default: :obj:`8`)
        seeds (int, optional): Seeds per trial. (default: :obj:`1`)
        space (dict, optional): Dotted config keys and their candidate
            values. (default: :obj:`search_space(name)`)
        config (RunConfig): The starting config of :obj:`name`, e.g.
            :func:`lgir_pyg.config.load_config` of it (its defaults, a
            file); its values of the space's keys are the first trial.
        evaluator (Evaluator, optional): The evaluator of :obj:`data`.
            (default: :obj:`Evaluator(data)`)
        search_seed (int, optional): Seed of the random subset.
            (default: :obj:`0`)

    Returns:
        :class:`TuneResult`, whose :attr:`~TuneResult.config` holds the
        chosen values and :attr:`~TuneResult.trials` every trial.
    """
    if trials < 1 or seeds < 1:
        raise UsageError(f"'trials' and 'seeds' must be positive (got "
                         f"{trials}, {seeds})")
    if config.model != name:
        raise UsageError(f"'config' is a config of model {config.model!r}, "
                         f"not {name!r}")
    space = search_space(name) if space is None else space
    monitor = config.train.get('monitor', 'ndcg@5')
    result = TuneResult(config, monitor, space)
    if not space:
        return result
    evaluator = evaluator or Evaluator(data)
    flat = {f'{section}.{key}': value
            for section in ('model_kwargs', 'train')
            for key, value in getattr(config, section).items()}
    unknown = [key for key in space if key not in flat]
    if unknown:
        raise UsageError(f"Unknown keys in 'space': {unknown}; valid: "
                         f"{', '.join(flat)}")
    configs = []
    for params in _candidates(space, flat, trials, search_seed):
        trial = copy.deepcopy(config)
        for key, value in params.items():
            section, _, arg = key.partition('.')
            getattr(trial, section)[arg] = value
        values = []
        for seed in range(seeds):
            model = prepare_model(name, data, seed, **trial.model_kwargs)
            fit = Trainer(model, data, evaluator, seed=seed,
                          **trial.train).fit()
            values.append(fit['best_val'])
        mean = statistics.mean(values)
        result.trials.append({'params': params, 'values': values,
                              'mean': mean})
        configs.append(trial)
        logger.info(f'tune {name}: {params} -> val {monitor} {mean:.4f}')
    chosen = configs[result.trials.index(result.best)]
    for section in ('model_kwargs', 'train'):
        getattr(config, section).update(getattr(chosen, section))
    return result
