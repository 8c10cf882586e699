import logging
import math
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch_geometric.data import HeteroData
from tqdm.auto import tqdm

from lgir_pyg.errors import UsageError
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models.base import PROPAGATIONS, Recommender
from lgir_pyg.training.distributed import (all_reduce_sum, broadcast_object,
                                           context, data_parallel,
                                           fail_on_lost_rank, resolve_device,
                                           shard)
from lgir_pyg.training.sampler import BPRSampler

logger = logging.getLogger(__name__)


class _Step(torch.nn.Module):
    # One training step's losses as a forward pass, so that
    # DistributedDataParallel all-reduces the gradients of its backward.
    def __init__(self, model: Recommender) -> None:
        super().__init__()
        self.model = model

    def forward(self, user: Tensor, pos: Tensor, neg: Tensor,
                masked_edge_index: Tensor,
                shots: Optional[Tuple[Tensor, Tensor]], bpr_share: float,
                gan_share: float, lambda_gan: float, propagation: str,
                num_neighbors: Optional[Sequence[int]], world_size: int
                ) -> Tuple[Tensor, Tensor]:
        # Returns the objective of this process's shard, weighted so that
        # the mean over processes (DDP's gradient average) is the whole
        # batch's, and the shard's part of the reported loss (their sum is
        # the whole batch's).
        loss = self.model.loss(user, pos, neg, masked_edge_index,
                               propagation, num_neighbors)
        reported = loss * bpr_share
        objective = reported
        if shots is not None:
            d_loss, g_loss = self.model.gan_loss(*shots)
            reported = reported + lambda_gan * g_loss * gan_share
            # d_loss reaches only D, g_loss only G: one backward serves the
            # optimizers of both.
            objective = reported + d_loss * gan_share
        return objective * world_size, reported


