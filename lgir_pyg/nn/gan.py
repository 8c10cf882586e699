from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import MLP

from lgir_pyg.nn._checks import check_features

SELECTIONS = ('threshold', 'discriminator')


class ResumeGenerator(torch.nn.Module):
    r"""The generator :math:`G` of the GAN alignment step of LGIR from the
    `"Enhancing Job Recommendation through LLM-based Generative Adversarial
    Networks" <https://arxiv.org/abs/2307.10747>`_ paper: it refines the text
    embedding of a low-quality resume (a few-shot user) with a residual MLP

    .. math::
        G(\mathbf{t}) = \mathbf{t} + \textrm{MLP}(\mathbf{t}).

    The last layer of the MLP is zero-initialised, so :math:`G` starts as the
    identity.

    Args:
        channels (int): Size of the text embedding.
        hidden_channels (int, optional): Size of the hidden layers.
            (default: :obj:`256`)
        num_layers (int, optional): Number of linear layers of the MLP.
            (default: :obj:`2`)
        dropout (float, optional): Dropout probability of the hidden layers.
            (default: :obj:`0.0`)

    Shapes:
        - **input:** text embeddings :math:`(N, F)`
        - **output:** refined text embeddings :math:`(N, F)`
    """
    def __init__(
        self,
        channels: int,
        hidden_channels: int = 256,
        num_layers: int = 2,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.channels = channels
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.dropout = dropout
        self.mlp = MLP(in_channels=channels, hidden_channels=hidden_channels,
                       out_channels=channels, num_layers=num_layers,
                       dropout=dropout, norm=None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Resets all learnable parameters; :math:`G` becomes the identity."""
        self.mlp.reset_parameters()
        torch.nn.init.zeros_(self.mlp.lins[-1].weight)
        torch.nn.init.zeros_(self.mlp.lins[-1].bias)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.mlp(x)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.channels}, '
                f'hidden_channels={self.hidden_channels}, '
                f'num_layers={self.num_layers})')


class ResumeDiscriminator(torch.nn.Module):
    r"""The discriminator :math:`D` of the GAN alignment step of LGIR from the
    `"Enhancing Job Recommendation through LLM-based Generative Adversarial
    Networks" <https://arxiv.org/abs/2307.10747>`_ paper: an MLP that returns
    the logit of "this text embedding belongs to a high-quality resume" (a
    many-shot user)

    .. math::
        D(\mathbf{t}) = \sigma(\textrm{MLP}(\mathbf{t})).

    :meth:`forward` returns the logit, :meth:`quality` the probability.

    Args:
        channels (int): Size of the text embedding.
        hidden_channels (int, optional): Size of the hidden layers.
            (default: :obj:`256`)
        num_layers (int, optional): Number of linear layers of the MLP.
            (default: :obj:`2`)

    Shapes:
        - **input:** text embeddings :math:`(N, F)`
        - **output:** logits :math:`(N)`
    """
    def __init__(
        self,
        channels: int,
        hidden_channels: int = 256,
        num_layers: int = 2,
    ) -> None:
        super().__init__()
        self.channels = channels
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.mlp = MLP(in_channels=channels, hidden_channels=hidden_channels,
                       out_channels=1, num_layers=num_layers, norm=None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Resets all learnable parameters of the module."""
        self.mlp.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        return self.mlp(x).view(-1)

    def quality(self, x: Tensor) -> Tensor:
        r"""Returns the probability that each row is a high-quality resume."""
        return self(x).sigmoid()

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.channels}, '
                f'hidden_channels={self.hidden_channels}, '
                f'num_layers={self.num_layers})')


def _check_thresholds(k1: int, k2: int) -> None:
    if k1 >= k2:
        raise ValueError(f"The few-shot threshold 'k1' ({k1}) must be smaller "
                         f"than the many-shot threshold 'k2' ({k2})")


def shot_masks(
    num_train_interactions: Tensor,
    k1: int = 2,
    k2: int = 5,
) -> Tuple[Tensor, Tensor]:
    r"""Splits users by their number of training interactions :math:`n`
    into few-shot users (:math:`n \leq k_1`, low-quality resumes) and
    many-shot users (:math:`n \geq k_2`, high-quality resumes); users in
    between belong to neither.

    Args:
        num_train_interactions (torch.Tensor): Training interactions per user.
        k1 (int, optional): Few-shot threshold. (default: :obj:`2`)
        k2 (int, optional): Many-shot threshold, greater than :obj:`k1`.
            (default: :obj:`5`)

    :rtype: (:class:`torch.Tensor`, :class:`torch.Tensor`), the boolean
        masks :obj:`(few_shot, many_shot)`.
    """
    _check_thresholds(k1, k2)
    return num_train_interactions <= k1, num_train_interactions >= k2


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    r"""The binary cross-entropy loss of the discriminator

    .. math::
        \mathcal{L}_D = -\frac{1}{|R|} \sum_{r \in R} \log D(\mathbf{t}_r)
        - \frac{1}{|F|} \sum_{f \in F} \log (1 - D(G(\mathbf{t}_f))),

    where :math:`R` are real (many-shot) and :math:`F` fake (refined
    few-shot) rows.

    Args:
        real_logits (torch.Tensor): Discriminator logits of real rows.
        fake_logits (torch.Tensor): Discriminator logits of refined rows.
    """
    real = F.binary_cross_entropy_with_logits(real_logits,
                                              torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits,
                                              torch.zeros_like(fake_logits))
    return real + fake


