r"""The LLM options every command that completes resumes shares
(:obj:`lgir complete`, :obj:`lgir pipeline`): the backend, its model and
decoding, the server settings of the OpenAI-compatible backend, and the
completion cache."""
import argparse
from typing import Any, Dict

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
    # --backend, --retries and --cache keep their own names.
    if flag in ('backend', 'retries', 'cache'):
        return flag
    return 'llm_' + flag.replace('-', '_')


def add_generation_arguments(parser: argparse.ArgumentParser) -> None:
    r"""Adds the LLM flags, each short for :obj:`--set llm.KEY=VALUE`:
    :obj:`--backend hf|openai`, the options of
    :func:`lgir_pyg.llm.build_generator` (:obj:`--model`,
    :obj:`--max-new-tokens`, :obj:`--batch-size`, :obj:`--base-url`,
    :obj:`--api-key-env`, :obj:`--concurrency`, :obj:`--timeout`, ...),
    :obj:`--retries` of answers that do not fit the resume format,
    :obj:`--max-unusable` (see :class:`~lgir_pyg.llm.CachedGenerator`) and
    :obj:`--cache` (the SQLite completion cache)."""
    from lgir_pyg.cli._args import (non_negative_int, probability,
                                    writable_file)
    group = parser.add_argument_group(
        'LLM', 'the resume-completion model, short for --set llm.KEY=VALUE; '
        'unset options keep the config\'s llm section, else the defaults of '
        'lgir_pyg.llm.build_generator')
    group.add_argument('--backend', choices=['hf', 'openai'], default=None,
                       help='hf: in-process transformers; openai: any '
                       'OpenAI-compatible server (default: the config\'s, '
                       'else hf)')
    for options in (_COMMON, _HF, _OPENAI):
        for flag, (type_, text) in options.items():
            group.add_argument('--' + flag, type=type_, default=None,
                               dest=_dest(flag), help=text)
    group.add_argument('--retries', type=non_negative_int, default=None,
                       help='new attempts at an answer that does not fit '
                       'the resume format or that the server garbled '
                       '(default: 0: the greedy answer is repaired)')
    group.add_argument('--max-unusable', type=probability, default=None,
                       dest=_dest('max-unusable'), metavar='SHARE',
                       help='the run fails if more than this share of the '
                       'answers is unusable after the retries (a garbled '
                       'answer, or one with no resume section; default: '
                       '0.2)')
    group.add_argument('--cache', type=writable_file, default=None,
                       help='SQLite completion cache file (default: '
                       'llm_cache.sqlite beside the processed dataset)')


def generation_shortcuts(args: argparse.Namespace) -> Dict[str, Any]:
    r"""The :obj:`llm.KEY` config values that the command line's LLM flags
    set (see :func:`lgir_pyg.cli._data.run_config`); a flag of the other
    backend than :obj:`--backend` is an error."""
    from lgir_pyg.errors import UsageError
    if args.backend is not None:
        other = _OPENAI if args.backend == 'hf' else _HF
        for flag in other:
            if getattr(args, _dest(flag)) is not None:
                raise UsageError(f'--{flag} does not apply to --backend '
                                 f'{args.backend}')
    flags = ['backend', 'retries', 'max-unusable', 'cache', *_COMMON, *_HF,
             *_OPENAI]
    return {f"llm.{flag.replace('-', '_')}": getattr(args, _dest(flag))
            for flag in flags if getattr(args, _dest(flag)) is not None}
