r"""One config for every :obj:`lgir` command: the dataset, the encoder, the
LLM and its prompts, and the model with its training arguments, with the
precedence command line > file > defaults.

This module loads no torch when imported (the command line builds its
parser from :class:`DataConfig`); the modules that train, evaluate or
check a model are imported by the functions that use them."""
import inspect
import math
import os.path as osp
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

import yaml

from lgir_pyg.errors import ConfigError
from lgir_pyg.models import model_spec

if TYPE_CHECKING:
    from lgir_pyg.models import Recommender

SECTIONS = ('model_kwargs', 'train', 'data', 'encoder', 'llm', 'prompts')
TOP_LEVEL = ('model', 'seed') + SECTIONS
# Keys of the data section that name files: relative paths in a config
# file are relative to that file.
PATH_KEYS = ('users', 'items', 'interactions', 'root')


@dataclass
class DataConfig:
    r"""The dataset of a run: the bundled :class:`KaggleJobViews` unless
    :obj:`users`, :obj:`items` and :obj:`interactions` name your own CSV or
    Parquet tables (read by :class:`lgir_pyg.datasets.TablesDataset` with
    :func:`lgir_pyg.datasets.from_tables`, whose column and type names the
    fields of the same names set).

    Args:
        name (str, optional): The dataset's name in reports.
        users (str, optional): Your users table.
        items (str, optional): Your items table.
        interactions (str, optional): Your interactions table.
        user_id_column (str, optional): See
            :func:`~lgir_pyg.datasets.from_tables`, as are the next twelve:
            the user id column of the users and interactions tables.
            (default: :obj:`"user_id"`)
        item_id_column (str, optional): The item id column of the items
            and interactions tables. (default: :obj:`"item_id"`)
        users_id_column (str, optional): The users table's id column, if
            it differs from :obj:`user_id_column`. (default: :obj:`null`)
        items_id_column (str, optional): The items table's id column, if
            it differs from :obj:`item_id_column`. (default: :obj:`null`)
        interactions_user_column (str, optional): The interactions
            table's user column, if it differs from :obj:`user_id_column`.
            (default: :obj:`null`)
        interactions_item_column (str, optional): The interactions
            table's item column, if it differs from :obj:`item_id_column`.
            (default: :obj:`null`)
        user_text_column (str, optional): The user text column.
        item_text_column (str, optional): The item text column.
        item_title_column (str, optional): The item title column.
        time_column (str, optional): The interaction time column;
            :obj:`null` means no timestamps (use :obj:`split: random`).
        user_type (str, optional): The user node type.
        item_type (str, optional): The item node type.
            (default: :obj:`"item"`)
        relation (str, optional): The interaction relation.
        item_category (str, optional): A categorical item column, kept on
            the item store for the diversity metrics.
        user_attribute (str, optional): A categorical user column, kept on
            the user store for the fairness metrics.
        split (str, optional): :obj:`"temporal"` or :obj:`"random"`, see
            :class:`lgir_pyg.transforms.PerUserSplit`.
        val_ratio (float, optional): Validation share of :obj:`"random"`.
        test_ratio (float, optional): Test share of :obj:`"random"`.
        split_seed (int, optional): Seed of :obj:`"random"`.
        shipped_resumes (bool, optional): KaggleJobViews only: attach the
            shipped SRC/IRC resumes (else resume completion makes them).
        root (str, optional): Processed files and the caches of encoding
            and completion. (default: under
            :func:`lgir_pyg.datasets.lgir_home`)
    """
    name: Optional[str] = None
    users: Optional[str] = None
    items: Optional[str] = None
    interactions: Optional[str] = None
    user_id_column: str = 'user_id'
    item_id_column: str = 'item_id'
    users_id_column: Optional[str] = None
    items_id_column: Optional[str] = None
    interactions_user_column: Optional[str] = None
    interactions_item_column: Optional[str] = None
    user_text_column: str = 'text'
    item_text_column: str = 'text'
    item_title_column: str = 'title'
    time_column: Optional[str] = 'time'
    user_type: str = 'user'
    item_type: str = 'item'
    relation: str = 'interacts'
    item_category: Optional[str] = None
    user_attribute: Optional[str] = None
    split: str = 'temporal'
    val_ratio: float = 0.1
    test_ratio: float = 0.2
    split_seed: int = 0
    shipped_resumes: bool = True
    root: Optional[str] = None

    @property
    def own_tables(self) -> bool:
        given = [self.users, self.items, self.interactions]
        if any(given) and not all(given):
            raise ConfigError("data: 'users', 'items' and 'interactions' "
                              "go together (got "
                              f"{[k for k, v in zip(PATH_KEYS, given) if v]}"
                              ")")
        return all(given)


