from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.nn.models import LightGCN

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.nn import LGIR, GANRefine
from lgir_pyg.nn.functional import topk_excluding
from lgir_pyg.training.sampler import (NeighborhoodSampler, Subgraph,
                                       subgraph_gcn_norm)
from lgir_pyg.transforms.encode_text import feature_name


class Recommender(torch.nn.Module):
    r"""What :class:`lgir_pyg.training.Trainer` needs from a model bound to
    its training graph: :meth:`forward` returns user and item embeddings
    whose inner products are the scores, :meth:`loss` the loss of a BPR
    batch, and models with a GAN draw few-shot and many-shot users
    (:meth:`sample_shots`) for their adversarial losses (:meth:`gan_loss`).
    Models without trainable parameters are not trained. :attr:`edge_type`
    names the interaction edge type the model was built on."""
    edge_type: EdgeType

    def forward(self) -> Tuple[Tensor, Tensor]:
        raise NotImplementedError

    def loss(self, user: Tensor, pos: Tensor, neg: Tensor,
             masked_edge_index: Optional[Tensor] = None,
             propagation: str = 'auto',
             num_neighbors: Optional[Sequence[int]] = None) -> Tensor:
        r"""The recommendation loss of the triplets
        :obj:`(user, pos, neg)`; see :meth:`GraphRecommender.loss` for the
        other arguments."""
        raise NotImplementedError(f'{self} has no training loss')

    def sample_shots(
        self,
        num_samples: int,
        generator: Optional[torch.Generator] = None,
    ) -> Optional[Tuple[Tensor, Tensor]]:
        r"""Draws :obj:`num_samples` few-shot and as many many-shot users,
        uniformly with replacement, for :meth:`gan_loss` with the CPU
        :obj:`generator`; :obj:`None` without a GAN."""
        return None

    def gan_loss(
        self,
        few_index: Optional[Tensor] = None,
        many_index: Optional[Tensor] = None,
    ) -> Optional[Tuple[Tensor, Tensor]]:
        r"""The losses :obj:`(d_loss, g_loss)` of the model's GAN on the
        users :obj:`few_index` and :obj:`many_index` (all few-shot and
        many-shot users if :obj:`None`), or :obj:`None` without a GAN."""
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
            return lambda item_index: job_emb[item_index.to(
                job_emb.device)] @ user_emb.t()
        return lambda user_index: user_emb[user_index.to(
            user_emb.device)] @ job_emb.t()

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


PROPAGATIONS = ('auto', 'full', 'batch')
# The largest graph (distinct training pairs) on which propagation='auto'
# runs a multi-layer model on the whole graph at every step. LightGCN with
# 3 layers, one thread: on 6k edges (KaggleJobViews) whole-graph and
# sampled epochs take about as long, on 18k edges sampling is 1.6x faster.
AUTO_MAX_FULL_EDGES = 10_000
# Neighbours per node and hop of the sampled path of multi-layer models.
DEFAULT_FANOUT = 10


