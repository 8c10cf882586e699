import hashlib
import json
import logging
import os
import os.path as osp
import sqlite3
import sys
import time
from collections import Counter
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from lgir_pyg.errors import CacheError, LGIRError, UsageError
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
    readable SQLite database (a corrupt page, another kind of file) is
    moved aside with a warning and the cache starts afresh; a folder, or a
    file SQLite cannot open, raises :class:`~lgir_pyg.errors.CacheError`.

    Args:
        path (str): The database file (created with its folder).
    """
    def __init__(self, path: str) -> None:
        self.path = path
        if osp.isdir(path):
            raise CacheError(f"The completion cache '{path}' is a folder; "
                             f"give a file path, e.g. "
                             f"'{osp.join(path, 'llm_cache.sqlite')}'")
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.OperationalError as e:  # Not corrupt: not openable.
            raise CacheError(f"Cannot open the completion cache '{path}': "
                             f"{e}") from e
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
    misses with :obj:`generator` and stores each batch as it arrives.
    Duplicate prompts are generated once, longest first (batches of
    similar length waste less padding).

    An empty prompt (nothing to ground a resume on) is answered with an
    empty resume without calling the LLM. Every other answer is checked:
    one the backend could not read (:obj:`finish_reason="error"`, e.g. a
    server's malformed response) and, with a :obj:`format`, one that does
    not fit it against its prompt
    (:meth:`~lgir_pyg.llm.ResumeFormat.validate`) is generated again, up
    to :obj:`retries` times (a retry samples, see
    :class:`~lgir_pyg.llm.TextGenerator`); one that never fits falls back
    to :meth:`~lgir_pyg.llm.ResumeFormat.repair` of the first answer. An
    answer is *unusable* if it is still a backend error after the last
    retry, or if it has none of the format's sections (the model ignored
    the prompt); when more than :obj:`max_unusable` of the answers are,
    :meth:`stream` fails with an :class:`~lgir_pyg.errors.LGIRError` that
    counts them and names their commonest reasons, and otherwise warns
    with the count. Every attempt but a backend error is cached under its
    own key, and the cache keys hold the generator's name and
    :attr:`~lgir_pyg.llm.TextGenerator.settings`, the template version and
    the prompt. :attr:`details` tells, per prompt of the last
    :meth:`generate`, how its answer was made.

    Args:
        generator (TextGenerator): The backend.
        cache (GenerationCache, optional): The cache; :obj:`None` generates
            everything. (default: :obj:`None`)
        format (ResumeFormat, optional): The answer format; :obj:`None`
            returns raw answers. (default: :obj:`ResumeFormat()`)
        retries (int, optional): Extra attempts for an answer that is a
            backend error or does not fit :obj:`format`. No retry by default:
            with the bundled 135M model a sampled retry fitted 2 of 13
            failing answers, no better than the repaired greedy ones, at
            the cost of a first pass. (default: :obj:`0`)
        max_unusable (float, optional): The largest share of unusable
            answers a run may end with. (default: :obj:`0.2`)
        show_progress (bool, optional): Print on stderr how many answers
            are generated, an estimate of the time after the first batch
            and a progress bar that moves by each batch's answers.
            (default: :obj:`True`)
    """
    def __init__(self, generator: TextGenerator,
                 cache: Optional[GenerationCache] = None,
                 format: Optional[ResumeFormat] = ResumeFormat(),
                 retries: int = 0, max_unusable: float = 0.2,
                 show_progress: bool = True) -> None:
        if retries < 0:
            raise UsageError(f"'retries' must be non-negative (got "
                             f"{retries})")
        if not 0 <= max_unusable <= 1:
            raise UsageError(f"'max_unusable' must be in [0, 1] (got "
                             f"{max_unusable})")
        self.generator = generator
        self.cache = cache
        self.format = format
        self.retries = retries
        self.max_unusable = max_unusable
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

    def _attempt(self, prompts: List[str], template_version: str,
                 attempt: int) -> Iterator[List[Tuple[int, Completion]]]:
        # One attempt at every prompt: yields lists of (index, completion),
        # the cached ones first, then each generated batch once stored.
        gen = self.generator
        indices: Dict[str, List[int]] = {}
        for i, key in enumerate(self._keys(prompts, template_version,
                                           attempt)):
            indices.setdefault(key, []).append(i)
        done = self.cache.get_many(indices) if self.cache else {}
        if attempt == 0:
            self.num_cached = sum(len(indices[k]) for k in done)
        if done:
            yield [(i, out) for key, out in done.items()
                   for i in indices[key]]
        todo = sorted((k for k in indices if k not in done),
                      key=lambda k: -len(prompts[indices[k][0]]))
        if not todo:
            return
        progress = _Progress(self, len(todo), len(done), template_version,
                             attempt)
        num_done = 0
        try:
            for chunk in gen.stream([prompts[indices[k][0]] for k in todo],
                                    attempt):
                outputs = {todo[j]: out for j, out in chunk}
                rows = [(key, gen.name, template_version,
                         prompts[indices[key][0]], out)
                        for key, out in outputs.items() if out.error is None]
                if self.cache is not None and rows:
                    self.cache.put_many(rows)
                    # Another run may have stored some keys first: its rows
                    # win.
                    outputs.update(self.cache.get_many(r[0] for r in rows))
                num_done += len(chunk)
                self.num_generated += len(chunk)
                progress.update(len(chunk))
                yield [(i, out) for key, out in outputs.items()
                       for i in indices[key]]
        finally:
            progress.close()
        if num_done < len(todo):
            raise RuntimeError(f'{gen!r} left {len(todo) - num_done} '
                               f'prompts without a completion')

    def _problem(self, out: Completion, prompt: str) -> Optional[str]:
        # Why an answer must be tried again, or None if it is final.
        if out.error is not None:
            return out.error
        return None if self.format is None else self.format.validate(
            out, prompt)

    def stream(self, prompts: List[str],
               template_version: str) -> Iterator[Tuple[int, str]]:
        r"""Yields :obj:`(index, text)` for each prompt as soon as its
        answer is final: when it fits, or after the last retry (repaired,
        and unusable ones last); :obj:`details[index]` is set by then.
        Raises :class:`~lgir_pyg.errors.LGIRError` instead of yielding the
        unusable answers when there are more than :obj:`max_unusable` of
        them."""
        self.num_cached = self.num_generated = 0
        self.details = [{'finish_reason': 'no input', 'attempts': 0,
                         'repaired': None} for _ in prompts]
        for i, prompt in enumerate(prompts):
            if not prompt:
                yield i, ''
        pending = [i for i, prompt in enumerate(prompts) if prompt]
        first: Dict[int, Completion] = {}  # The first readable answers.
        last: Dict[int, Tuple[Completion, str]] = {}
        for attempt in range(self.retries + 1):
            failing = []
            for chunk in self._attempt([prompts[i] for i in pending],
                                       template_version, attempt):
                for j, out in chunk:
                    i = pending[j]
                    if out.error is None:
                        first.setdefault(i, out)
                    self.details[i] = {'finish_reason': out.finish_reason,
                                       'attempts': attempt + 1}
                    problem = self._problem(out, prompts[i])
                    if problem is None:
                        self.details[i]['repaired'] = None
                        yield i, (out.text if self.format is None else
                                  self.format.finish(out, prompts[i]))
                    else:
                        failing.append(i)
                        last[i] = out, problem
            pending = sorted(failing)
            if not pending:
                return
        unusable = []
        for i in pending:
            # Sampled retries drift: the greedy first answer is repaired.
            out, problem = last[i]
            out = first.get(i, out)
            if out.error is None and self.format is not None:
                problem = self.format.validate(out, prompts[i])
                self.details[i]['finish_reason'] = out.finish_reason
            self.details[i]['repaired'] = problem
            if out.error is not None:
                unusable.append((i, '', problem))
            elif self.format is None:
                yield i, out.text
            elif not self.format.parse(out.text):
                unusable.append((i, '', 'none of the sections ' + ', '.join(
                    self.format.sections)))
            else:
                yield i, self.format.repair(out, prompts[i])
        if unusable:
            self._report_unusable([p for _, _, p in unusable],
                                  sum(1 for p in prompts if p))
        for i, text, _ in unusable:
            yield i, text

    def _report_unusable(self, problems: List[str], total: int) -> None:
        reasons = '; '.join(f'{count} x {reason}' for reason, count in
                            Counter(problems).most_common(3))
        tries = 'retry' if self.retries == 1 else 'retries'
        message = (f'{len(problems)} of {total} answers of {self.name} are '
                   f'unusable after {self.retries} {tries} ({reasons})')
        if len(problems) > self.max_unusable * total:
            raise LGIRError(f'{message}; more than max_unusable='
                            f'{self.max_unusable:g} of them fails the run: '
                            f'check the server or the model')
        logger.warning(f'{message}; they are kept as empty resumes')

    def generate(self, prompts: List[str],
                 template_version: str) -> List[str]:
        r"""Returns one completion per prompt (see :meth:`stream`)."""
        texts: List[str] = [''] * len(prompts)
        for i, text in self.stream(prompts, template_version):
            texts[i] = text
        return texts

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.generator!r})'


