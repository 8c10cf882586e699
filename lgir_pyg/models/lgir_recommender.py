r"""The text-only LGIR recommender (:class:`lgir_pyg.nn.LGIR` on its graph)
and the few-shot and many-shot groups of the GAN, which the hybrid shares."""
from typing import Any, Dict, List, Optional, Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import EdgeType
from lgir_pyg.errors import UsageError
from lgir_pyg.models.base import GraphRecommender, Recommender, text_features
from lgir_pyg.models.subgraph import Subgraph, subgraph_gcn_norm
from lgir_pyg.nn import LGIR, GANRefine


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
    KaggleJobViews, where most held-out items are cold: no ID embeddings,
    one propagation layer without self-loops, separate user and item
    projections of the full text size, and :obj:`text_init="identity"`:
    the item projection starts as the identity and the user projection at
    zero, so the untrained model scores an item by the inner product of its
    text embedding with the user's propagated training items (close to the
    :obj:`job-mean` baseline), and training learns from there. Propagating
    user texts into item embeddings from the start makes warm items win by
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
            and items. (default: :obj:`False`)
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
        edge_type, user_x, item_x = text_features(data, user_features,
                                                 item_features, edge_type)
        super().__init__(data, mask_targets, edge_type)
        channels = user_x.size(1)
        embedding_dim = embedding_dim or channels
        self.lambda_reg = lambda_reg
        self.register_buffer('user_x', user_x)
        self.register_buffer('item_x', item_x)
        self.register_buffer(
            'num_train',
            torch.bincount(self.edge_index[0], minlength=self.num_users))
        refine = GANRefine(channels, **(gan_kwargs or {})) if gan else None
        self.model = LGIR(self.num_users, self.num_items, channels,
                          embedding_dim=embedding_dim, num_layers=num_layers,
                          use_id=use_id, shared_projection=shared_projection,
                          self_loops=self_loops, text_init=text_init,
                          refine=refine, **kwargs)
        if refine is not None:
            register_shot_groups(self, refine)

    def embed(self, edge_index: Tensor) -> Tuple[Tensor, Tensor]:
        return self.model(edge_index, self.user_x, self.item_x,
                          self.num_train)

    def embed_subgraph(self, subgraph: Subgraph) -> Tensor:
        node = subgraph.node
        num_users = int(torch.searchsorted(node, self.num_users))
        user, item = node[:num_users], node[num_users:] - self.num_users
        refine_index = None
        refine = self.model.refine
        if refine is not None:
            mask = (self.few_shot[user] if refine.select == 'threshold' else
                    refine.refine_mask(self.user_x[user]))
            refine_index = mask.nonzero().view(-1)
        user_x, item_x = self.model.input_embedding(
            self.user_x, self.item_x, self.num_train, user, item, refine_index)
        x = torch.cat([user_x, item_x])
        edge_index, edge_weight = subgraph_gcn_norm(
            subgraph, self.model.self_loops, x.dtype)
        return self.model.propagate_layers(x, edge_index, edge_weight)

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
