r"""The LGIR recommender as registered: the two-tower hybrid
:class:`lgir_pyg.nn.HybridLGIR` (ID and text towers) on its graph."""
from typing import Any, Dict, Optional, Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import EdgeType
from lgir_pyg.models.base import GraphRecommender, text_features
from lgir_pyg.models.lgir_recommender import (LGIRRecommender,
                                              register_shot_groups)
from lgir_pyg.models.subgraph import Subgraph, subgraph_gcn_norm
from lgir_pyg.nn import GANRefine
from lgir_pyg.nn.hybrid_lgir import HybridLGIR

# Few-shot and many-shot users follow the graph's own activity unless the
# caller fixes k1 and k2.
GAN_DEFAULTS = {'thresholds': 'quantile'}


class HybridRecommender(GraphRecommender):
    r"""The two-tower LGIR :class:`lgir_pyg.nn.HybridLGIR` bound to
    its graph and the text embeddings on it: a text tower that starts as
    the :obj:`job-mean` ranking and an ID tower (LightGCN) for nodes with
    interactions, optionally with the GAN refinement of few-shot users
    (:class:`lgir_pyg.nn.GANRefine`).

    With :obj:`mask_targets=True` (see :class:`GraphRecommender`) a node
    whose only training pairs are the batch's positives is cold for that
    batch and gets no ID signal, like a held-out item without training
    pairs: the mix of ID and text signal is learned on the graph's own
    share of cold positives. The GAN's few-shot and many-shot users are
    the :obj:`quantiles` of the graph's training interactions per user
    (:obj:`thresholds="quantile"` of :class:`~lgir_pyg.nn.GANRefine`)
    unless :obj:`gan_kwargs` fixes :obj:`k1` and :obj:`k2`
    (:obj:`{"thresholds": "fixed", "k1": 2, "k2": 5}`).

    A mini-batch (:obj:`propagation="batch"`, see
    :class:`GraphRecommender`) runs both towers on the batch's subgraph;
    the GAN's own step runs on the users :meth:`sample_shots` draws.

    Args:
        data (HeteroData): The split graph with text features.
        user_features (str, optional): The user feature matrix, e.g.
            :obj:`"x_irc"` (IRC resumes), see
            :func:`lgir_pyg.transforms.feature_name`.
            (default: :obj:`"x_irc"`)
        item_features (str, optional): The item feature matrix.
            (default: :obj:`"x"`)
        gan (bool, optional): Refine few-shot users with a GAN.
            (default: :obj:`False`)
        gan_at (str, optional): Where the GAN acts: :obj:`"input"` (the
            resume embedding, the paper's formulation) or :obj:`"output"`
            (the text tower's user embedding, which reaches the score).
            (default: :obj:`"output"`)
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
        mask_isolated (str, optional): Which nodes without an edge in the
            batch's graph get no ID signal: :obj:`"item"`, :obj:`"both"` or
            :obj:`"none"`. (default: :obj:`"item"`)
        lambda_reg (float, optional): :math:`L_2` regularisation of the
            batch's ID embeddings in the BPR loss. (default: :obj:`1e-4`)
        mask_targets (bool, optional): Leave each batch's positive edges
            out of message passing. (default: :obj:`True`)
        gan_kwargs (dict, optional): Arguments of
            :class:`lgir_pyg.nn.GANRefine`, over
            :obj:`{"thresholds": "quantile"}`. (default: :obj:`None`)
        edge_type (tuple, optional): The interaction edge type; inferred if
            :obj:`None`. (default: :obj:`None`)
    """
    def __init__(self, data: HeteroData, user_features: str = 'x_irc',
                 item_features: str = 'x', gan: bool = False,
                 gan_at: str = 'output', id_dim: int = 64,
                 id_layers: int = 3, text_layers: int = 1,
                 id_lr_scale: float = 30.0, id_init: float = 0.1,
                 mask_isolated: str = 'item', lambda_reg: float = 1e-4,
                 mask_targets: bool = True,
                 gan_kwargs: Optional[Dict[str, Any]] = None,
                 edge_type: Optional[EdgeType] = None) -> None:
        edge_type, user_x, item_x = text_features(data, user_features,
                                                 item_features, edge_type)
        super().__init__(data, mask_targets, edge_type)
        channels = user_x.size(1)
        self.lambda_reg = lambda_reg
        self.register_buffer('user_x', user_x)
        self.register_buffer('item_x', item_x)
        self.register_buffer(
            'num_train',
            torch.bincount(self.edge_index[0], minlength=self.num_users))
        refine = GANRefine(channels, **{**GAN_DEFAULTS, **(gan_kwargs or {})}
                           ) if gan else None
        self.model = HybridLGIR(self.num_users, self.num_items, channels,
                                id_dim=id_dim, id_layers=id_layers,
                                text_layers=text_layers,
                                id_lr_scale=id_lr_scale, id_init=id_init,
                                mask_isolated=mask_isolated, refine=refine,
                                refine_at=gan_at)
        if refine is not None:
            register_shot_groups(self, refine)

    # The GAN's users and parameters are found as for the text-only LGIR.
    sample_shots = LGIRRecommender.sample_shots
    discriminator_parameters = LGIRRecommender.discriminator_parameters

    def embed(self, edge_index: Tensor) -> Tuple[Tensor, Tensor]:
        return self.model(edge_index, self.user_x, self.item_x,
                          self.num_train)

    def embed_subgraph(self, subgraph: Subgraph) -> Tensor:
        model, refine = self.model, self.model.refine
        node = subgraph.node
        num_users = int(torch.searchsorted(node, self.num_users))
        user, item = node[:num_users], node[num_users:] - self.num_users
        edge_index, edge_weight = subgraph_gcn_norm(subgraph,
                                                    dtype=self.user_x.dtype)
        at_input = refine is not None and model.refine_at == 'input'
        refine_index = None
        if at_input:
            mask = (self.few_shot[user] if refine.select == 'threshold'
                    else refine.refine_mask(self.user_x[user]))
            refine_index = mask.nonzero().view(-1)
        user_x, item_x = model.text.input_embedding(
            self.user_x, self.item_x, self.num_train, user, item, refine_index)
        z = model.text.propagate_layers(torch.cat([user_x, item_x]),
                                        edge_index, edge_weight)
        user_z, item_z = z[:num_users], z[num_users:]
        degree = subgraph.degree
        if refine is not None and not at_input:
            index = model.output_refine_mask(
                user_z, degree[:num_users], self.num_train).nonzero().view(-1)
            user_z = user_z.index_copy(0, index,
                                       refine.generator(user_z[index]))
        m = model.id.propagate_layers(model.id_input(user, item),
                                      edge_index, edge_weight)
        user_emb, item_emb = model.combine(user_z, item_z, m[:num_users],
                                          m[num_users:], degree[:num_users],
                                          degree[num_users:])
        return torch.cat([user_emb, item_emb])

    @torch.no_grad()
    def text_output(self, user: Tensor) -> Tensor:
        r"""The text tower's embeddings of the distinct, sorted
        :obj:`user` on the training graph, computed on their
        neighbourhood."""
        text = self.model.text
        subgraph = self.neighborhood.sample(user, None,
                                            [-1] * text.num_layers)
        node = subgraph.node
        num_users = int(torch.searchsorted(node, self.num_users))
        user_x, item_x = text.input_embedding(
            self.user_x, self.item_x, user_index=node[:num_users],
            item_index=node[num_users:] - self.num_users)
        edge_index, edge_weight = subgraph_gcn_norm(subgraph,
                                                    dtype=user_x.dtype)
        out = text.propagate_layers(torch.cat([user_x, item_x]),
                                    edge_index, edge_weight)
        return out[subgraph.index(user)]

    def gan_loss(
        self,
        few_index: Optional[Tensor] = None,
        many_index: Optional[Tensor] = None,
    ) -> Optional[Tuple[Tensor, Tensor]]:
        r"""The GAN's :obj:`(d_loss, g_loss)` on the users
        :obj:`few_index` and :obj:`many_index` (all few-shot and many-shot
        users if :obj:`None`), on the representation the GAN refines: the
        resume embeddings, or the text tower's output (detached, computed on
        the users' neighbourhood only)."""
        refine = self.model.refine
        if refine is None:
            return None
        if few_index is None:
            few_index, many_index = self.few_index, self.many_index
        if self.model.refine_at == 'input':
            return refine.loss(self.user_x, None, few_index, many_index)
        user = torch.unique(torch.cat([few_index, many_index]))
        return refine.loss(self.text_output(user), None,
                           torch.searchsorted(user, few_index),
                           torch.searchsorted(user, many_index))

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.model})'
