import argparse
import os.path as osp

HELP = ('Complete resumes with an LLM (SRC or IRC) for the default dataset '
        'and write them as JSON lines.')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.datasets.kaggle_job_views import lgir_home
    parser.add_argument('--mode', choices=['src', 'irc'], default='irc')
    parser.add_argument('--limit', type=int, default=None,
                        help='only the first N users')
    parser.add_argument('--model', default=None,
                        help='HF model id or local folder (default: bundled '
                        'SmolLM2-135M-Instruct GGUF)')
    parser.add_argument('--gguf-file', default=None,
                        help='GGUF file inside --model')
    parser.add_argument('--k', type=int, default=5,
                        help='training interactions shown by IRC')
    parser.add_argument('--max-new-tokens', type=int, default=64)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--cache', default=osp.join(
        lgir_home(), "kaggle_job_views", "llm_cache.sqlite"),
                        help='SQLite completion cache (default: %(default)s)')
    parser.add_argument('--output', default=None,
                        help='JSON lines file (.gz compresses); default: '
                        'print to stdout')


def run(args: argparse.Namespace) -> int:
    import json
    import sys
    import time

    from lgir_pyg.datasets import KaggleJobViews
    from lgir_pyg.llm import (CachedGenerator, GenerationCache,
                              HFTextGenerator, ResumePrompts)
    from lgir_pyg.llm.resumes import write_resumes

    if args.limit is not None and args.limit < 1:
        raise SystemExit(f'--limit must be positive (got {args.limit})')
    data = KaggleJobViews()[0]
    builder = ResumePrompts(mode=args.mode, k=args.k)
    prompts = builder.build(data)[:args.limit]
    users_all = data['user'].node_id
    users = users_all[:args.limit]
    generator = CachedGenerator(
        HFTextGenerator(args.model, args.gguf_file, args.max_new_tokens,
                        batch_size=args.batch_size),
        GenerationCache(args.cache))
    start = time.perf_counter()
    resumes = generator.generate(prompts, builder.version)
    seconds = time.perf_counter() - start
    records = ({
        'user': user, 'mode': args.mode, 'model': generator.name,
        'template': builder.version, 'prompt': prompt, 'resume': resume
    } for user, prompt, resume in zip(users, prompts, resumes))
    if args.output:
        count = write_resumes(args.output, records)
        print(f'wrote {count} resumes to {args.output}')
    else:
        for record in records:
            print(json.dumps(record, ensure_ascii=False))
    print(f'{generator.name} ({builder.version}): {generator.num_cached} '
          f'from cache, {generator.num_generated} generated in '
          f'{seconds:.1f}s; {builder.num_truncated} texts cut to fit the '
          f'prompt budget across all {len(users_all)} users',
          file=sys.stderr)
    return 0
