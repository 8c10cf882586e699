import argparse

HELP = ('The main job end to end on the bundled default: dataset, LLM resume '
        'completion, text encoding, LGIR against LightGCN and the baselines.')
MODELS = ('lightgcn', 'job-mean', 'lightgcn-text', 'lgir')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--live-users', type=int, default=2,
                        help='users whose IRC resume is generated live by '
                        'the bundled LLM, to show it runs (the rest are the '
                        'shipped resumes; default: 2)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch.set_num_threads (default: 1)')


def run(args: argparse.Namespace) -> int:
    import os.path as osp

    import torch

    from lgir_pyg.bench.quality import paired_difference
    from lgir_pyg.cli.train import load_dataset
    from lgir_pyg.config import load_config
    from lgir_pyg.datasets.kaggle_job_views import DEFAULT_ROOT
    from lgir_pyg.datasets.stats import dataset_stats, format_stats
    from lgir_pyg.llm import (CachedGenerator, GenerationCache,
                              HFTextGenerator, ResumePrompts)
    from lgir_pyg.llm.resumes import load_resumes
    from lgir_pyg.training import Evaluator

    torch.set_num_threads(args.threads)
    print('== 1. Dataset: KaggleJobViews, split per user by time')
    data, cache_dir = load_dataset(None)
    print(format_stats(dataset_stats(data)))

    print('\n== 2. Interactive resume completion (IRC) with the bundled LLM')
    builder = ResumePrompts('irc')
    prompts = builder.build(data)
    shipped = load_resumes(data, 'irc')
    generator = CachedGenerator(
        HFTextGenerator(max_new_tokens=40),
        GenerationCache(osp.join(osp.dirname(DEFAULT_ROOT),
                                 'llm_cache.sqlite')),
        show_progress=False)
    live = generator.generate(prompts[:args.live_users], builder.version)
    for user in range(args.live_users):
        print(f"-- user {data['user'].node_id[user]}\n{prompts[user]}\n"
              f"-> live: {live[user]}\n-> shipped: {shipped[user]}\n")
    print(f'{len(shipped)} shipped IRC resumes (see '
          f'datasets/kaggle_job_views/README.md for the command)')

    print('\n== 3. Train and evaluate (test split, full ranking)')
    evaluator = Evaluator(data)
    per_user, rows = {}, []
    for name in MODELS:
        config = load_config(name, overrides={'seed': args.seed})
        model, result = config.run(data, cache_dir=cache_dir,
                                   evaluator=evaluator)
        test = evaluator.evaluate(model.scorer(), 'test', per_user=True)
        per_user[name] = test['per_user']['ndcg@5']
        rows.append((name, result['test'], result['test_groups']))
        print(f"{name}: NDCG@5 {result['test']['ndcg@5']:.4f}", flush=True)

    print("\n| model | NDCG@5 | MRR | Recall@20 | NDCG@5, users with 1 "
          "training interaction |\n|---|---|---|---|---|")
    for name, test, groups in rows:
        print(f"| {name} | {test['ndcg@5']:.4f} | {test['mrr']:.4f} | "
              f"{test['recall@20']:.4f} | {groups['1']['ndcg@5']:.4f} |")
    print()
    for other in MODELS[:-1]:
        d = paired_difference([per_user['lgir']], [per_user[other]])
        print(f"lgir - {other}: NDCG@5 {d['mean']:+.4f} ± {d['se']:.4f} "
              f"(paired over {d['num_examples']} test examples)")
    return 0
