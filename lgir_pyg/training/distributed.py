r"""Data-parallel training with :mod:`torch.distributed`: the process group
that :obj:`torchrun` describes, the device of each process, and the shard
of a batch each process trains on; see :class:`lgir_pyg.training.Trainer`
and the docs page "Distributed training".

Launched by :obj:`torchrun` (one machine: :obj:`--nproc-per-node N`;
several: :obj:`--nnodes M --rdzv-backend c10d --rdzv-endpoint HOST:PORT`),
every process runs the same script; :func:`init_distributed` joins the
group from the environment (:obj:`WORLD_SIZE`, :obj:`RANK`,
:obj:`LOCAL_RANK`, :obj:`MASTER_ADDR`, :obj:`MASTER_PORT`), with the
:obj:`gloo` backend on CPU and :obj:`nccl` on CUDA.

A process that is lost (killed, terminated, stopped) ends the others with
one :class:`~lgir_pyg.errors.LostRankError` naming its rank, not with a
backend traceback: every process sends a heartbeat through the store that
torchrun shares, and a failed collective (:func:`fail_on_lost_rank`) or a
SIGTERM asks which heartbeat stopped."""
import atexit
import inspect
import itertools
import os
import signal
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from typing import (Any, Iterator, List, NamedTuple, Optional, Tuple,
                    Union)

import torch
import torch.distributed as dist
from torch import Tensor
from torch.nn.parallel import DistributedDataParallel

from lgir_pyg.errors import LGIRError, LostRankError, UsageError

DEFAULT_TIMEOUT = 600.0
HEARTBEAT = 0.5  # Seconds between two heartbeats of a process.


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


def init_distributed(device: Optional[str] = None,
                     timeout: Optional[float] = None) -> Context:
    r"""Joins the process group that :obj:`torchrun` describes in the
    environment if :obj:`WORLD_SIZE` is above one and no group exists yet:
    :obj:`nccl` if :obj:`device` is a CUDA device (each process then uses
    GPU :obj:`LOCAL_RANK`), else :obj:`gloo`. Returns the
    :func:`context`.

    Each process then sends a heartbeat through the group's store and
    handles SIGTERM, so that a lost process ends the others with one
    :class:`~lgir_pyg.errors.LostRankError` naming its rank (see
    :func:`fail_on_lost_rank`).

    Args:
        device (str, optional): The training device, e.g. :obj:`"cuda"`.
            (default: :obj:`None`, the CPU)
        timeout (float, optional): Seconds a collective waits for the
            other processes (the process group's timeout), and that the
            others wait for rank 0 while it builds the data
            (:func:`main_process_first`) after its heartbeat stopped: the
            time after which a stopped process fails the run. It must
            exceed the longest time rank 0 works alone (a validation).
            :obj:`None` is :obj:`DEFAULT_TIMEOUT`, ten minutes.
            (default: :obj:`None`)
    """
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if not timeout > 0:
        raise UsageError(f"'timeout' must be positive (got {timeout})")
    world_size = int(os.environ.get('WORLD_SIZE', 1))
    if world_size > 1 and not dist.is_initialized():
        cuda = resolve_device(device, int(os.environ.get('LOCAL_RANK', 0)))
        cuda = cuda is not None and cuda.type == 'cuda'
        if cuda:
            torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
        dist.init_process_group('nccl' if cuda else 'gloo',
                                timeout=timedelta(seconds=timeout))
        global _heartbeats
        _heartbeats = _Heartbeats(context(), timeout)
        signal.signal(signal.SIGTERM, _on_sigterm)
        # A group left to the interpreter's teardown can abort the process
        # ("terminate called without an active exception") while gloo's
        # threads still run: close it first.
        atexit.register(_close_process_group)
    return context()


class _Heartbeats:
    r"""Every process counts up its key in the store of the group (under
    torchrun hosted by its agent, so it outlives any worker) every
    :obj:`HEARTBEAT` seconds from a thread: a process whose count stands
    still is lost. A terminated process marks itself."""
    def __init__(self, ctx: Context, timeout: float) -> None:
        self.ctx, self.timeout = ctx, timeout
        # A restarted group does not read the old group's keys.
        restart = os.environ.get('TORCHELASTIC_RESTART_COUNT', 0)
        self.prefix = f'lgir_pyg/{restart}'
        self.store = self._connect()
        self.failed = False  # Set once a lost process was found.
        self.steps = itertools.count()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self._thread.start()

    @staticmethod
    def _connect() -> dist.Store:
        return dist.TCPStore(os.environ['MASTER_ADDR'],
                             int(os.environ['MASTER_PORT']), is_master=False,
                             timeout=timedelta(seconds=30))

    def key(self, what: str, rank: int) -> str:
        return f'{self.prefix}/{what}/{rank}'

    def _beat(self) -> None:
        try:
            store = self._connect()  # A client of the thread's own.
            while True:
                store.add(self.key('beat', self.ctx.rank), 1)
                if self._stopped.wait(HEARTBEAT):
                    return
        except RuntimeError:  # The store is gone: the run is over.
            return

    def stop(self) -> None:
        # A store client left to the interpreter's teardown, in a thread
        # that still runs, aborts the process ("terminate called without
        # an active exception").
        self._stopped.set()
        self._thread.join(timeout=60)
        del self.store

    def beat(self, rank: int) -> int:
        return self.store.add(self.key('beat', rank), 0)

    def silent_ranks(self) -> List[int]:
        r"""The other ranks whose heartbeat stands still for three beats."""
        others = [r for r in range(self.ctx.world_size)
                  if r != self.ctx.rank]
        before = [self.beat(r) for r in others]
        time.sleep(3 * HEARTBEAT)
        return [r for r, b in zip(others, before) if self.beat(r) == b]

    def terminated(self, rank: int) -> bool:
        return self.store.check([self.key('terminated', rank)])

    def wait_for_main(self, key: str) -> None:
        r"""Waits until rank 0 sets :obj:`key`, for as long as it takes
        while rank 0's heartbeat goes on, and :obj:`timeout` seconds after
        it stopped."""
        last, since = None, time.monotonic()
        while not self.store.check([key]):
            beat = self.beat(0)
            if beat != last:
                last, since = beat, time.monotonic()
            elif time.monotonic() - since > self.timeout:
                self.failed = True
                raise LostRankError(_lost([0], 'stopped', self))
            time.sleep(HEARTBEAT)


