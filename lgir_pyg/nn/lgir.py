from typing import Optional, Tuple, Union

import torch
from torch import Tensor
from torch.nn import Embedding, Linear
from torch_geometric.nn.conv import LGConv
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.nn.models.lightgcn import BPRLoss
from torch_geometric.utils import degree, is_torch_sparse_tensor
from torch_geometric.utils import to_torch_csr_tensor

from lgir_pyg.errors import UsageError
from lgir_pyg.nn._checks import (
    check_features,
    check_index,
    check_int,
    check_number,
    check_pairs,
)
from lgir_pyg.nn.functional import _topk_excluding
from lgir_pyg.nn.gan import GANRefine

FUSIONS = ('sum', 'concat')
SELF_LOOPS = ('isolated', 'all', 'none')
TEXT_INITS = ('random', 'identity')


class LGIR(torch.nn.Module):
    r"""The recommender of LGIR from the `"Enhancing Job Recommendation
    through LLM-based Generative Adversarial Networks"
    <https://arxiv.org/abs/2307.10747>`_ paper: a LightGCN over the bipartite
    user-item graph whose node inputs combine an ID embedding with a linear
    projection of the text embedding of the (refined) resume or the item
    description.

    The input of user :math:`u` (and likewise of item :math:`j`) is

    .. math::
        \mathbf{x}^{(0)}_u = \mathbf{e}_u + \mathbf{W} \mathbf{t}_u
        \quad \textrm{or} \quad
        \mathbf{x}^{(0)}_u = \mathbf{e}_u \, \Vert \, \mathbf{W}
        \mathbf{t}_u,

    for :obj:`fusion="sum"` or :obj:`"concat"`, where :math:`\mathbf{t}_u`
    is the text embedding, refined by :obj:`refine` if given. Embeddings are
    propagated and averaged over layers,

    .. math::
        \mathbf{X}^{(l+1)} = \hat{\mathbf{D}}^{-1/2} \hat{\mathbf{A}}
        \hat{\mathbf{D}}^{-1/2} \mathbf{X}^{(l)}, \qquad
        \mathbf{x}_i = \sum_{l=0}^{L} \alpha_l \mathbf{x}^{(l)}_i,

    where :math:`\hat{\mathbf{A}} = \mathbf{A} + \mathbf{S}` is the
    symmetric user-item adjacency plus the self-loops :math:`\mathbf{S}`
    chosen by :obj:`self_loops` and :math:`\hat{\mathbf{D}}` its degree
    matrix, and a user-item pair is scored by the inner product

    .. math::
        \hat{y}_{uj} = \mathbf{x}_u^{\top} \mathbf{x}_j.

    .. note::

        Most test items of a recruitment dataset have no training interaction
        (cold items), so only their text can rank them. In LightGCN an
        isolated node's propagated layers are zero and its final embedding
        shrinks to :math:`\alpha_0 \mathbf{x}^{(0)}`. With
        :obj:`self_loops="isolated"` (default) isolated nodes get a self-loop
        of weight one, keep :math:`\mathbf{x}^{(0)}` in every layer and end
        with :math:`(\sum_l \alpha_l) \mathbf{x}^{(0)}`, i.e.
        :math:`\mathbf{x}^{(0)}` for the default :math:`\alpha`, on the
        scale of warm nodes; other nodes propagate as in LightGCN.
        :obj:`self_loops="all"` adds a self-loop to every node
        (renormalised GCN, the same for isolated nodes),
        :obj:`self_loops="none"` is plain LightGCN.

    :meth:`forward` needs no host synchronisation: it runs on the
    :obj:`meta` device and under :func:`torch.compile` without graph breaks.
    Checks that would synchronise (finite features, node indices in range)
    run only in PyG's debug mode (:class:`torch_geometric.debug`).

    Args:
        num_users (int): Number of users.
        num_items (int): Number of items.
        text_channels (int): Size of the text embeddings.
        embedding_dim (int, optional): Size of the ID embedding and of the
            text projection. (default: :obj:`64`)
        num_layers (int, optional): Number of propagation layers.
            (default: :obj:`3`)
        alpha (float or torch.Tensor, optional): The scalar or vector of
            layer weights :math:`\alpha_l`. If set to :obj:`None`,
            :obj:`1 / (num_layers + 1)` is used. (default: :obj:`None`)
        fusion (str, optional): :obj:`"sum"` or :obj:`"concat"` of the ID
            and text parts. With :obj:`"concat"` and both parts in use,
            embeddings have :obj:`2 * embedding_dim` channels, see
            :obj:`out_channels`. (default: :obj:`"sum"`)
        use_id (bool, optional): Whether to use ID embeddings.
            (default: :obj:`True`)
        use_text (bool, optional): Whether to use text embeddings.
            (default: :obj:`True`)
        shared_projection (bool, optional): If set to :obj:`True`, users and
            items share one text projection :math:`\mathbf{W}`, which keeps
            user and item texts, embedded by the same encoder, in one
            space; otherwise each node type has its own.
            (default: :obj:`True`)
        self_loops (str, optional): :obj:`"isolated"`, :obj:`"all"` or
            :obj:`"none"`, see the note above. (default: :obj:`"isolated"`)
        text_init (str, optional): :obj:`"random"` initialises the text
            projections like :class:`torch.nn.Linear`; :obj:`"identity"`
            starts the item projection as the identity and the user
            projection at zero, so that the untrained model scores an item by
            the inner product of its text embedding with the text of the
            user's propagated items. :obj:`"identity"` needs separate
            projections (:obj:`shared_projection=False`) of the text size
            (:obj:`embedding_dim=text_channels`). (default: :obj:`"random"`)
        cached (bool, optional): If set to :obj:`True`, the normalised
            adjacency of the first :obj:`edge_index` is kept and used for
            every later call, whatever :obj:`edge_index` is passed, until
            :meth:`reset_parameters`; only for a fixed graph.
            (default: :obj:`False`)
        refine (GANRefine, optional): If given, user text embeddings pass
            through it before the projection, so the recommendation loss
            also trains its generator on the refined rows.
            (default: :obj:`None`)
    """
    def __init__(
        self,
        num_users: int,
        num_items: int,
        text_channels: int,
        embedding_dim: int = 64,
        num_layers: int = 3,
        alpha: Optional[Union[float, Tensor]] = None,
        fusion: str = 'sum',
        use_id: bool = True,
        use_text: bool = True,
        shared_projection: bool = True,
        self_loops: str = 'isolated',
        text_init: str = 'random',
        cached: bool = False,
        refine: Optional[GANRefine] = None,
    ) -> None:
        super().__init__()
        check_int('num_users', num_users, 1)
        check_int('num_items', num_items, 1)
        check_int('text_channels', text_channels, 1)
        check_int('embedding_dim', embedding_dim, 1)
        check_int('num_layers', num_layers, 0)
        if fusion not in FUSIONS:
            raise UsageError(f"'fusion' must be one of {FUSIONS} "
                             f"(got {fusion!r})")
        if self_loops not in SELF_LOOPS:
            raise UsageError(f"'self_loops' must be one of {SELF_LOOPS} "
                             f"(got {self_loops!r})")
        if text_init not in TEXT_INITS:
            raise UsageError(f"'text_init' must be one of {TEXT_INITS} "
                             f"(got {text_init!r})")
        if not (use_id or use_text):
            raise UsageError("At least one of 'use_id' and 'use_text' must "
                             "be True")
        if text_init == 'identity' and not (
                use_text and not shared_projection
                and embedding_dim == text_channels):
            raise UsageError(f"text_init='identity' needs separate "
                             f"projections (use_text=True, "
                             f"shared_projection=False) of the text size "
                             f"(embedding_dim={text_channels})")
        if refine is not None and not use_text:
            raise UsageError("'refine' needs 'use_text=True'")
        if refine is not None and refine.channels != text_channels:
            raise UsageError(f"'refine' expects {refine.channels} channels "
                             f"but 'text_channels' is {text_channels}")

        self.num_users = num_users
        self.num_items = num_items
        self.text_channels = text_channels
        self.embedding_dim = embedding_dim
        self.num_layers = num_layers
        self.fusion = fusion
        self.use_id = use_id
        self.use_text = use_text
        self.shared_projection = shared_projection
        self.self_loops = self_loops
        self.text_init = text_init
        self.cached = cached
        self.refine = refine
        concat = fusion == 'concat' and use_id and use_text
        self.out_channels = 2 * embedding_dim if concat else embedding_dim

        if alpha is None:
            alpha = 1. / (num_layers + 1)
        if isinstance(alpha, Tensor):
            if alpha.size() != (num_layers + 1, ):
                raise UsageError(f"'alpha' must have {num_layers + 1} "
                                 f"entries (got {tuple(alpha.size())})")
            # At construction, so reading the values costs no forward pass.
            if not alpha.is_meta and not bool(alpha.isfinite().all()):
                raise UsageError("'alpha' contains NaN or infinite values")
        else:
            check_number('alpha', alpha)
            alpha = torch.tensor([float(alpha)] * (num_layers + 1))
        self.register_buffer('alpha', alpha)

        self.user_embedding = self.item_embedding = None
        if use_id:
            self.user_embedding = Embedding(num_users, embedding_dim)
            self.item_embedding = Embedding(num_items, embedding_dim)
        self.user_proj = self.item_proj = None
        if use_text:
            self.user_proj = Linear(text_channels, embedding_dim, bias=False)
            self.item_proj = self.user_proj
            if not shared_projection:
                self.item_proj = Linear(text_channels, embedding_dim,
                                       bias=False)
        self.conv = LGConv(normalize=False)
        # Buffers, so that `.to()` and `.double()` move the cache and
        # `copy.deepcopy` copies it; not part of the state dict.
        self.register_buffer('_cached_edge_index', None, persistent=False)
        self.register_buffer('_cached_edge_weight', None, persistent=False)

        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Resets all learnable parameters of the module, applies
        :obj:`text_init` and clears the cached adjacency."""
        if self.use_id:
            torch.nn.init.xavier_uniform_(self.user_embedding.weight)
            torch.nn.init.xavier_uniform_(self.item_embedding.weight)
        if self.use_text:
            # Drawn for every text_init, so that the random values of the
            # other parameters do not depend on it.
            self.user_proj.reset_parameters()
            if not self.shared_projection:
                self.item_proj.reset_parameters()
        if self.text_init == 'identity':
            torch.nn.init.eye_(self.item_proj.weight)
            torch.nn.init.zeros_(self.user_proj.weight)
        if self.refine is not None:
            self.refine.reset_parameters()
        self._cached_edge_index = self._cached_edge_weight = None

    def normalize(
        self,
        edge_index: Tensor,
        dtype: Optional[torch.dtype] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the normalised adjacency :math:`\hat{\mathbf{D}}^{-1/2}
        \hat{\mathbf{A}} \hat{\mathbf{D}}^{-1/2}` over users
        :obj:`0, ..., num_users - 1` followed by items as
        :obj:`(edge_index, edge_weight)`. A pair given more than once counts
        once: its copies get weight zero, which keeps every shape
        independent of the data.

        Args:
            edge_index (torch.Tensor): The user-item training edges
                :math:`(2, |\mathcal{E}|)`, users in row 0 and items in row 1,
                both indexed within their node type.
            dtype (torch.dtype, optional): The type of the weights; the
                default floating point type if :obj:`None`.
                (default: :obj:`None`)
        """
        check_pairs('edge_index', edge_index, self.num_users, self.num_items)
        # int64, so that the pair keys below cannot overflow.
        edge_index = edge_index.long()
        num_nodes = self.num_users + self.num_items
        key, perm = (edge_index[0] * self.num_items + edge_index[1]).sort()
        first = torch.ones_like(key, dtype=torch.bool)
        first[1:] = key[1:] != key[:-1]
        weight = first.to(dtype or torch.get_default_dtype())
        user = edge_index[0, perm]
        item = edge_index[1, perm] + self.num_users
        row, col = torch.cat([user, item]), torch.cat([item, user])
        weight = torch.cat([weight, weight])
        if self.self_loops != 'none':
            # Every node gets a loop; "isolated" weighs the others' zero.
            loop = torch.arange(num_nodes, device=edge_index.device)
            loop_weight = weight.new_ones(num_nodes)
            if self.self_loops == 'isolated':
                loop_weight = (degree(row, num_nodes) == 0).to(weight.dtype)
            row, col = torch.cat([row, loop]), torch.cat([col, loop])
            weight = torch.cat([weight, loop_weight])
        return gcn_norm(torch.stack([row, col]), weight, num_nodes,
                        add_self_loops=False)

    def build_adjacency(self, edge_index: Tensor) -> Tensor:
        r"""Returns the normalised adjacency of :meth:`normalize` as a sparse
        CSR tensor that :meth:`forward` accepts in place of
        :obj:`edge_index`.

        Args:
            edge_index (torch.Tensor): The user-item training edges
                :math:`(2, |\mathcal{E}|)`.
        """
        edge_index, edge_weight = self.normalize(edge_index)
        return to_torch_csr_tensor(edge_index, edge_weight,
                                   size=self.num_users + self.num_items)

    def input_embedding(
        self,
        user_x: Optional[Tensor] = None,
        item_x: Optional[Tensor] = None,
        num_train_interactions: Optional[Tensor] = None,
        user_index: Optional[Tensor] = None,
        item_index: Optional[Tensor] = None,
        refine_index: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the layer-0 embeddings :math:`\mathbf{x}^{(0)}` of users
        :math:`(|\mathcal{U}|, D)` and items :math:`(|\mathcal{J}|, D)`, with
        :math:`D` = :obj:`out_channels`, or only the rows of
        :obj:`user_index` and :obj:`item_index` (a mini-batch); see
        :meth:`forward` for the other arguments, which hold all users and
        items either way.

        Args:
            user_x (torch.Tensor, optional): User text embeddings.
                (default: :obj:`None`)
            item_x (torch.Tensor, optional): Item text embeddings.
                (default: :obj:`None`)
            num_train_interactions (torch.Tensor, optional): Training
                interactions per user, passed to :obj:`refine`.
                (default: :obj:`None`)
            user_index (torch.Tensor, optional): The users whose rows to
                compute; all if :obj:`None`. (default: :obj:`None`)
            item_index (torch.Tensor, optional): The items whose rows to
                compute; all if :obj:`None`. (default: :obj:`None`)
            refine_index (torch.Tensor, optional): Positions among the
                computed user rows that :obj:`refine` replaces by
                :math:`G(\mathbf{t})`; its generator then runs on those rows
                only. If :obj:`None`, :obj:`refine` selects the rows itself
                (from all users). (default: :obj:`None`)
        """
        check_index('user_index', user_index, self.num_users)
        check_index('item_index', item_index, self.num_items)
        check_index('refine_index', refine_index, self.num_users
                    if user_index is None else user_index.numel())
        user_parts, item_parts = [], []
        if self.use_id:
            user_parts.append(_rows(self.user_embedding.weight, user_index))
            item_parts.append(_rows(self.item_embedding.weight, item_index))
        if self.use_text:
            dtype = self.user_proj.weight.dtype
            check_features('user_x', user_x, self.text_channels,
                           self.num_users, dtype)
            check_features('item_x', item_x, self.text_channels,
                           self.num_items, dtype)
            if self.refine is not None and refine_index is None:
                user_x = self.refine(user_x, num_train_interactions)
            user_x = _rows(user_x, user_index)
            if self.refine is not None and refine_index is not None:
                user_x = user_x.index_copy(
                    0, refine_index,
                    self.refine.generator(user_x[refine_index]))
            user_parts.append(self.user_proj(user_x))
            item_parts.append(self.item_proj(_rows(item_x, item_index)))
        if self.fusion == 'concat':
            return torch.cat(user_parts, dim=-1), torch.cat(item_parts, dim=-1)
        return sum(user_parts), sum(item_parts)

    def propagate_layers(
        self,
        x: Tensor,
        edge_index: Tensor,
        edge_weight: Optional[Tensor] = None,
    ) -> Tensor:
        r"""Returns the layer combination :math:`\sum_{l=0}^{L} \alpha_l
        \mathbf{X}^{(l)}` of the layer-0 embeddings :obj:`x` propagated over
        a normalised adjacency, e.g. one of :meth:`normalize` (users then
        items) or of a mini-batch subgraph
        (:func:`lgir_pyg.models.subgraph_gcn_norm`).

        Args:
            x (torch.Tensor): Layer-0 embeddings :math:`(N, D)`.
            edge_index (torch.Tensor): The adjacency :math:`(2, E)`, or a
                sparse tensor.
            edge_weight (torch.Tensor, optional): The weights of
                :obj:`edge_index`. (default: :obj:`None`)
        """
        out = x * self.alpha[0]
        for i in range(self.num_layers):
            x = self.conv(x, edge_index, edge_weight)
            out = out + x * self.alpha[i + 1]
        return out

    def forward(
        self,
        edge_index: Tensor,
        user_x: Optional[Tensor] = None,
        item_x: Optional[Tensor] = None,
        num_train_interactions: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the final embeddings of users :math:`(|\mathcal{U}|, D)`
        and items :math:`(|\mathcal{J}|, D)`, with :math:`D` =
        :obj:`out_channels`.

        Args:
            edge_index (torch.Tensor): The user-item training edges
                :math:`(2, |\mathcal{E}|)`, users in row 0 and items in row 1,
                or the sparse adjacency from :meth:`build_adjacency`.
            user_x (torch.Tensor, optional): User text embeddings
                :math:`(|\mathcal{U}|, F)`; needed if :obj:`use_text`.
                (default: :obj:`None`)
            item_x (torch.Tensor, optional): Item text embeddings
                :math:`(|\mathcal{J}|, F)`; needed if :obj:`use_text`.
                (default: :obj:`None`)
            num_train_interactions (torch.Tensor, optional): Training
                interactions per user, passed to :obj:`refine`.
                (default: :obj:`None`)
        """
        user_x, item_x = self.input_embedding(user_x, item_x,
                                             num_train_interactions)
        x = torch.cat([user_x, item_x], dim=0)
        edge_index, edge_weight = self._adjacency(edge_index, x.dtype)
        out = self.propagate_layers(x, edge_index, edge_weight)
        return out[:self.num_users], out[self.num_users:]

    def recommendation_loss(
        self,
        pos_edge_rank: Tensor,
        neg_edge_rank: Tensor,
        node_id: Optional[Tensor] = None,
        lambda_reg: float = 1e-4,
        **kwargs,
    ) -> Tensor:
        r"""Computes the model loss for a ranking objective via the Bayesian
        Personalized Ranking (BPR) loss, as
        :meth:`torch_geometric.nn.models.LightGCN.recommendation_loss` does:
        :class:`~torch_geometric.nn.models.lightgcn.BPRLoss` of the ranks
        plus the :math:`L_2` regularisation of the layer-0 ID embeddings of
        the nodes :obj:`node_id`, with users :obj:`0, ..., num_users - 1`
        followed by items. Without ID embeddings (:obj:`use_id=False`) there
        is nothing to regularise; the text projections are not in the
        penalty either (use the optimizer's weight decay for them).

        .. note::

            The i-th entry in the :obj:`pos_edge_rank` vector and i-th entry
            in the :obj:`neg_edge_rank` entry must correspond to ranks of
            positive and negative edges of the same user.

        Args:
            pos_edge_rank (torch.Tensor): Positive edge rankings.
            neg_edge_rank (torch.Tensor): Negative edge rankings.
            node_id (torch.Tensor, optional): The indices of the nodes
                involved for deriving a prediction for both positive and
                negative edges (*e.g.*, :obj:`torch.cat([user, pos +
                num_users, neg + num_users])`). If set to :obj:`None`, all
                nodes will be used. (default: :obj:`None`)
            lambda_reg (float, optional): The :math:`L_2` regularization
                strength of the Bayesian Personalized Ranking (BPR) loss.
                (default: :obj:`1e-4`)
            **kwargs (optional): Additional arguments of the underlying
                :class:`torch_geometric.nn.models.lightgcn.BPRLoss` loss
                function.
        """
        check_index('node_id', node_id, self.num_users + self.num_items)
        if not self.use_id:
            lambda_reg = 0.
        loss_fn = BPRLoss(lambda_reg, **kwargs)
        emb = None
        if self.use_id:
            emb = torch.cat([self.user_embedding.weight,
                             self.item_embedding.weight])
            emb = emb if node_id is None else emb[node_id]
        return loss_fn(pos_edge_rank, neg_edge_rank, emb)

    def gan_loss(
        self,
        user_x: Tensor,
        num_train_interactions: Optional[Tensor] = None,
        few_index: Optional[Tensor] = None,
        many_index: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns :obj:`(d_loss, g_loss)` of :obj:`refine`, see
        :meth:`GANRefine.loss`.

        Args:
            user_x (torch.Tensor): User text embeddings.
            num_train_interactions (torch.Tensor, optional): Training
                interactions per user. (default: :obj:`None`)
            few_index (torch.Tensor, optional): Rows of few-shot users.
                (default: :obj:`None`)
            many_index (torch.Tensor, optional): Rows of many-shot users.
                (default: :obj:`None`)
        """
        if self.refine is None:
            raise UsageError("'gan_loss' needs a model built with 'refine'")
        return self.refine.loss(user_x, num_train_interactions, few_index,
                                many_index)

    @torch.no_grad()
    def recommend(
        self,
        edge_index: Tensor,
        user_x: Optional[Tensor] = None,
        item_x: Optional[Tensor] = None,
        num_train_interactions: Optional[Tensor] = None,
        src_index: Optional[Tensor] = None,
        dst_index: Optional[Tensor] = None,
        k: int = 1,
        sorted: bool = True,
        exclude_edge_index: Optional[Tensor] = None,
    ) -> Tensor:
        r"""Returns the top-:math:`k` items of each user, best first, as a
        tensor :math:`(N, k)` of item indices, like
        :meth:`torch_geometric.nn.models.LightGCN.recommend` (the same
        arguments, in its order, with the text inputs of :meth:`forward` in
        place of :obj:`edge_weight`) on the bipartite graph: users
        :obj:`src_index` get items among :obj:`dst_index`. See
        :func:`~lgir_pyg.nn.functional.topk_excluding` to rank precomputed
        embeddings. Call :meth:`eval` first if :obj:`refine` has dropout.

        Args:
            edge_index (torch.Tensor): The training edges, as in
                :meth:`forward`.
            user_x (torch.Tensor, optional): User text embeddings.
                (default: :obj:`None`)
            item_x (torch.Tensor, optional): Item text embeddings.
                (default: :obj:`None`)
            num_train_interactions (torch.Tensor, optional): Training
                interactions per user. (default: :obj:`None`)
            src_index (torch.Tensor, optional): The users to recommend to;
                all users if :obj:`None`. (default: :obj:`None`)
            dst_index (torch.Tensor, optional): The items to choose from;
                all items if :obj:`None`. (default: :obj:`None`)
            k (int, optional): Number of recommendations. (default: :obj:`1`)
            sorted (bool, optional): Whether to sort the recommendations by
                score. (default: :obj:`True`)
            exclude_edge_index (torch.Tensor, optional): User-item pairs
                :math:`(2, E)` never to recommend (*e.g.*, training
                interactions); they score :obj:`-inf`, so they only appear if
                a user has fewer than :obj:`k` other items.
                (default: :obj:`None`)
        """
        check_index('src_index', src_index, self.num_users)
        check_index('dst_index', dst_index, self.num_items)
        check_pairs('exclude_edge_index', exclude_edge_index,
                    self.num_users, self.num_items)
        user_emb, item_emb = self(edge_index, user_x, item_x,
                                  num_train_interactions)
        if src_index is not None:
            user_emb = user_emb[src_index]
        if dst_index is not None:
            item_emb = item_emb[dst_index]
            if exclude_edge_index is not None:
                # The excluded pairs of the chosen items, in their columns.
                column = torch.full((self.num_items, ), -1,
                                    device=dst_index.device)
                column[dst_index] = torch.arange(dst_index.numel(),
                                                 device=dst_index.device)
                col = column[exclude_edge_index[1]]
                exclude_edge_index = torch.stack(
                    [exclude_edge_index[0][col >= 0], col[col >= 0]])
        # The arguments are checked above: the unchecked core.
        index = _topk_excluding(user_emb @ item_emb.t(), k, src_index,
                                exclude_edge_index, sorted).indices
        return index if dst_index is None else dst_index[index]

    def _adjacency(
        self,
        edge_index: Tensor,
        dtype: torch.dtype,
    ) -> Tuple[Tensor, Optional[Tensor]]:
        if is_torch_sparse_tensor(edge_index):
            num_nodes = self.num_users + self.num_items
            if edge_index.size() != (num_nodes, num_nodes):
                raise UsageError(f"The adjacency 'edge_index' must have "
                                 f"size ({num_nodes}, {num_nodes}) (got "
                                 f"{tuple(edge_index.size())})")
            return edge_index, None
        if self._cached_edge_index is not None:
            return self._cached_edge_index, self._cached_edge_weight
        edge_index, edge_weight = self.normalize(edge_index, dtype)
        if self.cached:
            self._cached_edge_index = edge_index
            self._cached_edge_weight = edge_weight
        return edge_index, edge_weight

    def __repr__(self) -> str:
        refine = '' if self.refine is None else f', refine={self.refine}'
        return (f'{self.__class__.__name__}({self.num_users}, '
                f'{self.num_items}, {self.text_channels}, '
                f'embedding_dim={self.embedding_dim}, '
                f'num_layers={self.num_layers}, fusion={self.fusion}, '
                f'use_id={self.use_id}, use_text={self.use_text}, '
                f'self_loops={self.self_loops}, '
                f'text_init={self.text_init}{refine})')


def _rows(x: Tensor, index: Optional[Tensor]) -> Tensor:
    # index_select gathers rows many times faster than x[index] on CPU.
    return x if index is None else x.index_select(0, index)
