r"""The stages before training, composed once for the command line and the
benchmarks: a dataset from a :class:`~lgir_pyg.config.DataConfig`, then the
texts and text features the chosen models read, written onto the
:class:`~torch_geometric.data.HeteroData` by the transforms. Models, the
trainer and the evaluator only read the graph."""
import copy
import logging
import os.path as osp
from typing import Any, Callable, Dict, Iterable, Optional, Set, Tuple

from torch_geometric.data import HeteroData, InMemoryDataset

from lgir_pyg.config import MISSING_RESUMES, DataConfig, RunConfig
from lgir_pyg.datasets import KaggleJobViews, TablesDataset, lgir_home
from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.factories import (encoder_factory, generator_factory,
                                resume_prompts)
from lgir_pyg.llm import CachedGenerator, ResumePrompts
from lgir_pyg.models import model_spec
from lgir_pyg.text import TextEncoder
from lgir_pyg.transforms import (CompleteResumes, EncodeText,
                                 InteractionContext, PerUserSplit,
                                 feature_name)

logger = logging.getLogger(__name__)

TABLE_ARGS = ('user_id_column', 'item_id_column', 'users_id_column',
              'items_id_column', 'interactions_user_column',
              'interactions_item_column', 'user_text_column',
              'item_text_column', 'item_title_column', 'time_column',
              'user_type', 'item_type', 'relation')


def load_dataset(config: DataConfig) -> InMemoryDataset:
    r"""The dataset of :obj:`config`: :class:`~lgir_pyg.datasets.
    TablesDataset` on your own tables, else
    :class:`~lgir_pyg.datasets.KaggleJobViews`, split as configured. The
    dataset's :obj:`root` also holds the caches of the later stages."""
    split = PerUserSplit(config.split, config.val_ratio, config.test_ratio,
                         config.split_seed)
    if not config.own_tables:
        return KaggleJobViews(
            config.root, split=split,
            resumes=('src', 'irc') if config.shipped_resumes else ())
    kwargs: Dict[str, Any] = {k: getattr(config, k) for k in TABLE_ARGS}
    kwargs['user_attr_columns'] = [config.user_attribute] \
        if config.user_attribute else []
    kwargs['item_attr_columns'] = [config.item_category] \
        if config.item_category else []
    name = config.name or osp.basename(osp.dirname(osp.abspath(
        config.interactions)))
    root = config.root or osp.join(lgir_home(), name)
    return TablesDataset(root, config.users, config.items,
                         config.interactions, name=name, split=split,
                         table_kwargs=kwargs)


def dataset_name(dataset: InMemoryDataset) -> str:
    r"""The name reports and plots give the dataset."""
    return getattr(dataset, 'name', None) or dataset.__class__.__name__


def needed_texts(models: Iterable[str]) -> list:
    r"""The user text attributes (e.g. :obj:`"resume_irc"`) that the
    registered :obj:`models` read, in a fixed order."""
    return sorted({model_spec(m).user_text for m in models} - {None})


def stage_sections(models: Iterable[str]) -> Set[str]:
    r"""The config sections (see :class:`~lgir_pyg.config.RunConfig`) that
    the stages before training read for the registered :obj:`models`:
    :obj:`data`; :obj:`encoder` if a model reads text; :obj:`prompts` if
    it reads the interaction context or resumes; :obj:`llm` if resumes."""
    texts = needed_texts(models)
    out = {'data'} | ({'encoder'} if texts else set())
    if any(t == 'context' or t.startswith('resume_') for t in texts):
        out.add('prompts')
    if any(t.startswith('resume_') for t in texts):
        out.add('llm')
    return out


def attach_resumes(data: HeteroData, resumes: Dict[str, Dict[str, str]],
                   source: str = 'the resumes',
                   edge_type: Optional[EdgeType] = None) -> HeteroData:
    r"""Writes resumes made elsewhere (by mode and user id, as
    :func:`lgir_pyg.llm.resumes.load_resumes` reads them) onto the users
    of :obj:`data` as :obj:`resume_<mode>`: a user's resume from
    :obj:`resumes` wins over one the graph has, a user without either gets
    :obj:`None` (see :func:`add_model_inputs`). Resumes of users the graph
    does not have are left out with a warning that counts them."""
    edge_type = interaction_edge_type(data, edge_type)
    data = copy.copy(data)  # As a transform does.
    store = data[edge_type[0]]
    ids = [str(i) for i in store.node_id]
    for mode, by_user in resumes.items():
        attr = f'resume_{mode}'
        out = list(store[attr]) if attr in store else [None] * len(ids)
        for i, user in enumerate(ids):
            if user in by_user:
                out[i] = by_user[user]
        store[attr] = out
        unknown = set(by_user) - set(ids)
        if unknown:
            logger.warning(f'{source}: {len(unknown):,} of '
                           f'{len(by_user):,} {mode} resumes are of users '
                           f'not in the dataset (e.g. '
                           f'{sorted(unknown)[0]!r}); they are left out')
    return data


def resume_counts(data: HeteroData, attr: str,
                  edge_type: Optional[EdgeType] = None) -> Tuple[int, int]:
    r""":obj:`(users with a resume in attr, users)` of :obj:`data`."""
    store = data[interaction_edge_type(data, edge_type)[0]]
    if attr not in store:
        return 0, store.num_nodes
    return sum(r is not None for r in store[attr]), len(store[attr])


