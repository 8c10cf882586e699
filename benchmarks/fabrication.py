r"""Fabrication rate of the shipped SRC and IRC resumes of KaggleJobViews:
per resume, the share of its content words found neither in the user's own
text nor in the jobs an IRC prompt shows (the user's k=5 most recent
training jobs). Both modes are measured against the same sources, so the
rates compare. Writes :obj:`benchmarks/results/fabrication.json` and
:obj:`fabrication.md` with a few example resumes of each mode.

    .venv/bin/python benchmarks/fabrication.py
"""
import os.path as osp

from lgir_pyg.bench.timing import command, write_json
from lgir_pyg.datasets import KaggleJobViews
from lgir_pyg.datasets.stats import group_of
from lgir_pyg.llm import recent_training_jobs
from lgir_pyg.llm.fabrication import fabrication_rate, summarize_rates
from lgir_pyg.llm.resumes import load_resumes

RESULTS = osp.join(osp.dirname(osp.abspath(__file__)), 'results')
EXAMPLE_USERS = (1, 2, 5, 40)  # Fixed picks: texts of several lengths.


def main() -> None:
    data = KaggleJobViews()[0]
    jobs = recent_training_jobs(data, k=5)
    sources = [[text] + [data['job'].text[j] for j in js]
               for text, js in zip(data['user'].text, jobs)]
    groups = group_of(data['user'].num_train_interactions)
    result = {'command': command(), 'modes': {}}
    resumes = {}
    for mode in ('src', 'irc'):
        resumes[mode] = load_resumes(data, mode)
        rates = [fabrication_rate(r, s)
                 for r, s in zip(resumes[mode], sources)]
        result['modes'][mode] = {
            'all': summarize_rates(rates),
            'empty_self_description': summarize_rates(
                r for r, t in zip(rates, data['user'].text) if not t),
            'by_train_interactions': {
                name: summarize_rates(r for r, m in zip(rates, mask) if m)
                for name, mask in groups.items()
            },
        }
    write_json(osp.join(RESULTS, 'fabrication.json'), result)

    lines = [
        '# Fabrication rate: SRC vs IRC resumes (KaggleJobViews)', '',
        f'Command: `{command()}`. Share of a resume\'s content words found '
        'in neither the user\'s own text nor their 5 most recent training '
        'jobs (lower is better); the mean over resumes with content words.',
        '', '| users | SRC | IRC |', '|---|---|---|'
    ]
    modes = result['modes']
    rows = [('all', modes['src']['all'], modes['irc']['all']),
            ('empty self-description', modes['src']['empty_self_description'],
             modes['irc']['empty_self_description'])]
    rows += [(f'{name} training interactions',
              modes['src']['by_train_interactions'][name],
              modes['irc']['by_train_interactions'][name]) for name in groups]
    for name, src, irc in rows:
        lines.append(f"| {name} (n={src['num_resumes']}) | "
                     f"{src['mean']:.3f} | {irc['mean']:.3f} |")
    lines += ['', '## Examples', '']
    for user in EXAMPLE_USERS:
        lines.append(f"### User {data['user'].node_id[user]}")
        lines.append('')
        lines.append(f"- self-description: "
                     f"{data['user'].text[user][:300] or '(empty)'}")
        lines.append(f"- training jobs shown to IRC: "
                     f"{'; '.join(sources[user][1:])}")
        for mode in ('src', 'irc'):
            text = resumes[mode][user].replace('\n', ' ')
            rate = fabrication_rate(resumes[mode][user], sources[user])
            lines.append(f'- {mode.upper()} (fabrication {rate:.2f}): {text}')
        lines.append('')
    with open(osp.join(RESULTS, 'fabrication.md'), 'w') as f:
        f.write('\n'.join(lines))
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
