r"""Model checkpoints: written atomically, read safely
(:obj:`weights_only=True`), and every problem with a file is a
:class:`~lgir_pyg.errors.CheckpointError` that names it and what was
expected."""
import os.path as osp
from typing import Any, Dict, Optional

import torch
from torch import Tensor

from lgir_pyg.errors import CheckpointError, first_line
from lgir_pyg.io import atomic_open

EXPECTED = ("expected a checkpoint written by lgir_pyg's save_checkpoint "
            "(`lgir train --save`)")

PLAIN = (str, int, float, bool, type(None))


def _check_plain(value: Any, where: str) -> None:
    # Loading with weights_only=True accepts only these types.
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CheckpointError(f"{where} has a key {key!r} that is "
                                      f"not a string")
            _check_plain(item, f'{where}[{key!r}]')
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_plain(item, f'{where}[{i}]')
    elif not isinstance(value, PLAIN):
        raise CheckpointError(f"{where} is a {type(value).__name__}; "
                              f"checkpoint meta holds only strings, "
                              f"numbers, booleans, None and lists and "
                              f"dicts of them")


def save_checkpoint(model: torch.nn.Module, path: str,
                    meta: Optional[Dict[str, Any]] = None) -> None:
    r"""Saves :obj:`model`'s state and :obj:`meta` to :obj:`path`,
    atomically (a failed save leaves an older file as it was), creating the
    folder if needed.

    Args:
        model (torch.nn.Module): The model.
        path (str): The checkpoint file.
        meta (Dict[str, Any], optional): Plain values stored alongside
            (names, numbers, lists and dicts of them), e.g. the model name
            and its arguments. (default: :obj:`None`)
    """
    meta = dict(meta or {})
    _check_plain(meta, 'meta')
    if osp.isdir(path):
        raise CheckpointError(f"Cannot save a checkpoint to '{path}': it is "
                              f"a directory")
    try:
        with atomic_open(path, 'wb') as f:
            torch.save({'state_dict': model.state_dict(), 'meta': meta}, f)
    except OSError as e:
        raise CheckpointError(f"Cannot save a checkpoint to '{path}': "
                              f"{first_line(e)}") from e


def load_checkpoint(path: str) -> Dict[str, Any]:
    r"""Loads a checkpoint of :func:`save_checkpoint` safely
    (:obj:`weights_only=True`) as :obj:`{"state_dict", "meta"}`.

    Raises :class:`~lgir_pyg.errors.CheckpointError` naming :obj:`path`
    for a missing, unreadable or truncated file and for one that is not
    such a checkpoint (e.g. a whole pickled model or a bare state dict)."""
    if not osp.exists(path):
        raise CheckpointError(f"Checkpoint '{path}' does not exist")
    if osp.isdir(path):
        raise CheckpointError(f"Checkpoint '{path}' is a directory; "
                              f"{EXPECTED}")
    try:
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:  # torch raises many types for bad files.
        reason = first_line(e)
        if reason.startswith('Weights only load failed'):
            reason = ('it holds Python objects, not only tensors and plain '
                      'values: a whole pickled model?')
        elif isinstance(e, EOFError):
            reason = 'empty or truncated'
        raise CheckpointError(f"Cannot read checkpoint '{path}' ({reason}); "
                              f"{EXPECTED}") from e
    if not (isinstance(checkpoint, dict)
            and {'state_dict', 'meta'} <= checkpoint.keys()
            and isinstance(checkpoint['meta'], dict)
            and isinstance(checkpoint['state_dict'], dict) and all(
                isinstance(k, str) and isinstance(v, Tensor)
                for k, v in checkpoint['state_dict'].items())):
        found = (f'a dict with keys {sorted(map(str, checkpoint))[:5]}'
                 if isinstance(checkpoint, dict) else
                 f'a {type(checkpoint).__name__}')
        raise CheckpointError(f"'{path}' is not an lgir_pyg checkpoint (it "
                              f"holds {found}); {EXPECTED}")
    return checkpoint


def _names(keys, limit: int = 3) -> str:
    keys = sorted(keys)
    more = f' and {len(keys) - limit} more' if len(keys) > limit else ''
    return ', '.join(map(repr, keys[:limit])) + more


def load_state(model: torch.nn.Module, checkpoint: Dict[str, Any],
               path: str) -> None:
    r"""Loads the state of :obj:`checkpoint` (from :func:`load_checkpoint`)
    into :obj:`model`. Raises :class:`~lgir_pyg.errors.CheckpointError`
    with one line naming :obj:`path` and the missing, unexpected and
    mis-shaped parameters if the state does not fit the model (e.g. other
    model arguments, or another dataset's number of nodes).

    Args:
        model (torch.nn.Module): The model.
        checkpoint (Dict[str, Any]): The loaded checkpoint.
        path (str): The checkpoint's file, named in errors.
    """
    state = checkpoint['state_dict']
    expected = model.state_dict()
    problems = []
    missing = expected.keys() - state.keys()
    if missing:
        problems.append(f'missing {_names(missing)}')
    unexpected = state.keys() - expected.keys()
    if unexpected:
        problems.append(f'unexpected {_names(unexpected)}')
    shapes = [(k, list(state[k].shape), list(expected[k].shape))
              for k in sorted(expected.keys() & state.keys())
              if state[k].shape != expected[k].shape]
    if shapes:
        name, got, want = shapes[0]
        more = f' (and {len(shapes) - 1} more)' if len(shapes) > 1 else ''
        problems.append(f'{name!r} has shape {got} in the file but {want} '
                        f'in the model{more}')
    if problems:
        raise CheckpointError(
            f"'{path}' does not fit {type(model).__name__}: "
            f"{'; '.join(problems)} (was it saved with other model "
            f"arguments or for another dataset?)")
    model.load_state_dict(state)
