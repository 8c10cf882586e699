import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from lgir_pyg.errors import CacheError, LGIRError, UsageError
from lgir_pyg.llm import (CachedGenerator, Completion, GenerationCache,
                          TextGenerator)
from lgir_pyg.llm.cache import cache_key

GOOD = 'Likely skills: {p} sales\nInterests: {p} shops'
# The resume of a good answer: no experience to copy from these prompts.
RESUME = 'Experience: not stated\n' + GOOD


class EchoGenerator(TextGenerator):
    r"""A model-free backend: answers a prompt with a well-formed resume
    about it (or, for prompts starting with "bad", a cut-off one until the
    attempt in :obj:`fixed_at`); records every call."""
    name = 'echo'
    batch_size = 2

    def __init__(self, tag: str = '', fixed_at: int = 1) -> None:
        self.tag, self.fixed_at = tag, fixed_at
        self.calls = []

    @property
    def settings(self):
        return {'max_new_tokens': 8}

    def generate(self, prompts, attempt=0):
        self.calls.append((list(prompts), attempt))
        return [Completion(f'Likely skills: {p} sales, bar', 'length')
                if p.startswith('bad') and attempt < self.fixed_at else
                Completion(GOOD.format(p=p + self.tag)) for p in prompts]


def test_cache_key_covers_every_part():
    base = cache_key('m', 'irc-v1', {'t': 0}, 'p')
    assert base != cache_key('m2', 'irc-v1', {'t': 0}, 'p')
    assert base != cache_key('m', 'irc-v2', {'t': 0}, 'p')
    assert base != cache_key('m', 'irc-v1', {'t': 1}, 'p')
    assert base != cache_key('m', 'irc-v1', {'t': 0}, 'p ')
    assert base == cache_key('m', 'irc-v1', {'t': 0}, 'p')


def test_cached_generator(tmp_path):
    cache = GenerationCache(str(tmp_path / 'cache.sqlite'))
    echo = EchoGenerator()
    gen = CachedGenerator(echo, cache, show_progress=False)
    prompts = ['a', 'bb', 'a', 'ccc']
    out = gen.generate(prompts, 'v1')
    assert out == [RESUME.format(p=p) for p in prompts]
    # Duplicates generated once, longest first, in batches of 2.
    assert echo.calls == [(['ccc', 'bb'], 0), (['a'], 0)]
    assert (gen.num_cached, gen.num_generated, len(cache)) == (0, 3, 3)
    assert gen.details[0] == {'finish_reason': 'stop', 'attempts': 1,
                              'repaired': None}

    assert gen.generate(prompts, 'v1') == out  # All from the cache.
    assert len(echo.calls) == 2 and gen.num_cached == 4
    # An empty prompt (nothing to ground a resume on) gets an empty resume,
    # without a call.
    assert gen.generate(['', 'a'], 'v1') == ['', RESUME.format(p='a')]
    assert gen.details[0] == {'finish_reason': 'no input', 'attempts': 0,
                              'repaired': None}
    assert len(echo.calls) == 2 and gen.num_cached == 1
    gen.generate(['a'], 'v2')  # A new template version misses.
    assert echo.calls[-1] == (['a'], 0) and len(cache) == 4


