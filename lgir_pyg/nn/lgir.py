from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn import Embedding, Linear
from torch_geometric.nn.conv import LGConv
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.utils import (
    degree,
    is_torch_sparse_tensor,
    to_torch_csr_tensor,
    to_undirected,
)

from lgir_pyg.nn._checks import check_features
from lgir_pyg.nn.gan import GANRefine

FUSIONS = ('sum', 'concat')
SELF_LOOPS = ('isolated', 'all', 'none')


class LGIR(torch.nn.Module):
    r"""The recommender of LGIR from the `"Enhancing Job Recommendation
    through LLM-based Generative Adversarial Networks"
    <https://arxiv.org/abs/2307.10747>`_ paper: a LightGCN over the bipartite
    user-job graph whose node inputs combine an ID embedding with a linear
    projection of the text embedding of the (refined) resume or the job
    description.

    The input of user :math:`u` (and likewise of job :math:`j`) is

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
    symmetric user-job adjacency plus the self-loops :math:`\mathbf{S}`
    chosen by :obj:`self_loops` and :math:`\hat{\mathbf{D}}` its degree
    matrix, and a user-job pair is scored by the inner product

    .. math::
        \hat{y}_{uj} = \mathbf{x}_u^{\top} \mathbf{x}_j.

    .. note::

        Most test jobs of a recruitment dataset have no training interaction
        (cold jobs), so only their text can rank them. In LightGCN an
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

    Args:
        num_users (int): Number of users.
        num_jobs (int): Number of jobs.
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
            jobs share one text projection :math:`\mathbf{W}`, which keeps
            resumes and job descriptions, embedded by the same encoder, in one
            space; otherwise each node type has its own.
            (default: :obj:`True`)
        self_loops (str, optional): :obj:`"isolated"`, :obj:`"all"` or
            :obj:`"none"`, see the note above. (default: :obj:`"isolated"`)
        refine (GANRefine, optional): If given, user text embeddings pass
            through it before the projection, so the recommendation loss
            also trains its generator on the refined rows.
            (default: :obj:`None`)
    """
    def __init__(
        self,
        num_users: int,
        num_jobs: int,
        text_channels: int,
        embedding_dim: int = 64,
        num_layers: int = 3,
        alpha: Optional[Union[float, Tensor]] = None,
        fusion: str = 'sum',
        use_id: bool = True,
        use_text: bool = True,
        shared_projection: bool = True,
        self_loops: str = 'isolated',
        refine: Optional[GANRefine] = None,
    ) -> None:
        super().__init__()
        if fusion not in FUSIONS:
            raise ValueError(f"'fusion' must be one of {FUSIONS} "
                             f"(got {fusion!r})")
        if self_loops not in SELF_LOOPS:
            raise ValueError(f"'self_loops' must be one of {SELF_LOOPS} "
                             f"(got {self_loops!r})")
        if not (use_id or use_text):
            raise ValueError("At least one of 'use_id' and 'use_text' must "
                             "be True")
        if refine is not None and not use_text:
            raise ValueError("'refine' needs 'use_text=True'")
        if refine is not None and refine.channels != text_channels:
            raise ValueError(f"'refine' expects {refine.channels} channels "
                             f"but 'text_channels' is {text_channels}")

        self.num_users = num_users
        self.num_jobs = num_jobs
        self.text_channels = text_channels
        self.embedding_dim = embedding_dim
        self.num_layers = num_layers
        self.fusion = fusion
        self.use_id = use_id
        self.use_text = use_text
        self.shared_projection = shared_projection
        self.self_loops = self_loops
        self.refine = refine
        concat = fusion == 'concat' and use_id and use_text
        self.out_channels = 2 * embedding_dim if concat else embedding_dim

        if alpha is None:
            alpha = 1. / (num_layers + 1)
        if isinstance(alpha, Tensor):
            if alpha.size() != (num_layers + 1, ):
                raise ValueError(f"'alpha' must have {num_layers + 1} "
                                 f"entries (got {tuple(alpha.size())})")
        else:
            alpha = torch.tensor([alpha] * (num_layers + 1))
        self.register_buffer('alpha', alpha)

        self.user_embedding = self.job_embedding = None
        if use_id:
            self.user_embedding = Embedding(num_users, embedding_dim)
            self.job_embedding = Embedding(num_jobs, embedding_dim)
        self.user_proj = self.job_proj = None
        if use_text:
            self.user_proj = Linear(text_channels, embedding_dim, bias=False)
            self.job_proj = self.user_proj
            if not shared_projection:
                self.job_proj = Linear(text_channels, embedding_dim,
                                       bias=False)
        self.conv = LGConv(normalize=False)
        self._cache: Optional[Tuple[Tensor, Tensor]] = None

        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Resets all learnable parameters of the module."""
        if self.use_id:
            torch.nn.init.xavier_uniform_(self.user_embedding.weight)
            torch.nn.init.xavier_uniform_(self.job_embedding.weight)
        if self.use_text:
            self.user_proj.reset_parameters()
            if not self.shared_projection:
                self.job_proj.reset_parameters()
        if self.refine is not None:
            self.refine.reset_parameters()

    def build_adjacency(self, edge_index: Tensor) -> Tensor:
        r"""Returns the normalised adjacency :math:`\hat{\mathbf{D}}^{-1/2}
        \hat{\mathbf{A}} \hat{\mathbf{D}}^{-1/2}` over users
        :obj:`0, ..., num_users - 1` followed by jobs, as a sparse CSR tensor
        that :meth:`forward` accepts in place of :obj:`edge_index`. A pair
        given more than once counts once.

        Args:
            edge_index (torch.Tensor): The user-job training edges
                :math:`(2, |\mathcal{E}|)`, users in row 0 and jobs in row 1,
                both indexed within their node type.
        """
        self._check_edge_index(edge_index)
        num_nodes = self.num_users + self.num_jobs
        row, col = edge_index
        edge_index = to_undirected(
            torch.stack([row, col + self.num_users]), num_nodes=num_nodes)
        if self.self_loops == 'all':
            loop = torch.arange(num_nodes, device=edge_index.device)
        elif self.self_loops == 'isolated':
            loop = (degree(edge_index[0], num_nodes) == 0).nonzero().view(-1)
        else:
            loop = edge_index.new_empty(0)
        edge_index = torch.cat([edge_index, torch.stack([loop, loop])], dim=1)
        edge_index, edge_weight = gcn_norm(edge_index, None, num_nodes,
                                           add_self_loops=False)
        return to_torch_csr_tensor(edge_index, edge_weight, size=num_nodes)

    def input_embedding(
        self,
        user_x: Optional[Tensor] = None,
        job_x: Optional[Tensor] = None,
        num_train_interactions: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the layer-0 embeddings :math:`\mathbf{x}^{(0)}` of users
        :math:`(|\mathcal{U}|, D)` and jobs :math:`(|\mathcal{J}|, D)`, with
        :math:`D` = :obj:`out_channels`; see :meth:`forward` for the
        arguments."""
        user_parts, job_parts = [], []
        if self.use_id:
            user_parts.append(self.user_embedding.weight)
            job_parts.append(self.job_embedding.weight)
        if self.use_text:
            check_features('user_x', user_x, self.text_channels,
                           self.num_users)
            check_features('job_x', job_x, self.text_channels,
                           self.num_jobs)
            if self.refine is not None:
                user_x = self.refine(user_x, num_train_interactions)
            user_parts.append(self.user_proj(user_x))
            job_parts.append(self.job_proj(job_x))
        if self.fusion == 'concat':
            return torch.cat(user_parts, dim=-1), torch.cat(job_parts, dim=-1)
        return sum(user_parts), sum(job_parts)

    def forward(
        self,
        edge_index: Tensor,
        user_x: Optional[Tensor] = None,
        job_x: Optional[Tensor] = None,
        num_train_interactions: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the final embeddings of users :math:`(|\mathcal{U}|, D)`
        and jobs :math:`(|\mathcal{J}|, D)`, with :math:`D` =
        :obj:`out_channels`.

        Args:
            edge_index (torch.Tensor): The user-job training edges
                :math:`(2, |\mathcal{E}|)`, users in row 0 and jobs in row 1,
                or the adjacency from :meth:`build_adjacency`. The adjacency
                of an edge index is built once and cached while the same
                tensor object is passed again; do not modify it in place.
            user_x (torch.Tensor, optional): User text embeddings
                :math:`(|\mathcal{U}|, F)`; needed if :obj:`use_text`.
                (default: :obj:`None`)
            job_x (torch.Tensor, optional): Job text embeddings
                :math:`(|\mathcal{J}|, F)`; needed if :obj:`use_text`.
                (default: :obj:`None`)
            num_train_interactions (torch.Tensor, optional): Training
                interactions per user, passed to :obj:`refine`.
                (default: :obj:`None`)
        """
        adj = self._adjacency(edge_index)
        user_x, job_x = self.input_embedding(user_x, job_x,
                                             num_train_interactions)
        x = torch.cat([user_x, job_x], dim=0)
        out = x * self.alpha[0]
        for i in range(self.num_layers):
            x = self.conv(x, adj)
            out = out + x * self.alpha[i + 1]
        return out[:self.num_users], out[self.num_users:]

    def recommendation_loss(
        self,
        user_emb: Tensor,
        job_emb: Tensor,
        user_index: Tensor,
        pos_index: Tensor,
        neg_index: Tensor,
        lambda_reg: float = 1e-4,
    ) -> Tensor:
        r"""Computes the Bayesian Personalized Ranking (BPR) loss of the
        triples :obj:`(user_index[i], pos_index[i], neg_index[i])` plus the
        :math:`L_2` regularisation of the batch's ID embeddings (the
        per-node parameters of layer 0, as in LightGCN)

        .. math::
            \frac{1}{B} \sum_{i=1}^{B} \textrm{softplus}(\hat{y}_{u_i n_i} -
            \hat{y}_{u_i p_i}) + \frac{\lambda}{B} \sum_{i=1}^{B} \left(
            \|\mathbf{e}_{u_i}\|^2 + \|\mathbf{e}_{p_i}\|^2 +
            \|\mathbf{e}_{n_i}\|^2 \right).

        The shared text projection is not in the penalty; use the
        optimizer's weight decay for it.

        Args:
            user_emb (torch.Tensor): User embeddings from :meth:`forward`.
            job_emb (torch.Tensor): Job embeddings from :meth:`forward`.
            user_index (torch.Tensor): Users of the batch :math:`(B)`.
            pos_index (torch.Tensor): Their positive jobs :math:`(B)`.
            neg_index (torch.Tensor): Their negative jobs :math:`(B)`.
            lambda_reg (float, optional): The :math:`L_2` regularisation
                strength :math:`\lambda`. (default: :obj:`1e-4`)
        """
        user = user_emb[user_index]
        pos_score = (user * job_emb[pos_index]).sum(dim=-1)
        neg_score = (user * job_emb[neg_index]).sum(dim=-1)
        loss = F.softplus(neg_score - pos_score).mean()
        if self.use_id and lambda_reg != 0:
            reg = (self.user_embedding(user_index).pow(2).sum() +
                   self.job_embedding(pos_index).pow(2).sum() +
                   self.job_embedding(neg_index).pow(2).sum())
            loss = loss + lambda_reg * reg / user_index.numel()
        return loss

    def gan_loss(
        self,
        user_x: Tensor,
        num_train_interactions: Tensor,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns :obj:`(d_loss, g_loss)` of :obj:`refine`, see
        :meth:`GANRefine.loss`.

        Args:
            user_x (torch.Tensor): User text embeddings.
            num_train_interactions (torch.Tensor): Training interactions per
                user.
        """
        if self.refine is None:
            raise ValueError("'gan_loss' needs a model built with 'refine'")
        return self.refine.loss(user_x, num_train_interactions)

    @torch.no_grad()
    def recommend(
        self,
        user_emb: Tensor,
        job_emb: Tensor,
        k: int,
        exclude_edge_index: Optional[Tensor] = None,
        user_index: Optional[Tensor] = None,
    ) -> Tensor:
        r"""Returns the top-:math:`k` jobs of each user, best first, as a
        tensor :math:`(N, k)` of job indices.

        Args:
            user_emb (torch.Tensor): User embeddings from :meth:`forward`.
            job_emb (torch.Tensor): Job embeddings from :meth:`forward`.
            k (int): Number of recommendations.
            exclude_edge_index (torch.Tensor, optional): User-job pairs
                :math:`(2, E)` never to recommend (*e.g.*, training
                interactions); they score :obj:`-inf`, so they only appear if
                a user has fewer than :obj:`k` other jobs.
                (default: :obj:`None`)
            user_index (torch.Tensor, optional): The users to recommend to;
                all users if :obj:`None`. (default: :obj:`None`)
        """
        if not 1 <= k <= job_emb.size(0):
            raise ValueError(f"'k' must be in [1, {job_emb.size(0)}] "
                             f"(got {k})")
        if user_index is None:
            user_index = torch.arange(user_emb.size(0),
                                      device=user_emb.device)
        score = user_emb[user_index] @ job_emb.t()
        if exclude_edge_index is not None:
            # Row of each user in `score`, -1 for users not asked for.
            row = user_index.new_full((user_emb.size(0), ), -1)
            row[user_index] = torch.arange(user_index.numel(),
                                           device=user_index.device)
            row = row[exclude_edge_index[0]]
            keep = row >= 0
            score[row[keep], exclude_edge_index[1, keep]] = float('-inf')
        return score.topk(k, dim=-1).indices

    def _adjacency(self, edge_index: Tensor) -> Tensor:
        if is_torch_sparse_tensor(edge_index):
            num_nodes = self.num_users + self.num_jobs
            if edge_index.size() != (num_nodes, num_nodes):
                raise ValueError(f"The adjacency 'edge_index' must have "
                                 f"size ({num_nodes}, {num_nodes}) (got "
                                 f"{tuple(edge_index.size())})")
            return edge_index
        if self._cache is None or self._cache[0] is not edge_index:
            self._cache = (edge_index, self.build_adjacency(edge_index))
        return self._cache[1]

    def _check_edge_index(self, edge_index: Tensor) -> None:
        if edge_index.dim() != 2 or edge_index.size(0) != 2:
            raise ValueError(f"'edge_index' must have shape (2, E) (got "
                             f"{tuple(edge_index.size())})")
        if edge_index.numel() == 0:
            return
        for i, (name, size) in enumerate([('user', self.num_users),
                                          ('job', self.num_jobs)]):
            low, high = int(edge_index[i].min()), int(edge_index[i].max())
            if low < 0 or high >= size:
                raise ValueError(f"'edge_index' row {i} holds {name} "
                                 f"indices in [{low}, {high}], outside "
                                 f"[0, {size - 1}]")

    def __repr__(self) -> str:
        refine = '' if self.refine is None else f', refine={self.refine}'
        return (f'{self.__class__.__name__}({self.num_users}, '
                f'{self.num_jobs}, {self.text_channels}, '
                f'embedding_dim={self.embedding_dim}, '
                f'num_layers={self.num_layers}, fusion={self.fusion}, '
                f'use_id={self.use_id}, use_text={self.use_text}, '
                f'self_loops={self.self_loops}{refine})')
