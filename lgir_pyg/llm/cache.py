import hashlib
import json
import logging
import os
import os.path as osp
import sqlite3
import time
from typing import Any, Dict, Iterable, List, Optional, Tuple

from lgir_pyg.errors import CacheError
from lgir_pyg.io import move_aside
from lgir_pyg.llm.format import ResumeFormat
from lgir_pyg.llm.generators import Completion, TextGenerator

logger = logging.getLogger(__name__)

_SCHEMA = ('CREATE TABLE IF NOT EXISTS completions (key TEXT PRIMARY KEY, '
           'model TEXT, template TEXT, prompt TEXT, completion TEXT, '
           'created REAL, finish_reason TEXT)')


def cache_key(model: str, template_version: str, settings: Dict,
              prompt: str) -> str:
    r"""The cache key of one completion: model, template version,
    generation settings and the prompt's sha256."""
    prompt_hash = hashlib.sha256(prompt.encode('utf-8')).hexdigest()
    head = json.dumps([model, template_version, settings], sort_keys=True)
    return hashlib.sha256(f'{head}\n{prompt_hash}'.encode()).hexdigest()


class GenerationCache:
    r"""A persistent completion cache in SQLite (WAL mode). Every completion
    is committed as soon as it is generated, so a run that is killed
    part-way keeps all finished ones and a re-run generates only what is
    missing. A row is never replaced: when two runs generate the same key,
    the first one stored wins and both return it. A file that is not a
    readable SQLite database (a corrupt page, another kind of file, a
    folder) is moved aside with a warning and the cache starts afresh.

    Args:
        path (str): The database file (created with its folder).
    """
    def __init__(self, path: str) -> None:
        self.path = path
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as e:
            self._move_aside(str(e))
            try:
                self._db = self._open()
            except sqlite3.DatabaseError as e:
                raise CacheError(f"'{path}' is not a usable completion "
                                 f"cache: {e}") from e

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        try:
            db.execute('PRAGMA journal_mode=WAL')
            check = db.execute('PRAGMA quick_check').fetchone()[0]
            if check != 'ok':
                raise sqlite3.DatabaseError(check)
            db.execute(_SCHEMA)
            columns = {row[1] for row in db.execute(
                'PRAGMA table_info(completions)')}
            if 'finish_reason' not in columns:  # A cache of release 0.1.
                db.execute('ALTER TABLE completions ADD COLUMN '
                           'finish_reason TEXT')
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _move_aside(self, reason: str) -> None:
        for suffix in ('-wal', '-shm'):  # A stale journal of the old file.
            if osp.exists(self.path + suffix):
                os.remove(self.path + suffix)
        if osp.lexists(self.path):
            move_aside(self.path, reason)

    def get_many(self, keys: Iterable[str]) -> Dict[str, Completion]:
        keys = list(keys)
        out: Dict[str, Completion] = {}
        for i in range(0, len(keys), 500):  # SQLite's variable limit.
            chunk = keys[i:i + 500]
            rows = self._db.execute(
                'SELECT key, completion, finish_reason FROM completions '
                f'WHERE key IN ({",".join("?" * len(chunk))})', chunk)
            out.update((key, Completion(text, reason or 'stop'))
                       for key, text, reason in rows)
        return out

    def put_many(self, rows: List[Tuple[str, str, str, str, Completion]]
                 ) -> None:
        r"""Stores :obj:`(key, model, template, prompt, completion)` rows
        in one transaction; keys already stored keep their row."""
        now = time.time()
        with self._db:
            self._db.executemany(
                'INSERT OR IGNORE INTO completions VALUES '
                '(?, ?, ?, ?, ?, ?, ?)',
                [(key, model, template, prompt, c.text, now, c.finish_reason)
                 for key, model, template, prompt, c in rows])

    def __len__(self) -> int:
        return self._db.execute('SELECT COUNT(*) FROM completions').fetchone(
        )[0]

    def close(self) -> None:
        self._db.close()

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.path})'


