import argparse

HELP = ('Complete resumes with an LLM (SRC or IRC) and write them as JSON '
        'lines.')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli._args import positive_int, writable_file
    from lgir_pyg.cli._data import add_config_arguments, add_threads_argument
    from lgir_pyg.cli._llm import add_generation_arguments
    parser.add_argument('--mode', choices=['src', 'irc'], default='irc')
    parser.add_argument('--limit', type=positive_int, default=None,
                        help='only the first N users')
    parser.add_argument('--k', type=positive_int, default=None,
                        help='training interactions shown by IRC (default: '
                        'the config\'s prompts.k, else 5)')
    parser.add_argument('--output', type=writable_file, default=None,
                        help='JSON lines file (.gz compresses), written as '
                        'each resume is done, so a stopped run keeps them; '
                        'default: print to stdout')
    add_config_arguments(parser)
    add_generation_arguments(parser)
    add_threads_argument(parser)


def run(args: argparse.Namespace) -> int:
    import json
    import sys
    import time
    from dataclasses import fields

    from lgir_pyg.cli._data import run_config, set_threads
    from lgir_pyg.cli._llm import generation_shortcuts
    from lgir_pyg.config import DataConfig
    from lgir_pyg.datasets.graph import interaction_edge_type
    from lgir_pyg.factories import build_llm, resume_prompts
    from lgir_pyg.llm.resumes import write_resumes
    from lgir_pyg.pipeline import open_dataset
    from lgir_pyg.transforms import user_prompts

    # Every user's prompt is completed: resumes made elsewhere are not read.
    data_keys = {f'data.{f.name}' for f in fields(DataConfig)
                 if f.name not in ('resumes', 'missing_resumes')}
    config = run_config(args, shortcuts=generation_shortcuts(args),
                        uses={'llm', 'prompts', *data_keys})
    builder = resume_prompts(config, args.mode, **(
        {} if args.k is None else {'k': args.k}))
    _, data, root = open_dataset(config)
    set_threads(args.threads)
    generator = build_llm(config, root)
    edge_type = interaction_edge_type(data)
    prompts = user_prompts(data, builder, edge_type)[:args.limit]
    user_type = edge_type[0]
    users_all = data[user_type].node_id
    users = users_all[:args.limit]
    start = time.perf_counter()
    settings = generator.settings
    # Each record as soon as its resume is final, in that order.
    records = ({
        'user': users[i], 'mode': args.mode, 'model': generator.name,
        'template': builder.version, 'prompt': prompts[i], 'resume': resume,
        **generator.details[i], 'settings': settings
    } for i, resume in generator.stream(prompts, builder.version))
    if args.output:
        count = write_resumes(args.output, records)
        print(f'wrote {count} resumes to {args.output}')
    else:
        for record in records:
            print(json.dumps(record, ensure_ascii=False), flush=True)
    seconds = time.perf_counter() - start
    print(f'{generator.name} ({builder.version}): {generator.num_cached} '
          f'from cache, {generator.num_generated} generated in '
          f'{seconds:.1f}s; {builder.num_truncated} texts cut to fit the '
          f'prompt budget across all {len(users_all)} users',
          file=sys.stderr)
    return 0
