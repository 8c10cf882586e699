r"""Completion with any OpenAI-compatible server through the :obj:`openai`
client (:obj:`pip install lgir_pyg[serve]`)."""
import os
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from lgir_pyg.errors import LGIRError, UsageError, first_line
from lgir_pyg.llm.generators import (DEFAULT_SECTIONS, DEFAULT_SYSTEM_PROMPT,
                                     Completion, TextGenerator)
from lgir_pyg.llm.prompts import prompt_messages


class OpenAIGenerator(TextGenerator):
    r"""Generates with a model behind an OpenAI-compatible chat completions
    API: how large models are run at scale. Requests go out
    :obj:`concurrency` at a time (the server batches them), each answer is
    handed on as soon as it arrives (so
    :class:`~lgir_pyg.llm.CachedGenerator` stores it at once and a killed
    run resumes), and a request that fails with 429, a 5xx, a connection
    error or a timeout is retried :obj:`max_retries` times with exponential
    backoff (the :obj:`openai` client's own retry, which honours
    :obj:`Retry-After`).

    Base URLs of common servers (their defaults; the model name is what the
    server calls the model):

    * :obj:`vllm serve MODEL` (batching, multi-GPU with
      :obj:`--tensor-parallel-size`): :obj:`http://127.0.0.1:8000/v1`
    * :obj:`transformers serve MODEL`: :obj:`http://127.0.0.1:8000/v1`
      (a GGUF model is served from a plain copy, see
      :func:`~lgir_pyg.llm.generators.export_plain_model`)
    * Ollama: :obj:`http://127.0.0.1:11434/v1`, model e.g.
      :obj:`"llama3.1:8b"`
    * llama.cpp's :obj:`llama-server -m model.gguf`:
      :obj:`http://127.0.0.1:8080/v1`
    * Text Generation Inference (TGI), its port mapped to 8080:
      :obj:`http://127.0.0.1:8080/v1`, model :obj:`"tgi"`
    * hosted APIs: :obj:`https://api.openai.com/v1` and other providers'
      OpenAI-compatible URLs, with the key in :obj:`api_key_env`.

    A prompt's worked examples are sent as earlier turns of the chat
    (:func:`~lgir_pyg.llm.prompts.prompt_messages`). With :obj:`sections`
    the system prompt asks for one line per section, which
    :class:`~lgir_pyg.llm.ResumeFormat` then checks.

    Args:
        model (str): The model name the server knows.
        base_url (str, optional): The API root, ending in :obj:`/v1`.
            (default: :obj:`"http://127.0.0.1:8000/v1"`)
        api_key_env (str, optional): The environment variable that holds
            the API key; local servers need none, so an unset variable
            sends a placeholder. (default: :obj:`"OPENAI_API_KEY"`)
        max_new_tokens (int, optional): Token budget of an answer.
            (default: :obj:`256`)
        temperature (float, optional): :obj:`0` is greedy.
            (default: :obj:`0.0`)
        seed (int, optional): Sent with every request (servers that support
            it sample reproducibly). (default: :obj:`0`)
        system_prompt (str, optional): The chat's system message.
        sections (Sequence[str], optional): Line headers the answer is
            asked for; :obj:`None` or empty asks for nothing.
            (default: :obj:`("Likely skills:", "Interests:")`)
        retry_temperature (float, optional): Sampling temperature of a
            retry. (default: :obj:`0.7`)
        concurrency (int, optional): Requests in flight at once.
            (default: :obj:`8`)
        timeout (float, optional): Seconds a request may take before it
            counts as failed (and is retried). (default: :obj:`120.0`)
        max_retries (int, optional): Retries of a failed request.
            (default: :obj:`5`)
    """
    def __init__(
        self,
        model: str,
        base_url: str = 'http://127.0.0.1:8000/v1',
        api_key_env: str = 'OPENAI_API_KEY',
        max_new_tokens: int = 256,
        temperature: float = 0.0,
        seed: int = 0,
        system_prompt: str = DEFAULT_SYSTEM_PROMPT,
        sections: Optional[Sequence[str]] = DEFAULT_SECTIONS,
        retry_temperature: float = 0.7,
        concurrency: int = 8,
        timeout: float = 120.0,
        max_retries: int = 5,
    ) -> None:
        for name, value in [('max_new_tokens', max_new_tokens),
                            ('concurrency', concurrency)]:
            if value < 1:
                raise UsageError(f"'{name}' must be positive (got {value})")
        if timeout <= 0 or max_retries < 0:
            raise UsageError(f"'timeout' must be positive and 'max_retries' "
                             f"non-negative (got {timeout}, {max_retries})")
        if not model:
            raise UsageError("'model' must name the served model")
        try:
            import openai
        except ImportError as e:
            raise UsageError('The OpenAI-compatible backend needs the '
                             '`openai` package: pip install '
                             '"lgir_pyg[serve]"') from e
        self.model = model
        self.base_url = base_url.rstrip('/')
        self.api_key_env = api_key_env
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self.seed = seed
        self.system_prompt = system_prompt
        self.sections = tuple(sections or ())
        self.retry_temperature = retry_temperature
        self.concurrency = self.batch_size = concurrency
        self.timeout = timeout
        self.max_retries = max_retries
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=os.environ.get(api_key_env) or 'not-needed',
            timeout=timeout, max_retries=max_retries)

    @property
    def name(self) -> str:
        return self.model

    @property
    def settings(self) -> Dict[str, Any]:
        # Concurrency, timeouts and the key change how, not what.
        return {
            'backend': 'openai',
            'base_url': self.base_url,
            'max_new_tokens': self.max_new_tokens,
            'temperature': self.temperature,
            'seed': self.seed,
            'system_prompt': self.system_prompt,
            'sections': list(self.sections),
            'retry_temperature': self.retry_temperature,
        }

    @property
    def system_message(self) -> str:
        if not self.sections:
            return self.system_prompt
        headers = ', '.join(f'"{h}"' for h in self.sections)
        return (f'{self.system_prompt} Answer with exactly '
                f'{len(self.sections)} lines, starting with {headers}.')

    def complete(self, prompt: str, attempt: int = 0) -> Completion:
        r"""One request (retried by the client as described above). An
        answer that is not a chat completion with text (malformed JSON, an
        HTML page, no :obj:`choices`, :obj:`content: null`, nothing
        written) comes back as :meth:`Completion.failed`, saying what came
        instead, for :class:`~lgir_pyg.llm.CachedGenerator` to retry and
        count."""
        import openai

        temperature, seed = self._decoding(attempt)
        try:
            response = self._client.chat.completions.create(
                model=self.model, max_tokens=self.max_new_tokens,
                temperature=temperature, seed=seed, messages=[
                    {'role': 'system', 'content': self.system_message}] +
                prompt_messages(prompt))
        except openai.APIError as e:
            raise LGIRError(f"The server at '{self.base_url}' failed for "
                            f"model '{self.model}' after {self.max_retries} "
                            f"retries: {e}") from e
        except ValueError as e:  # A body that is not JSON, sent with 200.
            return Completion.failed(f'the answer is not JSON '
                                     f'({first_line(e)})')
        return read_answer(response)

    def stream(self, prompts: List[str], attempt: int = 0
               ) -> Iterator[List[Tuple[int, Completion]]]:
        # At most `concurrency` requests are submitted at a time, so a
        # killed run has few requests in flight and none queued.
        with ThreadPoolExecutor(self.concurrency) as pool:
            pending: Dict[Future, int] = {}
            queue = iter(enumerate(prompts))
            try:
                while True:
                    for i, prompt in queue:
                        pending[pool.submit(self.complete, prompt,
                                            attempt)] = i
                        if len(pending) >= self.concurrency:
                            break
                    if not pending:
                        return
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    yield [(pending.pop(future), future.result())
                           for future in finished]
            finally:
                for future in pending:
                    future.cancel()

    def generate(self, prompts: List[str],
                 attempt: int = 0) -> List[Completion]:
        out: List[Optional[Completion]] = [None] * len(prompts)
        for chunk in self.stream(prompts, attempt):
            for i, completion in chunk:
                out[i] = completion
        return out

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.model}, {self.base_url})'


