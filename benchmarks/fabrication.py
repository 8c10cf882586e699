r"""How good the SRC and IRC resumes of KaggleJobViews are (the shipped ones
the dataset attaches as :obj:`data['user'].resume_src` / :obj:`resume_irc`),
over all users and per training-interaction group (1, 2, 3-5, 6+), with
the detectors of :mod:`lgir_pyg.llm.fabrication`. Both modes are measured
against the same sources, the user's own text and their 5 most recent
training jobs (what IRC is shown), so the rates compare:

* empty: no resume (SRC writes none for an empty self-description),
* most common: the share of users who have the most common non-empty text,
* distinct: distinct non-empty resumes per user,
* dangling: a line ends on a word that needs more ("in", "of", "and",
  "Proficient in", "Master of", ...) or a joining mark,
* out of tokens: generation ran out of tokens on its last attempt (the
  record's :obj:`finish_reason`; the repair trims such a line),
* loop: a two-word phrase occurs 4 or more times,
* invented degrees / titles / employers / durations: one that no source has,
* viewed as experience: the Experience line holds words of the viewed jobs
  that the user's own text does not have,
* degenerate: a line the LLM wrote is a degenerate list (items on one head
  word, near-duplicates, see
  :func:`lgir_pyg.llm.fabrication.degenerate_items`),
* fabrication: pooled over content words, the share of all the group's
  resume words that their own sources lack (an empty resume adds no word,
  so it neither lowers nor raises the rate); fabrication_generated: the
  same over the lines the LLM writes (Likely skills, Interests), without
  the Experience line copied from the user's own text.

Writes :obj:`benchmarks/results/fabrication<suffix>.json` and :obj:`.md`
(the goals of issue 18, and before -> after when
:obj:`fabrication_before.json` exists); :obj:`--sample N` also writes
:obj:`resumes_sample<suffix>.md`: N users drawn with :obj:`--seed`, their
own text, the jobs IRC was shown, and both resumes side by side.
:obj:`--src` and :obj:`--irc` measure other resume files (e.g. of
:obj:`lgir complete --limit N --output FILE`) on the users they hold.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fabrication.py --sample 20
"""
import argparse
import json
import os.path as osp
import random
import re
from typing import Dict, List

from lgir_pyg.benchmarks.timing import command, write_json
from lgir_pyg.datasets import KaggleJobViews
from lgir_pyg.datasets.kaggle_job_views import shipped_resumes_path
from lgir_pyg.datasets.stats import group_of
from lgir_pyg.llm import ResumeFormat
from lgir_pyg.llm.fabrication import resume_quality
from lgir_pyg.llm.resumes import read_resumes
from lgir_pyg.transforms import recent_item_texts

RESULTS = osp.join(osp.dirname(osp.abspath(__file__)), 'results')
MODES = ('src', 'irc')
METRICS = ('empty', 'most_common', 'distinct', 'dangling', 'out_of_tokens',
           'loop', 'invented_degrees', 'invented_titles',
           'invented_employers', 'invented_durations',
           'viewed_as_experience', 'degenerate', 'fabrication',
           'fabrication_generated')
GROUP_METRICS = ('dangling', 'invented_degrees', 'fabrication',
                 'fabrication_generated')
GROUPS = ('1', '2', '3-5', '6+')


def experience_line(resume: str) -> str:
    match = re.search(r'^Experience:(.*)$', resume, re.MULTILINE)
    return match.group(1) if match else ''


