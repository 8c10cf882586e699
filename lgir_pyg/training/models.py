from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.nn.models import LightGCN

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.nn import LGIR, GANRefine
from lgir_pyg.nn.functional import topk_excluding
from lgir_pyg.transforms.encode_text import feature_name


class Recommender(torch.nn.Module):
    r"""What :class:`lgir_pyg.training.Trainer` needs from a model bound to
    its training graph: :meth:`forward` returns user and item embeddings
    whose inner products are the scores, :meth:`loss` the loss of a BPR
    batch, and :meth:`gan_loss` the adversarial losses of models with a GAN.
    Models without trainable parameters are not trained. :attr:`edge_type`
    names the interaction edge type the model was built on."""
    edge_type: EdgeType
    def forward(self) -> Tuple[Tensor, Tensor]:
        raise NotImplementedError

    def loss(self, user: Tensor, pos: Tensor, neg: Tensor) -> Tensor:
        r"""The recommendation loss of the triplets
        :obj:`(user, pos, neg)`."""
        raise NotImplementedError(f'{self} has no training loss')

    def gan_loss(self) -> Optional[Tuple[Tensor, Tensor]]:
        r"""The losses :obj:`(d_loss, g_loss)` of the model's GAN, or
        :obj:`None` without a GAN."""
        return None

    def discriminator_parameters(self) -> List[torch.nn.Parameter]:
        r"""The parameters that :obj:`d_loss` trains."""
        return []

    @torch.no_grad()
    def scorer(self, side: str = 'user') -> Callable[[Tensor], Tensor]:
        r"""Returns :obj:`score(index)` with the embeddings computed once:
        for :obj:`side="user"` the scores of all items for the users
        :obj:`index`, for :obj:`side="item"` (the employer side) the scores
        of all users for the items :obj:`index`."""
        if side not in ('user', 'item'):
            raise UsageError(f"'side' must be 'user' or 'item' (got "
                             f"{side!r})")
        self.eval()
        user_emb, job_emb = self()
        if side == 'item':
            return lambda item_index: job_emb[item_index] @ user_emb.t()
        return lambda user_index: user_emb[user_index] @ job_emb.t()

    @torch.no_grad()
    def recommend(
        self,
        user_index: Tensor,
        k: int,
        exclude_edge_index: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the scores and indices :obj:`[len(user_index), k]` of
        the top-:obj:`k` items for each user; the user-item pairs of
        :obj:`exclude_edge_index` (e.g. items already seen) score
        :obj:`-inf`, so they come last (see
        :func:`lgir_pyg.nn.functional.topk_excluding`)."""
        return topk_excluding(self.scorer()(user_index), k, user_index,
                              exclude_edge_index)


class FixedEmbedding(Recommender):
    r"""A recommender without training: fixed user and item embeddings."""
    def __init__(self, user_emb: Tensor, job_emb: Tensor, name: str,
                 edge_type: EdgeType) -> None:
        super().__init__()
        self.register_buffer('user_emb', user_emb)
        self.register_buffer('job_emb', job_emb)
        self.name = name
        self.edge_type = edge_type

    def forward(self) -> Tuple[Tensor, Tensor]:
        return self.user_emb, self.job_emb

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.name}, '
                f'{self.user_emb.size(0)}, {self.job_emb.size(0)})')


def node_features(data: HeteroData, node_type: str, attr: str) -> Tensor:
    r"""Returns the finite feature matrix :obj:`data[node_type][attr]` with
    one row per node, or raises :class:`~lgir_pyg.errors.DataError` saying
    which transform makes it."""
    store = data[node_type]
    x = store.get(attr)
    if not isinstance(x, Tensor):
        raise DataError(f"data['{node_type}'] has no feature matrix "
                        f"'{attr}'; add it with lgir_pyg.transforms."
                        f"EncodeText (e.g. `lgir encode`)")
    if x.dim() != 2 or x.size(0) != store.num_nodes:
        raise DataError(f"data['{node_type}'].{attr} must have shape "
                        f"[{store.num_nodes}, F] (got {list(x.shape)})")
    if not bool(torch.isfinite(x).all()):
        raise DataError(f"data['{node_type}'].{attr} contains NaN or "
                        f"infinite values")
    return x


def text_features(data: HeteroData, user_features: str,
                  item_features: str,
                  edge_type: Optional[EdgeType] = None
                  ) -> Tuple[EdgeType, Tensor, Tensor]:
    r"""The interaction edge type and the user and item feature matrices
    of a text model, checked by :func:`node_features`."""
    edge_type = interaction_edge_type(data, edge_type)
    user_x = node_features(data, edge_type[0], user_features)
    job_x = node_features(data, edge_type[2], item_features)
    if user_x.size(1) != job_x.size(1):
        raise DataError(f"User features '{user_features}' have "
                        f"{user_x.size(1)} channels but item features "
                        f"'{item_features}' {job_x.size(1)}: encode both "
                        f"with the same encoder")
    return edge_type, user_x, job_x


def popularity(data: HeteroData,
               edge_type: Optional[EdgeType] = None) -> FixedEmbedding:
    r"""Scores every item by its number of training interactions."""
    edge_type = interaction_edge_type(data, edge_type)
    count = torch.bincount(data[edge_type].edge_index[1],
                           minlength=data[edge_type[2]].num_nodes)
    return FixedEmbedding(torch.ones(data[edge_type[0]].num_nodes, 1),
                          count.float().view(-1, 1), 'pop', edge_type)


def text_cosine(data: HeteroData, user_features: str = 'x',
                item_features: str = 'x',
                edge_type: Optional[EdgeType] = None) -> FixedEmbedding:
    r"""Scores by the cosine similarity of the user's and the item's text
    embeddings :obj:`user_features` and :obj:`item_features` (zero-shot)."""
    edge_type, user_x, job_x = text_features(data, user_features,
                                             item_features, edge_type)
    return FixedEmbedding(F.normalize(user_x, dim=-1),
                          F.normalize(job_x, dim=-1), 'text', edge_type)


def job_mean(data: HeteroData, user_features: str = 'x',
             item_features: str = 'x',
             edge_type: Optional[EdgeType] = None) -> FixedEmbedding:
    r"""Represents each user by the mean of the normalised text embeddings
    of their own text and of their training items, and scores by cosine
    similarity (no training)."""
    edge_type, user_x, job_x = text_features(data, user_features,
                                             item_features, edge_type)
    user, job = data[edge_type].edge_index
    user_x, job_x = F.normalize(user_x, dim=-1), F.normalize(job_x, dim=-1)
    total = user_x.index_add(0, user, job_x[job])
    return FixedEmbedding(F.normalize(total, dim=-1), job_x, 'job-mean',
                          edge_type)


def drop_edges(edge_index: Tensor, user: Tensor, job: Tensor,
               num_jobs: int) -> Tensor:
    r"""Returns the user-job :obj:`edge_index` without the pairs
    :obj:`(user[i], job[i])`."""
    key = edge_index[0] * num_jobs + edge_index[1]
    return edge_index[:, ~torch.isin(key, user * num_jobs + job)]


class GraphRecommender(Recommender):
    r"""A recommender that propagates over the training edges
    :obj:`edge_index` (a buffer); subclasses implement :meth:`embed` and
    :meth:`bpr_loss`.

    With :obj:`mask_targets=True` the positive edges of a training batch
    are left out of message passing for that batch, so the model learns to
    predict interactions it cannot see, as it must on held-out ones;
    otherwise a user's embedding contains its positive jobs and BPR rewards
    recognising them.
    """
    def __init__(self, data: HeteroData, mask_targets: bool,
                 edge_type: Optional[EdgeType] = None) -> None:
        super().__init__()
        self.edge_type = interaction_edge_type(data, edge_type)
        self.num_users = data[self.edge_type[0]].num_nodes
        self.num_jobs = data[self.edge_type[2]].num_nodes
        self.mask_targets = mask_targets
        self.register_buffer('edge_index', data[self.edge_type].edge_index)

    def embed(self, edge_index: Tensor) -> Tuple[Tensor, Tensor]:
        raise NotImplementedError

    def bpr_loss(self, user_emb: Tensor, job_emb: Tensor, user: Tensor,
                 pos: Tensor, neg: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self) -> Tuple[Tensor, Tensor]:
        return self.embed(self.edge_index)

    def loss(self, user: Tensor, pos: Tensor, neg: Tensor) -> Tensor:
        edge_index = self.edge_index
        if self.mask_targets:
            edge_index = drop_edges(edge_index, user, pos, self.num_jobs)
        user_emb, job_emb = self.embed(edge_index)
        return self.bpr_loss(user_emb, job_emb, user, pos, neg)


class LightGCNRecommender(GraphRecommender):
    r"""PyG's :class:`~torch_geometric.nn.models.LightGCN`, used as it is,
    on the homogeneous view of the bipartite graph: users are nodes
    :obj:`[0, num_users)`, jobs :obj:`[num_users, num_users + num_jobs)`.
    With :obj:`num_layers=0` it is matrix factorisation (BPR-MF).

    Args:
        data (HeteroData): The split graph.
        embedding_dim (int, optional): Embedding size. (default: :obj:`64`)
        num_layers (int, optional): Propagation layers. (default: :obj:`3`)
        lambda_reg (float, optional): :math:`L_2` regularisation of the
            batch's embeddings in the BPR loss. (default: :obj:`1e-4`)
        mask_targets (bool, optional): Leave each batch's positive edges
            out of message passing, see :class:`GraphRecommender`.
            (default: :obj:`True`)
        edge_type (tuple, optional): The interaction edge type; inferred if
            :obj:`None`. (default: :obj:`None`)
    """
    def __init__(self, data: HeteroData, embedding_dim: int = 64,
                 num_layers: int = 3, lambda_reg: float = 1e-4,
                 mask_targets: bool = True,
                 edge_type: Optional[EdgeType] = None) -> None:
        super().__init__(data, mask_targets and num_layers > 0, edge_type)
        self.lambda_reg = lambda_reg
        self.model = LightGCN(self.num_users + self.num_jobs, embedding_dim,
                              num_layers)

    def embed(self, edge_index: Tensor) -> Tuple[Tensor, Tensor]:
        user, job = edge_index[0], edge_index[1] + self.num_users
        emb = self.model.get_embedding(
            torch.stack([torch.cat([user, job]), torch.cat([job, user])]))
        return emb[:self.num_users], emb[self.num_users:]

    def bpr_loss(self, user_emb: Tensor, job_emb: Tensor, user: Tensor,
                 pos: Tensor, neg: Tensor) -> Tensor:
        pos_rank = (user_emb[user] * job_emb[pos]).sum(dim=-1)
        neg_rank = (user_emb[user] * job_emb[neg]).sum(dim=-1)
        node_id = torch.cat([user, pos + self.num_users,
                             neg + self.num_users])
        return self.model.recommendation_loss(pos_rank, neg_rank, node_id,
                                              lambda_reg=self.lambda_reg)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.model})'


class LGIRRecommender(GraphRecommender):
    r"""The LGIR recommender :class:`lgir_pyg.nn.LGIR` bound to its graph
    and the text embeddings on it, optionally with the GAN refinement of
    few-shot users' text embeddings (:class:`lgir_pyg.nn.GANRefine`).

    The defaults differ from :class:`~lgir_pyg.nn.LGIR`'s and are tuned on
    KaggleJobViews, where most held-out jobs are cold: no ID embeddings,
    one propagation layer without self-loops, separate user and job
    projections of the full text size, and :obj:`text_init="identity"`:
    the job projection starts as the identity and the user projection at
    zero, so the untrained model scores a job by the inner product of its
    text embedding with the user's propagated training jobs (close to the
    :obj:`job-mean` baseline), and training learns from there. Propagating
    user texts into job embeddings from the start makes warm jobs win by
    user-user text similarity instead.

    Args:
        data (HeteroData): The split graph with text features.
        user_features (str, optional): The user feature matrix, e.g.
            :obj:`"x_irc"` (IRC resumes) or :obj:`"x"` (own text), see
            :func:`lgir_pyg.transforms.feature_name`.
            (default: :obj:`"x_irc"`)
        item_features (str, optional): The item feature matrix.
            (default: :obj:`"x"`)
        gan (bool, optional): Refine few-shot users with a GAN.
            (default: :obj:`False`)
        embedding_dim (int, optional): Size of the projections; the text
            size if :obj:`None`. (default: :obj:`None`)
        num_layers (int, optional): Propagation layers. (default: :obj:`1`)
        use_id (bool, optional): Add ID embeddings. (default: :obj:`False`)
        shared_projection (bool, optional): One text projection for users
            and jobs. (default: :obj:`False`)
        self_loops (str, optional): See :class:`lgir_pyg.nn.LGIR`.
            (default: :obj:`"none"`)
        text_init (str, optional): :obj:`"identity"` (see above; needs
            separate projections of the text size) or :obj:`"random"`
            (:class:`~lgir_pyg.nn.LGIR`'s own). (default:
            :obj:`"identity"`)
        lambda_reg (float, optional): :math:`L_2` regularisation of the
            batch's ID embeddings in the BPR loss. (default: :obj:`1e-4`)
        mask_targets (bool, optional): Leave each batch's positive edges
            out of message passing, see :class:`GraphRecommender`.
            (default: :obj:`True`)
        gan_kwargs (dict, optional): Arguments of
            :class:`lgir_pyg.nn.GANRefine`. (default: :obj:`None`)
        edge_type (tuple, optional): The interaction edge type; inferred if
            :obj:`None`. (default: :obj:`None`)
        **kwargs (optional): Other arguments of :class:`lgir_pyg.nn.LGIR`.
    """
    def __init__(self, data: HeteroData, user_features: str = 'x_irc',
                 item_features: str = 'x', gan: bool = False,
                 embedding_dim: Optional[int] = None, num_layers: int = 1,
                 use_id: bool = False, shared_projection: bool = False,
                 self_loops: str = 'none', text_init: str = 'identity',
                 lambda_reg: float = 1e-4, mask_targets: bool = True,
                 gan_kwargs: Optional[Dict[str, Any]] = None,
                 edge_type: Optional[EdgeType] = None, **kwargs) -> None:
        edge_type, user_x, job_x = text_features(data, user_features,
                                                 item_features, edge_type)
        super().__init__(data, mask_targets, edge_type)
        channels = user_x.size(1)
        embedding_dim = embedding_dim or channels
        self.lambda_reg = lambda_reg
        self.register_buffer('user_x', user_x)
        self.register_buffer('job_x', job_x)
        self.register_buffer(
            'num_train',
            torch.bincount(self.edge_index[0], minlength=self.num_users))
        refine = GANRefine(channels, **(gan_kwargs or {})) if gan else None
        self.model = LGIR(self.num_users, self.num_jobs, channels,
                          embedding_dim=embedding_dim, num_layers=num_layers,
                          use_id=use_id, shared_projection=shared_projection,
                          self_loops=self_loops, text_init=text_init,
                          refine=refine, **kwargs)

    def embed(self, edge_index: Tensor) -> Tuple[Tensor, Tensor]:
        return self.model(edge_index, self.user_x, self.job_x,
                          self.num_train)

    def bpr_loss(self, user_emb: Tensor, job_emb: Tensor, user: Tensor,
                 pos: Tensor, neg: Tensor) -> Tensor:
        pos_rank = (user_emb[user] * job_emb[pos]).sum(dim=-1)
        neg_rank = (user_emb[user] * job_emb[neg]).sum(dim=-1)
        node_id = torch.cat([user, pos + self.num_users,
                             neg + self.num_users])
        return self.model.recommendation_loss(pos_rank, neg_rank, node_id,
                                              lambda_reg=self.lambda_reg)

    def gan_loss(self) -> Optional[Tuple[Tensor, Tensor]]:
        if self.model.refine is None:
            return None
        return self.model.gan_loss(self.user_x, self.num_train)

    def discriminator_parameters(self) -> List[torch.nn.Parameter]:
        if self.model.refine is None:
            return []
        return list(self.model.refine.discriminator.parameters())

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.model})'


@dataclass(frozen=True)
class ModelSpec:
    r"""A registered model: its builder (:obj:`build(data, **kwargs)`), the
    user texts it needs (:obj:`None` if it uses no text; else the user
    attribute, e.g. :obj:`"resume_irc"`, whose embedding
    :func:`lgir_pyg.transforms.feature_name` it reads, next to the items'
    :obj:`x`), a description and its default
    :class:`~lgir_pyg.training.Trainer` arguments."""
    build: Callable[..., Recommender]
    user_text: Optional[str]
    description: str
    train: Dict[str, Any] = field(default_factory=dict)


def _text_model(build: Callable[..., Recommender], user_text: str,
                description: str, train: Optional[Dict[str, Any]] = None,
                **fixed) -> ModelSpec:
    # The builder reads the embedding of exactly the texts it names.
    return ModelSpec(partial(build, user_features=feature_name(user_text),
                             **fixed), user_text, description, train or {})


# LGIR variants peak after a few epochs at a low learning rate (they start
# from the text geometry); ID models need more epochs.
LGIR_TRAIN = {'lr': 1e-4, 'epochs': 50, 'patience': 3}

MODELS: Dict[str, ModelSpec] = {
    'pop': ModelSpec(popularity, None,
                     'popularity of training interactions (no training)'),
    'bprmf': ModelSpec(partial(LightGCNRecommender, num_layers=0), None,
                       'matrix factorisation with BPR',
                       {'lr': 5e-3, 'epochs': 300}),
    'lightgcn': ModelSpec(LightGCNRecommender, None, "PyG's LightGCN",
                          {'lr': 1e-3, 'epochs': 300}),
    'text': _text_model(text_cosine, 'text',
                        'cosine of own-text and item-text embeddings '
                        '(no training)'),
    'job-mean': _text_model(job_mean, 'text',
                            'cosine to the mean embedding of own text and '
                            'training items (no training)'),
    'lightgcn-text': _text_model(LGIRRecommender, 'text',
                                 'LGIR on own texts: no LLM, no GAN',
                                 LGIR_TRAIN),
    'prompt-text': _text_model(LGIRRecommender, 'context',
                               'LGIR on the IRC prompt context encoded '
                               'directly: no LLM, no GAN', LGIR_TRAIN),
    'lgir-src': _text_model(LGIRRecommender, 'resume_src',
                            'LGIR on SRC resumes, no GAN', LGIR_TRAIN),
    'lgir-nogan': _text_model(LGIRRecommender, 'resume_irc',
                              'LGIR on IRC resumes, no GAN', LGIR_TRAIN),
    'lgir': _text_model(LGIRRecommender, 'resume_irc',
                        'LGIR on IRC resumes with the GAN', LGIR_TRAIN,
                        gan=True),
}


def model_spec(name: str) -> ModelSpec:
    r"""The registered :class:`ModelSpec` of :obj:`name`."""
    if name not in MODELS:
        raise UsageError(f"Unknown model {name!r}; valid names: "
                         f"{', '.join(MODELS)}")
    return MODELS[name]


def build_model(name: str, data: HeteroData, **kwargs) -> Recommender:
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
