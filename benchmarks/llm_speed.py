r"""Speed of lgir_pyg's resume completion (:class:`CachedGenerator` over
:class:`HFTextGenerator`, with an empty cache) against a bare
:meth:`model.generate` on the same loaded model, the same chat-rendered
IRC prompts of KaggleJobViews users and the same batch size; then the time
of a fully cached re-run, and peak memory.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/llm_speed.py
"""
import argparse
import os.path as osp
import tempfile

import torch

from lgir_pyg.bench.timing import (alternate, command, machine, median,
                                   peak_rss_mib, write_json)

RESULTS = osp.join(osp.dirname(osp.abspath(__file__)), 'results',
                   'llm_speed.json')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--num-prompts', type=int, default=32)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--max-new-tokens', type=int, default=40)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from lgir_pyg.datasets import KaggleJobViews
    from lgir_pyg.llm import (CachedGenerator, GenerationCache,
                              HFTextGenerator, ResumePrompts)

    builder = ResumePrompts('irc')
    # Every 100th user: a spread of prompt lengths, not just the first ids.
    prompts = builder.build(KaggleJobViews()[0])[::100][:args.num_prompts]
    llm = HFTextGenerator(max_new_tokens=args.max_new_tokens,
                          batch_size=args.batch_size)
    llm.load()
    model, tok = llm._model, llm._tokenizer
    chats = llm.chat(prompts)
    # The pipeline sorts prompts by length; give the bare call the same
    # batches so both pad alike.
    order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
    batches = [[chats[i] for i in order[s:s + args.batch_size]]
               for s in range(0, len(order), args.batch_size)]
    num_tokens = {}

    def bare() -> None:
        count = 0
        for batch in batches:
            inputs = tok(batch, return_tensors='pt', padding=True,
                         add_special_tokens=False)
            with torch.inference_mode():
                out = model.generate(
                    **inputs, do_sample=False,
                    max_new_tokens=args.max_new_tokens,
                    repetition_penalty=llm.repetition_penalty,
                    pad_token_id=tok.pad_token_id)
            new = out[:, inputs['input_ids'].size(1):]
            count += int((new != tok.pad_token_id).sum())
        num_tokens['bare'] = count

    def pipeline(cache_path: str) -> CachedGenerator:
        gen = CachedGenerator(llm, GenerationCache(cache_path),
                              show_progress=False)
        gen.generate(prompts, builder.version)
        return gen

    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1000))
        times = alternate({
            'lgir_pyg CachedGenerator (empty cache)':
            lambda: pipeline(osp.join(tmp, f'{next(counter)}.sqlite')),
            'bare model.generate': bare,
        }, args.runs)
        cached = alternate({'cached re-run': lambda: pipeline(
            osp.join(tmp, '0.sqlite'))}, args.runs)['cached re-run']

    tokens = num_tokens['bare']
    rows = {
        name: {'median_s': median(ts), 'runs_s': ts,
               'tokens_per_s': tokens / median(ts)}
        for name, ts in times.items()
    }
    ours, bare_row = rows.values()
    result = {
        'command': command(),
        'model': llm.name,
        'dtype': llm.dtype,
        'num_prompts': len(prompts),
        'batch_size': args.batch_size,
        'max_new_tokens': args.max_new_tokens,
        'generated_tokens': tokens,
        'runs': args.runs,
        **machine(),
        'results': rows,
        'speed_ratio': bare_row['median_s'] / ours['median_s'],
        'cached_rerun_median_s': median(cached),
        'peak_rss_mib': peak_rss_mib(),
    }
    write_json(RESULTS, result)
    print(f"{llm.name} ({llm.dtype}), {len(prompts)} IRC prompts, batch "
          f"size {args.batch_size}, {args.max_new_tokens} new tokens, "
          f"torch.set_num_threads({args.threads}), median of {args.runs} "
          f"alternating runs\n")
    print('| call | median (s) | tokens/s |')
    print('|---|---|---|')
    for name, row in rows.items():
        print(f"| {name} | {row['median_s']:.2f} | "
              f"{row['tokens_per_s']:.1f} |")
    print(f"\nspeed ratio (ours / bare tokens/s): {result['speed_ratio']:.3f}"
          f"x; cached re-run: {result['cached_rerun_median_s']:.3f} s; peak "
          f"RSS: {result['peak_rss_mib']:.0f} MiB\nwrote {RESULTS}")


if __name__ == '__main__':
    main()