class GraphRecommender(Recommender):
    r"""A recommender that propagates over the training edges
    :obj:`edge_index` (a buffer); subclasses hold a :obj:`model` with PyG's
    :meth:`~torch_geometric.nn.models.LightGCN.recommendation_loss` and
    implement :meth:`embed` (the whole graph) and :meth:`embed_subgraph` (a
    mini-batch's neighbourhood).

    With :obj:`mask_targets=True` the positive edges of a training batch
    are left out of message passing for that batch, so the model learns to
    predict interactions it cannot see, as it must on held-out ones;
    otherwise a user's embedding contains its positive jobs and BPR rewards
    recognising them. Left out means absent from the graph: the degrees
    that normalise messages do not count them either.

    :meth:`loss` computes a batch in one of two ways
    (:obj:`propagation`):

    * :obj:`"full"` propagates the whole graph (without the batch's
      positive edges), so a step costs what the graph holds and an epoch
      grows with the square of the graph;
    * :obj:`"batch"` propagates only the neighbourhood of the batch's users
      and items (:class:`~lgir_pyg.training.NeighborhoodSampler`), so an
      epoch grows linearly with the training edges. With one layer (the
      registered LGIR models) it takes every neighbour and gives the same
      loss and gradients as :obj:`"full"` up to floating-point rounding;
      deeper models sample :obj:`num_neighbors` neighbours per node and hop,
      weighted to estimate the full sums without bias (exact with
      :obj:`-1`, all neighbours, at every hop);
    * :obj:`"auto"` takes :obj:`"batch"` for models of at most one layer
      and for graphs of more than :obj:`AUTO_MAX_FULL_EDGES` (10,000)
      distinct training pairs, and :obj:`"full"` for deeper models on
      smaller graphs, where a whole-graph step is about as fast and exact.
    """
    def __init__(self, data: HeteroData, mask_targets: bool,
                 edge_type: Optional[EdgeType] = None) -> None:
        super().__init__()
        self.edge_type = interaction_edge_type(data, edge_type)
        self.num_users = data[self.edge_type[0]].num_nodes
        self.num_jobs = data[self.edge_type[2]].num_nodes
        self.mask_targets = mask_targets
        self.register_buffer('edge_index', data[self.edge_type].edge_index)
        self.neighborhood = NeighborhoodSampler(self.edge_index,
                                                self.num_users,
                                                self.num_jobs)

    @property
    def num_layers(self) -> int:
        r"""The number of propagation layers."""
        return self.model.num_layers

    def embed(self, edge_index: Tensor) -> Tuple[Tensor, Tensor]:
        r"""The user and item embeddings propagated over the user-item
        :obj:`edge_index`."""
        raise NotImplementedError

    def embed_subgraph(self, subgraph: Subgraph) -> Tensor:
        r"""The embeddings of the nodes of :obj:`subgraph` (a sample of
        :attr:`neighborhood`), exact for the nodes whose whole
        neighbourhood, :attr:`num_layers` hops deep, is in it."""
        raise NotImplementedError

    def forward(self) -> Tuple[Tensor, Tensor]:
        return self.embed(self.edge_index)

    def resolve_propagation(self, propagation: str = 'auto') -> str:
        r"""The way (:obj:`"full"` or :obj:`"batch"`) :meth:`loss` computes
        a batch for :obj:`propagation`, see above."""
        if propagation not in PROPAGATIONS:
            raise UsageError(f"'propagation' must be one of {PROPAGATIONS} "
                             f"(got {propagation!r})")
        if propagation != 'auto':
            return propagation
        if (self.num_layers <= 1
                or self.neighborhood.num_edges > AUTO_MAX_FULL_EDGES):
            return 'batch'
        return 'full'

    def fanouts(self,
                num_neighbors: Optional[Sequence[int]] = None) -> List[int]:
        r"""The neighbours per hop of the :obj:`"batch"` path: all
        (:obj:`-1`) for one layer, :obj:`DEFAULT_FANOUT` (10) per hop for
        deeper models, unless :obj:`num_neighbors` gives one number per
        layer."""
        if num_neighbors is None:
            if self.num_layers <= 1:
                return [-1] * self.num_layers
            return [DEFAULT_FANOUT] * self.num_layers
        num_neighbors = [int(k) for k in num_neighbors]
        if len(num_neighbors) != self.num_layers or any(
                k == 0 or k < -1 for k in num_neighbors):
            raise UsageError(f"'num_neighbors' must give one positive "
                             f"number (or -1, all) per layer, "
                             f"{self.num_layers} in all (got "
                             f"{num_neighbors})")
        return num_neighbors

    def loss(self, user: Tensor, pos: Tensor, neg: Tensor,
             masked_edge_index: Optional[Tensor] = None,
             propagation: str = 'auto',
             num_neighbors: Optional[Sequence[int]] = None) -> Tensor:
        r"""The BPR loss of the triplets :obj:`(user, pos, neg)`, the
        :math:`L_2` penalty of :obj:`model` included.

        Args:
            user (torch.Tensor): Users.
            pos (torch.Tensor): Their positive items.
            neg (torch.Tensor): Their negative items.
            masked_edge_index (torch.Tensor, optional): The user-item pairs
                left out of message passing with :obj:`mask_targets`; the
                batch's :obj:`(user, pos)` if :obj:`None` (a data-parallel
                shard passes those of the whole batch).
                (default: :obj:`None`)
            propagation (str, optional): :obj:`"auto"`, :obj:`"full"` or
                :obj:`"batch"`, see above. (default: :obj:`"auto"`)
            num_neighbors (Sequence[int], optional): Neighbours per node
                and hop of the :obj:`"batch"` path, see :meth:`fanouts`.
                (default: :obj:`None`)
        """
        masked = None
        if self.mask_targets:
            masked = (torch.stack([user, pos]) if masked_edge_index is None
                      else masked_edge_index)
        job_offset = self.num_users
        if self.resolve_propagation(propagation) == 'full':
            edge_index = self.edge_index
            if masked is not None:
                edge_index = drop_edges(edge_index, masked[0], masked[1],
                                        self.num_jobs)
            user_emb, job_emb = self.embed(edge_index)
            user_emb, pos_emb, neg_emb = (user_emb.index_select(0, user),
                                          job_emb.index_select(0, pos),
                                          job_emb.index_select(0, neg))
        else:
            seed = torch.unique(torch.cat([user, pos + job_offset,
                                           neg + job_offset]))
            subgraph = self.neighborhood.sample(seed, masked,
                                                self.fanouts(num_neighbors))
            emb = self.embed_subgraph(subgraph)
            user_emb, pos_emb, neg_emb = (
                emb.index_select(0, subgraph.index(node))
                for node in (user, pos + job_offset, neg + job_offset))
        pos_rank = (user_emb * pos_emb).sum(dim=-1)
        neg_rank = (user_emb * neg_emb).sum(dim=-1)
        node_id = torch.cat([user, pos + job_offset, neg + job_offset])
        return self.model.recommendation_loss(pos_rank, neg_rank, node_id,
                                              lambda_reg=self.lambda_reg)


