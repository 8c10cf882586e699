r"""The registered models by name, each with the user texts it reads, a
description and its default training arguments.

The registry imports no torch: each builder is named by its import path
(:obj:`"module:attribute"`) and imported when a model is built, so the
command line lists the models (and prints its help) without loading
torch."""
import importlib
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Union

from lgir_pyg.errors import UsageError

if TYPE_CHECKING:  # For the type hints only: the registry loads no torch.
    from torch_geometric.data import HeteroData

    from lgir_pyg.models.base import Recommender


@dataclass(frozen=True)
class ModelSpec:
    r"""A registered model.

    Args:
        target (str or Callable): The builder, :obj:`build(data, **kwargs)`
            returning a :class:`~lgir_pyg.models.Recommender`, or its import
            path :obj:`"module:attribute"`, imported by :attr:`build`.
        user_text (str, optional): The user texts the model reads
            (:obj:`None` if it reads no text), e.g. :obj:`"resume_irc"`:
            their embedding :func:`lgir_pyg.transforms.feature_name`, next
            to the items' :obj:`x`.
        description (str): What the model is.
        train (Dict[str, Any], optional): Its default
            :class:`~lgir_pyg.training.Trainer` arguments.
        kwargs (Dict[str, Any], optional): Builder arguments the
            registration fixes, e.g. :obj:`{"gan": True}`.
    """
    target: Union[str, Callable[..., 'Recommender']]
    user_text: Optional[str]
    description: str
    train: Dict[str, Any] = field(default_factory=dict)
    kwargs: Dict[str, Any] = field(default_factory=dict)

    @property
    def build(self) -> Callable[..., 'Recommender']:
        r"""The builder with the arguments the registration fixes: those of
        :obj:`kwargs` and, for a text model, the features of exactly the
        texts it names (:obj:`user_features`)."""
        target = self.target
        if isinstance(target, str):
            module, _, name = target.partition(':')
            target = getattr(importlib.import_module(module), name)
        kwargs = dict(self.kwargs)
        if self.user_text is not None:
            # Imported with the builder, which needs torch anyway.
            from lgir_pyg.transforms.encode_text import feature_name
            kwargs['user_features'] = feature_name(self.user_text)
        return partial(target, **kwargs) if kwargs else target


_MODELS = 'lgir_pyg.models.'
_LIGHTGCN = _MODELS + 'id_recommenders:LightGCNRecommender'
_LGIR = _MODELS + 'lgir_recommender:LGIRRecommender'
_HYBRID = _MODELS + 'hybrid_recommender:HybridRecommender'

# LGIR variants peak after a few epochs at a low learning rate (they start
# from the text geometry); ID models need more epochs.
LGIR_TRAIN = {'lr': 1e-4, 'epochs': 50, 'patience': 3}
# Trainer defaults of the registered hybrids: a low learning rate keeps
# the text tower near its identity start while the ID tower, id_lr_scale
# times faster, grows; early stopping on validation decides how far.
HYBRID_TRAIN = {'lr': 3e-5, 'epochs': 100, 'patience': 5}

# The LGIR models are the ID + text hybrid; the text-only LGIR stays as an
# ablation.
MODELS: Dict[str, ModelSpec] = {
    'pop': ModelSpec(_MODELS + 'id_recommenders:popularity', None,
                     'popularity of training interactions (no training)'),
    'bprmf': ModelSpec(_LIGHTGCN, None, 'matrix factorisation with BPR',
                       {'lr': 5e-3, 'epochs': 300}, {'num_layers': 0}),
    'lightgcn': ModelSpec(_LIGHTGCN, None, "PyG's LightGCN",
                          {'lr': 1e-3, 'epochs': 300}),
    'text': ModelSpec(_MODELS + 'text_recommenders:text_cosine', 'text',
                      'cosine of own-text and item-text embeddings '
                      '(no training)'),
    'job-mean': ModelSpec(_MODELS + 'text_recommenders:item_mean', 'text',
                          'cosine to the mean embedding of own text and '
                          'training items (no training)'),
    'lightgcn-text': ModelSpec(_LGIR, 'text',
                               'LGIR on own texts: no LLM, no GAN',
                               LGIR_TRAIN),
    'prompt-text': ModelSpec(_LGIR, 'context',
                             'LGIR on the IRC prompt context encoded '
                             'directly: no LLM, no GAN', LGIR_TRAIN),
    'lgir-src': ModelSpec(_HYBRID, 'resume_src',
                          'LGIR (ID + text towers) on SRC resumes, no GAN',
                          HYBRID_TRAIN),
    'lgir-nogan': ModelSpec(_HYBRID, 'resume_irc',
                            'LGIR (ID + text towers) on IRC resumes, no '
                            'GAN', HYBRID_TRAIN),
    'lgir': ModelSpec(_HYBRID, 'resume_irc',
                      'LGIR (ID + text towers) on IRC resumes with the GAN',
                      HYBRID_TRAIN, {'gan': True}),
    'lgir-text': ModelSpec(_LGIR, 'resume_irc',
                           'text-only LGIR (no ID tower) on IRC resumes '
                           'with the GAN', LGIR_TRAIN, {'gan': True}),
}


def model_spec(name: str) -> ModelSpec:
    r"""The registered :class:`ModelSpec` of :obj:`name`."""
    if name not in MODELS:
        raise UsageError(f"Unknown model {name!r}; valid names: "
                         f"{', '.join(MODELS)}")
    return MODELS[name]


def build_model(name: str, data: 'HeteroData', **kwargs) -> 'Recommender':
    r"""Builds the registered model :obj:`name` on the split graph
    :obj:`data`, which carries the text features the model reads (see
    :attr:`ModelSpec.user_text`).

    Args:
        name (str): A name of :obj:`MODELS`.
        data (HeteroData): The split graph.
        **kwargs (optional): Arguments of the model's builder, e.g.
            :obj:`edge_type`.
    """
    return model_spec(name).build(data, **kwargs)
