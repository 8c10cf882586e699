from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import MLP

from lgir_pyg.errors import UsageError
from lgir_pyg.nn._checks import (
    check_features,
    check_index,
    check_int,
    check_number,
)

SELECTIONS = ('threshold', 'discriminator')
THRESHOLDS = ('fixed', 'quantile')


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
        _check_mlp(channels, hidden_channels, num_layers)
        check_number('dropout', dropout, 0, 1, open_high=True)
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
        _check_mlp(channels, hidden_channels, num_layers)
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


def _check_mlp(channels: int, hidden_channels: int, num_layers: int) -> None:
    check_int('channels', channels, 1)
    check_int('hidden_channels', hidden_channels, 1)
    check_int('num_layers', num_layers, 1)


def _check_thresholds(k1: int, k2: int) -> None:
    check_int('k1', k1, 0)
    check_int('k2', k2, 0)
    if k1 >= k2:
        raise UsageError(f"The few-shot threshold 'k1' ({k1}) must be smaller "
                         f"than the many-shot threshold 'k2' ({k2})")


def shot_masks(
    num_train_interactions: Tensor,
    k1: Union[int, Tensor] = 2,
    k2: Union[int, Tensor] = 5,
) -> Tuple[Tensor, Tensor]:
    r"""Splits users by their number of training interactions :math:`n`
    into few-shot users (:math:`n \leq k_1`, low-quality resumes) and
    many-shot users (:math:`n \geq k_2`, high-quality resumes); users in
    between belong to neither.

    Args:
        num_train_interactions (torch.Tensor): Training interactions per user.
        k1 (int or torch.Tensor, optional): Few-shot threshold.
            (default: :obj:`2`)
        k2 (int or torch.Tensor, optional): Many-shot threshold, greater
            than :obj:`k1`; thresholds given as tensors (see
            :func:`shot_thresholds`) are not checked. (default: :obj:`5`)

    :rtype: (:class:`torch.Tensor`, :class:`torch.Tensor`), the boolean
        masks :obj:`(few_shot, many_shot)`.
    """
    if not isinstance(k1, Tensor) and not isinstance(k2, Tensor):
        _check_thresholds(k1, k2)
    return num_train_interactions <= k1, num_train_interactions >= k2


def shot_thresholds(
    num_train_interactions: Tensor,
    quantiles: Tuple[float, float] = (0.5, 0.9),
) -> Tuple[Tensor, Tensor]:
    r"""Returns thresholds :obj:`(k1, k2)` for :func:`shot_masks` that follow
    the graph's activity: :math:`k_1` is the :obj:`quantiles[0]`-quantile of
    the training interactions per user rounded down, :math:`k_2` the
    :obj:`quantiles[1]`-quantile rounded up, and at least :math:`k_1 + 1`.
    With the default quantiles, users at or below the median are few-shot
    and the most active tenth are many-shot.

    Both are 0-dimensional tensors, so no host synchronisation is needed.

    Args:
        num_train_interactions (torch.Tensor): Training interactions of all
            users.
        quantiles (Tuple[float, float], optional): The quantiles
            :math:`0 \leq q_1 < q_2 \leq 1` of :math:`k_1` and :math:`k_2`.
            (default: :obj:`(0.5, 0.9)`)
    """
    _check_quantiles(quantiles)
    if num_train_interactions.numel() == 0:
        raise UsageError("'num_train_interactions' is empty: thresholds need "
                         "the training interactions of at least one user")
    count = num_train_interactions.to(torch.get_default_dtype())
    q = torch.quantile(count, count.new_tensor(quantiles))
    k1 = q[0].floor()
    return k1, torch.maximum(q[1].ceil(), k1 + 1)


