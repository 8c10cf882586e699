r"""Why an item is recommended: the exact decomposition of a score into the
contributions of the user's inputs.

Every graph model here is linear in its layer-0 inputs. With the
propagation operator :math:`\mathbf{M}` (the normalised adjacency a
LightGCN layer applies) and the layer weights :math:`\alpha_l`, the final
embeddings are

.. math::
    \mathbf{Z} = \mathbf{P} \mathbf{X}^{(0)}, \qquad
    \mathbf{P} = \sum_{l=0}^{L} \alpha_l \mathbf{M}^l, \qquad
    \mathbf{X}^{(0)} = \mathbf{X}^{(0)}_{\textrm{text}} +
    \mathbf{X}^{(0)}_{\textrm{id}},

where the text part is the projected (and, for few-shot users, GAN-refined)
text embedding and the ID part the ID embedding (zero-padded for
:obj:`fusion="concat"`). The score of user :math:`u` and item :math:`j` is
therefore a sum over nodes :math:`v` and parts :math:`p`,

.. math::
    \hat{y}_{uj} = \mathbf{z}_u^{\top} \mathbf{z}_j = \sum_{v} \sum_{p}
    P_{uv} \, \mathbf{x}^{(0)}_{v,p} \cdot \mathbf{z}_j,

which :func:`explain` groups into the user's own text (the text path), the
user's own ID embedding, each training item (the graph path) and every
other node (walks of two or more hops).
"""
from dataclasses import dataclass
from typing import Callable, Dict, List, NamedTuple, Optional

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.explain.words import matching_words
from lgir_pyg.models.base import FixedEmbedding, Recommender, recommend_unseen
from lgir_pyg.models.id_recommenders import LightGCNRecommender
from lgir_pyg.models.lgir_recommender import LGIRRecommender
from lgir_pyg.transforms.encode_text import feature_name

PATHS = ('text', 'id', 'graph', 'other')
PATH_NAMES = {
    'text': 'own text',
    'id': 'own ID embedding',
    'graph': 'training item',
    'other': 'other paths (2+ hops)',
}


class Contribution(NamedTuple):
    r"""One term of a score's decomposition.

    Args:
        path (str): :obj:`"text"` (the user's own text embedding, e.g. the
            completed resume), :obj:`"id"` (the user's own ID embedding),
            :obj:`"graph"` (the layer-0 input of one of the user's training
            items, over every walk from the user to it) or :obj:`"other"`
            (the inputs of all other nodes, reached by walks of two or more
            hops).
        value (float): The term.
        item (int, optional): The training item of a :obj:`"graph"` term.
        parts (Dict[str, float]): The term split by layer-0 part,
            :obj:`"text"` and :obj:`"id"`.
    """
    path: str
    value: float
    item: Optional[int]
    parts: Dict[str, float]


@dataclass
class Explanation:
    r"""Why :obj:`item` is recommended to :obj:`user` at :obj:`rank`:
    :obj:`score` is the model's score and :obj:`contributions` its exact
    decomposition (empty if the model is not decomposed); :obj:`words` are
    the words of the user's text that also occur in the item's text."""
    user: int
    item: int
    rank: int
    score: float
    contributions: List[Contribution]
    words: List[str]

    @property
    def decomposed(self) -> bool:
        r"""Whether :obj:`contributions` decompose :obj:`score`."""
        return bool(self.contributions)

    def total(self, path: Optional[str] = None) -> float:
        r"""The sum of the contributions (of :obj:`path` only, if given);
        without :obj:`path` it equals :obj:`score` up to floating-point
        rounding."""
        return sum(c.value for c in self.contributions
                   if path is None or c.path == path)


class _LinearForm(NamedTuple):
    # The user's final embedding is sum_v coef[v] * sum_p parts[p][v] over
    # the users followed by the items; scores are its inner products with
    # item_emb. hops: the walk lengths the model propagates over.
    coef: Tensor
    parts: Dict[str, Tensor]
    item_emb: Tensor
    hops: int


def _propagation_row(user: int, num_nodes: int, alpha: Tensor,
                     propagate: Callable[[int, Tensor], Tensor]) -> Tensor:
    # Row `user` of P = sum_l alpha_l M^l, from the one-hot vector
    # propagated by the transposed operator M^T.
    x = alpha.new_zeros(num_nodes, 1)
    x[user] = 1.
    out = alpha[0] * x
    for i in range(alpha.numel() - 1):
        x = propagate(i, x)
        out = out + alpha[i + 1] * x
    return out.view(-1)


