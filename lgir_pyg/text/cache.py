import hashlib
import json
import logging
import os
import os.path as osp
import re
from typing import Optional, Sequence

import torch
from torch import Tensor

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
    so an interrupted run leaves no partial file.

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
            show_progress (bool, optional): Show a progress bar.
                (default: :obj:`False`)
        """
        texts = check_texts(texts)
        digest = texts_sha256(texts)
        path = self.path(encoder.name, source)
        if osp.exists(path):
            saved = torch.load(path, weights_only=True)
            if (saved['encoder'] == encoder.name
                    and saved['sha256'] == digest):
                return saved['embedding']
            logger.info(f"'{path}' holds other texts or another encoder: "
                        f"encoding again")
        embedding = encoder.encode(texts, batch_size, show_progress)
        os.makedirs(self.root, exist_ok=True)
        torch.save(
            {
                'encoder': encoder.name,
                'source': source,
                'sha256': digest,
                'embedding': embedding,
            }, path + '.tmp')
        os.replace(path + '.tmp', path)
        return embedding

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}('{self.root}')"