def test_retry_then_repair(tmp_path):
    cache = GenerationCache(str(tmp_path / 'cache.sqlite'))
    echo = EchoGenerator(fixed_at=1)
    gen = CachedGenerator(echo, cache, retries=1, show_progress=False)
    out = gen.generate(['bad x', 'ok'], 'v1')
    # The cut-off answer is retried once (attempt 1) and then fits.
    assert echo.calls == [(['bad x', 'ok'], 0), (['bad x'], 1)]
    assert out == [RESUME.format(p='bad x'), RESUME.format(p='ok')]
    assert gen.details[0] == {'finish_reason': 'stop', 'attempts': 2,
                              'repaired': None}
    assert gen.num_generated == 3 and len(cache) == 3

    # Never fits: the fallback keeps the complete items, says the rest.
    stubborn = CachedGenerator(EchoGenerator(fixed_at=9), retries=2,
                               show_progress=False)
    assert stubborn.generate(['bad y'], 'v1') == [
        'Experience: not stated\nLikely skills: bad y sales\n'
        'Interests: not stated']
    assert stubborn.details == [{'finish_reason': 'length', 'attempts': 3,
                                 'repaired': 'cut off'}]
    raw = CachedGenerator(EchoGenerator(fixed_at=9), format=None,
                          show_progress=False)
    assert raw.generate(['bad y'], 'v1') == [
        'Likely skills: bad y sales, bar']
    assert 'format' not in raw.settings and 'format' in stubborn.settings
    # By default the greedy answer is repaired at once, without a retry.
    once = CachedGenerator(EchoGenerator(fixed_at=9), show_progress=False)
    once.generate(['bad y'], 'v1')
    assert once.details == [{'finish_reason': 'length', 'attempts': 1,
                             'repaired': 'cut off'}]


def test_wrong_number_of_outputs():
    class Broken(EchoGenerator):
        def generate(self, prompts, attempt=0):
            return [Completion('x')]

    gen = CachedGenerator(Broken(), show_progress=False)
    with pytest.raises(RuntimeError, match='returned 1 completions for 2'):
        gen.generate(['a', 'b'], 'v1')


def test_first_writer_wins(tmp_path):
    path = str(tmp_path / 'cache.sqlite')
    first = CachedGenerator(EchoGenerator(' (first)'), GenerationCache(path),
                            show_progress=False)
    assert first.generate(['a'], 'v1') == [RESUME.format(p='a (first)')]
    # A second writer that generated the same key meanwhile: its row is
    # not stored, and it returns what the cache holds.
    cache = GenerationCache(path)
    key = first._keys(['a', 'b'], 'v1', 0)
    cache.put_many([(key[0], 'echo', 'v1', 'a', Completion('other')),
                    (key[1], 'echo', 'v1', 'b', Completion('new'))])
    assert cache.get_many(key) == {key[0]: Completion(GOOD.format(
        p='a (first)')), key[1]: Completion('new')}


RACE = textwrap.dedent('''
    import os, sys, time
    sys.path.insert(0, {tests!r})
    from test_cache import EchoGenerator
    from lgir_pyg.llm import CachedGenerator, GenerationCache

    class Slow(EchoGenerator):
        def generate(self, prompts, attempt=0):
            time.sleep(0.05)
            return super().generate(prompts, attempt)

    gen = CachedGenerator(Slow(sys.argv[1]), GenerationCache({path!r}),
                          show_progress=False)
    prompts = [f'p{{i:02d}}' for i in range(30)]
    if sys.argv[2] == 'reversed':  # The two runs meet in the middle.
        prompts.reverse()
    print('ready', flush=True)
    while not os.path.exists({go!r}):
        time.sleep(0.01)
    outputs = gen.generate(prompts, 'v1')
    for prompt, out in sorted(zip(prompts, outputs)):
        print(out.replace('\\n', ' | '))
''')


def test_two_processes_on_one_cache(tmp_path):
    path, go = str(tmp_path / 'cache.sqlite'), str(tmp_path / 'go')
    script = RACE.format(tests=os.path.dirname(__file__), path=path, go=go)
    procs = [subprocess.Popen([sys.executable, '-c', script, tag, order],
                              stdout=subprocess.PIPE, text=True)
             for tag, order in ((' by A', 'forward'),
                                (' by B', 'reversed'))]
    for proc in procs:
        assert proc.stdout.readline() == 'ready\n'
    open(go, 'w').close()  # Both start generating at once.
    outputs = [proc.communicate(timeout=120)[0].splitlines()
               for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0]
    gen = CachedGenerator(EchoGenerator(' never'), GenerationCache(path),
                          show_progress=False)
    held = [out.replace('\n', ' | ') for out in gen.generate(
        [f'p{i:02d}' for i in range(30)], 'v1')]
    assert gen.num_generated == 0
    # Each run stored some rows first, and both return exactly what the
    # cache holds, row by row.
    assert any('by A' in h for h in held)
    assert any('by B' in h for h in held)
    assert outputs[0] == outputs[1] == held


