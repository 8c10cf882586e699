r"""Data-parallel training with :mod:`torch.distributed`: the process group
that :obj:`torchrun` describes, the device of each process, and the shard
of a batch each process trains on; see :class:`lgir_pyg.training.Trainer`
and the docs page "Distributed training".

Launched by :obj:`torchrun` (one machine: :obj:`--nproc-per-node N`;
several: :obj:`--nnodes M --rdzv-backend c10d --rdzv-endpoint HOST:PORT`),
every process runs the same script; :func:`init_distributed` joins the
group from the environment (:obj:`WORLD_SIZE`, :obj:`RANK`,
:obj:`LOCAL_RANK`, :obj:`MASTER_ADDR`, :obj:`MASTER_PORT`), with the
:obj:`gloo` backend on CPU and :obj:`nccl` on CUDA."""
import atexit
import inspect
import os
from contextlib import contextmanager
from typing import Any, Iterator, NamedTuple, Optional, Tuple, Union

import torch
import torch.distributed as dist
from torch import Tensor
from torch.nn.parallel import DistributedDataParallel

from lgir_pyg.errors import UsageError


class Context(NamedTuple):
    r"""Where this process stands in its group: :obj:`rank` of
    :obj:`world_size` processes, :obj:`local_rank` on its machine."""
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        r"""Whether this is rank 0, the process that evaluates, logs and
        writes files."""
        return self.rank == 0


def context() -> Context:
    r"""The :class:`Context` of this process: from the initialised process
    group, else a single process (rank 0 of 1)."""
    if not (dist.is_available() and dist.is_initialized()):
        return Context()
    return Context(dist.get_rank(), dist.get_world_size(),
                   int(os.environ.get('LOCAL_RANK', 0)))


def is_main_process() -> bool:
    r"""Whether this process is rank 0 (or the only one)."""
    return context().is_main


def init_distributed(device: Optional[str] = None) -> Context:
    r"""Joins the process group that :obj:`torchrun` describes in the
    environment if :obj:`WORLD_SIZE` is above one and no group exists yet:
    :obj:`nccl` if :obj:`device` is a CUDA device (each process then uses
    GPU :obj:`LOCAL_RANK`), else :obj:`gloo`. Returns the
    :func:`context`.

    Args:
        device (str, optional): The training device, e.g. :obj:`"cuda"`.
            (default: :obj:`None`, the CPU)
    """
    world_size = int(os.environ.get('WORLD_SIZE', 1))
    if world_size > 1 and not dist.is_initialized():
        cuda = resolve_device(device, int(os.environ.get('LOCAL_RANK', 0)))
        cuda = cuda is not None and cuda.type == 'cuda'
        if cuda:
            torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
        dist.init_process_group('nccl' if cuda else 'gloo')
        # A group left to the interpreter's teardown can abort the process
        # ("terminate called without an active exception") while gloo's
        # threads still run: close it first.
        atexit.register(_close_process_group)
    return context()


def _close_process_group() -> None:
    if dist.is_initialized():
        dist.barrier()  # No process closes while another still talks.
        dist.destroy_process_group()


@contextmanager
def main_process_first() -> Iterator[None]:
    r"""A context in which rank 0 runs first and the other processes after
    it, e.g. to build a dataset's processed files and caches once, which
    the others then read."""
    ctx = context()
    if not ctx.is_main:
        dist.barrier()
    try:
        yield
    finally:
        if ctx.is_main and ctx.world_size > 1:
            dist.barrier()


def resolve_device(device: Optional[Union[str, torch.device]],
                   local_rank: Optional[int] = None
                   ) -> Optional[torch.device]:
    r"""The :class:`torch.device` of :obj:`device` (:obj:`None` stays
    :obj:`None`); a CUDA device without an index is GPU :obj:`local_rank`
    (this process's under :obj:`torchrun`). Raises
    :class:`~lgir_pyg.errors.UsageError` for an unknown device and for CUDA
    on a machine without it."""
    if device is None:
        return None
    try:
        device = torch.device(device)
    except RuntimeError as e:
        raise UsageError(f"Unknown device {str(device)!r} (e.g. 'cpu', "
                         f"'cuda', 'cuda:1')") from e
    if device.type == 'cuda':
        if not torch.cuda.is_available():
            raise UsageError(f"Device {str(device)!r} was asked for, but "
                             f"CUDA is not available here (no GPU, or a "
                             f"CPU build of torch {torch.__version__})")
        if device.index is None:
            if local_rank is None:
                local_rank = context().local_rank
            device = torch.device('cuda', local_rank)
    return device


def data_parallel(module: torch.nn.Module,
                  device: Optional[torch.device] = None) -> torch.nn.Module:
    r"""Wraps :obj:`module` in
    :class:`~torch.nn.parallel.DistributedDataParallel` when there are
    several processes (it then starts from rank 0's parameters and
    all-reduces gradients in :meth:`backward`); returns it as it is
    otherwise. Buffers (graphs, text features) are fixed, so they are not
    broadcast at every step."""
    if context().world_size == 1:
        return module
    device_ids = [device.index] if device is not None and \
        device.type == 'cuda' else None
    # torch 2.13 renamed broadcast_buffers and deprecated the old name.
    no_sync = ('forward_sync_buffers' if 'forward_sync_buffers' in
               inspect.signature(DistributedDataParallel).parameters else
               'broadcast_buffers')
    return DistributedDataParallel(module, device_ids=device_ids,
                                   **{no_sync: False})


def shard(num: int, ctx: Optional[Context] = None) -> Tuple[Tensor, float]:
    r"""This process's part of :obj:`num` items (a global batch): the
    indices of its contiguous chunk and the chunk's share of :obj:`num`.
    A process left without items (:obj:`num` below the world size) gets
    item :obj:`0` with share :obj:`0`, so that it still takes part in the
    gradient all-reduce."""
    ctx = ctx or context()
    index = torch.arange(num).tensor_split(ctx.world_size)[ctx.rank]
    if index.numel() == 0:
        return torch.zeros(1, dtype=torch.long), 0.0
    return index, index.numel() / num


def all_reduce_sum(tensor: Tensor) -> Tensor:
    r"""The sum of :obj:`tensor` over all processes (in place)."""
    if context().world_size > 1:
        dist.all_reduce(tensor)
    return tensor


def broadcast_object(obj: Any, src: int = 0) -> Any:
    r"""Rank :obj:`src`'s :obj:`obj` (a picklable object) on every
    process."""
    if context().world_size == 1:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=src)
    return box[0]
