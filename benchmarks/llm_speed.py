r"""Speed of lgir_pyg's resume completion against the same model driven
directly, on chat-rendered IRC prompts of KaggleJobViews users (every 100th
user, so a spread of prompt lengths):

* HF backend: :class:`CachedGenerator` over :class:`HFTextGenerator` (empty
  cache, default decoding, raw answers) against the backend's own
  :meth:`generate` on the same batches (the pipeline's overhead), against
  the backend with :obj:`share_prefix=False` (every row runs its whole
  prompt: what computing the shared system message and worked examples
  once saves), and against a bare :meth:`model.generate` with plain greedy
  decoding and the same token budget (no stop rule or bans; every row
  writes the whole budget, so it makes more tokens); then a fully cached
  re-run. Seconds per resume and tokens per second for each.
* Server backend: :class:`OpenAIGenerator` (through :class:`CachedGenerator`,
  empty cache) against plain :obj:`openai` calls from a thread pool of the
  same size, at concurrency 1, 4 and 16, both on one
  :obj:`transformers serve` of the bundled model on 127.0.0.1.

Tokens are the generated answers re-tokenised, the same way for all.
Writes :obj:`benchmarks/results/llm_speed.json` and :obj:`llm_speed.md`.

With :obj:`--dtypes` or :obj:`--batch-sizes`, measures only
:meth:`HFTextGenerator.generate` with each weight dtype or batch size on
the same prompts (what :obj:`dtype="auto"` and the default batch size are
chosen by) and updates that section of the results, keeping the others.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/llm_speed.py --threads 1
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/llm_speed.py --threads 1 \
        --dtypes bfloat16 float32
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/llm_speed.py --threads 1 \
        --batch-sizes 16 8 32
"""
import argparse
import json
import os.path as osp
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import torch

from lgir_pyg.benchmarks.timing import (alternate, command, machine,
                                        median, peak_rss_mib, write_json)

RESULTS = osp.join(osp.dirname(osp.abspath(__file__)), 'results',
                   'llm_speed.json')
# The sections measured on their own (--dtypes, --batch-sizes): the
# setting they vary and their title.
SECTIONS = {'dtypes': ('dtype', 'Weight dtype'),
            'batch_sizes': ('batch_size', 'Batch size')}


def rows(times: Dict[str, List[float]], tokens: Dict[str, int],
         num_prompts: int) -> Dict[str, Dict]:
    return {name: {'median_s': median(ts), 'runs_s': ts,
                   's_per_resume': median(ts) / num_prompts,
                   'tokens': tokens[name],
                   'tokens_per_s': tokens[name] / median(ts)}
            for name, ts in times.items()}