def generator_loss(
    fake_logits: Tensor,
    refined: Optional[Tensor] = None,
    original: Optional[Tensor] = None,
    identity_weight: float = 0.0,
) -> Tensor:
    r"""The non-saturating generator loss with an optional identity penalty

    .. math::
        \mathcal{L}_G = -\frac{1}{|F|} \sum_{f \in F} \log D(G(\mathbf{t}_f))
        + \lambda_{\textrm{id}} \frac{1}{|F|} \sum_{f \in F}
        \| G(\mathbf{t}_f) - \mathbf{t}_f \|_2^2.

    Args:
        fake_logits (torch.Tensor): Discriminator logits of refined rows.
        refined (torch.Tensor, optional): The refined rows
            :math:`G(\mathbf{t}_f)`; needed if :obj:`identity_weight > 0`.
            (default: :obj:`None`)
        original (torch.Tensor, optional): The rows before refinement
            :math:`\mathbf{t}_f`; needed if :obj:`identity_weight > 0`.
            (default: :obj:`None`)
        identity_weight (float, optional): The weight
            :math:`\lambda_{\textrm{id}}` of the identity penalty.
            (default: :obj:`0.0`)
    """
    loss = F.binary_cross_entropy_with_logits(fake_logits,
                                              torch.ones_like(fake_logits))
    if identity_weight > 0:
        if refined is None or original is None:
            raise ValueError("'refined' and 'original' are needed when "
                             "'identity_weight' > 0")
        penalty = (refined - original).pow(2).sum(dim=-1).mean()
        loss = loss + identity_weight * penalty
    return loss


