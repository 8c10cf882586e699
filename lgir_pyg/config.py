r"""One config for every :obj:`lgir` command: the dataset, the encoder, the
LLM and its prompts, and the model with its training arguments, with the
precedence command line > file > defaults.

This module loads no torch when imported (the command line builds its
parser from :class:`DataConfig`); the modules that train, evaluate or
check a model are imported by the functions that use them."""
import copy
import inspect
import math
import os.path as osp
from dataclasses import asdict, dataclass, field, fields
from typing import (TYPE_CHECKING, Any, Dict, Iterable, List, Optional,
                    Tuple)

import yaml

from lgir_pyg.errors import ConfigError
from lgir_pyg.models import model_spec

if TYPE_CHECKING:
    from lgir_pyg.models import Recommender

SECTIONS = ('model_kwargs', 'train', 'data', 'encoder', 'llm', 'prompts')
TOP_LEVEL = ('model', 'seed') + SECTIONS
# Keys of the data section that name files: relative paths in a config
# file are relative to that file.
PATH_KEYS = ('users', 'items', 'interactions', 'resumes', 'root')


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
        resumes (str, optional): Resumes made elsewhere, a JSON-lines or
            CSV file of user id and text (see
            :func:`lgir_pyg.llm.resumes.load_resumes`); they win over the
            dataset's own. (default: none)
        missing_resumes (str, optional): What a model reading resumes
            does for a user without one: :obj:`"complete"` (the LLM
            writes it) or :obj:`"context"` (the user's interaction
            context, the text an IRC prompt shows the LLM, stands in for
            it). (default: :obj:`"complete"`)
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
    resumes: Optional[str] = None
    missing_resumes: str = 'complete'
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


# What a model reading resumes does for a user without one.
MISSING_RESUMES = ('complete', 'context')
# Keys whose value may be null although the default is not.
NULLABLE = {f'data.{f.name}' for f in fields(DataConfig)
            if 'Optional' in str(f.type)}