def irc_prompts(num_prompts: int) -> List[str]:
    r"""Every 100th KaggleJobViews user's IRC prompt, the first
    :obj:`num_prompts` of them."""
    from lgir_pyg.datasets import KaggleJobViews
    from lgir_pyg.llm import ResumePrompts
    from lgir_pyg.transforms import user_prompts
    prompts = user_prompts(KaggleJobViews()[0], ResumePrompts('irc'))
    return [p for p in prompts[::100] if p][:num_prompts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--num-prompts', type=int, default=32)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--server-prompts', type=int, default=16)
    parser.add_argument('--server-tokens', type=int, default=32)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--dtypes', nargs='+', default=None,
                        help='only compare these weight dtypes')
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=None,
                        help='only compare these batch sizes')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for key in SECTIONS:
        if getattr(args, key):
            return compare(args, key, getattr(args, key))

    from lgir_pyg.datasets.kaggle_job_views import lgir_home
    from lgir_pyg.llm import (CachedGenerator, GenerationCache,
                              HFTextGenerator, OpenAIGenerator,
                              ResumePrompts)
    from lgir_pyg.llm.generators import DEFAULT_MODEL, export_plain_model
    from lgir_pyg.llm.openai_api import transformers_server

    version = ResumePrompts('irc').version
    all_prompts = irc_prompts(max(args.num_prompts, args.server_prompts))
    prompts = all_prompts[:args.num_prompts]
    llm = HFTextGenerator(batch_size=args.batch_size)
    llm.load()
    model, tok = llm._model, llm._tokenizer

    def count(texts: List[str]) -> int:
        return sum(len(tok.encode(t, add_special_tokens=False))
                   for t in texts)

    # The pipeline sorts prompts by length; the direct calls get the same
    # batches so that all pad alike.
    order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
    batches = [[prompts[i] for i in order[s:s + args.batch_size]]
               for s in range(0, len(order), args.batch_size)]
    budget = 3 * args.batch_size  # Filled in by `backend`.
    tokens: Dict[str, int] = {}

    def backend(name: str, share_prefix: bool = True) -> None:
        nonlocal budget
        llm.share_prefix = share_prefix
        texts = [c.text for b in batches for c in llm.generate(b)]
        llm.share_prefix = True
        tokens[name] = count(texts)
        budget = max(len(tok.encode(t)) for t in texts)

    def bare() -> None:
        texts = []
        for batch in batches:
            inputs = tok([c + llm.sections[0] for c in llm.chat(batch)],
                         return_tensors='pt', padding=True,
                         add_special_tokens=False)
            with torch.inference_mode():
                out = model.generate(**inputs, do_sample=False,
                                     max_new_tokens=budget,
                                     pad_token_id=tok.pad_token_id)
            texts += tok.batch_decode(out[:, inputs['input_ids'].size(1):],
                                      skip_special_tokens=True)
        tokens['bare model.generate (plain greedy)'] = count(texts)

    def pipeline(cache_path: str) -> None:
        # Raw answers (format=None), so that the tokens are the backend's;
        # checking the format costs microseconds per answer.
        gen = CachedGenerator(llm, GenerationCache(cache_path), format=None,
                              show_progress=False)
        tokens['lgir_pyg CachedGenerator (empty cache)'] = count(
            gen.generate(prompts, version))

    ours, shared, unshared = ('lgir_pyg CachedGenerator (empty cache)',
                              'HFTextGenerator.generate',
                              'HFTextGenerator.generate, share_prefix=False')
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1000))
        backend(shared)  # Warm-up; also sets the bare call's budget.
        hf_times = alternate({
            ours: lambda: pipeline(osp.join(tmp, f'{next(counter)}.sqlite')),
            shared: lambda: backend(shared),
            unshared: lambda: backend(unshared, share_prefix=False),
            'bare model.generate (plain greedy)': bare,
        }, args.runs)
        cached = alternate({'cached re-run': lambda: pipeline(
            osp.join(tmp, '0.sqlite'))}, args.runs)['cached re-run']
    hf = rows(hf_times, tokens, len(prompts))

    # The server backend against plain openai calls, one server for all.
    folder = export_plain_model(
        osp.join(lgir_home(), 'models', f'{DEFAULT_MODEL}-plain'))
    server_prompts = all_prompts[:args.server_prompts]
    server: Dict[str, Dict] = {}
    with transformers_server(folder, threads=args.threads) as base_url:
        for concurrency in (1, 4, 16):
            gen = OpenAIGenerator(folder, base_url, concurrency=concurrency,
                                  max_new_tokens=args.server_tokens)
            server_tokens: Dict[str, int] = {}

            def served(tmp: str) -> None:
                cached_gen = CachedGenerator(
                    gen, GenerationCache(osp.join(tmp, 'c.sqlite')),
                    format=None, show_progress=False)
                server_tokens['OpenAIGenerator'] = count(
                    cached_gen.generate(server_prompts, version))

            def direct() -> None:
                from lgir_pyg.llm.prompts import prompt_messages

                def one(prompt: str) -> str:
                    response = gen._client.chat.completions.create(
                        model=folder, max_tokens=args.server_tokens,
                        temperature=0.0, seed=0, messages=[
                            {'role': 'system',
                             'content': gen.system_message}] +
                        prompt_messages(prompt))
                    return response.choices[0].message.content
                with ThreadPoolExecutor(concurrency) as pool:
                    server_tokens['direct openai calls'] = count(
                        list(pool.map(one, server_prompts)))

            def served_fresh() -> None:
                with tempfile.TemporaryDirectory() as tmp:
                    served(tmp)

            times = alternate({'OpenAIGenerator': served_fresh,
                               'direct openai calls': direct}, args.runs)
            result = rows(times, server_tokens, len(server_prompts))
            result['speed_ratio'] = (
                result['OpenAIGenerator']['tokens_per_s'] /
                result['direct openai calls']['tokens_per_s'])
            server[f'concurrency {concurrency}'] = result

    result = {
        'command': command(),
        'model': llm.name,
        'dtype': llm.dtype,
        'template': version,
        'num_prompts': len(prompts),
        'batch_size': args.batch_size,
        'settings': llm.settings,
        'runs': args.runs,
        **machine(),
        'hf': hf,
        'hf_speed_ratio_vs_backend': hf[ours]['tokens_per_s'] /
        hf[shared]['tokens_per_s'],
        'shared_prefix_speedup': hf[unshared]['median_s'] /
        hf[shared]['median_s'],
        'hf_speed_ratio_vs_bare': hf[ours]['tokens_per_s'] / hf[
            'bare model.generate (plain greedy)']['tokens_per_s'],
        'cached_rerun_median_s': median(cached),
        'server': {'server': 'transformers serve (plain copy of the '
                   'bundled model, bfloat16, cpu)',
                   'num_prompts': len(server_prompts),
                   'max_new_tokens': args.server_tokens, **server},
        'peak_rss_mib': peak_rss_mib(),
    }
    lines = [f"{llm.name} ({llm.dtype}), {len(prompts)} IRC prompts "
             f"({version}), batch size {args.batch_size}, "
             f"torch.set_num_threads({args.threads}), median of "
             f"{args.runs} alternating runs; load average "
             f"{result['load_average'][0]:.1f} at the end", '',
             '| call | median (s) | s/resume | tokens | tokens/s |',
             '|---|---|---|---|---|']
    lines += [f"| {name} | {row['median_s']:.2f} | "
              f"{row['s_per_resume']:.2f} | {row['tokens']} | "
              f"{row['tokens_per_s']:.1f} |" for name, row in hf.items()]
    lines += ['', f"ours / backend: {result['hf_speed_ratio_vs_backend']:.3f}"
              f"x; shared beginning computed once: "
              f"{result['shared_prefix_speedup']:.2f}x faster than "
              f"share_prefix=False; ours / bare: "
              f"{result['hf_speed_ratio_vs_bare']:.3f}x; cached re-run: "
              f"{result['cached_rerun_median_s']:.3f} s", '',
              f'transformers serve, {len(server_prompts)} prompts, '
              f'{args.server_tokens} tokens each:', '',
              '| concurrency | OpenAIGenerator tokens/s | direct tokens/s | '
              'ratio |', '|---|---|---|---|']
    lines += [f"| {name.split()[1]} | "
              f"{row['OpenAIGenerator']['tokens_per_s']:.1f} | "
              f"{row['direct openai calls']['tokens_per_s']:.1f} | "
              f"{row['speed_ratio']:.3f} |" for name, row in server.items()]
    lines += ['', f"peak RSS: {result['peak_rss_mib']:.0f} MiB; wrote "
              f'{RESULTS}']
    print('\n'.join(lines))
    if osp.exists(RESULTS):  # The other sections are measured on their own.
        with open(RESULTS) as f:
            old = json.load(f)
        result.update({key: old[key] for key in SECTIONS if old.get(key)})
    write_json(RESULTS, result)
    write_markdown(f"# LLM speed\n\nCommand: `{result['command']}`\n\n" +
                   '\n'.join(lines[:-1]) + '\n', result)


