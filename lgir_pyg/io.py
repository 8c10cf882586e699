r"""Small file helpers shared by the stages: atomic writes, so a run that
fails late never leaves a half-written output, and moving an unreadable
cache aside, so the work is redone instead of failing forever."""
import logging
import os
import os.path as osp
import time
from contextlib import contextmanager
from typing import IO, Iterator

logger = logging.getLogger(__name__)


@contextmanager
def atomic_open(path: str, mode: str = 'w', **kwargs) -> Iterator[IO]:
    r"""Opens a temporary file next to :obj:`path` and renames it to
    :obj:`path` when the block ends without an exception; on an exception
    the temporary file is removed and :obj:`path` is left as it was."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{osp.basename(path)}.{os.getpid()}.tmp')
    try:
        with open(tmp, mode, **kwargs) as f:
            yield f
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def move_aside(path: str, reason: str) -> str:
    r"""Renames the unreadable file :obj:`path` to
    :obj:`<path>.corrupt-<unix time>`, warns with :obj:`reason`, and returns
    the new name."""
    target = f'{path}.corrupt-{int(time.time())}'
    os.replace(path, target)
    logger.warning(f"'{path}' is unreadable ({reason}); moved it to "
                   f"'{target}' and starting afresh")
    return target