class _Progress:
    r"""What one attempt of a :class:`CachedGenerator` prints on stderr:
    how many answers it generates, an estimate of the whole after the first
    batch, and a bar that moves by each batch's answers (so its rate and
    time left are honest). Without :obj:`show_progress` the first two are
    logged at INFO level instead."""
    def __init__(self, owner: CachedGenerator, total: int, cached: int,
                 template_version: str, attempt: int) -> None:
        from tqdm import tqdm
        self.enabled, self.total = owner.show_progress, total
        unit = 'answer' if owner.format is None else 'resume'
        what = f'{owner.name} ({template_version})'
        answers = f'{total} {unit}' + ('s' if total > 1 else '')
        if attempt == 0:
            self._say(f'{what}: generating {answers}, {cached} from the '
                      f'cache')
        else:
            self._say(f'{what}: retry {attempt} of {owner.retries} for '
                      f'{answers}')
        self.bar = tqdm(total=total, unit=unit, disable=not self.enabled,
                        desc='retry' if attempt else None)
        self.start, self.first = time.monotonic(), True

    def _say(self, text: str) -> None:
        if self.enabled:
            from tqdm import tqdm
            tqdm.write(text, file=sys.stderr)
        else:
            logger.info(text)

    def update(self, num: int) -> None:
        if self.first and num < self.total:
            from tqdm import tqdm
            seconds = time.monotonic() - self.start
            self._say(f'  the first {num} took '
                      f'{tqdm.format_interval(seconds)}: about '
                      f'{tqdm.format_interval(seconds * self.total / num)} '
                      f'for all {self.total}')
        self.first = False
        self.bar.update(num)

    def close(self) -> None:
        self.bar.close()
