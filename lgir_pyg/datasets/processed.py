r"""A dataset's processed files are a cache of its raw files: one that
cannot be read is moved aside and rebuilt, as the embedding and
completion caches are, instead of failing with :func:`torch.load`'s
error."""
import os.path as osp
import pickle
from typing import Callable, Optional

import torch
from torch_geometric.data import HeteroData, InMemoryDataset
from torch_geometric.io import fs

from lgir_pyg.errors import first_line
from lgir_pyg.io import move_aside

# The files in which PyG keeps the repr of pre_transform and pre_filter, read
# before the processed graph.
REPR_FILES = ('pre_transform.pt', 'pre_filter.pt')


class GraphDataset(InMemoryDataset):
    r"""An :class:`~torch_geometric.data.InMemoryDataset` of one
    :class:`~torch_geometric.data.HeteroData` graph, processed once into
    :obj:`processed_paths[0]` and loaded from there.

    A processed file that cannot be read (garbage, truncated, empty, or not
    a dataset file), the graph's or PyG's :obj:`pre_transform.pt` and
    :obj:`pre_filter.pt`, is moved aside to :obj:`<file>.corrupt-<time>`
    with one warning naming it (see :func:`lgir_pyg.io.move_aside`) and
    the graph is rebuilt from the raw files. Subclasses set what
    :meth:`processed_file_names` reads before calling this
    :meth:`__init__`.

    Args:
        root (str): Root directory for raw and processed files.
        transform (callable, optional): A transform applied on every
            access. (default: :obj:`None`)
        pre_transform (callable, optional): A transform applied before
            saving. (default: :obj:`None`)
        force_reload (bool, optional): Re-process the dataset.
            (default: :obj:`False`)
    """
    def __init__(
        self,
        root: str,
        transform: Optional[Callable] = None,
        pre_transform: Optional[Callable] = None,
        force_reload: bool = False,
    ) -> None:
        # PyG reads these in its __init__, so they are checked first; the
        # graph is rebuilt with them.
        processed_dir = osp.join(osp.expanduser(fs.normpath(root)),
                                 'processed')
        for name in REPR_FILES:
            path = osp.join(processed_dir, name)
            if osp.isfile(path) and not _readable(path, _read_repr):
                force_reload = True
        # log=False: PyG's "Processing..."/"Done!" lines are not ours; a
        # build says what it merges or drops in its own warnings.
        super().__init__(root, transform, pre_transform,
                         force_reload=force_reload, log=False)
        path = self.processed_paths[0]
        if not _readable(path, lambda p: self.load(p, HeteroData)):
            self.process()
            self.load(path, HeteroData)


def _read_repr(path: str) -> None:
    if not isinstance(torch.load(path, weights_only=True), str):
        raise ValueError('not the repr of a transform')


def _readable(path: str, read: Callable[[str], None]) -> bool:
    # Whether read(path) succeeds; if not, the file is moved aside.
    try:
        read(path)
    except Exception as e:  # torch raises many types for bad files.
        move_aside(path, _reason(path, e))
        return False
    return True


def _reason(path: str, error: Exception) -> str:
    # torch's messages run to paragraphs (and blame weights_only for any
    # garbage): a short reason for the warning's one line.
    if osp.getsize(path) == 0:
        return 'an empty file'
    if isinstance(error, (pickle.UnpicklingError, EOFError)) or not str(
            error).strip():
        return f'not a processed dataset file: {type(error).__name__}'
    return f'{type(error).__name__}: {first_line(error).split(". ")[0]}'
