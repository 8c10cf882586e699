r"""How good the SRC and IRC resumes of KaggleJobViews are (the ones the
dataset attaches as :obj:`data['user'].resume_src` / :obj:`resume_irc`),
over all users and per training-interaction group (1, 2, 3-5, 6+):

* cut-off: generation ran out of tokens on its last attempt (from each
  record's :obj:`finish_reason`; records without one, as in release 0.1,
  count as cut when their answer is :obj:`--budget` tokens long or more),
* loop: a two-word phrase occurs 4 or more times,
* distinct: distinct resumes per user,
* invented durations: an "N years" that neither the user's text nor the
  jobs shown state,
* fabrication: the share of a resume's content words found neither in the
  user's own text nor in their 5 most recent training jobs (the mean over
  resumes with content words).

Both modes are measured against the same sources, so the rates compare.
Writes :obj:`benchmarks/results/fabrication<suffix>.json` and
:obj:`.md` (with examples; with a before/after table when
:obj:`fabrication_before.json` exists).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fabrication.py
"""
import argparse
import json
import os.path as osp
from typing import Dict, List

from lgir_pyg.benchmarks.timing import command, write_json
from lgir_pyg.datasets import KaggleJobViews
from lgir_pyg.datasets.kaggle_job_views import shipped_resumes_path
from lgir_pyg.datasets.stats import group_of
from lgir_pyg.llm.fabrication import fabrication_rate, resume_quality
from lgir_pyg.llm.resumes import read_resumes
from lgir_pyg.transforms import recent_item_texts

RESULTS = osp.join(osp.dirname(osp.abspath(__file__)), 'results')
EXAMPLE_USERS = (1, 2, 5, 40)  # Fixed picks: texts of several lengths.
METRICS = ('cut_off', 'loop', 'distinct', 'invented_durations',
           'fabrication')


def cut_off_flags(mode: str, user_ids: List[str], budget: int) -> List[bool]:
    records = {str(r['user']): r for r in read_resumes(
        shipped_resumes_path(mode))}
    tokenizer = None
    flags = []
    for user in user_ids:
        record = records[user]
        if 'finish_reason' in record:
            flags.append(record['finish_reason'] == 'length')
            continue
        if tokenizer is None:
            from transformers import AutoTokenizer

            from lgir_pyg.llm.generators import (DEFAULT_GGUF,
                                                 default_model_path)
            tokenizer = AutoTokenizer.from_pretrained(
                default_model_path(), gguf_file=DEFAULT_GGUF)
        # Release 0.1 started every answer with "Skills:" for the model.
        answer = record['resume'][len('Skills:'):]
        flags.append(len(tokenizer.encode(answer, add_special_tokens=False))
                     >= budget)
    return flags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--suffix', default='',
                        help='results file suffix, e.g. _before')
    parser.add_argument('--budget', type=int, default=38,
                        help='token length that counts as cut off in '
                        'records without finish_reason (release 0.1 cut at '
                        '40; re-tokenising the text can lose a token or '
                        'two)')
    args = parser.parse_args()

    data = KaggleJobViews()[0]
    users = data['user']
    sources = [[text] + items for text, items in
               zip(users.text, recent_item_texts(data, k=5))]
    masks = {'all': [True] * users.num_nodes}
    masks.update({name: mask.tolist() for name, mask in
                  group_of(users.num_train_interactions).items()})
    masks['empty self-description'] = [not t for t in users.text]
    result: Dict = {'command': command(), 'modes': {}}
    resumes = {}
    for mode in ('src', 'irc'):
        resumes[mode] = users[f'resume_{mode}']
        cut = cut_off_flags(mode, list(users.node_id), args.budget)
        result['modes'][mode] = {
            name: resume_quality(
                [r for r, m in zip(resumes[mode], mask) if m],
                [s for s, m in zip(sources, mask) if m],
                [c for c, m in zip(cut, mask) if m])
            for name, mask in masks.items()
        }
    write_json(osp.join(RESULTS, f'fabrication{args.suffix}.json'), result)

    lines = [
        '# Resume quality: SRC vs IRC (KaggleJobViews, all 3,448 users)', '',
        f'Command: `{command()}`. Rates over users (lower is better, '
        'except distinct); fabrication is the share of a resume\'s content '
        'words found in neither the user\'s own text nor their 5 most '
        'recent training jobs. See the docstring of '
        '`benchmarks/fabrication.py` for each definition.', ''
    ]
    lines += table(result)
    before_path = osp.join(RESULTS, 'fabrication_before.json')
    if args.suffix != '_before' and osp.exists(before_path):
        with open(before_path) as f:
            before = json.load(f)
        lines += ['', '## Before (release 0.1 resumes) and after', '',
                  f"Before: `{before['command']}` on the resumes shipped "
                  'before; after: the table above.', '']
        lines += table(before, result)
    lines += ['', '## Examples', '']
    for user in EXAMPLE_USERS:
        lines.append(f'### User {users.node_id[user]}')
        lines.append('')
        lines.append(f"- self-description: "
                     f"{users.text[user][:300] or '(empty)'}")
        lines.append(f"- training jobs shown to IRC: "
                     f"{'; '.join(sources[user][1:])}")
        for mode in ('src', 'irc'):
            text = resumes[mode][user].replace('\n', ' / ')
            rate = fabrication_rate(resumes[mode][user], sources[user])
            lines.append(f'- {mode.upper()} (fabrication {rate:.2f}): {text}')
        lines.append('')
    with open(osp.join(RESULTS, f'fabrication{args.suffix}.md'), 'w') as f:
        f.write('\n'.join(lines))
    print('\n'.join(lines))


def table(result: Dict, after: Dict = None) -> List[str]:
    r"""A markdown table: one row per user group, SRC and IRC per metric
    (as before -> after when :obj:`after` is given)."""
    head = '| users | ' + ' | '.join(
        f'{m} {mode.upper()}' for m in METRICS for mode in ('src', 'irc'))
    lines = [head + ' |', '|---' * (1 + 2 * len(METRICS)) + '|']
    for name, row in result['modes']['src'].items():
        cells = []
        for metric in METRICS:
            for mode in ('src', 'irc'):
                value = result['modes'][mode][name][metric]
                cell = f'{value:.3f}'
                if after is not None:
                    cell += f" → {after['modes'][mode][name][metric]:.3f}"
                cells.append(cell)
        lines.append(f"| {name} (n={row['num_users']}) | " +
                     ' | '.join(cells) + ' |')
    return lines


if __name__ == '__main__':
    main()
