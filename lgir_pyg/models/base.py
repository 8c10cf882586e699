r"""What every recommender is: user and item embeddings whose inner products
are the scores, bound to its training graph; the graph recommenders'
two ways of computing a batch (the whole graph or the batch's
neighbourhood); and the recommendations that leave out seen items."""
from typing import Callable, List, Optional, Sequence, Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.models.subgraph import NeighborhoodSampler, Subgraph
from lgir_pyg.nn.functional import topk_excluding


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
        user_emb, item_emb = self()
        if side == 'item':
            return lambda item_index: item_emb[item_index.to(
                item_emb.device)] @ user_emb.t()
        return lambda user_index: user_emb[user_index.to(
            user_emb.device)] @ item_emb.t()

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
    def __init__(self, user_emb: Tensor, item_emb: Tensor, name: str,
                 edge_type: EdgeType) -> None:
        super().__init__()
        self.register_buffer('user_emb', user_emb)
        self.register_buffer('item_emb', item_emb)
        self.name = name
        self.edge_type = edge_type

    def forward(self) -> Tuple[Tensor, Tensor]:
        return self.user_emb, self.item_emb

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.name}, '
                f'{self.user_emb.size(0)}, {self.item_emb.size(0)})')


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
    item_x = node_features(data, edge_type[2], item_features)
    if user_x.size(1) != item_x.size(1):
        raise DataError(f"User features '{user_features}' have "
                        f"{user_x.size(1)} channels but item features "
                        f"'{item_features}' {item_x.size(1)}: encode both "
                        f"with the same encoder")
    return edge_type, user_x, item_x


def drop_edges(edge_index: Tensor, user: Tensor, item: Tensor,
               num_items: int) -> Tensor:
    r"""Returns the user-item :obj:`edge_index` without the pairs
    :obj:`(user[i], item[i])`."""
    key = edge_index[0] * num_items + edge_index[1]
    return edge_index[:, ~torch.isin(key, user * num_items + item)]


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
    otherwise a user's embedding contains its positive items and BPR rewards
    recognising them. Left out means absent from the graph: the degrees
    that normalise messages do not count them either.

    :meth:`loss` computes a batch in one of two ways
    (:obj:`propagation`):

    * :obj:`"full"` propagates the whole graph (without the batch's
      positive edges), so a step costs what the graph holds and an epoch
      grows with the square of the graph;
    * :obj:`"batch"` propagates only the neighbourhood of the batch's users
      and items (:class:`~lgir_pyg.models.NeighborhoodSampler`), so an
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
        self.num_items = data[self.edge_type[2]].num_nodes
        self.mask_targets = mask_targets
        self.register_buffer('edge_index', data[self.edge_type].edge_index)
        self.neighborhood = NeighborhoodSampler(self.edge_index,
                                                self.num_users,
                                                self.num_items)

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
        item_offset = self.num_users
        if self.resolve_propagation(propagation) == 'full':
            edge_index = self.edge_index
            if masked is not None:
                edge_index = drop_edges(edge_index, masked[0], masked[1],
                                        self.num_items)
            user_emb, item_emb = self.embed(edge_index)
            user_emb, pos_emb, neg_emb = (user_emb.index_select(0, user),
                                          item_emb.index_select(0, pos),
                                          item_emb.index_select(0, neg))
        else:
            seed = torch.unique(torch.cat([user, pos + item_offset,
                                           neg + item_offset]))
            subgraph = self.neighborhood.sample(seed, masked,
                                                self.fanouts(num_neighbors))
            emb = self.embed_subgraph(subgraph)
            user_emb, pos_emb, neg_emb = (
                emb.index_select(0, subgraph.index(node))
                for node in (user, pos + item_offset, neg + item_offset))
        pos_rank = (user_emb * pos_emb).sum(dim=-1)
        neg_rank = (user_emb * neg_emb).sum(dim=-1)
        node_id = torch.cat([user, pos + item_offset, neg + item_offset])
        return self.model.recommendation_loss(pos_rank, neg_rank, node_id,
                                              lambda_reg=self.lambda_reg)


def seen_edge_index(data: HeteroData, edge_type: EdgeType) -> Tensor:
    r"""The user-item pairs a recommendation leaves out: the training,
    validation and test pairs of :obj:`data[edge_type]`."""
    store = data[edge_type]
    return torch.cat([store[key] for key in ('edge_index',
                                             'val_edge_label_index',
                                             'test_edge_label_index')
                      if key in store], dim=1)


def recommend_unseen(model: Recommender, data: HeteroData, user: int,
                     k: int) -> Tuple[Tensor, Tensor]:
    r"""The scores and indices of the (at most) :obj:`k` best items of
    :obj:`user` among those not seen in training, validation or test: fewer
    if the user has seen all but fewer than :obj:`k`."""
    seen = seen_edge_index(data, model.edge_type)
    num_unseen = (data[model.edge_type[2]].num_nodes -
                  seen[1, seen[0] == user].unique().numel())
    if min(k, num_unseen) < 1:
        return torch.empty(0), torch.empty(0, dtype=torch.long)
    scores, items = model.recommend(torch.tensor([user]), min(k, num_unseen),
                                    seen)
    return scores[0], items[0]
