r"""The :obj:`lgir` command. A user error (an
:class:`~lgir_pyg.errors.LGIRError`, an :obj:`OSError` or a bad argument)
prints one line, :obj:`lgir <command>: error: <message>`, on stderr and
exits with status 2 for usage errors (arguments, config values) and 1 for
other failures; :obj:`--debug` also prints the traceback. An interrupt
exits with status 130."""
import argparse
import importlib
import logging
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
    debug = dict(action='store_true',
                 help='show the traceback of an error')
    parser.add_argument('--debug', **debug)
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(f'lgir_pyg.cli.{module_name}')
        sub = subparsers.add_parser(name, help=module.HELP,
                                    description=module.HELP)
        module.add_arguments(sub)
        # Also after the command; SUPPRESS keeps a top-level --debug.
        sub.add_argument('--debug', default=argparse.SUPPRESS, **debug)
        sub.set_defaults(run=module.run)
    return parser


def _fail(prog: str, message: str, status: int, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    message = ' '.join(line.strip() for line in message.splitlines())
    print(f'{prog}: {message}', file=sys.stderr)
    return status


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format='%(message)s')
    parser = build_parser()
    prog, debug = parser.prog, False
    try:
        args, extra = parser.parse_known_args(argv)
        prog, debug = f'{prog} {args.command or ""}'.strip(), args.debug
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
