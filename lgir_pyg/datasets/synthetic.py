r"""A synthetic recommendation graph with planted user interests, item
texts drawn from them and a density knob, for experiments where the
density (interactions per user) must vary while everything else stays the
same: text embeddings are drawn directly, no encoder or LLM runs."""
import math

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.errors import UsageError


def synthetic_graph(
    num_users: int = 1000,
    num_items: int = 1000,
    interactions_per_user: float = 10.0,
    num_topics: int = 20,
    text_channels: int = 32,
    topics_per_user: int = 2,
    item_text_noise: float = 1.0,
    user_text_noise: float = 2.0,
    latent_channels: int = 8,
    latent_weight: float = 1.0,
    popularity: float = 1.0,
    seed: int = 0,
    user_type: str = 'user',
    item_type: str = 'item',
    relation: str = 'interacts',
) -> HeteroData:
    r"""Draws a user-item graph whose interactions follow planted interests
    that item texts reveal and user texts hint at, with timestamps for
    :class:`lgir_pyg.transforms.PerUserSplit`.

    The generative story:

    * :obj:`num_topics` topic directions :math:`\mathbf{c}_k` in the text
      space; each item belongs to one topic :math:`z_j`, has a popularity
      :math:`w_j \sim \textrm{LogNormal}(0, \textrm{popularity})`, a
      latent taste vector :math:`\boldsymbol{\zeta}_j` that no text shows,
      and a release time :math:`r_j \sim U(0, 1)`;
    * an item's text embedding is :math:`\mathbf{x}_j =
      \textrm{normalize}(\mathbf{c}_{z_j} + \sigma_j \boldsymbol{\epsilon})`
      (:obj:`item_text_noise` :math:`\sigma_j`);
    * each user likes :obj:`topics_per_user` topics with Dirichlet weights
      :math:`\boldsymbol{\theta}_u` and has a latent taste
      :math:`\boldsymbol{\psi}_u`; their own text embedding
      :math:`\textrm{normalize}(\sum_k \theta_{uk} \mathbf{c}_k + \sigma_u
      \boldsymbol{\epsilon})` (:obj:`user_text_noise` :math:`\sigma_u`) is
      a weak hint of the topics;
    * a user makes :math:`n_u = 1 + \textrm{Geometric}` interactions with
      mean :obj:`interactions_per_user` (a heavy-tailed activity), at sorted
      times :math:`t \sim U(0, 1)`; each picks, among the items released
      before :math:`t` and not yet taken by the user (none if there is no
      such item of the user's topics), item :math:`j` with
      probability proportional to :math:`\theta_{u z_j} w_j
      \exp(\lambda \boldsymbol{\psi}_u^{\top} \boldsymbol{\zeta}_j)`
      (:obj:`latent_weight` :math:`\lambda`).

    Text models see the topics, only ID models see the latent tastes and
    the popularity, and late items are cold at test time: as the density
    rises the ID signal grows and the cold share falls.

    Returns a :class:`~torch_geometric.data.HeteroData` with
    :obj:`data[user_type].x`, :obj:`data[item_type].x` (text embeddings),
    :obj:`data[item_type].category` (the topic, as text),
    :obj:`data[user_type, relation, item_type].edge_index` and
    :obj:`time`, and the reverse edge type :obj:`rev_<relation>`.

    Args:
        num_users (int, optional): Users. (default: :obj:`1000`)
        num_items (int, optional): Items. (default: :obj:`1000`)
        interactions_per_user (float, optional): Mean interactions per
            user, at least 1: the density knob. (default: :obj:`10.0`)
        num_topics (int, optional): Topics. (default: :obj:`20`)
        text_channels (int, optional): Size of the text embeddings.
            (default: :obj:`32`)
        topics_per_user (int, optional): Topics each user likes.
            (default: :obj:`2`)
        item_text_noise (float, optional): Noise of item texts.
            (default: :obj:`1.0`)
        user_text_noise (float, optional): Noise of user texts.
            (default: :obj:`2.0`)
        latent_channels (int, optional): Size of the latent tastes.
            (default: :obj:`8`)
        latent_weight (float, optional): Weight :math:`\lambda` of the
            latent tastes. (default: :obj:`1.0`)
        popularity (float, optional): Spread of item popularity.
            (default: :obj:`1.0`)
        seed (int, optional): Seed of every draw. (default: :obj:`0`)
        user_type (str, optional): The user node type.
            (default: :obj:`"user"`)
        item_type (str, optional): The item node type.
            (default: :obj:`"item"`)
        relation (str, optional): The interaction relation.
            (default: :obj:`"interacts"`)
    """
    if min(num_users, num_items, num_topics, text_channels,
           latent_channels) < 1:
        raise UsageError("'num_users', 'num_items', 'num_topics', "
                         "'text_channels' and 'latent_channels' must be "
                         "positive")
    if not 1 <= topics_per_user <= num_topics:
        raise UsageError(f"'topics_per_user' must be in [1, {num_topics}] "
                         f"(got {topics_per_user})")
    if not 1 <= interactions_per_user <= num_items / 2:
        raise UsageError(f"'interactions_per_user' must be in [1, "
                         f"{num_items / 2:g}] (half the items) (got "
                         f"{interactions_per_user})")
    gen = torch.Generator().manual_seed(seed)

    def noise(*size: int) -> Tensor:
        return torch.randn(*size, generator=gen)

    topics = F.normalize(noise(num_topics, text_channels), dim=-1)
    item_topic = torch.randint(num_topics, (num_items, ), generator=gen)
    item_x = F.normalize(
        topics[item_topic] +
        item_text_noise * noise(num_items, text_channels) / math.sqrt(
            text_channels), dim=-1)
    item_weight = (popularity * noise(num_items)).exp()
    item_latent = noise(num_items, latent_channels) / math.sqrt(
        latent_channels)
    release = torch.rand(num_items, generator=gen)

    # Dirichlet(1) weights over each user's liked topics.
    liked = torch.rand(num_users, num_topics, generator=gen).argsort(
        dim=1)[:, :topics_per_user]
    weights = -torch.rand(num_users, topics_per_user, generator=gen).log()
    theta = torch.zeros(num_users, num_topics).scatter_(
        1, liked, weights / weights.sum(dim=1, keepdim=True))
    user_x = F.normalize(
        theta @ topics +
        user_text_noise * noise(num_users, text_channels) / math.sqrt(
            text_channels), dim=-1)
    user_latent = noise(num_users, latent_channels)

    # 1 + Geometric(p) has mean 1 / p.
    p = 1.0 / interactions_per_user
    uniform = torch.rand(num_users, generator=gen).clamp(min=1e-12)
    count = 1 + torch.floor(uniform.log() / math.log1p(-p)) if p < 1 else \
        torch.ones(num_users)
    count = count.long().clamp(max=num_items // 2)

    # Log-probability of each item for each user, up to the release mask.
    logit = (theta[:, item_topic].log() +
             item_weight.log() +
             latent_weight * user_latent @ item_latent.t())
    users, items, times = [], [], []
    for user in range(num_users):
        n = int(count[user])
        time = torch.rand(n, generator=gen).sort().values
        # Gumbel-max draws, one per interaction, then greedy without
        # replacement in time order.
        gumbel = -(-torch.rand(n, num_items, generator=gen).clamp(
            min=1e-12).log()).log()
        score = logit[user] + gumbel
        score = score.masked_fill(release.view(1, -1) > time.view(-1, 1),
                                  float('-inf'))
        taken = torch.zeros(num_items, dtype=torch.bool)
        for i in range(n):
            row = score[i].masked_fill(taken, float('-inf'))
            item = int(row.argmax())
            if row[item] == float('-inf'):  # No released item is left.
                continue
            taken[item] = True
            users.append(user)
            items.append(item)
            times.append(float(time[i]))

    data = HeteroData()
    data[user_type].num_nodes = num_users
    data[user_type].x = user_x
    data[item_type].num_nodes = num_items
    data[item_type].x = item_x
    data[item_type].category = [f'topic {int(k)}' for k in item_topic]
    store = data[user_type, relation, item_type]
    store.edge_index = torch.tensor([users, items])
    # Integer times, as tables give them.
    store.time = (torch.tensor(times) * 1e9).long()
    data[item_type, f'rev_{relation}', user_type].edge_index = \
        store.edge_index.flip(0)
    return data