ENCODER_DEFAULTS = {'model': None, 'batch_size': 64, 'device': None}
# The llm section's keys of the CachedGenerator around the backend.
LLM_CACHE_KEYS = ('cache', 'retries', 'max_unusable')


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

    Unknown keys are errors, in every section, also for a config of no
    model (whose :obj:`train` keys are :class:`~lgir_pyg.training.Trainer`'s
    and :obj:`model_kwargs` keys any registered builder's; see
    :meth:`for_model`). Strings, from the command line or the file,
    are converted to the type of the default (:obj:`int`, :obj:`float`,
    :obj:`bool` or :obj:`str`); a value whose default is :obj:`None` is
    read as YAML (e.g. :obj:`128`, :obj:`null` or :obj:`{k1: 3}`). A key
    given twice in one mapping of a file is an error, as is a file that is
    not UTF-8. :meth:`to_yaml` writes a file that :func:`load_config` reads
    back; :attr:`sources` tells which values a file or an override set
    (:meth:`unused` lists those a command does not read).

    The same file also sets the stages before training: :obj:`data` (the
    fields of :class:`DataConfig`), :obj:`encoder` (:obj:`model`,
    :obj:`batch_size`, :obj:`device` of
    :class:`~lgir_pyg.text.SentenceTransformerEncoder`), :obj:`llm`
    (:obj:`backend` and the keyword arguments of its class, see
    :func:`lgir_pyg.llm.build_generator`, plus :obj:`cache`,
    :obj:`retries` and :obj:`max_unusable` of
    :class:`~lgir_pyg.llm.CachedGenerator`) and :obj:`prompts` (keyword
    arguments of :class:`lgir_pyg.llm.ResumePrompts` but :obj:`mode`, e.g.
    :obj:`user_name`, :obj:`item_name`, :obj:`k`), so
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

    def __post_init__(self) -> None:
        #: Where each value that a file or an override set came from:
        #: dotted key (e.g. :obj:`"train.lr"`) -> the file's path or
        #: :obj:`"the overrides"`.
        self.sources: Dict[str, str] = {}

    @property
    def data_config(self) -> DataConfig:
        return DataConfig(**self.data)

    def unused(self, uses: Iterable[str],
               models: Optional[Iterable[str]] = None
               ) -> Dict[str, List[str]]:
        r"""The keys set by a file or an override (:attr:`sources`) that a
        command reading only the sections or dotted keys :obj:`uses` (e.g.
        :obj:`{"data", "seed", "llm.cache"}`) and, if given, running the
        registered :obj:`models` does not read: those of other sections and the
        :obj:`model_kwargs` no builder of :obj:`models` takes. Returns them
        by source, in the order they were set."""
        uses = set(uses)
        taken = None if models is None else {
            key for name in models
            for key in default_config(name).model_kwargs}
        out: Dict[str, List[str]] = {}
        for key, source in self.sources.items():
            section, _, name = key.partition('.')
            if not {key, section} & uses or (section == 'model_kwargs' and
                                             taken is not None and
                                             name not in taken):
                out.setdefault(source, []).append(key)
        return out

    def for_model(self, name: str) -> 'RunConfig':
        r"""The checked config of the registered model :obj:`name` with
        this config's values, for a command that runs several models: the
        model's defaults, then this seed and stage sections (:obj:`data`,
        :obj:`encoder`, :obj:`llm`, :obj:`prompts`), then the
        :obj:`train` and :obj:`model_kwargs` values set here (the latter
        where the model's builder takes them)."""
        config = default_config(name)
        config.seed = self.seed
        for section in ('data', 'encoder', 'llm', 'prompts'):
            setattr(config, section, copy.deepcopy(getattr(self, section)))
        for section in ('train', 'model_kwargs'):
            target = getattr(config, section)
            for key, value in getattr(self, section).items():
                if f'{section}.{key}' in self.sources and key in target:
                    target[key] = copy.deepcopy(value)
        config.sources = dict(self.sources)
        return config.check()

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
        if self.data.get('missing_resumes') not in MISSING_RESUMES:
            raise ConfigError(f"'data.missing_resumes' must be one of "
                              f"{list(MISSING_RESUMES)} (got "
                              f"{self.data.get('missing_resumes')!r})")
        if self.data.get('split') not in ('temporal', 'random'):
            raise ConfigError(f"'data.split' must be 'temporal' or 'random' "
                              f"(got {self.data.get('split')!r})")
        if self.data.get('split') == 'random' and not (
                0 < self.data['val_ratio'] + self.data['test_ratio'] < 1):
            raise ConfigError("'data.val_ratio' + 'data.test_ratio' must be "
                              "in (0, 1)")
        self.data_config.own_tables  # Users, items, interactions together.
        self._check_llm()
        try:  # The real prompts check their own values.
            from lgir_pyg.llm import ResumePrompts
            ResumePrompts(**self.prompts)
        except (TypeError, ValueError) as e:
            raise ConfigError(f'prompts: {e}') from e
        return self

    def _check_llm(self) -> None:
        # Each backend takes its own options (their types are checked on
        # loading; their ranges where the generator is built).
        from lgir_pyg.llm import BACKENDS, generator_class
        backend = self.llm.get('backend', 'hf')
        if backend not in BACKENDS:
            raise ConfigError(f"'llm.backend' must be one of "
                              f"{list(BACKENDS)} (got {backend!r})")
        takes = set(inspect.signature(generator_class(backend)).parameters)
        takes |= {'backend', *LLM_CACHE_KEYS}
        for key in self.llm:
            if key not in takes:
                raise ConfigError(f"'llm.{key}' does not apply to the "
                                  f"{backend!r} backend (llm.backend); it "
                                  f"takes {', '.join(sorted(takes))}")

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


def _nullable(section: str, fn: Any) -> set:
    # The keyword arguments of fn that take None although their default is
    # a value.
    return {f'{section}.{p.name}'
            for p in inspect.signature(fn).parameters.values()
            if 'Optional' in str(p.annotation)}