def _lgir_form(model: LGIRRecommender, user: int) -> _LinearForm:
    lgir = model.model
    user_emb, item_emb = model()
    x0 = torch.cat(lgir.input_embedding(model.user_x, model.item_x,
                                        model.num_train))
    parts = {}
    if lgir.use_id:
        emb = torch.cat([lgir.user_embedding.weight,
                         lgir.item_embedding.weight])
        # With "concat" the ID part fills the first columns.
        parts['id'] = F.pad(emb, (0, x0.size(1) - emb.size(1)))
    if lgir.use_text:
        # The rest of the layer-0 input: the projected (refined) texts.
        parts['text'] = x0 - parts['id'] if lgir.use_id else x0
    edge_index, edge_weight = lgir.normalize(model.edge_index, x0.dtype)
    reverse = edge_index.flip(0)
    coef = _propagation_row(
        user, x0.size(0), lgir.alpha.to(x0.dtype),
        lambda i, x: lgir.conv(x, reverse, edge_weight))
    return _LinearForm(coef, parts, item_emb, lgir.num_layers)


def _lightgcn_form(model: LightGCNRecommender, user: int) -> _LinearForm:
    lightgcn = model.model
    _, item_emb = model()
    # The homogeneous graph of LightGCNRecommender.embed; it holds every
    # edge in both directions, so M is symmetric and M^T = M.
    row, col = model.edge_index[0], model.edge_index[1] + model.num_users
    edge_index = torch.stack([torch.cat([row, col]), torch.cat([col, row])])
    x0 = lightgcn.embedding.weight
    coef = _propagation_row(user, x0.size(0), lightgcn.alpha.to(x0.dtype),
                            lambda i, x: lightgcn.convs[i](x, edge_index))
    return _LinearForm(coef, {'id': x0}, item_emb, lightgcn.num_layers)


def _fixed_form(model: FixedEmbedding, data: HeteroData, user: int,
                user_text: Optional[str]) -> Optional[_LinearForm]:
    num_users = model.user_emb.size(0)
    coef = model.user_emb.new_zeros(num_users + model.item_emb.size(0))
    if model.name == 'text':
        # The user's embedding is their own normalised text embedding.
        coef[user] = 1.
        parts = torch.cat([model.user_emb, model.item_emb])
        return _LinearForm(coef, {'text': parts}, model.item_emb, 0)
    if model.name != 'job-mean':
        return None
    if user_text is None:
        raise UsageError("Explaining 'job-mean' needs 'user_text', the "
                         "user texts its embeddings were built from")
    # normalize(own + sum of training items), all normalised embeddings.
    own = data[model.edge_type[0]].get(feature_name(user_text))
    if not isinstance(own, Tensor) or own.size(0) != num_users:
        raise DataError(f"data['{model.edge_type[0]}'] has no feature "
                        f"matrix '{feature_name(user_text)}' of "
                        f"{num_users} rows")
    parts = torch.cat([F.normalize(own.to(coef.dtype), dim=-1),
                       model.item_emb])
    edge_index = data[model.edge_type].edge_index
    items = edge_index[1, edge_index[0] == user] + num_users
    coef[user] = 1.
    coef.index_add_(0, items, torch.ones_like(items, dtype=coef.dtype))
    coef = coef / (coef @ parts).norm().clamp_min(1e-12)
    return _LinearForm(coef, {'text': parts}, model.item_emb, 1)


def _linear_form(model: Recommender, data: HeteroData, user: int,
                 user_text: Optional[str]) -> Optional[_LinearForm]:
    if isinstance(model, LGIRRecommender):
        return _lgir_form(model, user)
    if isinstance(model, LightGCNRecommender):
        return _lightgcn_form(model, user)
    if isinstance(model, FixedEmbedding):
        return _fixed_form(model, data, user, user_text)
    return None