# Keys whose value may be null although the default is not.
NULLABLE = {f'data.{f.name}' for f in fields(DataConfig)
            if 'Optional' in str(f.type)}
ENCODER_DEFAULTS = {'model': None, 'batch_size': 64, 'device': None}


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
       (:attr:`lgir_pyg.models.ModelSpec.build`) with their defaults,
       read from its signature (keywords fixed by a
       :func:`functools.partial` included; the arguments documented on the
       builder); :obj:`train` are :class:`~lgir_pyg.training.Trainer`'s
       keyword arguments with their defaults, updated by the model's
       registered :attr:`~lgir_pyg.models.ModelSpec.train`;
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

    The same file also sets the stages before training: :obj:`data` (the
    fields of :class:`DataConfig`), :obj:`encoder` (:obj:`model`,
    :obj:`batch_size`, :obj:`device` of
    :class:`~lgir_pyg.text.SentenceTransformerEncoder`), :obj:`llm`
    (keyword arguments of :func:`lgir_pyg.llm.build_generator`, which checks
    them, plus :obj:`cache` and :obj:`retries`) and :obj:`prompts`
    (keyword arguments of :class:`lgir_pyg.llm.ResumePrompts` but
    :obj:`mode`, e.g. :obj:`user_name`, :obj:`item_name`, :obj:`k`), so
    one file serves every :obj:`lgir` command. A relative path in
    the :obj:`data` section of a file is relative to that file.

    Args:
        model (str): A registered model name, or :obj:`None` for the
            commands that train no model (their config keeps the other
            sections).
        seed (int, optional): Seed of initialisation and training.
            (default: :obj:`0`)
        model_kwargs (dict, optional): Arguments of the model's builder.
        train (dict, optional): Arguments of
            :class:`~lgir_pyg.training.Trainer`.
        data (dict, optional): The fields of :class:`DataConfig`.
        encoder (dict, optional): The text encoder.
        llm (dict, optional): The resume-completion LLM.
        prompts (dict, optional): The resume-completion prompts.
    """
    model: Optional[str]
    seed: int = 0
    model_kwargs: Dict[str, Any] = field(default_factory=dict)
    train: Dict[str, Any] = field(default_factory=dict)
    data: Dict[str, Any] = field(
        default_factory=lambda: asdict(DataConfig()))
    encoder: Dict[str, Any] = field(
        default_factory=lambda: dict(ENCODER_DEFAULTS))
    llm: Dict[str, Any] = field(default_factory=dict)
    prompts: Dict[str, Any] = field(default_factory=dict)

    @property
    def data_config(self) -> DataConfig:
        return DataConfig(**self.data)

    def check(self) -> 'RunConfig':
        r"""Checks the ranges of the values (types are checked on loading),
        so a bad value fails before any dataset build, encoding,
        generation or training; returns the config. Raises
        :class:`~lgir_pyg.errors.ConfigError` naming the key."""
        values = {'seed': self.seed,
                  **{f'{section}.{key}': value
                     for section in ('train', 'model_kwargs', 'data',
                                     'encoder')
                     for key, value in getattr(self, section).items()}}
        for key, value in values.items():
            rule = RULES.get(key.rpartition('.')[2] if '.' in key else key)
            if rule is not None and value is not None:
                ok, expected = rule
                if isinstance(value, bool) or not ok(value):
                    raise ConfigError(f"{key!r} must be {expected} (got "
                                      f"{value!r})")
        monitor = self.train.get('monitor')
        if monitor is not None:
            from lgir_pyg.evaluation import DEFAULT_METRICS
            if monitor not in DEFAULT_METRICS:
                raise ConfigError(f"'train.monitor' must be one of "
                                  f"{list(DEFAULT_METRICS)} (got "
                                  f"{monitor!r})")
        gan_kwargs = self.model_kwargs.get('gan_kwargs')
        if gan_kwargs is not None:
            from lgir_pyg.nn import GANRefine
            if not isinstance(gan_kwargs, dict):
                raise ConfigError(f"'model_kwargs.gan_kwargs' must be a "
                                  f"mapping (got {gan_kwargs!r})")
            try:  # A tiny instance checks every argument.
                GANRefine(2, **gan_kwargs)
            except (TypeError, ValueError) as e:
                raise ConfigError(f"'model_kwargs.gan_kwargs': {e}") from e
        if self.data.get('split') not in ('temporal', 'random'):
            raise ConfigError(f"'data.split' must be 'temporal' or 'random' "
                              f"(got {self.data.get('split')!r})")
        if self.data.get('split') == 'random' and not (
                0 < self.data['val_ratio'] + self.data['test_ratio'] < 1):
            raise ConfigError("'data.val_ratio' + 'data.test_ratio' must be "
                              "in (0, 1)")
        self.data_config.own_tables  # Users, items, interactions together.
        return self

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def __str__(self) -> str:
        return self.to_yaml()

    def run(self, data, **kwargs) -> Tuple['Recommender', Dict[str, Any]]:
        r"""Trains and evaluates the run on :obj:`data` with
        :func:`~lgir_pyg.training.run_experiment` (:obj:`kwargs` are its
        other arguments, e.g. :obj:`evaluator`) and stores this config
        under :obj:`"config"` in the result."""
        from lgir_pyg.training import run_experiment

        if self.model is None:
            raise ConfigError('This config names no model to run')
        model, result = run_experiment(self.model, data, self.seed,
                                       model_kwargs=self.model_kwargs,
                                       train_kwargs=self.train, **kwargs)
        result['config'] = self.to_dict()
        return model, result


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


# Range rules by key name (in any section): (check, what is expected).
RULES = {
    name: rule
    for names, rule in [
        (('seed', 'epochs', 'num_layers', 'split_seed', 'id_layers',
          'text_layers'),
         (lambda v: isinstance(v, int) and v >= 0, 'a non-negative integer')),
        (('batch_size', 'eval_every', 'patience', 'embedding_dim', 'id_dim'),
         (lambda v: isinstance(v, int) and v > 0, 'a positive integer')),
        (('id_lr_scale', 'id_init'), (lambda v: _finite(v) and v > 0,
                                      'a positive finite number')),
        (('lr', 'd_lr'), (lambda v: _finite(v) and v > 0,
                          'a positive finite number')),
        (('weight_decay', 'lambda_gan', 'lambda_reg'),
         (lambda v: _finite(v) and v >= 0, 'a non-negative finite number')),
        (('val_ratio', 'test_ratio'), (lambda v: _finite(v) and 0 <= v < 1,
                                       'in [0, 1)')),
    ] for name in names
}


def _keyword_defaults(fn: Any) -> Dict[str, Any]:
    return {
        p.name: p.default
        for p in inspect.signature(fn).parameters.values()
        if p.default is not inspect.Parameter.empty
    }


def default_config(model: Optional[str] = None) -> RunConfig:
    r"""The :class:`RunConfig` of the registered model :obj:`model` (or of
    no model) with every value at its default."""
    if model is None:
        return RunConfig(None)
    from lgir_pyg.training import Trainer

    spec = model_spec(model)
    train = _keyword_defaults(Trainer)
    del train['seed']  # Set by the config's own seed.
    model_kwargs = _keyword_defaults(spec.build)
    model_kwargs.pop('edge_type', None)  # The data's, not the model's.
    return RunConfig(model, model_kwargs=model_kwargs,
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
    if default is None or (value is None and key in NULLABLE):
        return value
    if isinstance(default, str) and isinstance(value, str) and \
            value.lower() in ('null', '~') and key in NULLABLE:
        return None
    if isinstance(default, float) and isinstance(value, int) \
            and not isinstance(value, bool):
        return float(value)
    # bool is an int, but neither may stand for the other.
    if type(value) is not type(default):
        raise ConfigError(f"{key!r} in {source} must be of type "
                          f"{type(default).__name__} like its default "
                          f"{default!r} (got {value!r})")
    return value


def _unknown(key: str, source: str, valid) -> ConfigError:
    return ConfigError(f"Unknown key {key!r} in {source}; valid keys: "
                       f"{', '.join(valid)}")


def _update(config: RunConfig, defaults: RunConfig, values: Dict[str, Any],
            source: str, folder: Optional[str] = None) -> None:
    for key, value in values.items():
        if key not in TOP_LEVEL:
            raise _unknown(key, source, TOP_LEVEL)
        if key == 'model':
            if config.model is not None and value != config.model:
                raise ConfigError(f"{source} is a config of model "
                                  f"{value!r}, not {config.model!r}")
        elif key == 'seed':
            config.seed = _convert(key, value, defaults.seed, source)
        elif config.model is None and key in ('model_kwargs', 'train'):
            continue  # A shared file's model sections; no model here.
        else:
            section, default = getattr(config, key), getattr(defaults, key)
            if not isinstance(value, dict):
                raise ConfigError(f"{key!r} in {source} must be a mapping "
                                  f"(got {value!r})")
            for name, item in value.items():
                if key in ('llm', 'prompts'):  # Checked where they go.
                    section[name] = _read_value(item) if isinstance(
                        item, str) and source == 'the overrides' else item
                    continue
                if name not in section:
                    raise _unknown(f'{key}.{name}', source,
                                   [f'{key}.{n}' for n in section])
                item = _convert(f'{key}.{name}', item, default[name], source)
                if (key == 'data' and name in PATH_KEYS and folder
                        and isinstance(item, str)
                        and not osp.isabs(osp.expanduser(item))):
                    item = osp.join(folder, item)
                section[name] = item


def load_config(model: Optional[str] = None, path: Optional[str] = None,
                overrides: Optional[Dict[str, Any]] = None) -> RunConfig:
    r"""Returns the :class:`RunConfig` of the registered model
    :obj:`model` (:obj:`None` for a command without a model): its defaults,
    updated by the YAML file :obj:`path`, then by :obj:`overrides` (dotted
    keys such as :obj:`"train.lr"` or :obj:`"data.users"`); see
    :class:`RunConfig`."""
    defaults = default_config(model)
    config = default_config(model)
    if path is not None:
        try:
            with open(path) as f:
                values = yaml.safe_load(f) or {}
        except OSError as e:
            raise ConfigError(f"Cannot read config file '{path}': "
                              f"{e.strerror}") from e
        except yaml.YAMLError as e:
            mark = getattr(e, 'problem_mark', None)
            where = f', line {mark.line + 1}' if mark else ''
            raise ConfigError(f"Config file '{path}'{where} is not valid "
                              f"YAML: {getattr(e, 'problem', e)}") from e
        if not isinstance(values, dict):
            raise ConfigError(f"{path} must hold a mapping of "
                              f"{', '.join(TOP_LEVEL)}")
        _update(config, defaults, values, path,
                osp.dirname(osp.abspath(path)))
    nested: Dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        section, _, name = key.partition('.')
        if name and section in SECTIONS:
            nested.setdefault(section, {})[name] = value
        else:
            nested[key] = value
    _update(config, defaults, nested, 'the overrides')
    return config
