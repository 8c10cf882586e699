from typing import Optional, Sequence, Union

from torch_geometric.data import HeteroData
from torch_geometric.data.datapipes import functional_transform
from torch_geometric.transforms import BaseTransform

from lgir_pyg.errors import DataError
from lgir_pyg.text import EmbeddingCache, TextEncoder

RESUME_PREFIX = 'resume_'


def feature_name(text_attr: str) -> str:
    r"""The node feature that :class:`EncodeText` writes for the texts
    :obj:`text_attr`: :obj:`x` for the raw :obj:`text`, :obj:`x_<mode>` for
    the completed resumes :obj:`resume_<mode>` (e.g. :obj:`x_irc`), and
    :obj:`x_<text_attr>` otherwise (e.g. :obj:`x_context`)."""
    if text_attr == 'text':
        return 'x'
    if text_attr.startswith(RESUME_PREFIX):
        return 'x_' + text_attr[len(RESUME_PREFIX):]
    return f'x_{text_attr}'


@functional_transform('encode_text')
class EncodeText(BaseTransform):
    r"""Encodes the texts of nodes into node features with a text encoder
    (functional name: :obj:`encode_text`).

    For each node type in :obj:`node_types`, the list of strings
    :obj:`data[node_type][text_attr]` becomes the float32 matrix
    :obj:`data[node_type][out_attr]` of shape
    :obj:`[num_texts, encoder.dim]`. By default :obj:`out_attr` follows
    :func:`feature_name`, so several text sources of one node type coexist:
    the self-descriptions :obj:`text` become :obj:`x`, the IRC resumes
    :obj:`resume_irc` become :obj:`x_irc`. The :obj:`repr` names the encoder
    and the texts, e.g. :obj:`EncodeText(sentence-transformers/
    all-MiniLM-L6-v2, user.text, job.text)`, so a dataset's
    :obj:`pre_transform` changes with them.

    Args:
        encoder (TextEncoder): The encoder, e.g.
            :class:`lgir_pyg.text.SentenceTransformerEncoder`.
        node_types (str or List[str], optional): The node types to encode;
            every node type that has :obj:`text_attr` if :obj:`None`.
            (default: :obj:`None`)
        text_attr (str, optional): The attribute holding the texts.
            (default: :obj:`"text"`)
        out_attr (str, optional): The attribute the features go to.
            (default: :obj:`feature_name(text_attr)`)
        cache_dir (str, optional): If set, embeddings are kept in this
            directory by :class:`lgir_pyg.text.EmbeddingCache` and reused
            while the texts and the encoder stay the same.
            (default: :obj:`None`)
        show_progress (bool, optional): Show a progress bar with the time
            left when encoding takes more than a second.
            (default: :obj:`True`)
    """
    def __init__(
        self,
        encoder: TextEncoder,
        node_types: Optional[Union[str, Sequence[str]]] = None,
        text_attr: str = 'text',
        out_attr: Optional[str] = None,
        cache_dir: Optional[str] = None,
        show_progress: bool = True,
    ) -> None:
        self.encoder = encoder
        self.node_types = ((node_types, ) if isinstance(node_types, str) else
                           None if node_types is None else tuple(node_types))
        self.text_attr = text_attr
        self.out_attr = out_attr or feature_name(text_attr)
        self.cache = EmbeddingCache(cache_dir) if cache_dir else None
        self.show_progress = show_progress

    def _node_types(self, data: HeteroData) -> Sequence[str]:
        if self.node_types is None:
            types = [t for t in data.node_types if self.text_attr in data[t]]
            if not types:
                raise DataError(f"No node type of the graph has texts "
                                f"'{self.text_attr}' to encode")
            return types
        for node_type in self.node_types:
            # Check before indexing: data[node_type] would create the store.
            if (node_type not in data.node_types
                    or self.text_attr not in data[node_type]):
                raise DataError(f"data['{node_type}'] has no attribute "
                                f"'{self.text_attr}' to encode")
        return self.node_types

    def forward(self, data: HeteroData) -> HeteroData:
        for node_type in self._node_types(data):
            store = data[node_type]
            texts = store[self.text_attr]
            if self.cache is None:
                x = self.encoder.encode(texts,
                                        show_progress=self.show_progress)
            else:
                x = self.cache.encode(self.encoder, texts,
                                      f'{node_type}.{self.text_attr}',
                                      show_progress=self.show_progress)
            store[self.out_attr] = x
        return data

    def __repr__(self) -> str:
        types = self.node_types or ('*', )
        texts = ', '.join(f'{t}.{self.text_attr}' for t in types)
        out = ('' if self.out_attr == feature_name(self.text_attr) else
               f', out_attr={self.out_attr}')
        return f'{self.__class__.__name__}({self.encoder.name}, {texts}{out})'