def _check_quantiles(quantiles: Tuple[float, float]) -> None:
    if len(quantiles) != 2 or not 0 <= quantiles[0] < quantiles[1] <= 1:
        raise UsageError(f"'quantiles' must be two numbers q1 < q2 in "
                         f"[0, 1] (got {quantiles!r})")


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
            raise UsageError("'refined' and 'original' are needed when "
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

    The thresholds are the fixed :obj:`k1` and :obj:`k2`, or, with
    :obj:`thresholds="quantile"`, the :obj:`quantiles` of the training
    interactions passed in (see :func:`shot_thresholds`): pass those of all
    users, not of a batch.

    Which rows :meth:`forward` refines is set by :obj:`select`:
    :obj:`"threshold"` refines few-shot users (:math:`n \leq k_1`);
    :obj:`"discriminator"` refines rows that the learned quality classifier
    rates below :obj:`quality_threshold`, :math:`D(\mathbf{t}) <
    \textrm{quality\_threshold}`.

    :meth:`forward` and :meth:`loss` with given :obj:`few_index` and
    :obj:`many_index` need no host synchronisation, and run on the
    :obj:`meta` device and under :func:`torch.compile`. In PyG's debug mode
    (:class:`torch_geometric.debug`) they also check that the embeddings are
    finite.

    Args:
        channels (int): Size of the text embedding.
        hidden_channels (int, optional): Hidden size of :math:`G` and
            :math:`D`. (default: :obj:`256`)
        num_layers (int, optional): Number of linear layers of :math:`G` and
            :math:`D`. (default: :obj:`2`)
        k1 (int, optional): Few-shot threshold of
            :obj:`thresholds="fixed"`. (default: :obj:`2`)
        k2 (int, optional): Many-shot threshold of
            :obj:`thresholds="fixed"`. (default: :obj:`5`)
        identity_weight (float, optional): Weight of the identity penalty
            :math:`\|G(\mathbf{t}) - \mathbf{t}\|_2^2` in the generator loss.
            (default: :obj:`1.0`)
        select (str, optional): :obj:`"threshold"` or
            :obj:`"discriminator"`. (default: :obj:`"threshold"`)
        quality_threshold (float, optional): Quality in :math:`(0, 1)` below
            which :obj:`select="discriminator"` refines a row.
            (default: :obj:`0.5`)
        dropout (float, optional): Dropout probability of :math:`G`.
            (default: :obj:`0.0`)
        thresholds (str, optional): :obj:`"fixed"` (:obj:`k1`, :obj:`k2`) or
            :obj:`"quantile"` (:obj:`quantiles`). (default: :obj:`"fixed"`)
        quantiles (Tuple[float, float], optional): The quantiles of
            :obj:`thresholds="quantile"`, see :func:`shot_thresholds`.
            (default: :obj:`(0.5, 0.9)`)

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
        thresholds: str = 'fixed',
        quantiles: Tuple[float, float] = (0.5, 0.9),
    ) -> None:
        super().__init__()
        _check_thresholds(k1, k2)
        _check_quantiles(quantiles)
        if select not in SELECTIONS:
            raise UsageError(f"'select' must be one of {SELECTIONS} "
                             f"(got {select!r})")
        if thresholds not in THRESHOLDS:
            raise UsageError(f"'thresholds' must be one of {THRESHOLDS} "
                             f"(got {thresholds!r})")
        check_number('quality_threshold', quality_threshold, 0, 1,
                     open_low=True, open_high=True)
        check_number('identity_weight', identity_weight, 0)
        self.channels = channels
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.k1 = k1
        self.k2 = k2
        self.identity_weight = identity_weight
        self.select = select
        self.quality_threshold = quality_threshold
        self.thresholds = thresholds
        self.quantiles = tuple(quantiles)
        self.generator = ResumeGenerator(channels, hidden_channels,
                                         num_layers, dropout)
        self.discriminator = ResumeDiscriminator(channels, hidden_channels,
                                                 num_layers)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Resets all learnable parameters; :math:`G` becomes the identity."""
        self.generator.reset_parameters()
        self.discriminator.reset_parameters()

    @property
    def dtype(self) -> torch.dtype:
        r"""The floating point type of the parameters, which the text
        embeddings must have."""
        return self.generator.mlp.lins[0].weight.dtype

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
        check_features('x', x, self.channels, dtype=self.dtype)
        if mask is None:
            mask = self.refine_mask(x, num_train_interactions)
        elif mask.dtype != torch.bool or mask.size() != (x.size(0), ):
            raise UsageError(f"'mask' must be a boolean tensor of shape "
                             f"({x.size(0)},) (got {mask.dtype} of shape "
                             f"{tuple(mask.size())})")
        # G runs on every row: selecting rows first would need the host to
        # know how many there are.
        return torch.where(mask.view(-1, 1), self.generator(x), x)

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
        self._check_counts(num_train_interactions, x.size(0))
        return self.shot_masks(num_train_interactions)[0]

    def shot_masks(
        self,
        num_train_interactions: Tensor,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the boolean masks :obj:`(few_shot, many_shot)` of
        :func:`shot_masks` with this layer's thresholds.

        Args:
            num_train_interactions (torch.Tensor): Training interactions per
                user.
        """
        if self.thresholds == 'quantile':
            k1, k2 = shot_thresholds(num_train_interactions, self.quantiles)
            return shot_masks(num_train_interactions, k1, k2)
        return shot_masks(num_train_interactions, self.k1, self.k2)

    def sample_shots(
        self,
        num_train_interactions: Tensor,
        num_samples: int,
        generator: Optional[torch.Generator] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Draws :obj:`num_samples` few-shot and :obj:`num_samples`
        many-shot users, uniformly with replacement, and returns their
        indices :obj:`(few_index, many_index)` for :meth:`loss`, so that a
        training step need not run the GAN on every user. Finding the users
        synchronises with the host: call it outside of a compiled region.

        Args:
            num_train_interactions (torch.Tensor): Training interactions of
                all users.
            num_samples (int): Users drawn from each group.
            generator (torch.Generator, optional): The random generator, on
                the device of :obj:`num_train_interactions`.
                (default: :obj:`None`)
        """
        if num_samples < 1:
            raise UsageError(f"'num_samples' must be positive "
                             f"(got {num_samples})")
        out = []
        for index in self.shot_index(num_train_interactions):
            pick = torch.randint(index.numel(), (num_samples, ),
                                 generator=generator, device=index.device)
            out.append(index[pick])
        return out[0], out[1]

    def loss(
        self,
        x: Tensor,
        num_train_interactions: Optional[Tensor] = None,
        few_index: Optional[Tensor] = None,
        many_index: Optional[Tensor] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the adversarial losses :obj:`(d_loss, g_loss)` of
        refined few-shot rows (fake) against many-shot rows (real), from one
        forward pass of :math:`G`.

        :obj:`d_loss` reaches only :math:`D`'s parameters, :obj:`g_loss` only
        :math:`G`'s. :obj:`g_loss` sees a copy of :math:`D`, so :math:`D` may
        be stepped on :obj:`d_loss` before :obj:`g_loss` is back-propagated.

        Args:
            x (torch.Tensor): Text embeddings of users.
            num_train_interactions (torch.Tensor, optional): Training
                interactions per user; needed unless :obj:`few_index` and
                :obj:`many_index` are given. (default: :obj:`None`)
            few_index (torch.Tensor, optional): Rows of few-shot users
                (*e.g.*, from :meth:`sample_shots`); all few-shot rows if
                :obj:`None`. (default: :obj:`None`)
            many_index (torch.Tensor, optional): Rows of many-shot users; all
                many-shot rows if :obj:`None`. (default: :obj:`None`)
        """
        check_features('x', x, self.channels, dtype=self.dtype)
        if (few_index is None) != (many_index is None):
            raise UsageError("'few_index' and 'many_index' must be given "
                             "together")
        if few_index is None:
            few_index, many_index = self.shot_index(num_train_interactions,
                                                     x.size(0))
        check_index('few_index', few_index, x.size(0))
        check_index('many_index', many_index, x.size(0))
        original = x[few_index]
        fake = self.generator(original)
        logits = self.discriminator(torch.cat([x[many_index],
                                               fake.detach()]))
        real_logits, fake_logits = logits.split(
            [many_index.numel(), few_index.numel()])
        d_loss = discriminator_loss(real_logits, fake_logits)
        # A frozen copy of D: gradients pass through it to G only, and
        # stepping D in place leaves this graph intact.
        params = {
            name: param.detach().clone()
            for name, param in self.discriminator.named_parameters()
        }
        fake_logits = torch.func.functional_call(self.discriminator, params,
                                                 (fake, ))
        g_loss = generator_loss(fake_logits, fake, original,
                                self.identity_weight)
        return d_loss, g_loss

    def _check_counts(
        self,
        num_train_interactions: Optional[Tensor],
        num_rows: Optional[int] = None,
    ) -> None:
        if num_train_interactions is None:
            raise UsageError("'num_train_interactions' is needed to select "
                             "few-shot and many-shot users")
        if num_train_interactions.dim() != 1 or (
                num_rows is not None
                and num_train_interactions.numel() != num_rows):
            rows = 'N' if num_rows is None else num_rows
            raise UsageError(f"'num_train_interactions' must have shape "
                             f"({rows},) (got "
                             f"{tuple(num_train_interactions.size())})")

    def shot_index(
        self,
        num_train_interactions: Optional[Tensor],
        num_rows: Optional[int] = None,
    ) -> Tuple[Tensor, Tensor]:
        r"""Returns the indices :obj:`(few_index, many_index)` of all
        few-shot and many-shot users of :meth:`shot_masks`, or raises
        :class:`~lgir_pyg.errors.UsageError` if a group is empty. Finding
        them synchronises with the host.

        Args:
            num_train_interactions (torch.Tensor): Training interactions of
                all users.
            num_rows (int, optional): The number of users, checked against
                :obj:`num_train_interactions`. (default: :obj:`None`)
        """
        self._check_counts(num_train_interactions, num_rows)
        few_shot, many_shot = self.shot_masks(num_train_interactions)
        few_index = few_shot.nonzero().view(-1)
        many_index = many_shot.nonzero().view(-1)
        if few_index.numel() == 0:
            raise UsageError(f"The GAN loss needs few-shot users (at most "
                             f"{self._threshold_name(1)} training "
                             f"interactions), but there are none")
        if many_index.numel() == 0:
            raise UsageError(f"The GAN loss needs many-shot users (at least "
                             f"{self._threshold_name(2)} training "
                             f"interactions), but there are none")
        return few_index, many_index

    def _threshold_name(self, i: int) -> str:
        if self.thresholds == 'quantile':
            return f'k{i}, the {self.quantiles[i - 1]}-quantile,'
        return f'k{i}={self.k1 if i == 1 else self.k2}'

    def __repr__(self) -> str:
        if self.thresholds == 'quantile':
            thresholds = f'thresholds=quantile, quantiles={self.quantiles}'
        else:
            thresholds = f'k1={self.k1}, k2={self.k2}'
        select = f'select={self.select}'
        if self.select == 'discriminator':
            select += f', quality_threshold={self.quality_threshold}'
        return (f'{self.__class__.__name__}({self.channels}, '
                f'hidden_channels={self.hidden_channels}, '
                f'num_layers={self.num_layers}, {thresholds}, '
                f'identity_weight={self.identity_weight}, {select})')
