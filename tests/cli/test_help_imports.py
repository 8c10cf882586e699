import subprocess
import sys
import textwrap

# Modules that take seconds to import: none may load while `lgir --help` or
# a subcommand's help is printed (benchmarks/cli_startup.py times it).
HEAVY = ('torch', 'torch_geometric', 'transformers', 'sentence_transformers',
         'pandas', 'sklearn', 'matplotlib')

SCRIPT = textwrap.dedent('''
    import contextlib, io, sys
    from lgir_pyg.cli.main import SUBCOMMANDS, build_parser

    sizes = []
    for args in [['--help']] + [[name, '--help'] for name in SUBCOMMANDS]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), \\
                contextlib.suppress(SystemExit):
            build_parser().parse_args(args)
        sizes.append(len(out.getvalue()))
    print(min(sizes))
    print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))
''')


def help_modules(prelude: str = ''):
    proc = subprocess.run([sys.executable, '-c', prelude + SCRIPT],
                          capture_output=True, text=True, check=True)
    shortest_help, modules = proc.stdout.splitlines()
    return int(shortest_help), set(modules.split())


def test_help_imports_nothing_heavy():
    shortest_help, modules = help_modules()
    assert shortest_help > 100  # Every help was printed.
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_the_check_sees_a_heavy_import():
    # The same check after importing torch first finds it.
    _, modules = help_modules('import torch\n')
    assert 'torch' in modules
