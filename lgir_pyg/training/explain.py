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
import re
from dataclasses import dataclass
from typing import (TYPE_CHECKING, Callable, Dict, List, NamedTuple, Optional,
                    Tuple)

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import EdgeType
from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.training.models import (
    FixedEmbedding,
    LGIRRecommender,
    LightGCNRecommender,
    Recommender,
)
from lgir_pyg.transforms.encode_text import feature_name

if TYPE_CHECKING:
    import networkx

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
    x0 = torch.cat(lgir.input_embedding(model.user_x, model.job_x,
                                        model.num_train))
    parts = {}
    if lgir.use_id:
        emb = torch.cat([lgir.user_embedding.weight,
                         lgir.job_embedding.weight])
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
    coef = model.user_emb.new_zeros(num_users + model.job_emb.size(0))
    if model.name == 'text':
        # The user's embedding is their own normalised text embedding.
        coef[user] = 1.
        parts = torch.cat([model.user_emb, model.job_emb])
        return _LinearForm(coef, {'text': parts}, model.job_emb, 0)
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
                       model.job_emb])
    edge_index = data[model.edge_type].edge_index
    items = edge_index[1, edge_index[0] == user] + num_users
    coef[user] = 1.
    coef.index_add_(0, items, torch.ones_like(items, dtype=coef.dtype))
    coef = coef / (coef @ parts).norm().clamp_min(1e-12)
    return _LinearForm(coef, {'text': parts}, model.job_emb, 1)


def _linear_form(model: Recommender, data: HeteroData, user: int,
                 user_text: Optional[str]) -> Optional[_LinearForm]:
    if isinstance(model, LGIRRecommender):
        return _lgir_form(model, user)
    if isinstance(model, LightGCNRecommender):
        return _lightgcn_form(model, user)
    if isinstance(model, FixedEmbedding):
        return _fixed_form(model, data, user, user_text)
    return None


def _words(text: str) -> List[str]:
    return re.findall(r'[^\W_]+', text.lower())


def _normal(word: str) -> str:
    # A plural "s" does not make another word ("nurses", "nurse").
    if len(word) > 3 and word.endswith('s') and not word.endswith('ss'):
        return word[:-1]
    return word


