import argparse

HELP = ('The main job end to end (on the bundled default unless the config '
        'names your own tables): dataset, LLM resume completion, text '
        'encoding, LGIR against LightGCN and the baselines.')
MODELS = ('lightgcn', 'job-mean', 'lightgcn-text', 'lgir')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli._args import non_negative_int
    from lgir_pyg.cli._data import add_config_arguments, add_threads_argument
    parser.add_argument('--seed', type=non_negative_int, default=None,
                        help='seed of every model (default: 0)')
    parser.add_argument('--live-users', type=non_negative_int, default=2,
                        help='users whose IRC resume is generated live by '
                        'the configured LLM, to show it runs (the others '
                        'come from the dataset or the completion cache; '
                        'default: 2)')
    add_threads_argument(parser)
    parser.add_argument('--device', default=None,
                        help="torch device of the in-process LLM, encoding "
                        "and training, e.g. 'cuda': sets llm.device, "
                        "encoder.device and each model's train.device "
                        "(default: the CPU)")
    add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from lgir_pyg.cli._data import prepare, run_config
    from lgir_pyg.config import SECTIONS
    from lgir_pyg.datasets import interaction_edge_type
    from lgir_pyg.datasets.stats import dataset_stats, format_stats
    from lgir_pyg.evaluation import Evaluator, paired_difference
    from lgir_pyg.factories import generator_factory, resume_prompts
    from lgir_pyg.pipeline import dataset_name
    from lgir_pyg.transforms import user_prompts

    base = run_config(args, shortcuts={'seed': args.seed,
                                       'encoder.device': args.device},
                      uses={'seed', *SECTIONS}, models=MODELS)
    if args.device and base.llm.get('backend', 'hf') == 'hf':
        base.llm.setdefault('device', args.device)  # The in-process LLM.
    dataset, data, root = prepare(base, MODELS, args.threads)
    edge_type = interaction_edge_type(data)
    user_type, _, item_type = edge_type
    users = data[user_type]
    print(f'== 1. Dataset: {dataset_name(dataset)}, split per user')
    print(format_stats(dataset_stats(data)))

    print('\n== 2. Interactive resume completion (IRC), live for '
          f'{args.live_users} users')
    builder = resume_prompts(base, 'irc')
    prompts = user_prompts(data, builder, edge_type)[:args.live_users]
    if prompts:
        live = generator_factory(base, root)('irc').generate(
            prompts, builder.version)
        for user, (prompt, text) in enumerate(zip(prompts, live)):
            print(f"-- {user_type} {users.node_id[user]}\n{prompt}\n"
                  f"-> live: {text}\n-> used: {users.resume_irc[user]}\n")
    print(f'{len(users.resume_irc):,} IRC resumes on the graph '
          f'(data[{user_type!r}].resume_irc)')

    print('\n== 3. Train and evaluate (test split, full ranking)')
    evaluator = Evaluator(data)
    per_user, rows = {}, []
    for name in MODELS:
        config = base.for_model(name)
        if args.device:
            config.train['device'] = args.device
        model, result = config.run(data, evaluator=evaluator, progress=True)
        test = evaluator.evaluate(model.scorer(), 'test', per_user=True)
        per_user[name] = test['per_user']['ndcg@5']
        rows.append((name, result['test'], result['test_groups'],
                     result['test_item_side']))
        trained = (f"best epoch {result['best_epoch']}, "
                   f"{result['seconds_per_epoch']:.2f} s per epoch"
                   if result['seconds_per_epoch'] else 'no training')
        print(f"{name}: NDCG@5 {result['test']['ndcg@5']:.4f} ({trained})",
              flush=True)

    print(f"\n| model | NDCG@5 | MRR | Recall@20 | NDCG@5, {user_type}s "
          f"with 1 training interaction | NDCG@5, {user_type}s ranked for "
          f"each held-out {item_type} |\n|---|---|---|---|---|---|")
    for name, test, groups, item_side in rows:
        one = groups['1']['ndcg@5']
        print(f"| {name} | {test['ndcg@5']:.4f} | {test['mrr']:.4f} | "
              f"{test['recall@20']:.4f} | "
              f"{'n/a' if one is None else f'{one:.4f}'} | "
              f"{item_side['ndcg@5']:.4f} |")
    print()
    for other in MODELS[:-1]:
        d = paired_difference([per_user['lgir']], [per_user[other]])
        print(f"lgir - {other}: NDCG@5 {d['mean']:+.4f} ± {d['se']:.4f} "
              f"(paired over {d['num_examples']:,} test examples)")
    return 0
