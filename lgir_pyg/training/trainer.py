import logging
import math
import time
from typing import Any, Dict, Iterable, Optional, Tuple

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch_geometric.data import HeteroData

from lgir_pyg.training.evaluator import Evaluator
from lgir_pyg.training.models import Recommender
from lgir_pyg.training.sampler import BPRSampler

logger = logging.getLogger(__name__)


class Trainer:
    r"""Trains any :class:`~lgir_pyg.training.models.Recommender` with BPR
    mini-batches from :class:`~lgir_pyg.training.BPRSampler` and early
    stopping on the validation metric of an
    :class:`~lgir_pyg.training.Evaluator`.

    Each epoch visits every training edge once. For a model with a GAN
    (:meth:`Recommender.discriminator_parameters` not empty) every batch
    first steps the discriminator on :obj:`d_loss`, then steps the rest of
    the model on the recommendation loss plus :obj:`lambda_gan * g_loss`.
    The model is evaluated on the validation split (full ranking) before
    training and every :obj:`eval_every` epochs; training stops after
    :obj:`patience` evaluations without improvement of :obj:`monitor`, and
    the best state, possibly the initial one, is restored. Models without
    trainable parameters are left as they are.

    Args:
        model (Recommender): The model, bound to the training graph.
        data (HeteroData): The split graph; its training edges are sampled.
        evaluator (Evaluator): The evaluator of the split graph.
        epochs (int, optional): Maximum number of epochs.
            (default: :obj:`100`)
        batch_size (int, optional): BPR triplets per step.
            (default: :obj:`1024`)
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
        seed (int, optional): Seed of :func:`torch.manual_seed` and of the
            sampler. (default: :obj:`0`)
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
    ) -> None:
        if monitor not in evaluator.metrics:
            raise ValueError(f"'monitor' ({monitor!r}) must be one of the "
                             f"evaluator's metrics {evaluator.metrics}")
        if epochs < 0 or eval_every <= 0 or patience <= 0:
            raise ValueError("'epochs' must be non-negative, 'eval_every' "
                             "and 'patience' positive")
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

    def fit(self) -> Dict[str, Any]:
        r"""Trains the model and restores its best state. Returns
        :obj:`epochs` (run), :obj:`best_epoch`, :obj:`best_val` (the
        monitored metric), :obj:`seconds_per_epoch` (training only, without
        validation) and :obj:`history` (one entry per validation)."""
        torch.manual_seed(self.seed)
        model = self.model
        out = {'epochs': 0, 'best_epoch': 0, 'best_val': None,
               'seconds_per_epoch': 0.0, 'history': []}
        optimizers = self.optimizers()
        if optimizers is None or self.epochs == 0:
            return out

        sampler = self.sampler()
        best, bad, seconds, loss = -math.inf, 0, 0.0, None
        # Epoch 0 validates the initial state, which stays if training
        # never beats it.
        for epoch in range(self.epochs + 1):
            if epoch > 0:
                start = time.perf_counter()
                loss = self.train_epoch(sampler, *optimizers, epoch)
                seconds += time.perf_counter() - start
                out['epochs'] = epoch
                if epoch % self.eval_every != 0 and epoch != self.epochs:
                    continue
            val = self.evaluator.evaluate(model.scorer(), 'val')[self.monitor]
            out['history'].append({'epoch': epoch, 'loss': loss,
                                   self.monitor: val})
            logger.info(f'epoch {epoch:3d}: loss '
                        f'{"-" if loss is None else f"{loss:.4f}"}, val '
                        f'{self.monitor} {val:.4f}')
            if val > best:
                best, bad = val, 0
                out.update(best_epoch=epoch, best_val=val)
                best_state = {k: v.detach().clone()
                              for k, v in model.state_dict().items()}
            else:
                bad += 1
                if bad >= self.patience:
                    break
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
        with the optimizers of :meth:`optimizers`, and returns the mean
        loss per triplet; :obj:`epoch` names the epoch in errors."""
        model = self.model
        model.train()
        total, count = 0.0, 0
        for user, pos, neg in batches:
            if d_opt is not None:
                d_opt.zero_grad()
                model.gan_loss()[0].backward()
                d_opt.step()
            loss = model.loss(user, pos, neg)
            if d_opt is not None:
                loss = loss + self.lambda_gan * model.gan_loss()[1]
            if not bool(torch.isfinite(loss)):
                raise FloatingPointError(
                    f"The loss of {model} became {float(loss.detach())} in "
                    f"epoch {epoch}; lower the learning rate (lr={self.lr})")
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * user.numel()
            count += user.numel()
        return total / count

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(epochs={self.epochs}, '
                f'batch_size={self.batch_size}, lr={self.lr}, '
                f'patience={self.patience}, seed={self.seed})')
