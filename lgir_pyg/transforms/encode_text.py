from typing import Optional, Sequence, Union

from torch_geometric.data import HeteroData
from torch_geometric.data.datapipes import functional_transform
from torch_geometric.transforms import BaseTransform

from lgir_pyg.text import EmbeddingCache, TextEncoder


@functional_transform('encode_text')
class EncodeText(BaseTransform):
    r"""Encodes the raw texts of nodes into node features :obj:`x` with a
    text encoder (functional name: :obj:`encode_text`).

    For each node type in :obj:`node_types`, the list of strings
    :obj:`data[node_type][text_attr]` becomes the float32 matrix
    :obj:`data[node_type].x` of shape :obj:`[num_texts, encoder.dim]`. The
    :obj:`repr` names the encoder and the texts, e.g.
    :obj:`EncodeText(sentence-transformers/all-MiniLM-L6-v2, user.text,
    job.text)`, so a dataset's :obj:`pre_transform` changes with them.

    Args:
        encoder (TextEncoder): The encoder, e.g.
            :class:`lgir_pyg.text.SentenceTransformerEncoder`.
        node_types (str or List[str], optional): The node types to encode.
            (default: :obj:`('user', 'job')`)
        text_attr (str, optional): The attribute holding the texts.
            (default: :obj:`"text"`)
        cache_dir (str, optional): If set, embeddings are kept in this
            directory by :class:`lgir_pyg.text.EmbeddingCache` and reused
            while the texts and the encoder stay the same.
            (default: :obj:`None`)
    """
    def __init__(
        self,
        encoder: TextEncoder,
        node_types: Union[str, Sequence[str]] = ('user', 'job'),
        text_attr: str = 'text',
        cache_dir: Optional[str] = None,
    ) -> None:
        self.encoder = encoder
        self.node_types = ((node_types, ) if isinstance(node_types, str) else
                           tuple(node_types))
        self.text_attr = text_attr
        self.cache = EmbeddingCache(cache_dir) if cache_dir else None

    def forward(self, data: HeteroData) -> HeteroData:
        for node_type in self.node_types:
            # Check before indexing: data[node_type] would create the store.
            if (node_type not in data.node_types
                    or self.text_attr not in data[node_type]):
                raise KeyError(f"data['{node_type}'] has no attribute "
                               f"'{self.text_attr}' to encode")
            store = data[node_type]
            texts = store[self.text_attr]
            if self.cache is None:
                store.x = self.encoder.encode(texts)
            else:
                store.x = self.cache.encode(self.encoder, texts,
                                            f'{node_type}.{self.text_attr}')
        return data

    def __repr__(self) -> str:
        texts = ', '.join(f'{node_type}.{self.text_attr}'
                          for node_type in self.node_types)
        return f'{self.__class__.__name__}({self.encoder.name}, {texts})'