def add_model_inputs(
    data: HeteroData,
    models: Iterable[str],
    encoder: Callable[[], TextEncoder],
    generator: Optional[Callable[[str], CachedGenerator]] = None,
    cache_dir: Optional[str] = None,
    edge_type: Optional[EdgeType] = None,
    prompts: Optional[Callable[[str], ResumePrompts]] = None,
    missing_resumes: str = 'complete',
) -> HeteroData:
    r"""Adds to :obj:`data` what the registered :obj:`models` read and it
    lacks: the user texts (:obj:`context` by
    :class:`~lgir_pyg.transforms.InteractionContext`, :obj:`resume_<mode>`
    by :class:`~lgir_pyg.transforms.CompleteResumes` with
    :obj:`generator(mode)` and the prompts :obj:`prompts(mode)`, by default
    :class:`~lgir_pyg.llm.ResumePrompts` of that mode), then their
    features and the items' :obj:`x`
    by :class:`~lgir_pyg.transforms.EncodeText` (cached in
    :obj:`cache_dir`). :obj:`encoder` and :obj:`generator` are factories,
    so nothing is loaded that the models do not need. Returns the graph
    with the additions (transforms work on a shallow copy).

    Resumes the graph has are kept; users whose :obj:`resume_<mode>` is
    :obj:`None` (see :func:`attach_resumes`) get one as
    :obj:`missing_resumes` says: :obj:`"complete"` by the LLM, or
    :obj:`"context"` their interaction context (the text
    :class:`~lgir_pyg.transforms.InteractionContext` stores, which the
    :obj:`prompt-text` model encodes), so a model runs on partly completed
    resumes without the LLM."""
    edge_type = interaction_edge_type(data, edge_type)
    user_type, item_type = edge_type[0], edge_type[2]
    texts = needed_texts(models)
    if not texts:
        return data
    prompts = prompts or (lambda mode: ResumePrompts(mode))
    if missing_resumes not in MISSING_RESUMES:
        raise UsageError(f"'missing_resumes' must be one of "
                         f"{list(MISSING_RESUMES)} (got "
                         f"{missing_resumes!r})")
    for text in texts:
        store = data[user_type]
        if text in store and (not text.startswith('resume_') or
                              None not in store[text]):
            continue
        if text.startswith('resume_'):
            have, total = resume_counts(data, text, edge_type)
            logger.warning(
                f"{text[len('resume_'):].upper()} resumes: {have:,} of "
                f"{total:,} users ({have / max(total, 1):.1%}) have one; the "
                f"other {total - have:,} " + (
                    'use their interaction context (data.missing_resumes: '
                    'context)' if missing_resumes == 'context' else
                    'are completed by the LLM (cached ones are read back; '
                    'data.resumes brings your own, data.missing_resumes: '
                    'context skips the LLM)'))
        if text.startswith('resume_') and missing_resumes == 'context':
            data = copy.copy(data) if 'context' in store else \
                InteractionContext(prompts('irc').k, edge_type)(data)
            store = data[user_type]
            given = store[text] if text in store else [None] * len(
                store.context)
            store[text] = [c if r is None else r
                           for r, c in zip(given, store.context)]
        elif text == 'context':
            data = InteractionContext(prompts('irc').k, edge_type)(data)
        elif text.startswith('resume_') and generator is not None:
            mode = text[len('resume_'):]
            logger.info(f'completing {mode} resumes')
            data = CompleteResumes(generator(mode), prompts=prompts(mode),
                                   edge_type=edge_type,
                                   only_missing=True)(data)
        else:
            raise DataError(f"data['{user_type}'] has no '{text}' for the "
                            f"models {sorted(models)}; complete the resumes "
                            f"first (CompleteResumes, `lgir complete`)")
    text_encoder = None
    for node_type, text in [(item_type, 'text')] + [(user_type, t)
                                                    for t in texts]:
        if feature_name(text) in data[node_type]:
            continue
        text_encoder = text_encoder or encoder()
        data = EncodeText(text_encoder, node_type, text,
                          cache_dir=cache_dir)(data)
    return data


def open_dataset(
        config: RunConfig) -> Tuple[InMemoryDataset, HeteroData, str]:
    r"""Returns :obj:`(dataset, data, root)`: the dataset of
    :obj:`config.data` (:func:`load_dataset`), its graph with the resumes
    of :obj:`data.resumes` if set (:func:`attach_resumes`) and the folder
    of its caches."""
    dataset = load_dataset(config.data_config)
    data, resumes = dataset[0], configured_resumes(config.data_config)
    if resumes is not None:
        data = attach_resumes(data, resumes, f"'{config.data['resumes']}'")
    return dataset, data, dataset.root


def configured_resumes(
        config: DataConfig) -> Optional[Dict[str, Dict[str, str]]]:
    r"""The resumes of the file :obj:`config.resumes` (:obj:`None` if
    unset) by mode and user id (:func:`lgir_pyg.llm.resumes.load_resumes`),
    the id read first from the users table's id column."""
    from lgir_pyg.llm.resumes import load_resumes
    if not config.resumes:
        return None
    return load_resumes(config.resumes, user_key=config.users_id_column
                        or config.user_id_column)


def prepare_data(
    config: RunConfig,
    models: Iterable[str],
) -> Tuple[InMemoryDataset, HeteroData, str]:
    r"""Returns :obj:`(dataset, data, root)` of :func:`open_dataset` with
    what the registered :obj:`models` read added to :obj:`data` by
    :func:`add_model_inputs`, with the encoder, the LLM and the prompts
    :obj:`config` names (:mod:`lgir_pyg.factories`), its
    :obj:`data.missing_resumes`, and the caches under :obj:`root`."""
    dataset, data, root = open_dataset(config)
    data = add_model_inputs(data, models, encoder_factory(config),
                            generator_factory(config, root),
                            osp.join(root, 'embeddings'),
                            prompts=lambda mode: resume_prompts(config, mode),
                            missing_resumes=config.data['missing_resumes'])
    return dataset, data, root