_heartbeats: Optional[_Heartbeats] = None


def _lost(ranks: List[int], how: str, heartbeats: _Heartbeats) -> str:
    # The one line that says which ranks were lost, and how.
    ctx, many = heartbeats.ctx, len(ranks) > 1
    which = ('ranks ' if many else 'rank ') + ', '.join(map(str, ranks))
    was = 'were' if many else 'was'
    what = {
        'ended': f'{was} lost: the process ended or the connection broke',
        'stopped': f'stopped answering: nothing for {heartbeats.timeout:g} '
                   f's (the timeout)',
        'terminated': f'{was} terminated (SIGTERM)',
    }[how]
    return (f'{which} of {ctx.world_size} {what}; rank {ctx.rank} stops '
            f'too')


def _lost_rank_error(cause: BaseException) -> Optional[LGIRError]:
    # The error that names the lost ranks, if a heartbeat stopped (or says
    # that a collective timed out while every heartbeat went on).
    heartbeats = _heartbeats
    if heartbeats is None:
        return None
    timed_out = 'Timed out' in str(cause)
    # A SIGTERM (torchrun's, when it saw the lost one) must not cut the
    # check short.
    handler = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        lost = heartbeats.silent_ranks()
        terminated = [r for r in lost if heartbeats.terminated(r)]
    except RuntimeError:  # Rank 0 hosted the store (not under torchrun).
        lost, terminated = [0] if heartbeats.ctx.rank else [], []
    if not lost and not timed_out:
        signal.signal(signal.SIGTERM, handler)
        return None
    heartbeats.failed = True
    if not lost:
        return LGIRError(
            f'rank {heartbeats.ctx.rank} of {heartbeats.ctx.world_size} '
            f'waited {heartbeats.timeout:g} s (the timeout) in a '
            f'collective while every process is alive: one works alone '
            f'for longer (raise the timeout) or is stuck')
    how = ('terminated' if terminated == lost else
           'stopped' if timed_out else 'ended')
    return LostRankError(_lost(lost, how, heartbeats))


def _on_sigterm(signum: int, frame: Any) -> None:
    # Torchrun terminates the others when one is lost: say which.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    heartbeats = _heartbeats
    try:
        heartbeats.store.set(heartbeats.key('terminated',
                                            heartbeats.ctx.rank), '1')
    except RuntimeError:
        pass
    raise _lost_rank_error(InterruptedError()) or LGIRError(
        f'rank {heartbeats.ctx.rank} of {heartbeats.ctx.world_size} was '
        f'terminated (SIGTERM)')


@contextmanager
def fail_on_lost_rank() -> Iterator[None]:
    r"""A context in which a collective that fails because another process
    of the group was lost (gloo's "Connection reset by peer", a timeout)
    raises :class:`~lgir_pyg.errors.LostRankError`, naming its rank, in
    place of the backend's error; other errors pass as they are.
    :meth:`~lgir_pyg.training.Trainer.fit` and :func:`close_distributed`
    run in it."""
    try:
        yield
    except RuntimeError as e:
        error = _lost_rank_error(e)
        if error is None:
            raise
        raise error from e


def close_distributed() -> None:
    r"""Waits for every process of the group, then closes it: the end of a
    data-parallel script (a process that fails skips it, so that it does
    not wait for the others). Raises
    :class:`~lgir_pyg.errors.LostRankError` if a process was lost."""
    if not dist.is_initialized():
        return
    try:
        if _heartbeats is None or not _heartbeats.failed:
            with fail_on_lost_rank():
                dist.barrier()  # No process closes while another talks.
    finally:
        _close_process_group()


def _close_process_group() -> None:
    # Also at exit: the heartbeats end first, then the group.
    global _heartbeats
    if _heartbeats is not None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _heartbeats.stop()
        _heartbeats = None
    if dist.is_initialized():
        dist.destroy_process_group()


@contextmanager
def main_process_first() -> Iterator[None]:
    r"""A context in which rank 0 runs first and the other processes after
    it, e.g. to build a dataset's processed files and caches once, which
    the others then read. The others wait for as long as rank 0's heartbeat
    goes on (building caches or completing resumes may take hours), and
    fail with :class:`~lgir_pyg.errors.LostRankError` when it is lost."""
    ctx = context()
    heartbeats = _heartbeats
    if ctx.world_size == 1:
        yield
        return
    if heartbeats is None:  # A group this module did not start.
        if not ctx.is_main:
            dist.barrier()
        try:
            yield
        finally:
            if ctx.is_main:
                dist.barrier()
        return
    key = heartbeats.key(f'main_first_{next(heartbeats.steps)}', 0)
    if not ctx.is_main:
        heartbeats.wait_for_main(key)
    try:
        yield
    finally:
        if ctx.is_main:
            heartbeats.store.set(key, 'done')


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
