import argparse
import importlib
import logging
import sys
from typing import List, Optional

import lgir_pyg

# The one place where subcommands are registered: each name is a module
# lgir_pyg.cli.<name> with HELP, add_arguments(parser) and run(args).
SUBCOMMANDS = ['data', 'complete', 'encode', 'train', 'recommend', 'bench',
               'pipeline']


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='lgir', description='LGIR job recommendation with PyG: data, '
        'resume completion, training and benchmarks.')
    parser.add_argument('--version', action='version',
                        version=f'lgir_pyg {lgir_pyg.__version__}')
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name in SUBCOMMANDS:
        module = importlib.import_module(f'lgir_pyg.cli.{name}')
        sub = subparsers.add_parser(name, help=module.HELP,
                                    description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format='%(message)s')
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return args.run(args) or 0


if __name__ == '__main__':
    sys.exit(main())