def default_config(model: Optional[str] = None) -> RunConfig:
    r"""The :class:`RunConfig` of the registered model :obj:`model` (or of
    no model) with every value at its default."""
    if model is None:
        return RunConfig(None)
    spec = model_spec(model)
    model_kwargs = _keyword_defaults(spec.build)
    model_kwargs.pop('edge_type', None)  # The data's, not the model's.
    return RunConfig(model, model_kwargs=model_kwargs,
                     train={**_trainer_defaults(), **spec.train})


def _trainer_defaults() -> Dict[str, Any]:
    from lgir_pyg.training import Trainer
    train = _keyword_defaults(Trainer)
    del train['seed']  # Set by the config's own seed.
    return train


def _llm_defaults() -> Dict[str, Any]:
    # Every backend's options, with a type where the backends agree; which
    # options the chosen backend takes is checked by RunConfig.check.
    from lgir_pyg.llm import BACKENDS, CachedGenerator, generator_class
    out: Dict[str, Any] = {'backend': 'hf'}
    for backend in BACKENDS:
        params = inspect.signature(generator_class(backend)).parameters
        for name, p in params.items():
            default = None if p.default is p.empty else p.default
            if name in out and type(out[name]) is not type(default):
                default = None
            out[name] = default
    cached = _keyword_defaults(CachedGenerator)
    out.update({key: cached[key] for key in LLM_CACHE_KEYS})
    return out


def _prompt_defaults() -> Dict[str, Any]:
    from lgir_pyg.llm import ResumePrompts
    out = _keyword_defaults(ResumePrompts)
    del out['mode']  # Each stage's own.
    return out


def _schema(model: Optional[str]) -> Dict[str, Any]:
    # The defaults every value of a config of `model` is checked and
    # converted against: a command without a model (it may run several)
    # takes Trainer's arguments and any registered builder's.
    defaults = default_config(model)
    schema = {'seed': defaults.seed, 'data': defaults.data,
              'encoder': defaults.encoder, 'llm': _llm_defaults(),
              'prompts': _prompt_defaults(), 'train': defaults.train,
              'model_kwargs': defaults.model_kwargs}
    if model is None:
        from lgir_pyg.models import MODELS
        schema['train'] = _trainer_defaults()
        for name in MODELS:
            for key, value in default_config(name).model_kwargs.items():
                schema['model_kwargs'].setdefault(key, value)
    return schema


def _nullable_keys() -> set:
    from lgir_pyg.llm import BACKENDS, ResumePrompts, generator_class
    out = set(NULLABLE) | _nullable('prompts', ResumePrompts)
    for backend in BACKENDS:
        out |= _nullable('llm', generator_class(backend))
    return out


def _read_value(value: str) -> Any:
    value = yaml.safe_load(value)
    if isinstance(value, str):
        try:  # YAML 1.1 reads exponents without a dot ("1e-4") as text.
            return float(value)
        except ValueError:
            pass
    return value


def _convert(key: str, value: Any, default: Any, source: str,
             nullable: Iterable[str] = NULLABLE) -> Any:
    if isinstance(value, str) and not isinstance(default, str):
        value = _read_value(value)
    if default is None or (value is None and key in nullable):
        return value
    if isinstance(default, str) and isinstance(value, str) and \
            value.lower() in ('null', '~') and key in nullable:
        return None
    if isinstance(default, float) and isinstance(value, int) \
            and not isinstance(value, bool):
        return float(value)
    if isinstance(default, tuple) and isinstance(value, list):
        return value  # YAML has no tuples; the component checks the items.
    # bool is an int, but neither may stand for the other.
    if type(value) is not type(default):
        raise ConfigError(f"{key!r} in {source} must be of type "
                          f"{type(default).__name__} like its default "
                          f"{default!r} (got {value!r})")
    return value


def _unknown(key: str, source: str, valid) -> ConfigError:
    return ConfigError(f"Unknown key {key!r} in {source}; valid keys: "
                       f"{', '.join(valid) or 'none'}")


