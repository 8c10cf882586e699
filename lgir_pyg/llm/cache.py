import hashlib
import json
import logging
import os
import os.path as osp
import sqlite3
import time
from typing import Dict, Iterable, List, Optional

from lgir_pyg.llm.generators import TextGenerator

logger = logging.getLogger(__name__)


def cache_key(model: str, template_version: str, settings: Dict,
              prompt: str) -> str:
    r"""The cache key of one completion: model, template version,
    generation settings and the prompt's sha256."""
    prompt_hash = hashlib.sha256(prompt.encode('utf-8')).hexdigest()
    head = json.dumps([model, template_version, settings], sort_keys=True)
    return hashlib.sha256(f'{head}\n{prompt_hash}'.encode()).hexdigest()


class GenerationCache:
    r"""A persistent completion cache in SQLite (WAL mode). Every batch is
    committed as soon as it is generated, so a run that is killed part-way
    keeps all finished batches and a re-run generates only what is missing.

    Args:
        path (str): The database file (created with its folder).
    """
    def __init__(self, path: str) -> None:
        self.path = path
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        try:
            self._db = sqlite3.connect(path, timeout=60)
            self._db.execute('PRAGMA journal_mode=WAL')
            self._db.execute(
                'CREATE TABLE IF NOT EXISTS completions (key TEXT PRIMARY '
                'KEY, model TEXT, template TEXT, prompt TEXT, completion '
                'TEXT, created REAL)')
        except sqlite3.DatabaseError as e:
            raise sqlite3.DatabaseError(
                f"'{path}' is not a usable completion cache: {e}") from e

    def get_many(self, keys: Iterable[str]) -> Dict[str, str]:
        keys = list(keys)
        out: Dict[str, str] = {}
        for i in range(0, len(keys), 500):  # SQLite's variable limit.
            chunk = keys[i:i + 500]
            rows = self._db.execute(
                'SELECT key, completion FROM completions WHERE key IN '
                f'({",".join("?" * len(chunk))})', chunk)
            out.update(rows)
        return out

    def put_many(self, rows: List[tuple]) -> None:
        r"""Stores :obj:`(key, model, template, prompt, completion)` rows
        in one transaction."""
        now = time.time()
        with self._db:
            self._db.executemany(
                'INSERT OR REPLACE INTO completions VALUES (?, ?, ?, ?, ?, ?)',
                [row + (now, ) for row in rows])

    def __len__(self) -> int:
        return self._db.execute('SELECT COUNT(*) FROM completions').fetchone(
        )[0]

    def close(self) -> None:
        self._db.close()

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.path})'


class CachedGenerator:
    r"""Serves completions from a :class:`GenerationCache` and generates the
    misses with :obj:`generator`, batch by batch, committing each batch.
    Duplicate prompts are generated once.

    Args:
        generator (TextGenerator): The backend.
        cache (GenerationCache, optional): The cache; :obj:`None` generates
            everything. (default: :obj:`None`)
        show_progress (bool, optional): A progress bar with items/s over the
            misses. (default: :obj:`True`)
    """
    def __init__(self, generator: TextGenerator,
                 cache: Optional[GenerationCache] = None,
                 show_progress: bool = True) -> None:
        self.generator = generator
        self.cache = cache
        self.show_progress = show_progress
        self.num_cached = self.num_generated = 0

    @property
    def name(self) -> str:
        return self.generator.name

    def generate(self, prompts: List[str],
                 template_version: str) -> List[str]:
        r"""Returns one completion per prompt."""
        gen = self.generator
        keys = [
            cache_key(gen.name, template_version, gen.settings, p)
            for p in prompts
        ]
        done = self.cache.get_many(set(keys)) if self.cache else {}
        # Longest first: batches of similar length waste less padding.
        todo = sorted({k: p for k, p in zip(keys, prompts) if k not in done
                       }.items(), key=lambda kp: -len(kp[1]))
        self.num_cached = sum(k in done for k in keys)
        self.num_generated = len(todo)
        if todo:
            logger.info(f'{gen.name} ({template_version}): {len(done)} '
                        f'cached, generating {len(todo)}')
        from tqdm import tqdm
        bar = tqdm(total=len(todo), unit='resume', smoothing=0.1,
                   disable=not self.show_progress or not todo)
        for i in range(0, len(todo), gen.batch_size):
            batch = todo[i:i + gen.batch_size]
            outputs = gen.generate([p for _, p in batch])
            if len(outputs) != len(batch):
                raise RuntimeError(f'{gen!r} returned {len(outputs)} '
                                   f'completions for {len(batch)} prompts')
            done.update((k, out) for (k, _), out in zip(batch, outputs))
            if self.cache is not None:
                self.cache.put_many([(k, gen.name, template_version, p, out)
                                     for (k, p), out in zip(batch, outputs)])
            bar.update(len(batch))
        bar.close()
        return [done[k] for k in keys]

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.generator!r})'
