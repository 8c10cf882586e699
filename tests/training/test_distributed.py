import json
import os
import os.path as osp
import signal
import socket
import subprocess
import sys
import time
from functools import partial

import pytest
import torch
from torch_geometric.data import HeteroData

from lgir_pyg.errors import LGIRError
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import LGIRRecommender, LightGCNRecommender
from lgir_pyg.training import Trainer
from lgir_pyg.training.distributed import (
    Context,
    close_distributed,
    context,
    init_distributed,
    is_main_process,
    resolve_device,
    shard,
)

SHOP = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data',
                'shop', 'shop.yaml')

# The runs compared: the one-layer LGIR with its GAN (exact mini-batches)
# and LightGCN (three layers: the whole graph).
RUNS = {
    'lgir': partial(LGIRRecommender, gan=True,
                    gan_kwargs={'hidden_channels': 8}),
    'lightgcn': partial(LightGCNRecommender, embedding_dim=8),
}


def graph() -> HeteroData:
    r"""40 users with 1-8 training jobs out of 60, a validation and a test
    job each, and 8-dim text features."""
    gen = torch.Generator().manual_seed(0)
    user = torch.arange(40)
    degree = user % 8 + 1
    row = user.repeat_interleave(degree)
    rank = torch.arange(row.numel()) - (degree.cumsum(0) - degree)[row]
    data = HeteroData()
    data['user'].num_nodes, data['job'].num_nodes = 40, 60
    store = data['user', 'interacts', 'job']
    store.edge_index = torch.stack([row, (row * 7 + rank) % 60])
    store.val_edge_label_index = torch.stack([user, (user * 7 + 9) % 60])
    store.test_edge_label_index = torch.stack([user, (user * 7 + 10) % 60])
    data['user'].x_irc = torch.randn(40, 8, generator=gen)
    data['job'].x = torch.randn(60, 8, generator=gen)
    return data


def train(name: str):
    r"""The validation history of :meth:`Trainer.fit`, and the states before
    and after two epochs of steps."""
    data = graph()
    torch.manual_seed(0)
    model = RUNS[name](data)
    # 180 edges in batches of 50: the last batch (30) splits unevenly.
    kwargs = dict(epochs=3, batch_size=50, lr=0.01, gan_batch_size=7)
    history = Trainer(model, data, Evaluator(data), **kwargs).fit()['history']
    torch.manual_seed(0)
    model = RUNS[name](data)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    trainer = Trainer(model, data, Evaluator(data), **kwargs)
    sampler, optimizers = trainer.sampler(), trainer.optimizers()
    for epoch in (1, 2):
        trainer.train_epoch(sampler, *optimizers, epoch)
    return history, before, model.state_dict()


def worker(folder: str) -> None:
    # Run by torchrun, once per process.
    ctx = init_distributed()
    assert ctx.world_size == 2 and is_main_process() == (ctx.rank == 0)
    result = {}
    for name in RUNS:
        result[name], _, state = train(name)
        torch.save(state, osp.join(folder, f'{name}-{ctx.rank}.pt'))
    with open(osp.join(folder, f'history-{ctx.rank}.json'), 'w') as f:
        json.dump(result, f)
    close_distributed()


