from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.nn.models import LightGCN

from lgir_pyg.nn import LGIR, GANRefine

EDGE_TYPE = ('user', 'interacts', 'job')


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


class LightGCNRecommender(Recommender):
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
    """
    def __init__(self, data: HeteroData, embedding_dim: int = 64,
                 num_layers: int = 3, lambda_reg: float = 1e-4) -> None:
        super().__init__()
        self.num_users = data['user'].num_nodes
        self.lambda_reg = lambda_reg
        user, job = data[EDGE_TYPE].edge_index
        job = job + self.num_users
        self.register_buffer('edge_index', torch.stack(
            [torch.cat([user, job]), torch.cat([job, user])]))
        self.model = LightGCN(self.num_users + data['job'].num_nodes,
                              embedding_dim, num_layers)

    def forward(self) -> Tuple[Tensor, Tensor]:
        emb = self.model.get_embedding(self.edge_index)
        return emb[:self.num_users], emb[self.num_users:]

    def loss(self, user: Tensor, pos: Tensor, neg: Tensor) -> Tensor:
        user_emb, job_emb = self()
        pos_rank = (user_emb[user] * job_emb[pos]).sum(dim=-1)
        neg_rank = (user_emb[user] * job_emb[neg]).sum(dim=-1)
        node_id = torch.cat([user, pos + self.num_users,
                             neg + self.num_users])
        return self.model.recommendation_loss(pos_rank, neg_rank, node_id,
                                              lambda_reg=self.lambda_reg)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.model})'


class LGIRRecommender(Recommender):
    r"""The LGIR recommender :class:`lgir_pyg.nn.LGIR` bound to its graph
    and text embeddings, optionally with the GAN refinement of few-shot
    users' text embeddings (:class:`lgir_pyg.nn.GANRefine`).

    Args:
        data (HeteroData): The split graph.
        user_x (torch.Tensor): User text embeddings.
        job_x (torch.Tensor): Job text embeddings.
        gan (bool, optional): Refine few-shot users with a GAN.
            (default: :obj:`False`)
        lambda_reg (float, optional): :math:`L_2` regularisation of the
            batch's ID embeddings in the BPR loss. (default: :obj:`1e-4`)
        gan_kwargs (dict, optional): Arguments of
            :class:`lgir_pyg.nn.GANRefine`. (default: :obj:`None`)
        **kwargs (optional): Arguments of :class:`lgir_pyg.nn.LGIR`.
    """
    def __init__(self, data: HeteroData, user_x: Tensor, job_x: Tensor,
                 gan: bool = False, lambda_reg: float = 1e-4,
                 gan_kwargs: Optional[Dict[str, Any]] = None,
                 **kwargs) -> None:
        super().__init__()
        self.lambda_reg = lambda_reg
        self.register_buffer('edge_index', data[EDGE_TYPE].edge_index)
        self.register_buffer('user_x', user_x)
        self.register_buffer('job_x', job_x)
        self.register_buffer(
            'num_train',
            torch.bincount(self.edge_index[0],
                           minlength=data['user'].num_nodes))
        refine = GANRefine(user_x.size(1), **(gan_kwargs or {})) if gan \
            else None
        self.model = LGIR(data['user'].num_nodes, data['job'].num_nodes,
                          user_x.size(1), refine=refine, **kwargs)

    def forward(self) -> Tuple[Tensor, Tensor]:
        return self.model(self.edge_index, self.user_x, self.job_x,
                          self.num_train)

    def loss(self, user: Tensor, pos: Tensor, neg: Tensor) -> Tensor:
        user_emb, job_emb = self()
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
    :obj:`build(data, user_x, job_x, **kwargs)` for text models), the source of its user texts (:obj:`None` if it uses no
    text; see :func:`lgir_pyg.training.user_texts`), a description and its
    default :class:`~lgir_pyg.training.Trainer` arguments."""
    build: Callable[..., Recommender]
    user_text: Optional[str]
    description: str
    train: Dict[str, Any] = field(default_factory=dict)


MODELS: Dict[str, ModelSpec] = {
    'pop': ModelSpec(popularity, None,
                     'popularity of training interactions (no training)'),
    'bprmf': ModelSpec(partial(LightGCNRecommender, num_layers=0), None,
                       'matrix factorisation with BPR'),
    'lightgcn': ModelSpec(LightGCNRecommender, None, "PyG's LightGCN"),
    'text': ModelSpec(text_cosine, 'self',
                      'cosine of own-text and job-text embeddings '
                      '(no training)'),
    'job-mean': ModelSpec(job_mean, 'self',
                          'cosine to the mean embedding of own text and '
                          'training jobs (no training)'),
    'lightgcn-text': ModelSpec(LGIRRecommender, 'self',
                               'LGIR on own texts: no LLM, no GAN'),
    'prompt-text': ModelSpec(LGIRRecommender, 'context',
                             'LGIR on the IRC prompt context encoded '
                             'directly: no LLM, no GAN'),
    'lgir-src': ModelSpec(LGIRRecommender, 'src',
                          'LGIR on SRC resumes, no GAN'),
    'lgir-nogan': ModelSpec(LGIRRecommender, 'irc',
                            'LGIR on IRC resumes, no GAN'),
    'lgir': ModelSpec(partial(LGIRRecommender, gan=True), 'irc',
                      'LGIR on IRC resumes with the GAN'),
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
