from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.nn.models import LightGCN

from lgir_pyg.datasets.tables import EDGE_TYPE
from lgir_pyg.nn import LGIR, GANRefine
from lgir_pyg.nn.functional import select_pairs



class Recommender(torch.nn.Module):
    r"""What :class:`lgir_pyg.training.Trainer` needs from a model bound to
    its training graph: :meth:`forward` returns user and job embeddings
    whose inner products are the scores, :meth:`loss` the loss of a BPR
    batch, and :meth:`gan_loss` the adversarial losses of models with a GAN.
    Models without trainable parameters are not trained."""
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
    def scorer(self) -> Callable[[Tensor], Tensor]:
        r"""Returns :obj:`score(user_index)`, the scores of all jobs for
        those users, with the embeddings computed once."""
        self.eval()
        user_emb, job_emb = self()
        return lambda user_index: user_emb[user_index] @ job_emb.t()

    @torch.no_grad()
    def recommend(
        self,
        user_index: Tensor,
        k: int,
        exclude_edge_index: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the scores and indices :obj:`[len(user_index), k]` of
        the top-:obj:`k` jobs for each user; the user-job pairs of
        :obj:`exclude_edge_index` (e.g. jobs already seen) score
        :obj:`-inf`, so they come last."""
        score = self.scorer()(user_index)
        if not 1 <= k <= score.size(1):
            raise ValueError(f"'k' must be in [1, {score.size(1)}] "
                             f"(got {k})")
        if exclude_edge_index is not None:
            row, job = select_pairs(user_index, exclude_edge_index)
            score[row, job] = float('-inf')
        return score.topk(k, dim=1)


class FixedEmbedding(Recommender):
    r"""A recommender without training: fixed user and job embeddings."""
    def __init__(self, user_emb: Tensor, job_emb: Tensor, name: str) -> None:
        super().__init__()
        self.register_buffer('user_emb', user_emb)
        self.register_buffer('job_emb', job_emb)
        self.name = name

    def forward(self) -> Tuple[Tensor, Tensor]:
        return self.user_emb, self.job_emb

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.name}, '
                f'{self.user_emb.size(0)}, {self.job_emb.size(0)})')


def popularity(data: HeteroData) -> FixedEmbedding:
    r"""Scores every job by its number of training interactions."""
    store = data[EDGE_TYPE]
    count = torch.bincount(store.edge_index[1],
                           minlength=data['job'].num_nodes)
    return FixedEmbedding(torch.ones(data['user'].num_nodes, 1),
                          count.float().view(-1, 1), 'pop')


def text_cosine(data: HeteroData, user_x: Tensor,
                job_x: Tensor) -> FixedEmbedding:
    r"""Scores by the cosine similarity of the user's and the job's text
    embeddings (zero-shot)."""
    return FixedEmbedding(F.normalize(user_x, dim=-1),
                          F.normalize(job_x, dim=-1), 'text')


def job_mean(data: HeteroData, user_x: Tensor,
             job_x: Tensor) -> FixedEmbedding:
    r"""Represents each user by the mean of the normalised text embeddings
    of their own text and of their training jobs, and scores by cosine
    similarity (no training)."""
    user, job = data[EDGE_TYPE].edge_index
    user_x, job_x = F.normalize(user_x, dim=-1), F.normalize(job_x, dim=-1)
    total = user_x.index_add(0, user, job_x[job])
    return FixedEmbedding(F.normalize(total, dim=-1), job_x, 'job-mean')


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
    def __init__(self, data: HeteroData, mask_targets: bool) -> None:
        super().__init__()
        self.num_jobs = data['job'].num_nodes
        self.mask_targets = mask_targets
        self.register_buffer('edge_index', data[EDGE_TYPE].edge_index)

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
    """
    def __init__(self, data: HeteroData, embedding_dim: int = 64,
                 num_layers: int = 3, lambda_reg: float = 1e-4,
                 mask_targets: bool = True) -> None:
        super().__init__(data, mask_targets and num_layers > 0)
        self.num_users = data['user'].num_nodes
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
    and text embeddings, optionally with the GAN refinement of few-shot
    users' text embeddings (:class:`lgir_pyg.nn.GANRefine`).

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
        data (HeteroData): The split graph.
        user_x (torch.Tensor): User text embeddings.
        job_x (torch.Tensor): Job text embeddings.
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
        **kwargs (optional): Other arguments of :class:`lgir_pyg.nn.LGIR`.
    """
    def __init__(self, data: HeteroData, user_x: Tensor, job_x: Tensor,
                 gan: bool = False, embedding_dim: Optional[int] = None,
                 num_layers: int = 1, use_id: bool = False,
                 shared_projection: bool = False, self_loops: str = 'none',
                 text_init: str = 'identity', lambda_reg: float = 1e-4,
                 mask_targets: bool = True,
                 gan_kwargs: Optional[Dict[str, Any]] = None,
                 **kwargs) -> None:
        super().__init__(data, mask_targets)
        channels = user_x.size(1)
        embedding_dim = embedding_dim or channels
        if text_init not in ('identity', 'random'):
            raise ValueError(f"'text_init' must be 'identity' or 'random' "
                             f"(got {text_init!r})")
        if text_init == 'identity' and (shared_projection
                                        or embedding_dim != channels):
            raise ValueError(f"text_init='identity' needs separate "
                             f"projections (shared_projection=False) of the "
                             f"text size (embedding_dim={channels})")
        self.lambda_reg = lambda_reg
        self.register_buffer('user_x', user_x)
        self.register_buffer('job_x', job_x)
        self.register_buffer(
            'num_train',
            torch.bincount(self.edge_index[0],
                           minlength=data['user'].num_nodes))
        refine = GANRefine(channels, **(gan_kwargs or {})) if gan else None
        self.model = LGIR(data['user'].num_nodes, self.num_jobs, channels,
                          embedding_dim=embedding_dim, num_layers=num_layers,
                          use_id=use_id, shared_projection=shared_projection,
                          self_loops=self_loops, refine=refine, **kwargs)
        if text_init == 'identity':
            with torch.no_grad():
                self.model.job_proj.weight.copy_(torch.eye(channels))
                self.model.user_proj.weight.zero_()

    def embed(self, edge_index: Tensor) -> Tuple[Tensor, Tensor]:
        return self.model(edge_index, self.user_x, self.job_x,
                          self.num_train)

    def bpr_loss(self, user_emb: Tensor, job_emb: Tensor, user: Tensor,
                 pos: Tensor, neg: Tensor) -> Tensor:
        return self.model.recommendation_loss(user_emb, job_emb, user, pos,
                                              neg, self.lambda_reg)

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
    r"""A registered model: its builder (:obj:`build(data, **kwargs)`, or
    :obj:`build(data, user_x, job_x, **kwargs)` for text models), the
    source of its user texts (:obj:`None` if it uses no text; see
    :func:`lgir_pyg.training.user_texts`), a description and its default
    :class:`~lgir_pyg.training.Trainer` arguments."""
    build: Callable[..., Recommender]
    user_text: Optional[str]
    description: str
    train: Dict[str, Any] = field(default_factory=dict)


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
    'text': ModelSpec(text_cosine, 'self',
                      'cosine of own-text and job-text embeddings '
                      '(no training)'),
    'job-mean': ModelSpec(job_mean, 'self',
                          'cosine to the mean embedding of own text and '
                          'training jobs (no training)'),
    'lightgcn-text': ModelSpec(LGIRRecommender, 'self',
                               'LGIR on own texts: no LLM, no GAN',
                               LGIR_TRAIN),
    'prompt-text': ModelSpec(LGIRRecommender, 'context',
                             'LGIR on the IRC prompt context encoded '
                             'directly: no LLM, no GAN', LGIR_TRAIN),
    'lgir-src': ModelSpec(LGIRRecommender, 'src',
                          'LGIR on SRC resumes, no GAN', LGIR_TRAIN),
    'lgir-nogan': ModelSpec(LGIRRecommender, 'irc',
                            'LGIR on IRC resumes, no GAN', LGIR_TRAIN),
    'lgir': ModelSpec(partial(LGIRRecommender, gan=True), 'irc',
                      'LGIR on IRC resumes with the GAN', LGIR_TRAIN),
}


def model_spec(name: str) -> ModelSpec:
    r"""The registered :class:`ModelSpec` of :obj:`name`."""
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}; valid names: "
                         f"{', '.join(MODELS)}")
    return MODELS[name]


def build_model(name: str, data: HeteroData,
                user_x: Optional[Tensor] = None,
                job_x: Optional[Tensor] = None, **kwargs) -> Recommender:
    r"""Builds the registered model :obj:`name` on the split graph
    :obj:`data`.

    Args:
        name (str): A name of :obj:`MODELS`.
        data (HeteroData): The split graph.
        user_x (torch.Tensor, optional): Embeddings of the user texts named
            by the model's :obj:`user_text`; needed by text models.
            (default: :obj:`None`)
        job_x (torch.Tensor, optional): Embeddings of the job texts; needed
            by text models. (default: :obj:`None`)
        **kwargs (optional): Arguments of the model's builder.
    """
    spec = model_spec(name)
    if spec.user_text is None:
        return spec.build(data, **kwargs)
    for key, x, num in (('user_x', user_x, data['user'].num_nodes),
                        ('job_x', job_x, data['job'].num_nodes)):
        if x is None:
            raise ValueError(f"Model {name!r} needs '{key}', the text "
                             f"embeddings of its "
                             f"{'user' if key == 'user_x' else 'job'} texts")
        if x.dim() != 2 or x.size(0) != num:
            raise ValueError(f"'{key}' must have shape [{num}, F] "
                             f"(got {list(x.shape)})")
        if not bool(torch.isfinite(x).all()):
            raise ValueError(f"'{key}' contains NaN or infinite values")
    return spec.build(data, user_x, job_x, **kwargs)
