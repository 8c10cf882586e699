r"""The :obj:`lgir` command. A user error (an
:class:`~lgir_pyg.errors.LGIRError`, an :obj:`OSError` or a bad argument)
prints one line, :obj:`lgir <command>: error: <message>`, on stderr and
exits with status 2 for usage errors (arguments, config values) and 1 for
other failures; :obj:`--debug` also prints the traceback. An interrupt
exits with status 130. Logging is at WARNING unless :obj:`--verbose`
turns INFO on (the library's stages, the training epochs, the config)."""
import argparse
import importlib
import logging
import os
import sys
import traceback
from typing import List, NoReturn, Optional

import lgir_pyg
from lgir_pyg.errors import LGIRError, UsageError

# The one place where subcommands are registered: command name -> the
# module lgir_pyg.cli.<module> with HELP, add_arguments(parser) and
# run(args).
SUBCOMMANDS = {
    'data': 'data',
    'complete': 'complete',
    'encode': 'encode',
    'train': 'train',
    'tune': 'tune',
    'recommend': 'recommend',
    'explain': 'explain',
    'bench': 'bench',
    'pipeline': 'main_job',
}


class CommandLineError(UsageError):
    r"""A command-line error of the (sub)command :obj:`prog`."""
    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class ArgumentParser(argparse.ArgumentParser):
    r"""An :class:`argparse.ArgumentParser` whose errors raise
    :class:`CommandLineError` (one line, no usage dump); its subparsers are of
    this class too."""
    def error(self, message: str) -> NoReturn:
        raise CommandLineError(self.prog, message)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog='lgir', description='LGIR job recommendation with PyG: data, '
        'resume completion, training and benchmarks.')
    parser.add_argument('--version', action='version',
                        version=f'lgir_pyg {lgir_pyg.__version__}')
    # Also after the command; SUPPRESS keeps a top-level value.
    flags = {'--debug': 'show the traceback of an error',
             '--verbose': 'log what the library does (INFO), e.g. each '
             'stage, training epoch and the resolved config'}
    for flag, text in flags.items():
        parser.add_argument(flag, action='store_true', help=text)
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(f'lgir_pyg.cli.{module_name}')
        sub = subparsers.add_parser(name, help=module.HELP,
                                    description=module.HELP)
        module.add_arguments(sub)
        for flag, text in flags.items():
            sub.add_argument(flag, action='store_true',
                             default=argparse.SUPPRESS, help=text)
        sub.set_defaults(run=module.run)
    return parser


class _Formatter(logging.Formatter):
    # INFO reads as the command's own output; a warning or an error names
    # the command, as its error line does.
    def __init__(self, prog: str) -> None:
        super().__init__()
        self.prog = prog

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        if record.levelno < logging.WARNING:
            return message
        return f'{self.prog}: {record.levelname.lower()}: {message}'


def _log_to_stderr(prog: str, level: int) -> None:
    # One handler of ours on the root logger, on the current sys.stderr;
    # handlers others added (a test's log capture) stay.
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if isinstance(handler.formatter, _Formatter):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(_Formatter(prog))
    root.addHandler(handler)
    root.setLevel(level)


def _fail(prog: str, message: str, status: int, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    message = ' '.join(line.strip() for line in message.splitlines())
    print(f'{prog}: {message}', file=sys.stderr)
    return status


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    prog, debug = parser.prog, False
    try:
        args, extra = parser.parse_known_args(argv)
        prog, debug = f'{prog} {args.command or ""}'.strip(), args.debug
        if not args.verbose:
            # Progress bars of other libraries that leave it to tqdm's
            # defaults (transformers' weight loading, its GGUF conversion)
            # stay off; lgir_pyg's own bars choose for themselves.
            os.environ.setdefault('TQDM_DISABLE', '1')
            os.environ.setdefault('HF_HUB_DISABLE_PROGRESS_BARS', '1')
        _log_to_stderr(prog, logging.INFO if args.verbose else
                       logging.WARNING)
        if extra:
            raise CommandLineError(prog, f"unrecognized arguments: "
                                f"{' '.join(extra)}")
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        return args.run(args) or 0
    except KeyboardInterrupt:
        return _fail(prog, 'interrupted', 130, debug)
    except SystemExit as e:
        if not isinstance(e.code, str):
            raise  # --help and --version
        return _fail(prog, f'error: {e.code}', 1, debug)
    except (LGIRError, OSError) as e:
        status = e.exit_code if isinstance(e, LGIRError) else 1
        return _fail(getattr(e, 'prog', prog), f'error: {e}', status, debug)


if __name__ == '__main__':
    sys.exit(main())