def _update(config: RunConfig, schema: Dict[str, Any],
            values: Dict[str, Any], source: str,
            folder: Optional[str] = None) -> None:
    nullable = _nullable_keys()
    for key, value in values.items():
        if key not in TOP_LEVEL:
            raise _unknown(key, source, TOP_LEVEL)
        if key == 'model':
            if config.model is not None and value != config.model:
                raise ConfigError(f"{source} is a config of model "
                                  f"{value!r}, not {config.model!r}")
            continue
        if key == 'seed':
            config.seed = _convert(key, value, schema['seed'], source)
            config.sources[key] = source
            continue
        section, default = getattr(config, key), schema[key]
        if not isinstance(value, dict):
            raise ConfigError(f"{key!r} in {source} must be a mapping "
                              f"(got {value!r})")
        for name, item in value.items():
            dotted = f'{key}.{name}'
            if name not in default:
                raise _unknown(dotted, source,
                               [f'{key}.{n}' for n in default])
            item = _convert(dotted, item, default[name], source, nullable)
            if (key == 'data' and name in PATH_KEYS and folder
                    and isinstance(item, str)
                    and not osp.isabs(osp.expanduser(item))):
                item = osp.join(folder, item)
            section[name] = item
            config.sources[dotted] = source


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: str, line: int, first: int) -> None:
        super().__init__(f'line {line}: key {key!r} is given twice (first '
                         f'on line {first}); a later value would silently '
                         f'win')


class _Loader(yaml.SafeLoader):
    # PyYAML keeps the last of a repeated key; a config must not.
    def construct_mapping(self, node, deep=False):
        lines: Dict[Any, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and \
                    key_node.tag != 'tag:yaml.org,2002:merge':
                line = key_node.start_mark.line + 1
                if key_node.value in lines:
                    raise _DuplicateKey(key_node.value, line,
                                        lines[key_node.value])
                lines[key_node.value] = line
        return super().construct_mapping(node, deep)


def read_config_file(path: str) -> Dict[str, Any]:
    r"""The mapping of the YAML config file :obj:`path` (UTF-8). Raises
    :class:`~lgir_pyg.errors.ConfigError` naming the file and the line of an
    unreadable file, a byte that is not UTF-8, invalid YAML or a key given
    twice in one mapping."""
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as e:
        raise ConfigError(f"Cannot read config file '{path}': "
                          f"{e.strerror}") from e
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b'\n') + 1
        raise ConfigError(f"Config file '{path}', line {line}: byte "
                          f"0x{raw[e.start]:02x} is not UTF-8; save the "
                          f"file as UTF-8") from e
    try:
        values = yaml.load(text, Loader=_Loader) or {}
    except _DuplicateKey as e:
        raise ConfigError(f"Config file '{path}', {e}") from e
    except yaml.YAMLError as e:
        mark = getattr(e, 'problem_mark', None)
        where = f', line {mark.line + 1}' if mark else ''
        raise ConfigError(f"Config file '{path}'{where} is not valid "
                          f"YAML: {getattr(e, 'problem', e)}") from e
    if not isinstance(values, dict):
        raise ConfigError(f"{path} must hold a mapping of "
                          f"{', '.join(TOP_LEVEL)}")
    return values


def load_config(model: Optional[str] = None, path: Optional[str] = None,
                overrides: Optional[Dict[str, Any]] = None) -> RunConfig:
    r"""Returns the :class:`RunConfig` of the registered model
    :obj:`model` (:obj:`None` for a command without a model): its defaults,
    updated by the YAML file :obj:`path`, then by :obj:`overrides` (dotted
    keys such as :obj:`"train.lr"` or :obj:`"data.users"`); see
    :class:`RunConfig`. Every key is checked against the defaults and every
    value converted to its default's type; :attr:`RunConfig.sources` tells
    where each value that is set came from."""
    schema = _schema(model)
    config = default_config(model)
    if path is not None:
        _update(config, schema, read_config_file(path), path,
                osp.dirname(osp.abspath(path)))
    nested: Dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        section, _, name = key.partition('.')
        if name and section in SECTIONS:
            nested.setdefault(section, {})[name] = value
        else:
            nested[key] = value
    _update(config, schema, nested, 'the overrides')
    return config