def generated_lines(resume: str) -> str:
    r"""The lines of :obj:`resume` the LLM writes (Likely skills, Interests,
    whose stated positions of interest come first), not those only copied
    from the user's own text (Experience)."""
    written = tuple(f'{name}:' for name in ResumeFormat().sections)
    return '\n'.join(line for line in resume.split('\n')
                     if line.startswith(written))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--suffix', default='',
                        help='results file suffix, e.g. _before')
    parser.add_argument('--sample', type=int, default=0,
                        help='also write resumes_sample.md with this many '
                        'random users')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the sample (default: %(default)s)')
    for mode in MODES:
        parser.add_argument(f'--{mode}', default=None, help=f'{mode.upper()} '
                            'resume file (default: the shipped one)')
    args = parser.parse_args()

    data = KaggleJobViews()[0]
    all_items = recent_item_texts(data, k=5)
    records = {mode: {str(r['user']): r for r in read_resumes(
        getattr(args, mode) or shipped_resumes_path(mode))}
        for mode in MODES}
    # The users both files hold (all of them for the shipped files).
    users = [i for i, u in enumerate(data['user'].node_id)
             if all(u in records[mode] for mode in MODES)]
    ids = [data['user'].node_id[i] for i in users]
    texts = [data['user'].text[i] for i in users]
    items = [list(all_items[i]) for i in users]
    num_train = data['user'].num_train_interactions[users]
    masks = {'all': [True] * len(users)}
    masks.update({name: mask.tolist() for name, mask in
                  group_of(num_train).items()})
    masks['empty self-description'] = [not t for t in texts]
    result: Dict = {'command': command(), 'num_users': len(users),
                    'modes': {}}
    resumes = {}

    def pick(values: List, mask: List[bool]) -> List:
        return [v for v, m in zip(values, mask) if m]

    for mode in MODES:
        resumes[mode] = [records[mode][u]['resume'] for u in ids]
        out_of_tokens = [records[mode][u].get('finish_reason') == 'length'
                         for u in ids]
        experience = [experience_line(r) for r in resumes[mode]]
        generated = [generated_lines(r) for r in resumes[mode]]
        result['modes'][mode] = {
            name: resume_quality(
                pick(resumes[mode], mask), pick(texts, mask),
                pick(items, mask), pick(out_of_tokens, mask),
                pick(experience, mask), pick(generated, mask))
            for name, mask in masks.items()
        }
    result['goals'] = goals(result)
    write_json(osp.join(RESULTS, f'fabrication{args.suffix}.json'), result)

    what = ('all 3,448 users, the shipped resumes' if not (args.src or
            args.irc) else f'the {len(users)} users of the files given')
    lines = [
        f'# Resume quality: SRC vs IRC (KaggleJobViews, {what})', '',
        f'Command: `{command()}`. Each rate is the share of users whose '
        'resume has it (lower is better, except distinct); fabrication is '
        'pooled over content words: the share of all resume words found in '
        'neither the user\'s own text nor their 5 most recent training jobs '
        '(an empty resume adds no word). See the docstring of '
        '`benchmarks/fabrication.py` and `lgir_pyg.llm.fabrication` for '
        'each definition.', '', '## Goals (issue 18)', '',
        '| goal | figure | reached |', '|---|---|---|'
    ]
    lines += [f"| {g['goal']} | {g['figure']} | "
              f"{'yes' if g['reached'] else 'not reached'} |"
              for g in result['goals']]
    before = None
    before_path = osp.join(RESULTS, 'fabrication_before.json')
    if args.suffix != '_before' and not (args.src or args.irc) and \
            osp.exists(before_path):
        with open(before_path) as f:
            before = json.load(f)
    lines += ['', '## All users', '']
    if before is not None:
        lines += [f"Before -> after. Before: `{before['command']}` on the "
                  'resumes shipped before (templates src-v2/irc-v2); after: '
                  'the resumes shipped now.', '']
    lines += ['| rate | SRC | IRC |', '|---|---|---|']
    for metric in METRICS:
        cells = []
        for mode in MODES:
            cell = f"{result['modes'][mode]['all'][metric]:.3f}"
            if before is not None:
                old = before['modes'][mode]['all'].get(metric)
                cell = ('–' if old is None else f'{old:.3f}') + ' → ' + cell
            cells.append(cell)
        lines.append(f'| {metric} | ' + ' | '.join(cells) + ' |')
    lines += ['', '## By training interactions per user', '',
              '| users | ' + ' | '.join(f'{m} {mode.upper()}'
                                        for m in GROUP_METRICS
                                        for mode in MODES) + ' |',
              '|---' * (1 + 2 * len(GROUP_METRICS)) + '|']
    for name, row in result['modes']['src'].items():
        cells = [f"{result['modes'][mode][name][m]:.3f}"
                 for m in GROUP_METRICS for mode in MODES]
        lines.append(f"| {name} (n={row['num_users']}) | " +
                     ' | '.join(cells) + ' |')
    with open(osp.join(RESULTS, f'fabrication{args.suffix}.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    if args.sample:
        write_sample(ids, texts, items, resumes, args.sample, args.seed,
                     osp.join(RESULTS, f'resumes_sample{args.suffix}.md'))


def goals(result: Dict) -> List[Dict]:
    r"""Issue 18's goals on the shipped resumes, with their figures."""
    modes = result['modes']
    out = []
    for mode in MODES:
        rates = modes[mode]['all']
        out += [
            {'goal': f'{mode.upper()}: most common non-empty resume <= 2% '
             'of users', 'figure': f"{rates['most_common']:.1%}",
             'reached': rates['most_common'] <= 0.02},
            {'goal': f'{mode.upper()}: resumes with a dangling line <= 5%',
             'figure': f"{rates['dangling']:.1%}",
             'reached': rates['dangling'] <= 0.05},
            {'goal': f'{mode.upper()}: invented degrees <= 2%',
             'figure': f"{rates['invented_degrees']:.1%}",
             'reached': rates['invented_degrees'] <= 0.02},
        ]
    for metric, what in (('fabrication', 'whole resumes'),
                         ('fabrication_generated', 'lines the LLM wrote')):
        pairs = [(g, modes['irc'][g][metric], modes['src'][g][metric])
                 for g in GROUPS]
        out.append({
            'goal': f'IRC fabrication below SRC in every activity group '
            f'({what})',
            'figure': ', '.join(f'{g}: {i:.3f} vs {s:.3f}'
                                for g, i, s in pairs),
            'reached': all(i < s for _, i, s in pairs)})
    return out


def write_sample(ids: List[str], texts: List[str], items: List[List[str]],
                 resumes: Dict[str, List[str]], n: int, seed: int,
                 path: str) -> None:
    r"""N random users (:obj:`random.Random(seed).sample` of the measured
    ones), their own text, the jobs shown to IRC and both resumes side by
    side."""
    picks = sorted(random.Random(seed).sample(range(len(ids)),
                                              min(n, len(ids))))

    def cell(text: str, limit: int = 400) -> str:
        text = ' '.join(text.split())
        if len(text) > limit:
            text = text[:limit].rsplit(' ', 1)[0] + ' ...'
        return text.replace('|', '\\|') or '(empty)'

    def resume(text: str) -> str:
        return '<br>'.join(cell(line) for line in text.split('\n')) \
            if text else '(empty: nothing to ground it on)'

    lines = [
        f'# {len(picks)} resumes side by side', '',
        f'Command: `{command()}`: users drawn with '
        f'`random.Random({seed}).sample` from the {len(ids)} measured '
        'KaggleJobViews users, in user order. The self-description is the '
        'user\'s own text (cut here at 400 characters, as in the prompts); '
        'the jobs are the 5 most recent training views that the IRC prompt '
        'lists.', '',
        '| user | self-description | jobs viewed (IRC) | SRC | IRC |',
        '|---|---|---|---|---|'
    ]
    for u in picks:
        lines.append(
            f'| {ids[u]} | {cell(texts[u])} | '
            f"{'<br>'.join(cell(i) for i in items[u]) or '(none)'} | "
            f"{resume(resumes['src'][u])} | {resume(resumes['irc'][u])} |")
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print(f'wrote {path}')


if __name__ == '__main__':
    main()
