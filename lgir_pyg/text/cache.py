import hashlib
import json
import logging
import os.path as osp
import re
from typing import Any, Dict, Optional, Sequence

import torch
from torch import Tensor

from lgir_pyg.errors import CacheError, first_line
from lgir_pyg.io import atomic_open, move_aside, unwritable_reason
from lgir_pyg.text.encoders import TextEncoder, check_texts

logger = logging.getLogger(__name__)


def texts_sha256(texts: Sequence[str]) -> str:
    r"""The SHA-256 hex digest of a list of strings (order and boundaries
    included)."""
    return hashlib.sha256(json.dumps(list(texts)).encode()).hexdigest()


def embedding_file_name(encoder_name: str, source: str) -> str:
    r"""The file name of the embeddings of :obj:`source` texts by the
    encoder :obj:`encoder_name`, with every character that is unsafe in
    file names replaced by :obj:`_`."""
    name = f'{encoder_name}__{source}'
    return re.sub(r'[^A-Za-z0-9._=-]+', '_', name).strip('_') + '.pt'


class EmbeddingCache:
    r"""Keeps text embeddings on disk, one :obj:`.pt` file per encoder name
    and text source (e.g. :obj:`"user.text"`) in :obj:`root`.

    Each file stores the encoder name and the SHA-256 of the encoded texts
    (see :func:`texts_sha256`); a file whose texts or encoder differ is
    recomputed and overwritten, never reused. Files are written atomically,
    so an interrupted run leaves no partial file; a file that cannot be
    read or is not a cache file is moved aside (see
    :func:`lgir_pyg.io.move_aside`, which warns) and its texts encoded
    again. A :obj:`root` that is a file or not writable raises
    :class:`~lgir_pyg.errors.CacheError` before any encoding.

    Args:
        root (str): The directory holding the files.
    """
    def __init__(self, root: str) -> None:
        self.root = root

    def path(self, encoder_name: str, source: str) -> str:
        r"""The file of :obj:`source` texts encoded by :obj:`encoder_name`."""
        return osp.join(self.root, embedding_file_name(encoder_name, source))

    def encode(
        self,
        encoder: TextEncoder,
        texts: Sequence[str],
        source: str,
        batch_size: Optional[int] = None,
        show_progress: bool = False,
    ) -> Tensor:
        r"""Returns the embeddings of :obj:`texts` by :obj:`encoder`,
        loaded from the cache if it holds these very texts, otherwise
        computed with :meth:`TextEncoder.encode` and saved.

        Args:
            encoder (TextEncoder): The encoder.
            texts (List[str]): The texts.
            source (str): A name for where the texts come from, e.g.
                :obj:`"user.text"`.
            batch_size (int, optional): The batch size.
                (default: :obj:`encoder.batch_size`)
            show_progress (bool, optional): Show a progress bar (see
                :meth:`TextEncoder.encode`). (default: :obj:`False`)
        """
        texts = check_texts(texts)
        digest = texts_sha256(texts)
        path = self.path(encoder.name, source)
        saved = self._load(path)
        if saved is not None:
            if (saved['encoder'] == encoder.name
                    and saved['sha256'] == digest
                    and saved['embedding'].size(0) == len(texts)):
                return saved['embedding']
            logger.info(f"'{path}' holds other texts or another encoder: "
                        f"encoding again")
        # Checked before encoding, which can take long.
        reason = unwritable_reason(self.root)
        if reason is not None:
            raise CacheError(f"Cannot use '{self.root}' as the embedding "
                             f"cache folder: {reason}")
        logger.info(f'encoding {len(texts)} texts of {source} with '
                    f'{encoder.name}')
        embedding = encoder.encode(texts, batch_size, show_progress)
        record = {
            'encoder': encoder.name,
            'source': source,
            'sha256': digest,
            'embedding': embedding,
        }
        try:
            with atomic_open(path, 'wb') as f:
                torch.save(record, f)
        except OSError as e:
            raise CacheError(f"Cannot write the embedding cache file "
                             f"'{path}': {first_line(e)}") from e
        return embedding

    @staticmethod
    def _load(path: str) -> Optional[Dict[str, Any]]:
        # A file that cannot be read or is not one of ours is moved aside,
        # so the run redoes its work instead of failing on it forever.
        if not osp.lexists(path):
            return None
        try:
            saved = torch.load(path, weights_only=True)
        except Exception as e:  # torch raises many types for bad files.
            reason = first_line(e)
        else:
            if (isinstance(saved, dict)
                    and isinstance(saved.get('encoder'), str)
                    and isinstance(saved.get('sha256'), str)
                    and isinstance(saved.get('embedding'), Tensor)
                    and saved['embedding'].dim() == 2):
                return saved
            reason = 'not an embedding cache file'
        try:
            move_aside(path, reason)
        except OSError as e:
            raise CacheError(f"'{path}' is unreadable ({reason}) and cannot "
                             f"be moved aside: {first_line(e)}") from e
        return None

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}('{self.root}')"