def matching_words(text: str, item_text: str) -> List[str]:
    r"""Returns the words of :obj:`text` that also occur in
    :obj:`item_text`, each once, in their order in :obj:`text`. Words are
    compared lower-cased and without a plural *s*; stop words
    (scikit-learn's English list) and one-character words are left out.

    Args:
        text (str): A user's text, e.g. the completed resume.
        item_text (str): The item's text.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    item_words = {_normal(w) for w in _words(item_text)}
    out: List[str] = []
    for word in _words(text):
        if (len(word) > 1 and word not in ENGLISH_STOP_WORDS
                and _normal(word) in item_words and word not in out):
            out.append(word)
    return out


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


def _label(store, index: int, width: int = 40) -> str:
    # "title [id]", the title shortened to `width` characters.
    title = str(store.get('title', store.get('text', store.node_id))[index])
    if len(title) > width:
        title = title[:width - 1] + '…'
    return f'{title} [{store.node_id[index]}]'


def format_explanations(
    explanations: List[Explanation],
    data: HeteroData,
    edge_type: EdgeType,
    model_name: str = 'the model',
    user_text: Optional[str] = None,
    top: int = 3,
) -> str:
    r"""The text :obj:`lgir explain` prints: for each item its score, the
    contributions (the :obj:`top` training items by size named by their
    title, the others summed), their sum and the matching words.

    Args:
        explanations (List[Explanation]): The output of :func:`explain`.
        data (HeteroData): The graph, with :obj:`node_id` on both node types
            and the items' :obj:`title` (else :obj:`text`).
        edge_type (tuple): The interaction edge type.
        model_name (str, optional): The model's name.
            (default: :obj:`"the model"`)
        user_text (str, optional): The user texts the model reads, named in
            the :obj:`"text"` line. (default: :obj:`None`)
        top (int, optional): Training items listed by name.
            (default: :obj:`3`)
    """
    users, items = data[edge_type[0]], data[edge_type[2]]
    item_type = edge_type[2]
    lines = []
    if explanations:
        user = users.node_id[explanations[0].user]
        lines.append(f'Why user {user} is shown these {item_type} items '
                     f'({model_name}; items already seen left out).')
        if explanations[0].decomposed:
            lines.append('Each score is the exact sum of the contributions '
                         'listed under it.')
    names = dict(PATH_NAMES, graph=f'training {item_type}')
    if user_text and user_text != 'text':
        names['text'] = f'own text ({user_text})'

    def term(c: Contribution) -> str:
        line = f'       {c.value:+.4f}  {names[c.path]}'
        if c.item is not None:
            line += f': {_label(items, c.item)}'
        if c.path in ('graph', 'other') and len(c.parts) > 1:
            line += ' (' + ', '.join(f'{p} {v:+.4f}'
                                     for p, v in c.parts.items()) + ')'
        return line

    for e in explanations:
        lines.append(f'{e.rank:3d}. {_label(items, e.item)}  score '
                     f'{e.score:+.4f}')
        if not e.decomposed:
            lines.append(f'       not decomposed: {model_name} is not a sum '
                         f'over the user\'s inputs')
        by_path = {p: [c for c in e.contributions if c.path == p]
                   for p in PATHS}
        graph = by_path['graph']
        for c in by_path['text'] + by_path['id'] + graph[:top]:
            lines.append(term(c))
        if graph[top:]:
            lines.append(f'       {sum(c.value for c in graph[top:]):+.4f}'
                         f'  {len(graph) - top} more training items')
        lines.extend(term(c) for c in by_path['other'])
        if e.decomposed:
            lines.append(f'       {e.total():+.4f}  sum')
        lines.append('     matching words: ' + (', '.join(e.words) or '-'))
    return '\n'.join(lines)


def plot_explanations(
    explanations: List[Explanation],
    data: HeteroData,
    edge_type: EdgeType,
    path: str,
    max_items: int = 8,
    title: Optional[str] = None,
) -> 'networkx.DiGraph':
    r"""Draws the user's neighbourhood and the recommended items into the
    PNG file :obj:`path` with :obj:`networkx` and :obj:`matplotlib`: the
    user (left) is joined to their training items and to the nodes of the
    other paths (middle), whose edges to each recommended item (right) are
    weighted by their contribution (width by size, colour by sign and
    size). The :obj:`max_items` training items with the largest
    contributions are drawn one by one, the others as one node. Returns the
    drawn graph: each edge into a recommended item holds its contribution
    as :obj:`weight`.

    Args:
        explanations (List[Explanation]): The output of :func:`explain`, of
            one user.
        data (HeteroData): The graph, as for :func:`format_explanations`.
        edge_type (tuple): The interaction edge type.
        path (str): The PNG file to write.
        max_items (int, optional): Training items drawn one by one.
            (default: :obj:`8`)
        title (str, optional): The picture's title. (default: :obj:`None`)
    """
    import networkx as nx
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    from lgir_pyg.io import atomic_open

    if not explanations:
        raise UsageError('There are no recommendations to plot')
    users, items = data[edge_type[0]], data[edge_type[2]]
    user = explanations[0].user
    train = data[edge_type].edge_index
    train_items = train[1, train[0] == user].unique().tolist()

    # Middle nodes: own text / ID, training items, the rest of them, other.
    size: Dict[object, float] = {}
    for e in explanations:
        for c in e.contributions:
            key = c.item if c.path == 'graph' else c.path
            size[key] = max(size.get(key, 0.), abs(c.value))
    shown = sorted(train_items, key=lambda j: -size.get(j, 0.))[:max_items]
    more = 'more' if len(train_items) > len(shown) else None
    middle = [p for p in ('text', 'id') if p in size] + shown + (
        [more] if more else []) + (['other'] if 'other' in size else [])
    recs = [e.item for e in explanations]

    def key_of(c: Contribution):
        if c.path != 'graph':
            return c.path
        return c.item if c.item in shown else more

    graph = nx.DiGraph()
    graph.add_node('user')
    graph.add_nodes_from(('mid', m) for m in middle)
    graph.add_nodes_from(('rec', r) for r in recs)
    graph.add_edges_from(('user', ('mid', m)) for m in middle)
    weight: Dict[tuple, float] = {}
    for e in explanations:
        for c in e.contributions:
            edge = (('mid', key_of(c)), ('rec', e.item))
            weight[edge] = weight.get(edge, 0.) + c.value
    graph.add_edges_from((u, v, {'weight': w}) for (u, v), w in
                         weight.items())

    names = dict(PATH_NAMES, more=f'{len(train_items) - len(shown)} more '
                 f'training items')
    pos = {'user': (0., 0.)}
    labels = {'user': f'user {users.node_id[user]}'}
    for i, m in enumerate(middle):
        pos[('mid', m)] = (1., (len(middle) - 1) / 2 - i)
        labels[('mid', m)] = names[m] if m in names else _label(items, m,
                                                                28)
    for i, e in enumerate(explanations):
        pos[('rec', e.item)] = (2., (len(recs) - 1) / 2 - i)
        labels[('rec', e.item)] = (f'{e.rank}. {_label(items, e.item, 28)}'
                                   f'\nscore {e.score:+.3f}')

    height = max(4., 0.6 * max(len(middle), len(recs)))
    fig = Figure(figsize=(12, height))
    ax = fig.add_subplot()
    ax.set_axis_off()
    cmap = colormaps['coolwarm_r']
    vmax = max([abs(v) for v in weight.values()] + [1e-12])
    norm = Normalize(-vmax, vmax)
    nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=[
        ('user', ('mid', m)) for m in middle], edge_color='0.75',
        style='dashed', arrows=False)
    edges = list(weight)
    nx.draw_networkx_edges(
        graph, pos, ax=ax, edgelist=edges, arrows=True, arrowstyle='-|>',
        node_size=250,
        width=[0.5 + 6 * abs(weight[e]) / vmax for e in edges],
        edge_color=[cmap(norm(weight[e])) for e in edges])
    colour = {'user': 'tab:orange'}
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=250, node_color=[
        colour.get(n, 'tab:green' if n[0] == 'rec' else 'tab:gray')
        for n in graph.nodes])
    for node, (x, y) in pos.items():
        right = x == 2.  # Recommended items are labelled on their right.
        ax.text(x + (0.05 if right else -0.05), y, labels[node],
                ha='left' if right else 'right', va='center', fontsize=8)
    ax.set_xlim(-0.6, 2.8)
    decomposed = any(e.decomposed for e in explanations)
    if decomposed:
        fig.colorbar(ScalarMappable(norm, cmap), ax=ax, shrink=0.4,
                     orientation='horizontal', fraction=0.04, pad=0.02,
                     label='contribution to the score')
    fig.suptitle(title or (
        'Each recommended item\'s score is the sum of its incoming edges '
        '(dashed: the user\'s own inputs and training interactions)'
        if decomposed else 'Scores not decomposed'), fontsize=10)
    with atomic_open(path, 'wb') as f:
        fig.savefig(f, format='png', dpi=120, bbox_inches='tight')
    return graph
