r"""The whole command-line chain on a user's own tables of a non-job
domain (customers buy products): completion with the bundled LLM, encoding,
training, recommendation and the quality benchmark, every stage reading what
the one before left on the graph or in its caches."""
import json
import os

from lgir_pyg.cli.main import main

# A tiny budget keeps the bundled LLM fast; every command gets the same
# LLM settings, so later commands find the completions in the cache.
TINY_LLM = ['--set', 'llm.max_new_tokens=4', '--set', 'llm.retries=0']


def test_cli_chain_on_own_tables(shop, tmp_path, capsys):
    args = shop + TINY_LLM
    assert main(['data', 'stats'] + shop) == 0
    out = capsys.readouterr().out
    assert out.startswith('shop (processed in ')
    assert 'interactions: (customer, buys, product)' in out
    assert 'users (customer): 4' in out and 'items (product): 9' in out

    resumes = tmp_path / 'resumes.jsonl'
    assert main(['complete', '--mode', 'irc', '--retries', '0', '--output',
                 str(resumes)] + args) == 0
    records = [json.loads(line) for line in resumes.read_text().splitlines()]
    # In the order they were done.
    assert sorted(r['user'] for r in records) == ['c1', 'c2', 'c3', 'c4']
    # The domain's own words, from the config's prompts section.
    assert all('customer' in r['prompt'] for r in records)
    assert all('Products they bought (interests, not experience):' in
               r['prompt'] for r in records)
    assert records[0]['settings']['max_new_tokens'] == 4
    assert '4 generated' in capsys.readouterr().err

    assert main(['encode', '--source', 'irc'] + args) == 0
    assert 'customer.x_irc: (4, 384)' in capsys.readouterr().out
    cache = tmp_path / 'shop' / 'llm_cache.sqlite'
    assert cache.is_file()

    assert main(['train', '--model', 'lgir-nogan', '--epochs', '1',
                 '--output-json', str(tmp_path / 'r.json')] + args) == 0
    assert capsys.readouterr().out.startswith('lgir-nogan (seed 0)\n')
    result = json.loads((tmp_path / 'r.json').read_text())
    assert result['test']['count'] == 4
    assert result['config']['data']['user_type'] == 'customer'

    assert main(['recommend', '--user', 'c2', '-k', '2', '--model',
                 'lgir-nogan'] + args) == 0
    assert capsys.readouterr().out.startswith(
        'Top 2 product items for user c2 (lgir-nogan)')

    out_dir = tmp_path / 'results'
    assert main(['bench', 'quality', '--seeds', '1', '--epochs', '1',
                 '--models', 'pop', 'lightgcn', 'lgir-nogan', '--output-dir',
                 str(out_dir)] + args) == 0
    capsys.readouterr()
    report = (out_dir / 'quality.md').read_text()
    assert report.startswith('# Quality on shop (test split)')
    assert 'over `category`' in report
    # The dataset's own node types, not jobs.
    assert '## Full ranking over all products' in report
    assert ('## The product side: customers ranked for each held-out '
            'product') in report
    assert 'job' not in report.replace('job-mean', '')
    assert sorted(os.listdir(out_dir)) == ['quality.json', 'quality.md',
                                           'quality_groups.png']
