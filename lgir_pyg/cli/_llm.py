r"""The LLM options every command that completes resumes shares
(:obj:`lgir complete`, :obj:`lgir pipeline`): the backend, its model and
decoding, the server settings of the OpenAI-compatible backend, and the
completion cache."""
import argparse
from typing import Any, Dict, Optional

# Flag name -> (build_generator keyword, type, help). Options left unset
# keep build_generator's defaults.
_COMMON = {
    'model': (str, 'HF model id or local folder (hf), or the served model '
              'name (openai); default: the bundled SmolLM2-135M-Instruct '
              'GGUF'),
    'max-new-tokens': (int, 'token budget of each resume line (hf) or of '
                       'the answer (openai)'),
    'temperature': (float, '0 is greedy'),
    'seed': (int, 'sampling seed (and of retries)'),
    'system-prompt': (str, "the chat's system message"),
}
_HF = {
    'gguf-file': (str, 'GGUF file inside --model'),
    'batch-size': (int, 'prompts per batch'),
    'repetition-penalty': (float, "transformers' repetition penalty"),
    'no-repeat-ngram-size': (int, 'no token n-gram of this size repeats in '
                             'an answer; 0 turns it off'),
    'max-items': (int, 'a resume line ends after this many , or ;'),
    'dtype': (str, 'weight dtype, e.g. bfloat16 or float32'),
    'device': (str, 'torch device, e.g. cpu or cuda'),
}
_OPENAI = {
    'base-url': (str, 'the server, e.g. http://127.0.0.1:8000/v1 (vllm '
                 'serve), http://127.0.0.1:11434/v1 (Ollama), '
                 'http://127.0.0.1:8080/v1 (llama.cpp server, TGI)'),
    'api-key-env': (str, 'environment variable that holds the API key'),
    'concurrency': (int, 'requests in flight at once'),
    'timeout': (float, 'seconds per request before it is retried'),
    'max-retries': (int, 'retries of a request after a 429, a 5xx or a '
                    'timeout, with exponential backoff'),
}


def _dest(flag: str) -> str:
    return 'llm_' + flag.replace('-', '_')


def add_generation_arguments(parser: argparse.ArgumentParser,
                             cache_default: Optional[str] = None) -> None:
    r"""Adds the LLM flags: :obj:`--backend hf|openai`, the options of
    :func:`lgir_pyg.llm.build_generator` (:obj:`--model`,
    :obj:`--max-new-tokens`, :obj:`--batch-size`, :obj:`--base-url`,
    :obj:`--api-key-env`, :obj:`--concurrency`, :obj:`--timeout`, ...),
    :obj:`--retries` of answers that do not fit the resume format, and
    :obj:`--cache` (the SQLite completion cache)."""
    group = parser.add_argument_group(
        'LLM', 'the resume-completion model; unset options keep the '
        'defaults of lgir_pyg.llm.build_generator')
    group.add_argument('--backend', choices=['hf', 'openai'], default='hf',
                       help='hf: in-process transformers; openai: any '
                       'OpenAI-compatible server (default: %(default)s)')
    for options in (_COMMON, _HF, _OPENAI):
        for flag, (type_, text) in options.items():
            group.add_argument('--' + flag, type=type_, default=None,
                               dest=_dest(flag), help=text)
    group.add_argument('--retries', type=int, default=None,
                       help='new attempts at an answer that does not fit '
                       'the resume format (default: 1)')
    group.add_argument('--cache', default=cache_default,
                       help='SQLite completion cache (default: '
                       '%(default)s)')


def generation_options(args: argparse.Namespace) -> Dict[str, Any]:
    r"""The :func:`~lgir_pyg.llm.build_generator` keywords the command line
    sets, with :obj:`backend`."""
    from lgir_pyg.errors import UsageError
    flags = dict(_COMMON, **(_HF if args.backend == 'hf' else _OPENAI))
    other = _OPENAI if args.backend == 'hf' else _HF
    for flag in other:
        if getattr(args, _dest(flag)) is not None:
            raise UsageError(f'--{flag} does not apply to --backend '
                             f'{args.backend}')
    options = {flag.replace('-', '_'): getattr(args, _dest(flag))
               for flag in flags}
    return dict({k: v for k, v in options.items() if v is not None},
                backend=args.backend)


def llm_overrides(args: argparse.Namespace) -> Dict[str, Any]:
    r"""The values of the config's :obj:`llm` section that the LLM flags
    set, for :func:`lgir_pyg.factories.build_llm`: the
    :func:`~lgir_pyg.llm.build_generator` keywords, :obj:`cache` and
    :obj:`retries`; :obj:`--backend hf` is the default, so the config may
    name another."""
    overrides = generation_options(args)
    if args.backend == 'hf':
        overrides.pop('backend')
    if args.cache:
        overrides['cache'] = args.cache
    if args.retries is not None:
        overrides['retries'] = args.retries
    return overrides


def generator_from_args(args: argparse.Namespace):
    r"""The :class:`~lgir_pyg.llm.CachedGenerator` of the command line's
    LLM flags, with the cache of :obj:`--cache` (none if it is unset)."""
    from lgir_pyg.llm import CachedGenerator, GenerationCache, build_generator
    cache = GenerationCache(args.cache) if args.cache else None
    retries = 1 if args.retries is None else args.retries
    return CachedGenerator(build_generator(**generation_options(args)),
                           cache, retries=retries)
