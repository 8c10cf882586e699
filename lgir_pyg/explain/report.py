r"""Explanations for people: the text :obj:`lgir explain` prints and a
picture of the user's neighbourhood and recommended items."""
from typing import TYPE_CHECKING, Dict, List, Optional

from torch_geometric.data import HeteroData

from lgir_pyg.datasets.graph import EdgeType
from lgir_pyg.errors import UsageError
from lgir_pyg.explain.decomposition import (PATH_NAMES, PATHS, Contribution,
                                            Explanation)
from lgir_pyg.io import atomic_open

if TYPE_CHECKING:  # networkx is imported by plot_explanations only.
    import networkx


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