def _contributions(form: _LinearForm, user: int, num_users: int,
                   train_items: Tensor,
                   items: Tensor) -> List[List[Contribution]]:
    # c[p][v, i] = coef[v] * (x0_p[v] . z_item_i), one column per item.
    c = {p: form.coef.view(-1, 1) * (form.parts[p] @ form.item_emb[items].t())
         for p in ('text', 'id') if p in form.parts}
    other = torch.ones_like(form.coef, dtype=torch.bool)
    other[user] = False
    other[train_items + num_users] = False
    out = []
    for i in range(items.numel()):
        terms = [Contribution(p, float(c[p][user, i]), None,
                              {p: float(c[p][user, i])}) for p in c]
        if form.hops >= 1:
            graph = []
            for item in train_items.tolist():
                parts = {p: float(c[p][num_users + item, i]) for p in c}
                graph.append(Contribution('graph', sum(parts.values()),
                                          item, parts))
            terms += sorted(graph, key=lambda t: -abs(t.value))
        if form.hops >= 2:
            parts = {p: float(c[p][other, i].sum()) for p in c}
            terms.append(Contribution('other', sum(parts.values()), None,
                                      parts))
        out.append(terms)
    return out


@torch.no_grad()
def explain(
    model: Recommender,
    data: HeteroData,
    user: int,
    k: int = 5,
    user_text: Optional[str] = None,
) -> List[Explanation]:
    r"""Explains the top-:obj:`k` recommendations of :obj:`user`: for each
    item not seen in training, validation or test (as
    :obj:`lgir recommend` lists them), the exact decomposition of its score
    (see the module's docstring) into

    * :obj:`"text"`: the user's own text embedding (the text path), e.g.
      the completed resume, refined by the GAN for few-shot users;
    * :obj:`"id"`: the user's own ID embedding, where the model has one;
    * :obj:`"graph"`: each training item, its text and ID inputs over every
      walk from the user to it (the graph path);
    * :obj:`"other"`: every other node, reached by walks of two or more
      hops (models with :obj:`num_layers > 1`).

    :class:`LGIRRecommender` and :class:`LightGCNRecommender` (and hence
    BPR-MF) are decomposed, and so are the :class:`FixedEmbedding`
    baselines :obj:`text` (all text path) and :obj:`job-mean` (the user's
    text and each training item); other models, e.g. popularity, are not
    (:attr:`Explanation.decomposed` is :obj:`False`). The contributions are
    checked to sum to the model's scores.

    Args:
        model (Recommender): A model bound to :obj:`data`.
        data (HeteroData): The split graph the model was built on.
        user (int): The user's index.
        k (int, optional): Number of recommendations; fewer if the user has
            seen almost every item. (default: :obj:`5`)
        user_text (str, optional): The user texts the model reads (e.g.
            :obj:`"resume_irc"`, see :attr:`ModelSpec.user_text`): their
            words that match the item's text are returned, and
            :obj:`job-mean` is decomposed with their embedding. If
            :obj:`None`, no words are returned. (default: :obj:`None`)
    """
    edge_type = model.edge_type
    users, item_store = data[edge_type[0]], data[edge_type[2]]
    if not 0 <= user < users.num_nodes:
        raise UsageError(f"'user' must be in [0, {users.num_nodes}) (got "
                         f"{user})")
    if k < 1:
        raise UsageError(f"'k' must be positive (got {k})")
    if user_text is not None and user_text not in users:
        raise DataError(f"data['{edge_type[0]}'] has no texts "
                        f"'{user_text}'")
    model.eval()
    scores, items = recommend_unseen(model, data, user, k)
    if items.numel() == 0:
        return []
    k = items.numel()

    form = _linear_form(model, data, user, user_text)
    terms: List[List[Contribution]] = [[] for _ in range(k)]
    if form is not None:
        train = data[edge_type].edge_index
        train_items = train[1, train[0] == user].unique()
        terms = _contributions(form, user, users.num_nodes, train_items,
                               items)
        total = torch.tensor([sum(t.value for t in ts) for ts in terms],
                             dtype=torch.float64)
        scale = torch.tensor([sum(abs(t.value) for t in ts) for ts in terms],
                             dtype=torch.float64)
        if not bool(((total - scores.double()).abs()
                     <= 1e-4 * scale + 1e-6).all()):
            raise DataError(f"The contributions ({total.tolist()}) do not "
                            f"sum to the scores of {model} "
                            f"({scores.tolist()}): 'data' and 'user_text' "
                            f"must be those the model was built on")

    text = users[user_text][user] if user_text else ''
    item_texts = item_store.get('text')
    return [
        Explanation(user, item, rank, score, ts,
                    matching_words(text, item_texts[item])
                    if text and item_texts is not None else [])
        for rank, (item, score, ts) in enumerate(
            zip(items.tolist(), scores.tolist(), terms), 1)
    ]