def write_markdown(main: str, result: Dict[str, Any]) -> None:
    # The main section, then each section measured on its own.
    text = main
    for key, (param, title) in SECTIONS.items():
        section = result.get(key)
        if not section:
            continue
        base = section['rows'][section['baseline']]['runs_s']
        text += (f'\n## {title}\n\n'
                 f"Command: `{section['command']}`: "
                 f"HFTextGenerator.generate on {section['num_prompts']} IRC "
                 f"prompts ({section['template']}), batch size "
                 f"{section['batch_size']}, torch.set_num_threads("
                 f"{section['torch_num_threads']}), median of "
                 f"{section['runs']} alternating runs, on a shared "
                 'machine whose load changes from run to run; the speed-up '
                 "is the median over the runs of the baseline's time over "
                 "the variant's in the same round.\n\n"
                 f'| {param} | median (s) | s/resume | runs (s) | speed-up '
                 f"over {section['baseline']} |\n|---|---|---|---|---|\n")
        text += ''.join(
            f"| {name} | {row['median_s']:.1f} | "
            f"{row['median_s'] / section['num_prompts']:.2f} | "
            f"{', '.join(f'{t:.1f}' for t in row['runs_s'])} | "
            f"{median([b / t for b, t in zip(base, row['runs_s'])]):.2f}x |\n"
            for name, row in section['rows'].items())
        if 'auto' in section:
            text += (f"\n`dtype='auto'` resolves to {section['auto']} for "
                     'the bundled GGUF model on a CPU.\n')
    with open(RESULTS.replace('.json', '.md'), 'w') as f:
        f.write(text)


def compare(args: argparse.Namespace, key: str, values: List[Any]) -> None:
    r"""Times :meth:`HFTextGenerator.generate` with each value of one
    setting (:obj:`SECTIONS[key]`) on the same prompts, each in batches of
    its own batch size, and stores the section :obj:`key` of the
    results."""
    from lgir_pyg.llm import HFTextGenerator, ResumePrompts

    param = SECTIONS[key][0]
    prompts = irc_prompts(args.num_prompts)
    llms = {str(value): HFTextGenerator(**{'batch_size': args.batch_size,
                                           param: value})
            for value in values}
    for llm in llms.values():
        llm.load()

    def run(llm: HFTextGenerator) -> None:
        for s in range(0, len(prompts), llm.batch_size):
            llm.generate(prompts[s:s + llm.batch_size])

    times = alternate({name: lambda llm=llm: run(llm)
                       for name, llm in llms.items()}, args.runs)
    section = {
        'command': command(), 'template': ResumePrompts('irc').version,
        'num_prompts': len(prompts), 'batch_size': args.batch_size,
        'runs': args.runs, **machine(), 'baseline': str(values[0]),
        'rows': {name: {'median_s': median(ts), 'runs_s': ts}
                 for name, ts in times.items()},
    }
    if param == 'dtype':
        section['auto'] = HFTextGenerator().dtype
    result = {}
    if osp.exists(RESULTS):
        with open(RESULTS) as f:
            result = json.load(f)
    result[key] = section
    write_json(RESULTS, result)
    with open(RESULTS.replace('.json', '.md')) as f:
        main = f.read().split('\n## ')[0]
    write_markdown(main.rstrip('\n') + '\n', result)
    print(json.dumps(section, indent=2))


if __name__ == '__main__':
    main()
