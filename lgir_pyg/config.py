import inspect
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Optional, Tuple

import yaml

from lgir_pyg.training import (Recommender, Trainer, model_spec,
                               run_experiment)

SECTIONS = ('model_kwargs', 'train')
TOP_LEVEL = ('model', 'seed') + SECTIONS


@dataclass
class RunConfig:
    r"""Everything that defines a run of a registered model: the model's
    name, the seed, the keyword arguments of the model's builder and those
    of :class:`~lgir_pyg.training.Trainer`. Build it with
    :func:`load_config` and :meth:`run` it.

    Every argument is listed with its value, so a printed config is the
    whole run. Values are resolved with the precedence
    *command line > file > defaults*:

    1. **defaults**: :obj:`seed=0`; :obj:`model_kwargs` are the keyword
       arguments of the model's registered builder
       (:attr:`lgir_pyg.training.ModelSpec.build`) with their defaults,
       read from its signature (keywords fixed by a
       :func:`functools.partial` included; the arguments documented on the
       builder); :obj:`train` are :class:`~lgir_pyg.training.Trainer`'s
       keyword arguments with their defaults, updated by the model's
       registered :attr:`~lgir_pyg.training.ModelSpec.train`;
    2. **a YAML file**, with any of the top-level keys :obj:`seed`,
       :obj:`model_kwargs` and :obj:`train` (and :obj:`model`, which must
       name the same model), e.g.

       .. code-block:: yaml

           seed: 3
           model_kwargs:
             num_layers: 2
           train:
             lr: 0.0005
             epochs: 20

    3. **overrides** (the command line's :obj:`--set KEY=VALUE`) with
       dotted keys, e.g. :obj:`{"train.lr": "5e-4", "seed": 3}`.

    Unknown keys are errors. Strings, from the command line or the file,
    are converted to the type of the default (:obj:`int`, :obj:`float`,
    :obj:`bool` or :obj:`str`); a value whose default is :obj:`None` is
    read as YAML (e.g. :obj:`128`, :obj:`null` or :obj:`{k1: 3}`).
    :meth:`to_yaml` writes a file that :func:`load_config` reads back.

    Args:
        model (str): A registered model name.
        seed (int, optional): Seed of initialisation and training.
            (default: :obj:`0`)
        model_kwargs (dict, optional): Arguments of the model's builder.
        train (dict, optional): Arguments of
            :class:`~lgir_pyg.training.Trainer`.
    """
    model: str
    seed: int = 0
    model_kwargs: Dict[str, Any] = field(default_factory=dict)
    train: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def __str__(self) -> str:
        return self.to_yaml()

    def run(self, data, **kwargs) -> Tuple[Recommender, Dict[str, Any]]:
        r"""Trains and evaluates the run on :obj:`data` with
        :func:`~lgir_pyg.training.run_experiment` (:obj:`kwargs` are its
        other arguments, e.g. :obj:`evaluator`) and stores this config
        under :obj:`"config"` in the result."""
        model, result = run_experiment(self.model, data, self.seed,
                                       model_kwargs=self.model_kwargs,
                                       train_kwargs=self.train, **kwargs)
        result['config'] = self.to_dict()
        return model, result


def _keyword_defaults(fn: Any) -> Dict[str, Any]:
    return {
        p.name: p.default
        for p in inspect.signature(fn).parameters.values()
        if p.default is not inspect.Parameter.empty
    }


def default_config(model: str) -> RunConfig:
    r"""The :class:`RunConfig` of the registered model :obj:`model` with
    every value at its default."""
    spec = model_spec(model)
    train = _keyword_defaults(Trainer)
    del train['seed']  # Set by the config's own seed.
    return RunConfig(model, model_kwargs=_keyword_defaults(spec.build),
                     train={**train, **spec.train})


def _read_value(value: str) -> Any:
    value = yaml.safe_load(value)
    if isinstance(value, str):
        try:  # YAML 1.1 reads exponents without a dot ("1e-4") as text.
            return float(value)
        except ValueError:
            pass
    return value


def _convert(key: str, value: Any, default: Any, source: str) -> Any:
    if isinstance(value, str) and not isinstance(default, str):
        value = _read_value(value)
    if default is None:
        return value
    if isinstance(default, float) and isinstance(value, int) \
            and not isinstance(value, bool):
        return float(value)
    # bool is an int, but neither may stand for the other.
    if type(value) is not type(default):
        raise ValueError(f"{key!r} in {source} must be of type "
                         f"{type(default).__name__} like its default "
                         f"{default!r} (got {value!r})")
    return value


def _unknown(key: str, source: str, valid) -> ValueError:
    return ValueError(f"Unknown key {key!r} in {source}; valid keys: "
                      f"{', '.join(valid)}")


def _update(config: RunConfig, defaults: RunConfig, values: Dict[str, Any],
            source: str) -> None:
    for key, value in values.items():
        if key not in TOP_LEVEL:
            raise _unknown(key, source, TOP_LEVEL)
        if key == 'model':
            if value != config.model:
                raise ValueError(f"{source} is a config of model {value!r}, "
                                 f"not {config.model!r}")
        elif key == 'seed':
            config.seed = _convert(key, value, defaults.seed, source)
        else:
            section, default = getattr(config, key), getattr(defaults, key)
            if not isinstance(value, dict):
                raise ValueError(f"{key!r} in {source} must be a mapping "
                                 f"(got {value!r})")
            for name, item in value.items():
                if name not in section:
                    raise _unknown(f'{key}.{name}', source,
                                   [f'{key}.{n}' for n in section])
                section[name] = _convert(f'{key}.{name}', item,
                                         default[name], source)


def load_config(model: str, path: Optional[str] = None,
                overrides: Optional[Dict[str, Any]] = None) -> RunConfig:
    r"""Returns the :class:`RunConfig` of the registered model
    :obj:`model`: its defaults, updated by the YAML file :obj:`path`, then
    by :obj:`overrides` (dotted keys such as :obj:`"train.lr"`); see
    :class:`RunConfig`."""
    defaults = default_config(model)
    config = default_config(model)
    if path is not None:
        with open(path) as f:
            values = yaml.safe_load(f) or {}
        if not isinstance(values, dict):
            raise ValueError(f"{path} must hold a mapping of "
                             f"{', '.join(TOP_LEVEL)}")
        _update(config, defaults, values, path)
    nested: Dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        section, _, name = key.partition('.')
        if name and section in SECTIONS:
            nested.setdefault(section, {})[name] = value
        else:
            nested[key] = value
    _update(config, defaults, nested, 'the overrides')
    return config