KILLED_RUN = textwrap.dedent('''
    import sys, time
    sys.path.insert(0, {tests!r})
    from test_cache import EchoGenerator
    from lgir_pyg.llm import CachedGenerator, GenerationCache

    class Slow(EchoGenerator):
        def generate(self, prompts, attempt=0):
            out = super().generate(prompts, attempt)
            print('batch', flush=True)
            time.sleep(0.3)
            return out

    gen = CachedGenerator(Slow(), GenerationCache({path!r}),
                          show_progress=False)
    gen.generate([f'prompt {{i:02d}}' for i in range(40)], 'v1')
''')


def test_killed_run_resumes(tmp_path):
    path = str(tmp_path / 'cache.sqlite')
    script = KILLED_RUN.format(tests=os.path.dirname(__file__), path=path)
    proc = subprocess.Popen([sys.executable, '-c', script],
                            stdout=subprocess.PIPE, text=True)
    # Kill it while it generates, after a few committed batches.
    for _ in range(3):
        assert proc.stdout.readline() == 'batch\n'
    time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    cache = GenerationCache(path)
    num_done = len(cache)
    assert 2 <= num_done < 40
    echo = EchoGenerator()
    gen = CachedGenerator(echo, cache, show_progress=False)
    prompts = [f'prompt {i:02d}' for i in range(40)]
    out = gen.generate(prompts, 'v1')
    assert out == [RESUME.format(p=p) for p in prompts]
    # Only what was missing is generated, nothing twice, nothing lost.
    generated = [p for call, _ in echo.calls for p in call]
    assert len(generated) == len(set(generated)) == 40 - num_done
    assert gen.num_cached == num_done and len(cache) == 40


def filled_cache(path: str) -> None:
    gen = CachedGenerator(EchoGenerator(), GenerationCache(path),
                          show_progress=False)
    gen.generate([f'prompt {i} ' + 'x' * 2000 for i in range(40)], 'v1')
    gen.cache.close()


def corrupt_page(path: str) -> None:
    filled_cache(path)
    with sqlite3.connect(path) as db:  # Fold the WAL into the file.
        db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    with open(path, 'r+b') as f:  # Garbage over a page of the table.
        f.seek(4096 * 3)
        f.write(b'\xde\xad' * 2048)


def not_a_database(path: str) -> None:
    with open(path, 'wb') as f:
        f.write(b'this is not sqlite' * 100)


@pytest.mark.parametrize('spoil', [corrupt_page, not_a_database])
def test_unreadable_cache_is_moved_aside(tmp_path, caplog, spoil):
    path = str(tmp_path / 'cache.sqlite')
    spoil(path)
    with caplog.at_level(logging.WARNING, logger='lgir_pyg.io'):
        cache = GenerationCache(path)
    assert 'is unreadable' in caplog.text and 'moved it to' in caplog.text
    aside = [f for f in os.listdir(tmp_path) if '.corrupt-' in f]
    assert len(aside) == 1 and aside[0].startswith('cache.sqlite.corrupt-')
    # A fresh, working cache in its place.
    assert len(cache) == 0
    gen = CachedGenerator(EchoGenerator(), cache, show_progress=False)
    assert gen.generate(['a'], 'v1') == [RESUME.format(p='a')]
    assert len(GenerationCache(path)) == 1


