r"""Small file helpers shared by the stages: atomic writes, so a run that
fails late never leaves a half-written output, and moving an unreadable
cache aside, so the work is redone instead of failing forever."""
import logging
import os
import os.path as osp
import time
from contextlib import contextmanager
from typing import IO, Iterator, Optional

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


def unwritable_reason(folder: str) -> Optional[str]:
    r"""Why files cannot be created in :obj:`folder` (making it first if it
    is missing), or :obj:`None` if they can. A missing folder is judged by
    its nearest existing ancestor; nothing is created."""
    probe = osp.abspath(folder)
    while not osp.exists(probe) and osp.dirname(probe) != probe:
        probe = osp.dirname(probe)
    if not osp.isdir(probe):
        return f"'{probe}' is a file, not a folder"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"folder '{probe}' is not writable"
    return None
