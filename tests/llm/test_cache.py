import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from lgir_pyg.llm import CachedGenerator, GenerationCache, TextGenerator
from lgir_pyg.llm.cache import cache_key


class EchoGenerator(TextGenerator):
    r"""Completes a prompt as "resume of <prompt>"; records every call."""
    name = 'echo'
    settings = {'max_new_tokens': 8}
    batch_size = 2

    def __init__(self):
        self.calls = []

    def generate(self, prompts):
        self.calls.append(list(prompts))
        return [f'resume of {p}' for p in prompts]


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
    assert out == [f'resume of {p}' for p in prompts]
    # Duplicates generated once, longest first, in batches of 2.
    assert echo.calls == [['ccc', 'bb'], ['a']]
    assert (gen.num_cached, gen.num_generated, len(cache)) == (0, 3, 3)

    assert gen.generate(prompts, 'v1') == out  # All from the cache.
    assert len(echo.calls) == 2 and gen.num_cached == 4
    gen.generate(['a'], 'v2')  # A new template version misses.
    assert echo.calls[-1] == ['a'] and len(cache) == 4


def test_wrong_number_of_outputs(tmp_path):
    class Broken(EchoGenerator):
        def generate(self, prompts):
            return ['x']

    gen = CachedGenerator(Broken(), show_progress=False)
    with pytest.raises(RuntimeError, match='returned 1 completions for 2'):
        gen.generate(['a', 'b'], 'v1')


def test_corrupt_cache_file(tmp_path):
    path = tmp_path / 'cache.sqlite'
    path.write_bytes(b'this is not sqlite' * 100)
    with pytest.raises(Exception, match='not a usable completion cache'):
        GenerationCache(str(path))


KILLED_RUN = textwrap.dedent('''
    import sys, time
    sys.path.insert(0, {tests!r})
    from test_cache import EchoGenerator
    from lgir_pyg.llm import CachedGenerator, GenerationCache

    class Slow(EchoGenerator):
        def generate(self, prompts):
            out = super().generate(prompts)
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
    assert out == [f'resume of {p}' for p in prompts]
    # Only what was missing is generated, nothing twice, nothing lost.
    generated = [p for call in echo.calls for p in call]
    assert len(generated) == len(set(generated)) == 40 - num_done
    assert gen.num_cached == num_done and len(cache) == 40