def endless_worker(timeout: str, stuck: bool = False) -> None:
    # Run by torchrun: trains until a process is lost, then says so the way
    # the lgir command does; a stuck rank 1 sleeps first (alive, silent).
    ctx = init_distributed(timeout=float(timeout))
    if stuck and ctx.rank == 1:
        time.sleep(120)
    data = graph()
    model = RUNS['lgir'](data)
    trainer = Trainer(model, data, Evaluator(data), epochs=10**6,
                      patience=10**6, batch_size=50, gan_batch_size=7)
    print('training', flush=True)
    try:
        trainer.fit()
    except LGIRError as e:
        print(f'error: {e}', file=sys.stderr, flush=True)
        sys.exit(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def torchrun(num_processes: int):
    # torchrun with the rendezvous of several machines (c10d) on this one.
    return [sys.executable, '-m', 'torch.distributed.run', '--nnodes', '1',
            '--nproc-per-node', str(num_processes), '--rdzv-backend', 'c10d',
            '--rdzv-endpoint', f'127.0.0.1:{free_port()}']


def test_two_processes_match_one(tmp_path):
    # Two processes, gloo on CPU.
    cmd = torchrun(2) + [__file__, str(tmp_path)]
    proc = subprocess.run(cmd, env=dict(os.environ, OMP_NUM_THREADS='1'),
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]

    histories = [json.loads((tmp_path / f'history-{rank}.json').read_text())
                 for rank in (0, 1)]
    # Rank 0 evaluated and broadcast: both ranks saw the same.
    assert histories[0] == histories[1]
    for name in RUNS:
        history, before, state = train(name)
        assert len(history) == len(histories[0][name]) == 4
        for one, two in zip(history, histories[0][name]):
            assert one['epoch'] == two['epoch']
            assert one['ndcg@5'] == pytest.approx(two['ndcg@5'], abs=1e-6)
            if one['loss'] is not None:
                assert one['loss'] == pytest.approx(two['loss'], abs=1e-5)
        for rank in (0, 1):
            ddp = torch.load(tmp_path / f'{name}-{rank}.pt')
            for key, value in state.items():
                # Adam turns rounding in near-zero gradients into steps of
                # up to lr: compare with how far training moved.
                moved = (value - before[key]).abs().max()
                assert (value - ddp[key]).abs().max() <= 1e-3 * moved, key


def test_lgir_train_under_torchrun(tmp_path):
    # Rank 0 builds the dataset first, prints the one result and saves the
    # one checkpoint.
    cmd = torchrun(2) + [
        '-m', 'lgir_pyg.cli.main', 'train', '--model', 'lightgcn',
        '--epochs', '2', '--device', 'cpu', '--config', SHOP, '--root',
        str(tmp_path / 'shop'), '--save', str(tmp_path / 'model.pt'),
        '--output-json', str(tmp_path / 'result.json')]
    proc = subprocess.run(cmd, env=dict(os.environ, OMP_NUM_THREADS='1'),
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / 'result.json').read_text())
    # The summary table, printed once.
    assert proc.stdout.startswith('lightgcn (seed 0)\n')
    assert proc.stdout.count('lightgcn (seed 0)') == 1
    assert f"{result['test']['ndcg@5']:.4f}" in proc.stdout
    assert result['config']['train']['device'] == 'cpu'
    assert (tmp_path / 'model.pt').exists()


def test_single_process():
    assert context() == Context(0, 1, 0) and context().is_main
    assert init_distributed() == Context()  # WORLD_SIZE unset: nothing.
    index, share = shard(5)
    assert index.tolist() == [0, 1, 2, 3, 4] and share == 1.0


def test_shard():
    parts = [shard(5, Context(rank, 2)) for rank in (0, 1)]
    assert [p[0].tolist() for p in parts] == [[0, 1, 2], [3, 4]]
    assert [p[1] for p in parts] == [0.6, 0.4]
    # Fewer items than processes: the last takes part with weight zero.
    parts = [shard(2, Context(rank, 3)) for rank in (0, 1, 2)]
    assert [(p[0].tolist(), p[1]) for p in parts] == [
        ([0], 0.5), ([1], 0.5), ([0], 0.0)]


def test_resolve_device():
    assert resolve_device(None) is None
    assert resolve_device('cpu') == torch.device('cpu')
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
        resolve_device('tpu')


@pytest.mark.skipif(not torch.cuda.is_available(),
                    reason='needs a CUDA GPU (torch.cuda.is_available() is '
                    'False on this machine)')
def test_resolve_cuda_device():
    # A bare 'cuda' is this process's GPU under torchrun.
    assert resolve_device('cuda', local_rank=0) == torch.device('cuda', 0)
    assert resolve_device('cuda:0') == torch.device('cuda', 0)


def workers(proc: subprocess.Popen) -> dict:
    r"""The rank -> pid of the workers torchrun :obj:`proc` started."""
    children = open(f'/proc/{proc.pid}/task/{proc.pid}/children').read()
    ranks = {}
    for pid in map(int, children.split()):
        environ = open(f'/proc/{pid}/environ', 'rb').read().split(b'\0')
        rank = [v for v in environ if v.startswith(b'RANK=')][0]
        ranks[int(rank[5:])] = pid
    return ranks