class Trainer:
    r"""Trains any :class:`~lgir_pyg.models.Recommender` with BPR
    mini-batches from :class:`~lgir_pyg.training.BPRSampler` and early
    stopping on the validation metric of an
    :class:`~lgir_pyg.evaluation.Evaluator`.

    Each epoch visits every training edge once. A graph model computes each
    batch on the whole graph or on the batch's neighbourhood, as
    :obj:`propagation` says (see
    :class:`~lgir_pyg.models.GraphRecommender`): :obj:`"batch"` keeps an
    epoch's cost linear in the training edges. For a model with a GAN
    (:meth:`Recommender.discriminator_parameters` not empty) every step also
    draws :obj:`gan_batch_size` few-shot and as many many-shot users
    (:meth:`Recommender.sample_shots`) and adds the GAN's losses from one
    generator pass: the rest of the model is stepped on the recommendation
    loss plus :obj:`lambda_gan * g_loss`, the discriminator on
    :obj:`d_loss`. The model is evaluated on the validation split (full
    ranking) before training and every :obj:`eval_every` epochs; training
    stops after :obj:`patience` evaluations without improvement of
    :obj:`monitor`, and the best state, possibly the initial one, is
    restored. Models without trainable parameters are left as they are.

    **Data-parallel training.** In a :mod:`torch.distributed` process group
    (e.g. started by :obj:`torchrun`, see
    :func:`~lgir_pyg.training.distributed.init_distributed`) every process
    draws the same global batches (same :obj:`seed`) and trains on its
    contiguous shard of each, with the whole batch's positive edges masked;
    the model is wrapped in
    :class:`~torch.nn.parallel.DistributedDataParallel`, whose all-reduce
    averages the gradients (the GAN's too), and the shards' losses are
    weighted so that the average is the whole batch's. A run on :math:`N`
    processes therefore takes the steps of the single-process run with the
    same :obj:`batch_size` and :obj:`seed` (up to floating-point rounding;
    the sampled neighbourhoods of multi-layer models differ). Rank 0
    evaluates, decides early stopping and broadcasts its decision.

    Args:
        model (Recommender): The model, bound to the training graph.
        data (HeteroData): The split graph; its training edges are sampled.
        evaluator (Evaluator): The evaluator of the split graph.
        epochs (int, optional): Maximum number of epochs.
            (default: :obj:`100`)
        batch_size (int, optional): BPR triplets per step (over all
            processes). (default: :obj:`1024`)
        lr (float, optional): Adam learning rate. (default: :obj:`1e-3`)
        weight_decay (float, optional): Adam weight decay of the
            recommender's parameters. (default: :obj:`0.0`)
        lambda_gan (float, optional): Weight of the generator loss in the
            recommender's loss. (default: :obj:`0.1`)
        d_lr (float, optional): Learning rate of the discriminator; the
            same as :obj:`lr` if :obj:`None`. (default: :obj:`None`)
        eval_every (int, optional): Epochs between validations.
            (default: :obj:`1`)
        patience (int, optional): Validations without improvement before
            stopping. (default: :obj:`10`)
        monitor (str, optional): The validation metric to maximise.
            (default: :obj:`"ndcg@5"`)
        seed (int, optional): Seed of :func:`torch.manual_seed`, of the
            sampler and of the GAN's users. (default: :obj:`0`)
        propagation (str, optional): :obj:`"auto"`, :obj:`"full"` or
            :obj:`"batch"`, see
            :class:`~lgir_pyg.models.GraphRecommender`.
            (default: :obj:`"auto"`)
        num_neighbors (List[int], optional): Neighbours per node and hop of
            the :obj:`"batch"` path of multi-layer models, :obj:`-1` for
            all; see :meth:`~lgir_pyg.models.GraphRecommender.fanouts`.
            (default: :obj:`None`)
        gan_batch_size (int, optional): Few-shot users, and as many
            many-shot users, drawn per step for the GAN's losses (over all
            processes). (default: :obj:`256`)
        device (str, optional): The device to train on, e.g. :obj:`"cuda"`
            (under :obj:`torchrun`, each process's :obj:`LOCAL_RANK` GPU);
            the model is moved there. :obj:`None` leaves it where it is.
            (default: :obj:`None`)
    """
    def __init__(
        self,
        model: Recommender,
        data: HeteroData,
        evaluator: Evaluator,
        epochs: int = 100,
        batch_size: int = 1024,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        lambda_gan: float = 0.1,
        d_lr: Optional[float] = None,
        eval_every: int = 1,
        patience: int = 10,
        monitor: str = 'ndcg@5',
        seed: int = 0,
        propagation: str = 'auto',
        num_neighbors: Optional[List[int]] = None,
        gan_batch_size: int = 256,
        device: Optional[str] = None,
    ) -> None:
        if monitor not in evaluator.metrics:
            raise UsageError(f"'monitor' ({monitor!r}) must be one of the "
                             f"evaluator's metrics {evaluator.metrics}")
        if epochs < 0 or eval_every <= 0 or patience <= 0:
            raise UsageError("'epochs' must be non-negative, 'eval_every' "
                             "and 'patience' positive")
        if gan_batch_size <= 0:
            raise UsageError(f"'gan_batch_size' must be positive (got "
                             f"{gan_batch_size})")
        if propagation not in PROPAGATIONS:
            raise UsageError(f"'propagation' must be one of {PROPAGATIONS} "
                             f"(got {propagation!r})")
        self.model = model
        self.data = data
        self.evaluator = evaluator
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.lambda_gan = lambda_gan
        self.d_lr = d_lr
        self.eval_every = eval_every
        self.patience = patience
        self.monitor = monitor
        self.seed = seed
        self.propagation = propagation
        self.num_neighbors = num_neighbors
        self.gan_batch_size = gan_batch_size
        self.device = resolve_device(device)
        if self.device is not None:
            model.to(self.device)
        self.gan_generator = torch.Generator()
        self._step: Optional[torch.nn.Module] = None

    def fit(self, progress: bool = False) -> Dict[str, Any]:
        r"""Trains the model and restores its best state. Returns
        :obj:`epochs` (run), :obj:`best_epoch`, :obj:`best_val` (the
        monitored metric), :obj:`seconds_per_epoch` (training only, without
        validation) and :obj:`history` (one entry per validation). With
        :obj:`progress`, a bar over the epochs (its estimate is for all
        :obj:`epochs`; early stopping ends sooner) is shown on a terminal.
        In a process group, a lost process raises
        :class:`~lgir_pyg.errors.LostRankError` naming its rank."""
        with fail_on_lost_rank():
            return self._fit(progress)

    def _fit(self, progress: bool) -> Dict[str, Any]:
        torch.manual_seed(self.seed)
        self.gan_generator.manual_seed(self.seed)
        model = self.model
        out = {'epochs': 0, 'best_epoch': 0, 'best_val': None,
               'seconds_per_epoch': 0.0, 'history': []}
        optimizers = self.optimizers()
        if optimizers is None or self.epochs == 0:
            return out

        sampler = self.sampler()
        main = context().is_main
        best, bad, seconds, loss = -math.inf, 0, 0.0, None
        bar = tqdm(total=self.epochs, unit='epoch', leave=False,
                   desc=f'training (val {self.monitor})',
                   disable=None if progress and main else True)
        # Epoch 0 validates the initial state, which stays if training
        # never beats it.
        for epoch in range(self.epochs + 1):
            if epoch > 0:
                start = time.perf_counter()
                loss = self.train_epoch(sampler, *optimizers, epoch)
                seconds += time.perf_counter() - start
                out['epochs'] = epoch
                bar.update()
                if epoch % self.eval_every != 0 and epoch != self.epochs:
                    continue
            # Rank 0 decides; every process follows.
            val = broadcast_object(self.evaluator.evaluate(
                model.scorer(), 'val')[self.monitor] if main else None)
            out['history'].append({'epoch': epoch, 'loss': loss,
                                   self.monitor: val})
            if main:
                logger.info(f'epoch {epoch:3d}: loss '
                            f'{"-" if loss is None else f"{loss:.4f}"}, val '
                            f'{self.monitor} {val:.4f}')
            bar.set_postfix_str(f'{val:.4f}', refresh=False)
            if val > best:
                best, bad = val, 0
                out.update(best_epoch=epoch, best_val=val)
                best_state = {k: v.detach().clone()
                              for k, v in model.state_dict().items()}
            else:
                bad += 1
                if bad >= self.patience:
                    break
        bar.close()
        model.load_state_dict(best_state)
        out['seconds_per_epoch'] = seconds / out['epochs']
        return out

    def sampler(self) -> BPRSampler:
        r"""The :class:`~lgir_pyg.training.BPRSampler` of the training
        edges of the model's interaction edge type; one iteration over it is
        an epoch."""
        edge_type = self.model.edge_type
        return BPRSampler(self.data[edge_type].edge_index,
                          self.data[edge_type[2]].num_nodes, self.batch_size,
                          self.seed)

    def optimizers(self) -> Optional[Tuple[Optimizer, Optional[Optimizer]]]:
        r"""The Adam optimizers of the recommender's parameters and of the
        discriminator's (:obj:`None` without a GAN); :obj:`None` if the
        model has nothing to train."""
        d_params = self.model.discriminator_parameters()
        d_ids = {id(p) for p in d_params}
        params = [p for p in self.model.parameters()
                  if p.requires_grad and id(p) not in d_ids]
        if not params:
            return None
        opt = torch.optim.Adam(params, lr=self.lr,
                               weight_decay=self.weight_decay)
        d_opt = torch.optim.Adam(d_params, lr=self.d_lr or self.lr) \
            if d_params else None
        return opt, d_opt

    def train_epoch(self, batches: Iterable[Tuple[Tensor, Tensor, Tensor]],
                    opt: Optimizer, d_opt: Optional[Optimizer] = None,
                    epoch: int = 1) -> float:
        r"""Takes one step per BPR batch :obj:`(user, pos, neg)` of
        :obj:`batches` (an epoch: :meth:`sampler`; fewer: a slice of it)
        with the optimizers of :meth:`optimizers` (the GAN's losses join in
        if :obj:`d_opt` is given), and returns the mean loss per triplet
        (recommendation loss plus :obj:`lambda_gan * g_loss`, over all
        processes); :obj:`epoch` names the epoch in errors."""
        model = self.model
        if self._step is None:
            self._step = data_parallel(_Step(model), self.device)
        ctx = context()
        device = next(model.parameters()).device
        model.train()
        total, count = 0.0, 0
        for user, pos, neg in batches:
            user, pos, neg = (t.to(device) for t in (user, pos, neg))
            part, bpr_share = shard(user.numel(), ctx)
            shots, gan_share = None, 0.0
            if d_opt is not None:
                few, many = model.sample_shots(self.gan_batch_size,
                                               self.gan_generator)
                gan_part, gan_share = shard(few.numel(), ctx)
                shots = few[gan_part], many[gan_part]
            part = part.to(user.device)
            objective, reported = self._step(
                user[part], pos[part], neg[part], torch.stack([user, pos]),
                shots, bpr_share, gan_share, self.lambda_gan,
                self.propagation, self.num_neighbors, ctx.world_size)
            # Summed over processes, so all of them stop together.
            check = all_reduce_sum(torch.stack([reported.detach(),
                                                objective.detach()]))
            loss = float(check[0])
            if not math.isfinite(loss) or not bool(torch.isfinite(check[1])):
                raise FloatingPointError(
                    f"The loss of {model} became {loss} in epoch {epoch}; "
                    f"lower the learning rate (lr={self.lr})")
            opt.zero_grad()
            if d_opt is not None:
                d_opt.zero_grad()
            objective.backward()
            opt.step()
            if d_opt is not None:
                d_opt.step()
            total += loss * user.numel()
            count += user.numel()
        return total / count

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(epochs={self.epochs}, '
                f'batch_size={self.batch_size}, lr={self.lr}, '
                f'patience={self.patience}, seed={self.seed})')