class GANRefine(torch.nn.Module):
    r"""The GAN alignment layer of LGIR from the `"Enhancing Job
    Recommendation through LLM-based Generative Adversarial Networks"
    <https://arxiv.org/abs/2307.10747>`_ paper, usable as a feature transform
    in any model: it holds a :class:`ResumeGenerator` :math:`G` and a
    :class:`ResumeDiscriminator` :math:`D`, and replaces the text embeddings
    of selected users by :math:`G(\mathbf{t})`.

    Training (:meth:`loss`) aligns the unpaired sets of refined few-shot
    users (:math:`n \leq k_1` training interactions, fake) and many-shot users
    (:math:`n \geq k_2`, real), see :func:`shot_masks`,
    :func:`discriminator_loss` and :func:`generator_loss`. The discriminator
    loss sees :math:`G`'s output detached, and the generator loss does not
    reach :math:`D`'s parameters, so both losses can be summed and stepped by
    one optimizer.

    Which rows :meth:`forward` refines is set by :obj:`select`:
    :obj:`"threshold"` refines few-shot users (:math:`n \leq k_1`);
    :obj:`"discriminator"` refines rows that the learned quality classifier
    rates below :obj:`quality_threshold`, :math:`D(\mathbf{t}) <
    \textrm{quality\_threshold}`.

    Args:
        channels (int): Size of the text embedding.
        hidden_channels (int, optional): Hidden size of :math:`G` and
            :math:`D`. (default: :obj:`256`)
        num_layers (int, optional): Number of linear layers of :math:`G` and
            :math:`D`. (default: :obj:`2`)
        k1 (int, optional): Few-shot threshold. (default: :obj:`2`)
        k2 (int, optional): Many-shot threshold. (default: :obj:`5`)
        identity_weight (float, optional): Weight of the identity penalty
            :math:`\|G(\mathbf{t}) - \mathbf{t}\|_2^2` in the generator loss.
            (default: :obj:`1.0`)
        select (str, optional): :obj:`"threshold"` or
            :obj:`"discriminator"`. (default: :obj:`"threshold"`)
        quality_threshold (float, optional): Quality below which
            :obj:`select="discriminator"` refines a row.
            (default: :obj:`0.5`)
        dropout (float, optional): Dropout probability of :math:`G`.
            (default: :obj:`0.0`)

    Shapes:
        - **input:** text embeddings :math:`(N, F)`, training interactions
          :math:`(N)` *(optional)*, mask :math:`(N)` *(optional)*
        - **output:** text embeddings :math:`(N, F)`
    """
    def __init__(
        self,
        channels: int,
        hidden_channels: int = 256,
        num_layers: int = 2,
        k1: int = 2,
        k2: int = 5,
        identity_weight: float = 1.0,
        select: str = 'threshold',
        quality_threshold: float = 0.5,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        _check_thresholds(k1, k2)
        if select not in SELECTIONS:
            raise ValueError(f"'select' must be one of {SELECTIONS} "
                             f"(got {select!r})")
        self.channels = channels
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.k1 = k1
        self.k2 = k2
        self.identity_weight = identity_weight
        self.select = select
        self.quality_threshold = quality_threshold
        self.generator = ResumeGenerator(channels, hidden_channels,
                                         num_layers, dropout)
        self.discriminator = ResumeDiscriminator(channels, hidden_channels,
                                                 num_layers)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Resets all learnable parameters; :math:`G` becomes the identity."""
        self.generator.reset_parameters()
        self.discriminator.reset_parameters()

    def forward(
        self,
        x: Tensor,
        num_train_interactions: Optional[Tensor] = None,
        mask: Optional[Tensor] = None,
    ) -> Tensor:
        r"""Returns :obj:`x` with the selected rows replaced by
        :math:`G(\mathbf{t})`.

        Args:
            x (torch.Tensor): Text embeddings of users.
            num_train_interactions (torch.Tensor, optional): Training
                interactions per user; needed by :obj:`select="threshold"`
                unless :obj:`mask` is given. (default: :obj:`None`)
            mask (torch.Tensor, optional): Boolean mask of the rows to refine;
                overrides :obj:`select`. (default: :obj:`None`)
        """
        check_features('x', x, self.channels)
        if mask is None:
            mask = self.refine_mask(x, num_train_interactions)
        elif mask.dtype != torch.bool or mask.size() != (x.size(0), ):
            raise ValueError(f"'mask' must be a boolean tensor of shape "
                             f"({x.size(0)},) (got {mask.dtype} of shape "
                             f"{tuple(mask.size())})")
        out = x.clone()
        out[mask] = self.generator(x[mask])
        return out

    def refine_mask(
        self,
        x: Tensor,
        num_train_interactions: Optional[Tensor] = None,
    ) -> Tensor:
        r"""Returns the boolean mask of the rows that :meth:`forward`
        refines, following :obj:`select`."""
        if self.select == 'discriminator':
            with torch.no_grad():
                return self.discriminator.quality(x) < self.quality_threshold
        few_shot, _ = self._shot_masks(x, num_train_interactions)
        return few_shot

    def loss(
        self,
        x: Tensor,
        num_train_interactions: Tensor,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the adversarial losses :obj:`(d_loss, g_loss)` of
        refined few-shot rows (fake) against many-shot rows (real).

        :obj:`d_loss` reaches only :math:`D`'s parameters, :obj:`g_loss` only
        :math:`G`'s.

        Args:
            x (torch.Tensor): Text embeddings of users.
            num_train_interactions (torch.Tensor): Training interactions per
                user.
        """
        check_features('x', x, self.channels)
        few_shot, many_shot = self._shot_masks(x, num_train_interactions)
        if not bool(few_shot.any()):
            raise ValueError(f"The GAN loss needs few-shot users (at most "
                             f"k1={self.k1} training interactions), but "
                             f"there are none")
        if not bool(many_shot.any()):
            raise ValueError(f"The GAN loss needs many-shot users (at least "
                             f"k2={self.k2} training interactions), but "
                             f"there are none")
        original = x[few_shot]
        fake = self.generator(original)
        d_loss = discriminator_loss(self.discriminator(x[many_shot]),
                                    self.discriminator(fake.detach()))
        # D with frozen parameters: gradients pass through it to G only.
        params = {
            name: param.detach()
            for name, param in self.discriminator.named_parameters()
        }
        fake_logits = torch.func.functional_call(self.discriminator, params,
                                                 (fake, ))
        g_loss = generator_loss(fake_logits, fake, original,
                                self.identity_weight)
        return d_loss, g_loss

    def _shot_masks(
        self,
        x: Tensor,
        num_train_interactions: Optional[Tensor],
    ) -> Tuple[Tensor, Tensor]:
        if num_train_interactions is None:
            raise ValueError("'num_train_interactions' is needed to select "
                             "few-shot and many-shot users")
        if num_train_interactions.size() != (x.size(0), ):
            raise ValueError(f"'num_train_interactions' must have shape "
                             f"({x.size(0)},) (got "
                             f"{tuple(num_train_interactions.size())})")
        return shot_masks(num_train_interactions, self.k1, self.k2)

    def __repr__(self) -> str:
        select = f'select={self.select}'
        if self.select == 'discriminator':
            select += f', quality_threshold={self.quality_threshold}'
        return (f'{self.__class__.__name__}({self.channels}, '
                f'hidden_channels={self.hidden_channels}, '
                f'num_layers={self.num_layers}, k1={self.k1}, k2={self.k2}, '
                f'identity_weight={self.identity_weight}, {select})')