def test_a_folder_is_no_cache(tmp_path):
    # A folder given as the cache file is an error, and left as it is.
    (tmp_path / 'kept').write_text('x')
    with pytest.raises(CacheError, match=f"cache '{tmp_path}' is a folder"):
        GenerationCache(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['kept']


class FlakyServer(EchoGenerator):
    r"""Garbles the answers to prompts starting with "err" until the
    attempt :obj:`fixed_at`, and writes off-topic answers to those starting
    with "off"."""
    def generate(self, prompts, attempt=0):
        self.calls.append((list(prompts), attempt))
        return [Completion.failed('the answer is not JSON')
                if p.startswith('err') and attempt < self.fixed_at else
                Completion('Sorry, I cannot help.') if p.startswith('off')
                else Completion(GOOD.format(p=p)) for p in prompts]


def test_failed_answers_are_retried_and_never_cached(tmp_path):
    cache = GenerationCache(str(tmp_path / 'cache.sqlite'))
    flaky = FlakyServer(fixed_at=2)
    gen = CachedGenerator(flaky, cache, retries=2, show_progress=False)
    # Each answer as soon as it is final: the fixed one last.
    done = list(gen.stream(['err a', 'ok'], 'v1'))
    assert done == [(1, RESUME.format(p='ok')),
                    (0, RESUME.format(p='err a'))]
    assert flaky.calls == [(['err a', 'ok'], 0), (['err a'], 1),
                           (['err a'], 2)]
    assert gen.details[0] == {'finish_reason': 'stop', 'attempts': 3,
                              'repaired': None}
    assert len(cache) == 2  # The two garbled answers are not stored.
    # With format=None too, and a re-run asks the server again.
    raw = CachedGenerator(FlakyServer(fixed_at=9), cache, format=None,
                          retries=0, show_progress=False)
    with pytest.raises(LGIRError, match=r'1 of 1 answers of echo are '
                       r'unusable after 0 retries \(1 x the answer is not '
                       r'JSON\)'):
        raw.generate(['err a'], 'v1')


@pytest.mark.parametrize('max_unusable,fails', [(0.5, False), (0.4, True)])
def test_max_unusable(caplog, max_unusable, fails):
    gen = CachedGenerator(FlakyServer(fixed_at=9), retries=1,
                          max_unusable=max_unusable, show_progress=False)
    prompts = ['err a', 'off b', 'ok c', 'ok d']
    message = ('2 of 4 answers of echo are unusable after 1 retry (1 x the '
               'answer is not JSON; 1 x none of the sections Likely skills, '
               'Interests)')
    if fails:
        with pytest.raises(LGIRError, match=re.escape(
                message + '; more than max_unusable=0.4 of them fails the '
                'run')):
            gen.generate(prompts, 'v1')
        return
    with caplog.at_level(logging.WARNING, logger='lgir_pyg.llm.cache'):
        out = gen.generate(prompts, 'v1')
    assert f'{message}; they are kept as empty resumes' in caplog.text
    assert out == ['', '', RESUME.format(p='ok c'), RESUME.format(p='ok d')]
    assert [d['repaired'] for d in gen.details] == [
        'the answer is not JSON', 'no Likely skills', None, None]
    with pytest.raises(UsageError, match="'max_unusable' must be in"):
        CachedGenerator(FlakyServer(), max_unusable=1.5)


def test_progress_counts_answers_by_batch(capsys):
    class Slow(EchoGenerator):
        def generate(self, prompts, attempt=0):
            time.sleep(0.3)  # Longer than tqdm's refresh interval.
            return super().generate(prompts, attempt)

    gen = CachedGenerator(Slow(), show_progress=True)  # Batches of 2.
    gen.generate([f'p{i}' for i in range(6)], 'v1')
    err = capsys.readouterr().err
    assert err.startswith('echo (v1): generating 6 resumes, 0 from the '
                          'cache\n')
    assert re.search(r'  the first 2 took 00:0\d: about 00:0\d for all 6\n',
                     err)
    # The bar moves by a batch at a time.
    counts = re.findall(r'\| (\d)/6 \[', err)
    assert counts[-1] == '6' and set(counts) <= {'0', '2', '4', '6'}
    assert '2' in counts and '4' in counts