def running(pid: int) -> bool:
    try:
        state = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != 'Z'


def no_worker_traceback(out: str) -> bool:
    # Torchrun itself ends with the traceback of its ChildFailedError.
    return out.count('Traceback (most recent call last)') == 1 and \
        'ChildFailedError' in out.split('Traceback')[1]


def stop_worker(cmd, wait_for: str, rank: int, sig: signal.Signals):
    r"""Runs :obj:`cmd` under torchrun with two workers, sends :obj:`sig` to
    the worker of :obj:`rank` once :obj:`wait_for` is printed (training
    has begun), and returns torchrun's exit status, the output of both
    workers and whether a worker is left running."""
    proc = subprocess.Popen(torchrun(2) + cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, OMP_NUM_THREADS='1'))
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if wait_for in line:
                break
        pids = workers(proc)
        time.sleep(1)  # Both train now.
        os.kill(pids[rank], sig)
        if sig == signal.SIGSTOP:  # Torchrun's SIGTERM takes it on SIGCONT.
            for line in proc.stdout:
                lines.append(line)
                if 'stopped answering' in line:
                    break
            os.kill(pids[rank], signal.SIGCONT)
        lines += proc.stdout.readlines()
        proc.wait(timeout=120)
    finally:
        proc.kill()
    return proc.returncode, ''.join(lines), any(map(running, pids.values()))


@pytest.mark.skipif(not osp.exists('/proc/self/task'),
                    reason='finds the workers in /proc (Linux)')
def test_lgir_train_with_a_killed_worker(tmp_path):
    returncode, out, left = stop_worker(
        ['-m', 'lgir_pyg.cli.main', 'train', '--model', 'lightgcn',
         '--epochs', '100000', '--set', 'train.patience=100000', '--device',
         'cpu', '--config', SHOP, '--root', str(tmp_path / 'shop'),
         '--verbose'], 'epoch   1:', 1, signal.SIGKILL)
    assert returncode == 1 and not left
    # The survivor's one line: no gloo traceback, no atexit traceback.
    assert 'lgir train: error: rank 1 of 2 was lost: the process ended ' \
        'or the connection broke; rank 0 stops too\n' in out
    assert no_worker_traceback(out) and 'Connection reset' not in out
    assert 'lgir train: error:' not in out.replace(
        'lgir train: error: rank 1 of 2 was lost', '', 1)


@pytest.mark.skipif(not osp.exists('/proc/self/task'),
                    reason='finds the workers in /proc (Linux)')
@pytest.mark.parametrize('rank,sig,line', [
    (0, signal.SIGTERM, 'error: rank 0 of 2 was terminated (SIGTERM); rank '
     '1 stops too\n'),
    (1, signal.SIGSTOP, 'error: rank 1 of 2 stopped answering: nothing for '
     '5 s (the timeout); rank 0 stops too\n'),
])
def test_a_lost_worker_is_named(rank, sig, line):
    start = time.monotonic()
    returncode, out, left = stop_worker([__file__, 'endless', '5'],
                                        'training', rank, sig)
    assert returncode == 1 and not left
    assert line in out and no_worker_traceback(out)
    if sig == signal.SIGSTOP:  # Waited for the timeout, not for longer.
        assert time.monotonic() - start < 100


def test_a_stuck_worker_that_is_alive():
    # Rank 0 waits in a collective while rank 1 sleeps: no rank is lost,
    # and the timeout says so.
    proc = subprocess.run(torchrun(2) + [__file__, 'endless', '5', 'stuck'],
                          env=dict(os.environ, OMP_NUM_THREADS='1'),
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 1
    assert 'error: rank 0 of 2 waited 5 s (the timeout) in a collective ' \
        'while every process is alive: one works alone for longer (raise ' \
        'the timeout) or is stuck\n' in proc.stdout + proc.stderr


if __name__ == '__main__':
    torch.set_num_threads(1)
    if sys.argv[1] == 'endless':
        endless_worker(*sys.argv[2:])
    else:
        worker(sys.argv[1])