def read_answer(response: Any) -> Completion:
    r"""The :class:`Completion` of a chat completions :obj:`response` as the
    :obj:`openai` client returns it, or :meth:`Completion.failed` saying
    why it holds no answer."""
    if isinstance(response, str):  # The client passes non-JSON bodies on.
        kind = 'an HTML page' if response.lstrip().startswith('<') else \
            'text'
        return Completion.failed(f'the server sent {kind}, not JSON: '
                                 f'{response.strip()[:60]!r}')
    choices = getattr(response, 'choices', None)
    if not isinstance(choices, list):
        return Completion.failed('the answer is not a chat completion (no '
                                 '"choices")')
    if not choices:
        return Completion.failed('the answer has an empty "choices" list')
    content = getattr(getattr(choices[0], 'message', None), 'content', None)
    if not isinstance(content, str):
        shown = 'null' if content is None else repr(content)
        return Completion.failed(f'the answer has no text (content: '
                                 f'{shown})')
    if not content.strip():
        return Completion.failed('the answer is empty')
    reason = 'length' if choices[0].finish_reason == 'length' else 'stop'
    return Completion(content.strip(), reason)


@contextmanager
def transformers_server(model: str, port: Optional[int] = None,
                        threads: int = 1, timeout: float = 240.0,
                        log: Optional[str] = None) -> Iterator[str]:
    r"""Runs :obj:`transformers serve MODEL` (transformers' own
    OpenAI-compatible server, from its :obj:`serving` extra) on 127.0.0.1
    for the block and yields its base URL; :obj:`model` is a plain model
    folder (see :func:`~lgir_pyg.llm.generators.export_plain_model`) or hub
    id, and the name requests use. The server computes with
    :obj:`threads` CPU threads (more than the free cores make it spin: 50x
    slower measured on a busy 2-core machine). Waits up to :obj:`timeout`
    seconds for the server to answer; its output goes to :obj:`log`
    (default: nowhere). The server is stopped when the block ends."""
    import subprocess
    import sys
    import time
    import urllib.request

    if port is None:
        import socket
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
    cli = os.path.join(os.path.dirname(sys.executable), 'transformers')
    out = open(log, 'w') if log else subprocess.DEVNULL
    server = subprocess.Popen(
        [cli, 'serve', model, '--host', '127.0.0.1', '--port', str(port),
         '--device', 'cpu'], stdout=out, stderr=subprocess.STDOUT,
        env=dict(os.environ, HF_HUB_OFFLINE='1',
                 OMP_NUM_THREADS=str(threads)))
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(
                        f'http://127.0.0.1:{port}/health', timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise LGIRError(
                        f"`transformers serve {model}` did not start"
                        + (f"; see '{log}'" if log else ''))
                time.sleep(0.5)
        yield f'http://127.0.0.1:{port}/v1'
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if log:
            out.close()