class LightGCNRecommender(GraphRecommender):
    r"""PyG's :class:`~torch_geometric.nn.models.LightGCN`, used as it is,
    on the homogeneous view of the bipartite graph: users are nodes
    :obj:`[0, num_users)`, jobs :obj:`[num_users, num_users + num_jobs)`.
    With :obj:`num_layers=0` it is matrix factorisation (BPR-MF). Its
    mini-batch path runs the same layers on the batch's subgraph, see
    :class:`GraphRecommender`.

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

    def embed_subgraph(self, subgraph: Subgraph) -> Tensor:
        x = self.model.embedding(subgraph.node)
        edge_index, edge_weight = subgraph_gcn_norm(subgraph, dtype=x.dtype)
        # LightGCN.get_embedding's layer sum on the subgraph; propagate()
        # takes the weights as they are (forward() would renormalise them
        # by the subgraph's own degrees).
        out = x * self.model.alpha[0]
        for i, conv in enumerate(self.model.convs):
            x = conv.propagate(edge_index, x=x, edge_weight=edge_weight)
            out = out + x * self.model.alpha[i + 1]
        return out

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.model})'


def register_shot_groups(model: Recommender, refine: GANRefine) -> None:
    r"""Stores the few-shot mask and the few- and many-shot rows of
    :obj:`refine` on :obj:`model` as buffers (:obj:`few_shot`,
    :obj:`few_index`, :obj:`many_index`): the groups are fixed by the
    training graph (:obj:`model.num_train`), so they are found once, not at
    every step."""
    few, many = refine.shot_masks(model.num_train)
    model.register_buffer('few_shot', few, persistent=False)
    model.register_buffer('few_index', few.nonzero().view(-1),
                          persistent=False)
    model.register_buffer('many_index', many.nonzero().view(-1),
                          persistent=False)


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

    A mini-batch (see :class:`GraphRecommender`) projects the texts of the
    nodes of its subgraph only and runs the generator only on its few-shot
    rows. The GAN's own step (:meth:`gan_loss`) runs on few-shot and
    many-shot users drawn by :meth:`sample_shots`.

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
        if refine is not None:
            register_shot_groups(self, refine)

    def embed(self, edge_index: Tensor) -> Tuple[Tensor, Tensor]:
        return self.model(edge_index, self.user_x, self.job_x,
                          self.num_train)

    def embed_subgraph(self, subgraph: Subgraph) -> Tensor:
        node = subgraph.node
        num_users = int(torch.searchsorted(node, self.num_users))
        user, job = node[:num_users], node[num_users:] - self.num_users
        refine_index = None
        refine = self.model.refine
        if refine is not None:
            mask = (self.few_shot[user] if refine.select == 'threshold' else
                    refine.refine_mask(self.user_x[user]))
            refine_index = mask.nonzero().view(-1)
        user_x, job_x = self.model.input_embedding(
            self.user_x, self.job_x, self.num_train, user, job, refine_index)
        x = torch.cat([user_x, job_x])
        edge_index, edge_weight = subgraph_gcn_norm(
            subgraph, self.model.self_loops, x.dtype)
        return self.model.propagate(x, edge_index, edge_weight)

    def sample_shots(
        self,
        num_samples: int,
        generator: Optional[torch.Generator] = None,
    ) -> Optional[Tuple[Tensor, Tensor]]:
        if self.model.refine is None:
            return None
        if self.few_index.numel() == 0 or self.many_index.numel() == 0:
            self.model.refine.shot_index(self.num_train)  # Says which.
        if num_samples < 1:
            raise UsageError(f"'num_samples' must be positive (got "
                             f"{num_samples})")
        return tuple(
            index[torch.randint(index.numel(), (num_samples, ),
                                generator=generator).to(index.device)]
            for index in (self.few_index, self.many_index))

    def gan_loss(
        self,
        few_index: Optional[Tensor] = None,
        many_index: Optional[Tensor] = None,
    ) -> Optional[Tuple[Tensor, Tensor]]:
        if self.model.refine is None:
            return None
        return self.model.gan_loss(self.user_x, self.num_train, few_index,
                                   many_index)

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


# The LGIR models are the ID + text hybrid of lgir_pyg.training.hybrid,
# which builds on the classes above; the text-only LGIR stays as an
# ablation.
from lgir_pyg.training.hybrid import (  # noqa: E402
    HYBRID_TRAIN,
    HybridRecommender,
)

MODELS.update({
    'lgir-src': _text_model(HybridRecommender, 'resume_src',
                            'LGIR (ID + text towers) on SRC resumes, no GAN',
                            HYBRID_TRAIN),
    'lgir-nogan': _text_model(HybridRecommender, 'resume_irc',
                              'LGIR (ID + text towers) on IRC resumes, no '
                              'GAN', HYBRID_TRAIN),
    'lgir': _text_model(HybridRecommender, 'resume_irc',
                        'LGIR (ID + text towers) on IRC resumes with the '
                        'GAN', HYBRID_TRAIN, gan=True),
    'lgir-text': _text_model(LGIRRecommender, 'resume_irc',
                             'text-only LGIR (no ID tower) on IRC resumes '
                             'with the GAN', LGIR_TRAIN, gan=True),
})