class CachedGenerator:
    r"""Serves completions from a :class:`GenerationCache`, generates the
    misses with :obj:`generator` and stores each one as it arrives.
    Duplicate prompts are generated once, longest first (batches of
    similar length waste less padding).

    An empty prompt (nothing to ground a resume on) is answered with an
    empty resume without calling the LLM. With a :obj:`format`, every
    answer is validated against its prompt
    (:meth:`~lgir_pyg.llm.ResumeFormat.validate`): an answer that does not
    fit is generated again, up to :obj:`retries` times (a retry samples,
    see :class:`~lgir_pyg.llm.TextGenerator`), and one that never fits
    falls back to :meth:`~lgir_pyg.llm.ResumeFormat.repair` of the first
    answer. Every attempt is cached under its own key, and the cache keys
    hold the generator's name and
    :attr:`~lgir_pyg.llm.TextGenerator.settings`, the template version and
    the prompt. :attr:`details` tells, per prompt of the last
    :meth:`generate`, how its answer was made.

    Args:
        generator (TextGenerator): The backend.
        cache (GenerationCache, optional): The cache; :obj:`None` generates
            everything. (default: :obj:`None`)
        format (ResumeFormat, optional): The answer format; :obj:`None`
            returns raw answers. (default: :obj:`ResumeFormat()`)
        retries (int, optional): Extra attempts for an answer that does not
            fit :obj:`format`. (default: :obj:`1`)
        show_progress (bool, optional): A progress bar with items/s over the
            misses. (default: :obj:`True`)
    """
    def __init__(self, generator: TextGenerator,
                 cache: Optional[GenerationCache] = None,
                 format: Optional[ResumeFormat] = ResumeFormat(),
                 retries: int = 1, show_progress: bool = True) -> None:
        if retries < 0:
            raise CacheError(f"'retries' must be non-negative (got "
                             f"{retries})")
        self.generator = generator
        self.cache = cache
        self.format = format
        self.retries = retries
        self.show_progress = show_progress
        self.num_cached = self.num_generated = 0
        self.details: List[Dict[str, Any]] = []

    @property
    def name(self) -> str:
        return self.generator.name

    @property
    def settings(self) -> Dict[str, Any]:
        r"""The generator's settings with the format and retries: what a
        resume record states about how it was made."""
        settings = dict(self.generator.settings)
        if self.format is not None:
            settings.update(format=self.format.version, retries=self.retries)
        return settings

    def _keys(self, prompts: List[str], template_version: str,
              attempt: int) -> List[str]:
        gen = self.generator
        settings = dict(gen.settings)
        if attempt:
            settings['attempt'] = attempt
        return [cache_key(gen.name, template_version, settings, p)
                for p in prompts]

    def _complete(self, prompts: List[str], template_version: str,
                  attempt: int) -> Tuple[List[Completion], int, int]:
        # One attempt at every prompt: cached ones are read, the others
        # generated and stored one by one.
        gen = self.generator
        keys = self._keys(prompts, template_version, attempt)
        done = self.cache.get_many(set(keys)) if self.cache else {}
        todo = sorted({k: p for k, p in zip(keys, prompts) if k not in done
                       }.items(), key=lambda kp: -len(kp[1]))
        num_cached = sum(k in done for k in keys)
        if todo:
            logger.info(f'{gen.name} ({template_version}, attempt '
                        f'{attempt}): {len(done)} cached, generating '
                        f'{len(todo)}')
        from tqdm import tqdm
        bar = tqdm(total=len(todo), unit='resume', smoothing=0.1,
                   disable=not self.show_progress or not todo)
        for i, out in gen.stream([p for _, p in todo], attempt):
            key, prompt = todo[i]
            done[key] = out
            if self.cache is not None:
                self.cache.put_many([(key, gen.name, template_version,
                                      prompt, out)])
            bar.update(1)
        bar.close()
        if len(done) < len(set(keys)):
            raise RuntimeError(f'{gen!r} left {len(set(keys)) - len(done)} '
                               f'prompts without a completion')
        if self.cache is not None and todo:
            # Another run may have stored some keys first: its rows win.
            done.update(self.cache.get_many([k for k, _ in todo]))
        return [done[k] for k in keys], num_cached, len(todo)

    def generate(self, prompts: List[str],
                 template_version: str) -> List[str]:
        r"""Returns one completion per prompt."""
        asked = [i for i, p in enumerate(prompts) if p]
        outputs, self.num_cached, self.num_generated = self._complete(
            [prompts[i] for i in asked], template_version, 0)
        self.details = [{'finish_reason': 'no input', 'attempts': 0,
                         'repaired': None} for _ in prompts]
        for i, o in zip(asked, outputs):
            self.details[i] = {'finish_reason': o.finish_reason,
                               'attempts': 1}
        texts = [''] * len(prompts)
        if self.format is None:
            for i, o in zip(asked, outputs):
                texts[i] = o.text
            return texts
        first = dict(zip(asked, outputs))
        outputs = dict(first)
        failing = [i for i, o in outputs.items()
                   if self.format.validate(o, prompts[i]) is not None]
        for attempt in range(1, self.retries + 1):
            if not failing:
                break
            retried, _, num_generated = self._complete(
                [prompts[i] for i in failing], template_version, attempt)
            self.num_generated += num_generated
            for i, out in zip(failing, retried):
                outputs[i] = out
                self.details[i] = {'finish_reason': out.finish_reason,
                                   'attempts': attempt + 1}
            failing = [i for i in failing if self.format.validate(
                outputs[i], prompts[i]) is not None]
        for i, out in outputs.items():
            if self.format.validate(out, prompts[i]) is None:
                self.details[i]['repaired'] = None
                texts[i] = self.format.finish(out)
                continue
            # Sampled retries drift: the greedy first answer is repaired.
            self.details[i].update(
                finish_reason=first[i].finish_reason,
                repaired=self.format.validate(first[i], prompts[i]))
            texts[i] = self.format.repair(first[i], prompts[i])
        return texts

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.generator!r})'
