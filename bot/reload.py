"""Live reload of ``content/`` and ``intents/``: build everything new, check it, swap at once.

Used by ``/reload``, ``SIGHUP`` and ``CONTENT_AUTORELOAD``. The new catalogue and engine are
built off the event loop (in a thread) from scratch, so the bot keeps answering from the old
pair meanwhile; every ``helpdesk-bot check`` rule runs on the new files; only when none of them
reports an error is the new pair handed to :meth:`AnswerService.swap`, which replaces both in
one assignment. On any error nothing changes and the problems are reported as
``file:line: message``.

With ``calibrate_after_swap`` (the Telegram bot's reloads), a rebuild serves the new examples
before the final fit and its calibration: the engine it replaces is brought up to date (its
weights carried over to the new features, the intents whose examples changed refitted alone,
a fraction of a second) and swapped in with that engine's calibration (softmax temperature
and out-of-scope threshold, which an edit of a few examples moves little); the final fit and
the held-out pass that measures it run afterwards in a thread, and their engine (exactly what
a build from scratch gives) is swapped in when it is done, and only then saved. Meanwhile
confidences, and so the fallback decisions near the threshold, are the previous engine's
scale, and the intents not edited keep their previous weights; the log says when the interim
starts and ends. A later reload or teach that swaps in its own engine first wins: the pending
calibration is then dropped, never swapped over it.

Errors and warnings: everything the content checker finds is an error (it is what users would
see: broken YAML, a missing language, a template that fails, invalid HTML, alias collisions),
and so is an intents file that cannot be read or an intent with no examples in a language.
Quality hints on the examples (duplicates, fewer than the recommended number, the same
sentence under two intents, a bare role name) are warnings: the engine trains fine with them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.problems import ContentError, Problem

if TYPE_CHECKING:
    from bot.answer import AnswerService
    from bot.content.catalog import Catalog
    from bot.nlu.classifier import Calibration
    from bot.nlu.engine import Engine

log = logging.getLogger(__name__)

LOGGED_PROBLEMS = 20  # problems written to the log per failed reload
# Messages of bot.nlu.data.check_intents that make a reload fail rather than warn.
_INTENT_ERROR_PREFIXES = ("missing:",)
# The version (hash of its files) of the last content bot.content.check found nothing in:
# the same files check the same, so an edit of intents/ alone skips that ~0.2 s. Reloads are
# serialised, so one name is enough.
_clean_content: str | None = None


@dataclass(frozen=True)
class ReloadResult:
    """What one reload attempt found; ``ok`` means the new content is now live."""

    ok: bool
    trigger: str
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    roles: int = 0
    languages: int = 0
    intents: int = 0
    examples: int = 0
    seconds: float = 0.0
    version: str | None = None  # the new catalogue's version (None when it did not load)
    previous_version: str | None = None
    started: float = 0.0  # time.perf_counter() when the reload started
    calibrating: bool = False  # live with the previous calibration until its own is measured


@dataclass
class Prepared:
    """A catalogue and engine ready to swap in, or the problems that stop them."""

    catalog: Catalog | None = None
    engine: Engine | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    intents: int = 0
    examples: int = 0
    # With an interim calibration: the fully calibrated engine (slow), then saving it.
    calibrate: Callable[[], Engine] | None = None
    save: Callable[[Engine], None] | None = None


def prepare(content_dir: Path, intents_dir: Path, cache_dir: Path | None = None,
            learned_dir: Path | None = None, interim: Calibration | None = None,
            previous: Engine | None = None) -> Prepared:
    """Load, check and (if clean) build; blocking, so run it in a thread. Never raises.

    ``cache_dir``: where the trained engine is saved, so that the next start loads it.
    ``learned_dir``: a separate folder of taught examples read together with ``intents_dir``.
    ``interim``: build the engine with this calibration and leave its own to ``calibrate``
    (see the module docstring); ``previous``: the engine it replaces, updated for the interim
    engine rather than refitted in full."""
    try:
        return _prepare(Path(content_dir), Path(intents_dir), cache_dir, learned_dir, interim,
                        previous)
    except Exception as exc:  # a bug in a loader must not take the bot down with it
        log.exception("reload: unexpected failure while loading content")
        return Prepared(errors=[Problem(str(content_dir), 0, f"unexpected error: {exc!r}")])


def _prepare(content_dir: Path, intents_dir: Path, cache_dir: Path | None,
             learned_dir: Path | None, interim: Calibration | None,
             previous: Engine | None) -> Prepared:
    from bot.content.catalog import load_content
    from bot.content.check import check_catalog
    from bot.nlu import memos
    from bot.nlu.data import check_intents, read_intents
    from bot.nlu.engine import build_engine, build_engine_staged, has_build_memos

    if previous is not None and previous.saved_key is not None and cache_dir is not None \
            and not has_build_memos():
        # The first reload of a bot started from the saved engine: that engine's build left
        # its memos in the model cache, so this reload redoes only what the edit changed.
        memos.restore(Path(cache_dir), previous.saved_key, previous)
    result = Prepared()
    catalog, problems = load_content(content_dir)
    examples, read_problems = read_intents(intents_dir, learned_dir)
    result.examples = len(examples)
    result.intents = len({ex.intent for ex in examples})
    # Files that do not load come first: what the full check finds may only follow from them.
    result.errors = _unique(problems) + _unique(read_problems)
    if catalog is None:
        return result
    global _clean_content
    if catalog.version == _clean_content:
        checked: list[Problem] = []
    else:
        checked = check_catalog(catalog)
        _clean_content = catalog.version if not checked else None
    unreadable = set(read_problems)
    for problem in check_intents(intents_dir, catalog, learned_dir):
        if problem in unreadable:
            continue
        if problem.message.startswith(_INTENT_ERROR_PREFIXES):
            checked.append(problem)
        else:
            result.warnings.append(problem)
    result.errors += [p for p in _unique(checked) if p not in result.errors]
    result.warnings = _unique(result.warnings)
    if result.errors:
        return result
    try:
        if interim is None:
            engine = build_engine(intents_dir, catalog, cache_dir, learned_dir)
        else:
            staged = build_engine_staged(intents_dir, catalog, cache_dir, learned_dir, interim,
                                         previous)
            engine, result.calibrate, result.save = staged.engine, staged.calibrate, staged.save
        engine.parse("hello")  # a smoke test: an engine that cannot parse must not go live
    except ContentError as exc:
        result.errors += exc.problems
        return result
    except Exception as exc:
        log.exception("reload: building the engine failed")
        result.errors.append(Problem(str(intents_dir), 0, f"cannot build the engine: {exc!r}"))
        return result
    result.catalog, result.engine = catalog, engine
    return result


def _unique(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems))


Preparer = Callable[[Path, Path], Prepared]


class Reloader:
    """Serialises reloads of one :class:`AnswerService` and remembers the last outcome."""

    def __init__(self, service: AnswerService, content_dir: Path, intents_dir: Path, *,
                 preparer: Preparer | None = None, cache_dir: Path | None = None,
                 learned_dir: Path | None = None, calibrate_after_swap: bool = False) -> None:
        """``calibrate_after_swap``: serve a rebuilt engine before its calibration (see the
        module docstring); only where the event loop outlives the reload (a bot, not
        ``asyncio.run`` around one reload). A custom ``preparer`` always builds in full."""
        self.service = service
        self.content_dir = Path(content_dir)
        self.intents_dir = Path(intents_dir)
        self.cache_dir = cache_dir
        self.learned_dir = learned_dir
        self.calibrate_after_swap = calibrate_after_swap
        self._default_preparer = functools.partial(prepare, cache_dir=cache_dir,
                                                   learned_dir=learned_dir)
        self.preparer = preparer or self._default_preparer
        self.last: ReloadResult | None = None
        self._lock = asyncio.Lock()
        self._calibrating: set[asyncio.Task[None]] = set()

    @property
    def busy(self) -> bool:
        """Whether a reload is running (or waiting for the one that runs)."""
        return self._lock.locked()

    async def reload(self, trigger: str) -> ReloadResult:
        """Build, check and swap; returns what happened. The old content stays on any error."""
        async with self._lock:
            started = time.perf_counter()
            if self.calibrate_after_swap and self.preparer is self._default_preparer:
                previous = self.service.engine
                prepared = await asyncio.to_thread(
                    prepare, self.content_dir, self.intents_dir, self.cache_dir,
                    self.learned_dir, previous.classifier.calibration, previous)
            else:
                prepared = await asyncio.to_thread(self.preparer, self.content_dir,
                                                   self.intents_dir)
            result = self.install(prepared, trigger, started)
            if result.ok and prepared.calibrate is not None:
                assert prepared.engine is not None
                task = asyncio.create_task(self._finish(prepared, prepared.engine, result))
                self._calibrating.add(task)  # kept referenced until done
                task.add_done_callback(self._calibrating.discard)
            return result

    async def calibrated(self) -> None:
        """Wait until no reload's calibration runs in the background (tests, benchmarks)."""
        while self._calibrating:
            await asyncio.gather(*self._calibrating, return_exceptions=True)

    async def _finish(self, prepared: Prepared, interim: Engine, result: ReloadResult) -> None:
        """Calibrate in a thread, swap the calibrated engine in (unless another has been since),
        then save it."""
        assert prepared.calibrate is not None and prepared.catalog is not None
        calibrate = prepared.calibrate

        def work() -> Engine:
            from bot.nlu.langid import release_free_memory

            engine = calibrate()
            engine.parse("hello")  # a smoke test, as for every engine that goes live
            release_free_memory()
            return engine

        try:
            engine = await asyncio.to_thread(work)
        except Exception:
            log.exception("reload (%s): calibration failed; serving the new examples with the "
                          "previous calibration", result.trigger)
            return
        if self.service.engine is not interim:  # a later reload or teach went live first
            log.info("reload (%s): calibration done but another engine is live; dropped",
                     result.trigger)
            return
        self.service.swap(prepared.catalog, engine)
        if prepared.save is not None:  # best effort: a failed save is logged where it fails
            await asyncio.to_thread(prepared.save, engine)
        was, now = interim.classifier.calibration, engine.classifier.calibration
        log.info("reload (%s): calibrated engine live%s, %.1f s after the reload "
                 "started (temperature %.4f -> %.4f, threshold %.4f -> %.4f)", result.trigger,
                 " and saved" if prepared.save is not None else "",
                 time.perf_counter() - result.started, was.temperature, now.temperature,
                 was.threshold, now.threshold)

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Hold off every reload meanwhile (a teach builds, checks and writes under it)."""
        async with self._lock:
            yield

    def install(self, prepared: Prepared, trigger: str, started: float) -> ReloadResult:
        """Swap ``prepared`` in when it has no errors, and record the outcome; call it inside
        :meth:`exclusive` (or from :meth:`reload`). ``started``: ``time.perf_counter()``."""
        previous = self.service.catalog.version
        ok = not prepared.errors and prepared.catalog is not None \
            and prepared.engine is not None
        if ok:
            assert prepared.catalog is not None and prepared.engine is not None
            self.service.swap(prepared.catalog, prepared.engine)
        catalog = prepared.catalog
        result = ReloadResult(
            ok=ok,
            trigger=trigger,
            errors=tuple(prepared.errors),
            warnings=tuple(prepared.warnings),
            roles=len(catalog.role_ids) if catalog else 0,
            languages=_languages(catalog) if catalog else 0,
            intents=prepared.intents,
            examples=prepared.examples,
            seconds=time.perf_counter() - started,
            version=catalog.version if catalog else None,
            previous_version=previous,
            started=started,
            calibrating=ok and prepared.calibrate is not None,
        )
        self.last = result
        _log_result(result)
        return result


def _languages(catalog: Catalog) -> int:
    """Languages that at least one role is written in."""
    return len({lang for rid in catalog.role_ids for lang in catalog.role(rid).texts})


def _log_result(result: ReloadResult) -> None:
    if result.ok:
        log.info("content reloaded (%s): %d roles, %d languages, %d intents, %d examples, "
                 "%d warnings, version %s -> %s, %.1f s%s", result.trigger, result.roles,
                 result.languages, result.intents, result.examples, len(result.warnings),
                 result.previous_version, result.version, result.seconds,
                 "; confidences on the previous calibration until the new one is measured"
                 if result.calibrating else "")
        return
    log.warning("content reload (%s) refused, still serving version %s: %d problem(s)",
                result.trigger, result.previous_version, len(result.errors))
    for problem in result.errors[:LOGGED_PROBLEMS]:
        log.warning("  %s", problem)


__all__ = ["Prepared", "ReloadResult", "Reloader", "prepare"]
