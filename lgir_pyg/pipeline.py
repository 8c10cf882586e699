r"""The stages before training, composed once for the command line and the
benchmarks: a dataset from a :class:`~lgir_pyg.config.DataConfig`, then the
texts and text features the chosen models read, written onto the
:class:`~torch_geometric.data.HeteroData` by the transforms. Models, the
trainer and the evaluator only read the graph."""
import logging
import os.path as osp
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

from torch_geometric.data import HeteroData, InMemoryDataset

from lgir_pyg.config import DataConfig, RunConfig
from lgir_pyg.datasets import KaggleJobViews, TablesDataset, lgir_home
from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.errors import DataError
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


def add_model_inputs(
    data: HeteroData,
    models: Iterable[str],
    encoder: Callable[[], TextEncoder],
    generator: Optional[Callable[[str], CachedGenerator]] = None,
    cache_dir: Optional[str] = None,
    edge_type: Optional[EdgeType] = None,
    prompts: Optional[Callable[[str], ResumePrompts]] = None,
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
    with the additions (transforms work on a shallow copy)."""
    edge_type = interaction_edge_type(data, edge_type)
    user_type, item_type = edge_type[0], edge_type[2]
    texts = needed_texts(models)
    if not texts:
        return data
    prompts = prompts or (lambda mode: ResumePrompts(mode))
    for text in texts:
        if text in data[user_type]:
            continue
        if text == 'context':
            data = InteractionContext(prompts('irc').k, edge_type)(data)
        elif text.startswith('resume_') and generator is not None:
            mode = text[len('resume_'):]
            logger.info(f'completing {mode} resumes')
            data = CompleteResumes(generator(mode), prompts=prompts(mode),
                                   edge_type=edge_type)(data)
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
    :obj:`config.data` (:func:`load_dataset`), its graph and the folder of
    its caches."""
    dataset = load_dataset(config.data_config)
    return dataset, dataset[0], dataset.root


def prepare_data(
    config: RunConfig,
    models: Iterable[str],
) -> Tuple[InMemoryDataset, HeteroData, str]:
    r"""Returns :obj:`(dataset, data, root)` of :func:`open_dataset` with
    what the registered :obj:`models` read added to :obj:`data` by
    :func:`add_model_inputs`, with the encoder, the LLM and the prompts
    :obj:`config` names (:mod:`lgir_pyg.factories`) and the caches under
    :obj:`root`."""
    dataset, data, root = open_dataset(config)
    data = add_model_inputs(data, models, encoder_factory(config),
                            generator_factory(config, root),
                            osp.join(root, 'embeddings'),
                            prompts=lambda mode: resume_prompts(config, mode))
    return dataset, data, root
