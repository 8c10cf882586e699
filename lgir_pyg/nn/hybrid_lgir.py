from typing import Optional, Tuple

import torch
from torch import Tensor
from torch_geometric.nn.models.lightgcn import BPRLoss
from torch_geometric.utils import degree

from lgir_pyg.errors import UsageError
from lgir_pyg.nn._checks import (
    check_dense,
    check_index,
    check_int,
    check_number,
)
from lgir_pyg.nn.gan import GANRefine, shot_thresholds
from lgir_pyg.nn.lgir import LGIR

MASK_ISOLATED = ('item', 'both', 'none')
REFINE_AT = ('input', 'output')


class HybridLGIR(torch.nn.Module):
    r"""The LGIR recommender as a two-tower hybrid of interaction (ID)
    and text embeddings, as in the `"Enhancing Job Recommendation through
    LLM-based Generative Adversarial Networks"
    <https://arxiv.org/abs/2307.10747>`_ paper: the scores of a text tower
    and of an ID tower add,

    .. math::
        \hat{y}_{uj} = \mathbf{z}_u^{\top} \mathbf{z}_j
        + \mathbf{m}_u^{\top} \mathbf{m}_j ,

    so embeddings are the concatenations :math:`[\mathbf{z}_u,
    \mathbf{m}_u]` and :math:`[\mathbf{z}_j, \mathbf{m}_j]`.

    The text tower :math:`\mathbf{z}` is :class:`LGIR` on text alone
    (:obj:`text_layers` propagation layers without self-loops, separate
    user and item projections of the text size, :obj:`text_init=
    "identity"`), so the untrained model ranks items by their text's inner
    product with the texts of the user's propagated items. The ID tower
    :math:`\mathbf{m}` is a LightGCN over ID embeddings (:class:`LGIR` with
    :obj:`use_text=False` and :obj:`self_loops="none"`; matrix
    factorisation for :obj:`id_layers=0`) that starts from small random
    values (:obj:`id_init` times Xavier's), so training starts close to the
    text model.

    With :obj:`mask_isolated="item"` the ID tower's output is zero for
    every item without an edge in the given graph: a cold item has no ID
    signal. Trained with target masking (a batch's positive pairs left out
    of the graph), an item whose only training pair is the batch's positive is
    cold for that batch, exactly like a held-out item without training
    pairs, so the towers learn how far to trust ID scores against text
    scores from the graph's own share of cold positives, instead of
    learning that every item with a training pair beats every item without.
    :obj:`"both"` also zeroes users without an edge, :obj:`"none"` keeps
    every ID embedding (a plain LightGCN tower).

    The ID tower's parameters are stored divided by :obj:`id_lr_scale` and
    multiplied back in :meth:`forward`: Adam's steps do not depend on a
    gradient's scale, so with one optimizer they learn :obj:`id_lr_scale`
    times faster than the text tower, whose good solutions lie close to its
    initialisation while ID embeddings must grow from small values.

    The GAN :obj:`refine` (:class:`GANRefine`) acts on few-shot users'
    resume embeddings before the text projection (:obj:`refine_at=
    "input"`, the paper's formulation), or on the text tower's user output
    (:obj:`refine_at="output"`), the representation that reaches the score
    (see :meth:`output_refine_mask`).

    :meth:`forward` needs no host synchronisation; it runs on the
    :obj:`meta` device and under :func:`torch.compile`.

    Args:
        num_users (int): Number of users.
        num_items (int): Number of items.
        text_channels (int): Size of the text embeddings.
        id_dim (int, optional): Size of the ID embeddings.
            (default: :obj:`64`)
        id_layers (int, optional): Propagation layers of the ID tower.
            (default: :obj:`3`)
        text_layers (int, optional): Propagation layers of the text tower.
            (default: :obj:`1`)
        id_lr_scale (float, optional): How many times faster the ID tower
            learns than the text tower. (default: :obj:`30.0`)
        id_init (float, optional): Scale of the initial ID embeddings
            relative to Xavier-uniform ones. (default: :obj:`0.1`)
        mask_isolated (str, optional): :obj:`"item"`, :obj:`"both"` or
            :obj:`"none"`, see above. (default: :obj:`"item"`)
        refine (GANRefine, optional): The GAN layer. (default: :obj:`None`)
        refine_at (str, optional): :obj:`"input"` or :obj:`"output"`.
            (default: :obj:`"input"`)
    """
    def __init__(
        self,
        num_users: int,
        num_items: int,
        text_channels: int,
        id_dim: int = 64,
        id_layers: int = 3,
        text_layers: int = 1,
        id_lr_scale: float = 30.0,
        id_init: float = 0.1,
        mask_isolated: str = 'item',
        refine: Optional[GANRefine] = None,
        refine_at: str = 'input',
    ) -> None:
        super().__init__()
        check_int('id_dim', id_dim, 1)
        check_int('id_layers', id_layers, 0)
        check_int('text_layers', text_layers, 0)
        check_number('id_lr_scale', id_lr_scale, 0, open_low=True)
        check_number('id_init', id_init, 0, open_low=True)
        if mask_isolated not in MASK_ISOLATED:
            raise UsageError(f"'mask_isolated' must be one of "
                             f"{MASK_ISOLATED} (got {mask_isolated!r})")
        if refine_at not in REFINE_AT:
            raise UsageError(f"'refine_at' must be one of {REFINE_AT} "
                             f"(got {refine_at!r})")
        if refine is not None and refine.channels != text_channels:
            raise UsageError(f"'refine' expects {refine.channels} channels "
                             f"but 'text_channels' is {text_channels}")
        self.num_users = num_users
        self.num_items = num_items
        self.text_channels = text_channels
        self.id_dim = id_dim
        self.id_lr_scale = id_lr_scale
        self.id_init = id_init
        self.mask_isolated = mask_isolated
        self.refine = refine
        self.refine_at = refine_at
        self.out_channels = text_channels + id_dim

        self.text = LGIR(num_users, num_items, text_channels,
                         embedding_dim=text_channels, num_layers=text_layers,
                         use_id=False, shared_projection=False,
                         self_loops='none', text_init='identity',
                         refine=refine if refine_at == 'input' else None)
        self.id = LGIR(num_users, num_items, text_channels,
                       embedding_dim=id_dim, num_layers=id_layers,
                       use_text=False, self_loops='none')
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Resets all learnable parameters: the text tower to its identity
        start, the ID embeddings to :obj:`id_init` times Xavier-uniform
        values (stored divided by :obj:`id_lr_scale`) and :obj:`refine`."""
        self.text.reset_parameters()
        self.id.reset_parameters()
        with torch.no_grad():
            for emb in (self.id.user_embedding, self.id.item_embedding):
                emb.weight.mul_(self.id_init / self.id_lr_scale)
        if self.refine is not None:
            self.refine.reset_parameters()

    @property
    def num_layers(self) -> int:
        r"""The depth of the deeper tower."""
        return max(self.text.num_layers, self.id.num_layers)

    def id_embedding_weight(self) -> Tensor:
        r"""The layer-0 ID embeddings of users followed by items,
        :math:`(|\mathcal{U}| + |\mathcal{J}|, D)`, on the scale
        :meth:`forward` uses."""
        return self.id_input()

    def id_input(
        self,
        user_index: Optional[Tensor] = None,
        item_index: Optional[Tensor] = None,
    ) -> Tensor:
        r"""Returns the layer-0 ID embeddings of the users
        :obj:`user_index` followed by the items :obj:`item_index` (all if
        :obj:`None`), for :meth:`LGIR.propagate_layers` of :obj:`id`.

        Args:
            user_index (torch.Tensor, optional): Users. (default: :obj:`None`)
            item_index (torch.Tensor, optional): Items. (default: :obj:`None`)
        """
        user, item = self.id.input_embedding(user_index=user_index,
                                            item_index=item_index)
        return self.id_lr_scale * torch.cat([user, item])

    def combine(
        self,
        user_z: Tensor,
        item_z: Tensor,
        user_m: Tensor,
        item_m: Tensor,
        user_degree: Tensor,
        item_degree: Tensor,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the embeddings :math:`[\mathbf{z}_u, \mathbf{m}_u]` and
        :math:`[\mathbf{z}_j, \mathbf{m}_j]` of the towers' outputs, without
        ID signal for the nodes of degree zero that :obj:`mask_isolated`
        names.

        Args:
            user_z (torch.Tensor): Text tower, users :math:`(N_u, F)`.
            item_z (torch.Tensor): Text tower, items :math:`(N_j, F)`.
            user_m (torch.Tensor): ID tower, users :math:`(N_u, D)`.
            item_m (torch.Tensor): ID tower, items :math:`(N_j, D)`.
            user_degree (torch.Tensor): Degree of each user in the graph
                propagated over :math:`(N_u)`.
            item_degree (torch.Tensor): Degree of each item :math:`(N_j)`.
        """
        if self.mask_isolated == 'both':
            user_m = user_m * (user_degree > 0).unsqueeze(-1).to(user_m.dtype)
        if self.mask_isolated != 'none':
            item_m = item_m * (item_degree > 0).unsqueeze(-1).to(item_m.dtype)
        return (torch.cat([user_z, user_m], dim=-1),
                torch.cat([item_z, item_m], dim=-1))

    def forward(
        self,
        edge_index: Tensor,
        user_x: Tensor,
        item_x: Tensor,
        num_train_interactions: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the user embeddings :math:`(|\mathcal{U}|, D)` and item
        embeddings :math:`(|\mathcal{J}|, D)`, :math:`D` =
        :obj:`out_channels`, whose inner products are the scores.

        Args:
            edge_index (torch.Tensor): The user-item edges to propagate over
                :math:`(2, |\mathcal{E}|)`, users in row 0 and items in row
                1; nodes without an edge here get no ID signal.
            user_x (torch.Tensor): User text embeddings
                :math:`(|\mathcal{U}|, F)`.
            item_x (torch.Tensor): Item text embeddings
                :math:`(|\mathcal{J}|, F)`.
            num_train_interactions (torch.Tensor, optional): Training
                interactions per user, which select the users :obj:`refine`
                refines. (default: :obj:`None`)
        """
        check_dense('edge_index', edge_index)  # Degrees need the pairs.
        user_z, item_z = self.text(edge_index, user_x, item_x,
                                  num_train_interactions)
        user_degree = degree(edge_index[0], self.num_users)
        if self.refine is not None and self.refine_at == 'output':
            mask = self.output_refine_mask(user_z, user_degree,
                                           num_train_interactions)
            user_z = self.refine(user_z, mask=mask)
        user_m, item_m = self.id(edge_index)
        return self.combine(user_z, item_z, self.id_lr_scale * user_m,
                            self.id_lr_scale * item_m, user_degree,
                            degree(edge_index[1], self.num_items))

    def output_refine_mask(
        self,
        user_z: Tensor,
        user_degree: Tensor,
        num_train_interactions: Optional[Tensor] = None,
    ) -> Tensor:
        r"""Returns the mask of the users whose text-tower output
        :obj:`user_z` :obj:`refine_at="output"` refines. With
        :obj:`select="threshold"` these are the users with at most
        :math:`k_1` edges in the propagated graph (:obj:`user_degree`),
        :math:`k_1` being :obj:`refine`'s (of the training interactions
        :obj:`num_train_interactions` with :obj:`thresholds="quantile"`):
        a user is few-shot by what the tower saw, so that a training batch
        whose masked positives leave a user one edge treats that user as a
        one-interaction user at test time. With
        :obj:`select="discriminator"` it is :math:`D`'s choice.

        Args:
            user_z (torch.Tensor): The text tower's user embeddings.
            user_degree (torch.Tensor): Each user's degree in the
                propagated graph.
            num_train_interactions (torch.Tensor, optional): Training
                interactions of all users; needed with
                :obj:`thresholds="quantile"`. (default: :obj:`None`)
        """
        refine = self.refine
        if refine.select == 'discriminator':
            return refine.refine_mask(user_z)
        if refine.thresholds == 'fixed':
            return user_degree <= refine.k1
        if num_train_interactions is None:
            raise UsageError("'num_train_interactions' is needed to find "
                             "the quantile thresholds of 'refine'")
        k1 = shot_thresholds(num_train_interactions, refine.quantiles)[0]
        return user_degree <= k1

    def recommendation_loss(
        self,
        pos_edge_rank: Tensor,
        neg_edge_rank: Tensor,
        node_id: Optional[Tensor] = None,
        lambda_reg: float = 1e-4,
        **kwargs,
    ) -> Tensor:
        r"""The BPR loss of the ranks plus the :math:`L_2` regularisation of
        the layer-0 ID embeddings of the nodes :obj:`node_id` (users
        :obj:`0, ..., num_users - 1` followed by items; all if :obj:`None`),
        with the signature of
        :meth:`torch_geometric.nn.models.LightGCN.recommendation_loss`.

        Args:
            pos_edge_rank (torch.Tensor): Positive edge rankings.
            neg_edge_rank (torch.Tensor): Negative edge rankings.
            node_id (torch.Tensor, optional): The nodes whose ID embeddings
                are regularised. (default: :obj:`None`)
            lambda_reg (float, optional): The :math:`L_2` regularisation
                strength. (default: :obj:`1e-4`)
            **kwargs (optional): Additional arguments of
                :class:`torch_geometric.nn.models.lightgcn.BPRLoss`.
        """
        check_index('node_id', node_id, self.num_users + self.num_items)
        emb = self.id_embedding_weight()
        emb = emb if node_id is None else emb[node_id]
        return BPRLoss(lambda_reg, **kwargs)(pos_edge_rank, neg_edge_rank,
                                             emb)

    def gan_loss(
        self,
        edge_index: Tensor,
        user_x: Tensor,
        item_x: Tensor,
        num_train_interactions: Optional[Tensor] = None,
        few_index: Optional[Tensor] = None,
        many_index: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns :obj:`(d_loss, g_loss)` of :obj:`refine` (see
        :meth:`GANRefine.loss`) on the representation it refines: the
        resume embeddings :obj:`user_x`, or the text tower's user output on
        :obj:`edge_index`, detached, so that only :math:`G` and :math:`D`
        learn from the adversarial losses.

        Args:
            edge_index (torch.Tensor): The user-item edges.
            user_x (torch.Tensor): User text embeddings.
            item_x (torch.Tensor): Item text embeddings.
            num_train_interactions (torch.Tensor, optional): Training
                interactions per user. (default: :obj:`None`)
            few_index (torch.Tensor, optional): Rows of few-shot users.
                (default: :obj:`None`)
            many_index (torch.Tensor, optional): Rows of many-shot users.
                (default: :obj:`None`)
        """
        if self.refine is None:
            raise UsageError("'gan_loss' needs a model built with 'refine'")
        x = user_x
        if self.refine_at == 'output':
            x = self.text(edge_index, user_x, item_x)[0].detach()
        return self.refine.loss(x, num_train_interactions, few_index,
                                many_index)

    def __repr__(self) -> str:
        refine = ('' if self.refine is None else
                  f', refine={self.refine}, refine_at={self.refine_at}')
        return (f'{self.__class__.__name__}({self.num_users}, '
                f'{self.num_items}, {self.text_channels}, '
                f'id_dim={self.id_dim}, id_layers={self.id.num_layers}, '
                f'text_layers={self.text.num_layers}, '
                f'id_lr_scale={self.id_lr_scale}, '
                f'mask_isolated={self.mask_isolated}{refine})')
