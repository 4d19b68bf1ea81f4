"""Teaching the bot from stored questions: one decision makes a question an intent example.

An admin picks, for a question from ``/unanswered`` (or ``helpdesk-bot unanswered``), the intent
it asks about. The text then becomes an example of that intent in the question's language, in
``<lang>/<intent>.learned.yaml`` under the learned folder (``Settings.learned_dir``: beside the
hand-written files in ``intents/`` when that is writable, else on the data volume), never in a
hand-written file. Every step runs under the reloader's lock, so no reload sees a half-done
teach:

1. the intents (and the learned folder) are copied to a staging folder and the example is added
   there;
2. the copy goes through exactly what ``/reload`` does (:func:`bot.reload.prepare`: every
   ``check`` rule, then a build); an error, or a check problem the example brings in (it
   duplicates another example, it is a bare role name, ...), refuses the teach;
3. the new engine is scored on ``tests/nlu/`` (:mod:`bot.nlu.floors`); if it would lower a
   recorded floor the example is kept aside (a ``held`` decision naming the test items it would
   break) and nothing changes;
4. otherwise the learned file is written (atomically), the decision recorded, and the engine
   built in step 2 is swapped in like a reload's. Its saved model (``MODEL_CACHE_DIR``) has the
   key of the real files, so the next start loads it.

Undo removes the example the same way (steps 1, 2 and 4). The role an admin chooses is kept
with the decision; the role of a message always comes from the role names in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.constants import INTENTS, LANGUAGES, TOPIC_INTENTS
from bot.nlu import floors
from bot.nlu.classifier import OUT_OF_SCOPE
from bot.nlu.data import check_intents, learned_path
from bot.nlu.engine import Engine
from bot.nlu.floors import FloorCheck, compare, floor_sets, measure
from bot.nlu.result import LangHints
from bot.problems import Problem
from bot.reload import Prepared, Reloader, prepare
from bot.storage import Decision, Store, UnansweredItem

log = logging.getLogger(__name__)

GUESSES = 3
HEADER = ("# Examples an admin taught from /unanswered (helpdesk-bot teach), written by the bot.\n"
          "# Hand-written examples belong in the <intent>.yaml beside this file; undo with "
          "/learned.\n")


@dataclass(frozen=True)
class Guess:
    """One of the bot's readings of a stored question, offered as a teach button."""

    intent: str
    role: str | None
    confidence: float


def guesses(engine: Engine, text: str, lang: str | None, n: int = GUESSES) -> list[Guess]:
    """The engine's best ``n`` readings (intent and role), out of scope left out: it has a
    button of its own ("a job we don't cover")."""
    parse = engine.parse(text, LangHints(telegram=lang))
    role = parse.role or parse.local_role
    readings = [(parse.intent, parse.confidence)] + [
        (alt.intent, alt.confidence) for alt in parse.alternatives]
    out: list[Guess] = []
    for intent, confidence in readings:
        if intent != OUT_OF_SCOPE and all(g.intent != intent for g in out):
            out.append(Guess(intent, role if intent in TOPIC_INTENTS else None, confidence))
    return out[:n]


def target(intent: str | None, role: str | None) -> str:
    """``salary (helpdesk-specialist)``, or just the intent."""
    return f"{intent} ({role})" if role else (intent or "—")


@dataclass(frozen=True)
class Outcome:
    """What a teach, ignore, delete or undo did.

    ``kind``: ``learned``, ``held`` (would lower a floor), ``refused`` (a check problem or an
    error; ``problems``), ``invalid`` (no such intent or role), ``gone`` (the question or
    decision is no longer stored), ``decided`` (already decided; ``decision``), ``ignored``,
    ``deleted`` (``count`` rows), ``undone``, ``not_live`` (nothing to undo), ``failed``
    (writing the file failed; ``problems``).
    """

    kind: str
    text: str = ""
    lang: str | None = None
    intent: str | None = None
    role: str | None = None
    decision: Decision | None = None
    answered_intent: str | None = None  # how the bot now reads the same text
    answered_role: str | None = None
    confidence: float | None = None
    file: str | None = None  # the learned file, as shown to admins
    floors: FloorCheck | None = None  # None: not checked (an undo, a refusal before it)
    problems: tuple[str, ...] = ()
    count: int = 0

    @property
    def target(self) -> str:
        return target(self.intent, self.role)


@dataclass
class _Staged:
    prepared: Prepared
    new_problems: list[Problem] = field(default_factory=list)
    floors: FloorCheck | None = None
    reports: dict[str, dict[str, Any]] | None = None


def read_learned(path: Path) -> list[str]:
    """The examples of a learned file (none when it does not exist)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    examples = data.get("examples") if isinstance(data, dict) else None
    return [str(e) for e in examples or []]


def render_learned(intent: str, examples: list[str]) -> str:
    body = yaml.safe_dump({"intent": intent, "examples": examples}, allow_unicode=True,
                          sort_keys=False, width=100_000, default_flow_style=False)
    return HEADER + body


def write_learned(path: Path, intent: str, examples: list[str]) -> None:
    """Replace the learned file at once (a crash leaves the old or the new file, never half);
    no examples left: the file goes."""
    if not examples:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(render_learned(intent, examples), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _problem_key(problem: Problem) -> tuple[str, str]:
    """A problem without its numbers: the same problem before and after one more example."""
    return problem.file, re.sub(r"\d+", "#", problem.message)


class Teacher:
    """Teach, ignore, delete and undo, for the Telegram admin and the terminal alike."""

    def __init__(self, store: Store, reloader: Reloader, *,
                 tests_dir: Path | None = None) -> None:
        """``tests_dir``: the labelled sets with floors (default ``tests/nlu`` of the
        checkout; where it is missing, the floor check is skipped and the outcome says so)."""
        self.store = store
        self.reloader = reloader
        self.tests_dir = tests_dir if tests_dir is not None else floors.DEFAULT_TESTS_DIR
        self._measured: tuple[Engine, dict[str, dict[str, Any]]] | None = None

    @property
    def learned_dir(self) -> Path:
        """Where taught examples are written."""
        return self.reloader.learned_dir or self.reloader.intents_dir

    @property
    def engine(self) -> Engine:
        return self.reloader.service.engine

    def guesses(self, item: UnansweredItem) -> list[Guess]:
        return guesses(self.engine, item.text, item.lang)

    def shown(self, path: Path) -> str:
        """A learned file as admins see it: ``intents/en/salary.learned.yaml``."""
        try:
            return str(path.relative_to(self.learned_dir.parent))
        except ValueError:
            return str(path)

    # --- decisions -------------------------------------------------------------------------

    async def teach(self, row_id: int, intent: str, role: str | None = None) -> Outcome:
        """Make stored question ``row_id`` an example of ``intent`` (see the module docs)."""
        if intent not in INTENTS or (role is not None and (
                role not in self.reloader.service.catalog.role_ids
                or intent not in TOPIC_INTENTS)):
            return Outcome("invalid", intent=intent, role=role)
        item = await self.store.unanswered_item(row_id)
        if item is None:
            return Outcome("gone")
        text = " ".join(item.text.split())
        async with self.reloader.exclusive():
            live = await self.store.live_decision(text)
            if live is not None:
                return Outcome("decided", text, live.lang, live.intent, live.role, live)
            lang = item.lang if item.lang in LANGUAGES else self.engine.parse(text).lang
            started = time.perf_counter()
            path = learned_path(self.learned_dir, lang, intent)
            examples = await asyncio.to_thread(read_learned, path)
            staged = await asyncio.to_thread(
                self._stage, lang, intent, lambda old: [*old, text], check_floors=True)
            outcome = Outcome("refused", text, lang, intent, role, file=self.shown(path))
            refusal = _refusal(staged)
            if refusal:
                return _with(outcome, problems=refusal)
            if staged.floors is not None and not staged.floors.ok:
                note = "\n".join(str(x) for x in (*staged.floors.misses, *staged.floors.broken))
                decision = await self.store.record_decision(text, lang, "teach", intent, role,
                                                            status="held", note=note)
                log.info("teach of question %d as %s kept aside: %d floor(s) lowered",
                         row_id, intent, len(staged.floors.misses))
                return _with(outcome, kind="held", decision=decision, floors=staged.floors)
            try:
                await asyncio.to_thread(write_learned, path, intent, [*examples, text])
            except OSError as exc:
                return _with(outcome, kind="failed", problems=(f"{self.shown(path)}: {exc}",))
            decision = await self.store.record_decision(text, lang, "teach", intent, role)
            engine = self._install(staged, f"teach {decision.id}: {target(intent, role)}",
                                   started)
            log.info("taught decision %d: a %s example of %s", decision.id, lang, intent)
            return self._answered(_with(outcome, kind="learned", decision=decision,
                                        floors=staged.floors), engine)

    async def ignore(self, row_id: int) -> Outcome:
        """"Not a question": it leaves /unanswered, nothing is learned."""
        item = await self.store.unanswered_item(row_id)
        if item is None:
            return Outcome("gone")
        live = await self.store.live_decision(item.text)
        if live is not None:
            return Outcome("decided", live.text, live.lang, live.intent, live.role, live)
        decision = await self.store.record_decision(item.text, item.lang, "ignore")
        return Outcome("ignored", decision.text, item.lang, decision=decision)

    async def delete(self, row_id: int) -> Outcome:
        """Delete every asking of the question (the texts leave the database file)."""
        item = await self.store.unanswered_item(row_id)
        count = await self.store.delete_unanswered(row_id)
        if item is None or not count:
            return Outcome("gone")
        return Outcome("deleted", item.text, item.lang, count=count)

    async def undo(self, decision_id: int) -> Outcome:
        """Take a decision back: a taught example leaves its file and the engine is rebuilt."""
        decision = await self.store.decision(decision_id)
        if decision is None:
            return Outcome("gone")
        outcome = Outcome("undone", decision.text, decision.lang, decision.intent,
                          decision.role, decision)
        if decision.status != "live":
            return _with(outcome, kind="not_live")
        if decision.action != "teach" or decision.intent is None or decision.lang is None:
            await self.store.set_decision_status(decision.id, "undone")
            return outcome
        intent, lang, text = decision.intent, decision.lang, decision.text
        async with self.reloader.exclusive():
            current = await self.store.decision(decision_id)  # another undo may have won
            if current is None or current.status != "live":
                return _with(outcome, kind="not_live")
            started = time.perf_counter()
            path = learned_path(self.learned_dir, lang, intent)
            examples = await asyncio.to_thread(read_learned, path)
            staged = await asyncio.to_thread(self._stage, lang, intent,
                                             lambda old: _without(old, text),
                                             check_floors=False)
            outcome = _with(outcome, file=self.shown(path))
            refusal = _refusal(staged)
            if refusal:
                return _with(outcome, kind="refused", problems=refusal)
            try:
                await asyncio.to_thread(write_learned, path, intent, _without(examples, text))
            except OSError as exc:
                return _with(outcome, kind="failed", problems=(f"{self.shown(path)}: {exc}",))
            await self.store.set_decision_status(decision.id, "undone")
            engine = self._install(staged, f"undo {decision.id}", started)
            log.info("undid decision %d: the %s example of %s is gone", decision.id, lang,
                     intent)
            return self._answered(outcome, engine)

    # --- the work behind them --------------------------------------------------------------

    def _install(self, staged: _Staged, trigger: str, started: float) -> Engine:
        result = self.reloader.install(staged.prepared, trigger, started)
        assert result.ok and staged.prepared.engine is not None
        if staged.reports is not None:  # measured already: the next teach compares with it
            self._measured = (staged.prepared.engine, staged.reports)
        return staged.prepared.engine

    def _answered(self, outcome: Outcome, engine: Engine) -> Outcome:
        parse = engine.parse(outcome.text, LangHints(telegram=outcome.lang))
        return _with(outcome, answered_intent=parse.intent,
                     answered_role=parse.role or parse.local_role, confidence=parse.confidence)

    def _stage(self, lang: str, intent: str, change: Callable[[list[str]], list[str]], *,
               check_floors: bool) -> _Staged:
        """Copy the intents (and learned folder), change the one learned file there, and
        prepare the copy like a reload would; blocking, so it runs in a thread."""
        intents_dir, learned_dir = self.reloader.intents_dir, self.learned_dir
        separate = not _same(learned_dir, intents_dir)
        with tempfile.TemporaryDirectory(prefix="helpdesk-teach-") as tmp:
            staged_intents = Path(tmp) / "i" / intents_dir.name
            shutil.copytree(intents_dir, staged_intents)
            staged_learned = staged_intents
            if separate:
                staged_learned = Path(tmp) / "l" / learned_dir.name
                if learned_dir.is_dir():
                    shutil.copytree(learned_dir, staged_learned)
                staged_learned.mkdir(parents=True, exist_ok=True)
            path = learned_path(staged_learned, lang, intent)
            write_learned(path, intent, change(read_learned(path)))
            prepared = prepare(self.reloader.content_dir, staged_intents,
                               cache_dir=self.reloader.cache_dir,
                               learned_dir=staged_learned if separate else None)
        staged = _Staged(prepared)
        if prepared.errors or prepared.engine is None:
            return staged
        if prepared.warnings:  # only problems the change brings in count against it
            known = {_problem_key(p) for p in self._current_problems()}
            staged.new_problems = [p for p in prepared.warnings
                                   if _problem_key(p) not in known
                                   and not p.message.startswith("too few examples")]
            if staged.new_problems:
                return staged
        if check_floors:
            staged.floors, staged.reports = self._floors(prepared.engine)
        return staged

    def _current_problems(self) -> list[Problem]:
        return check_intents(self.reloader.intents_dir, self.reloader.service.catalog,
                             self.reloader.learned_dir)

    def _floors(self, engine: Engine) -> tuple[FloorCheck, dict[str, dict[str, Any]] | None]:
        sets = floor_sets(self.tests_dir)
        if sets is None:
            return FloorCheck(skipped=True), None
        running = self.engine
        if self._measured is None or self._measured[0] is not running:
            self._measured = (running, measure(running, sets))
        new = measure(engine, sets)
        return compare(sets, self._measured[1], new), new


def _same(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return a.resolve() == b.resolve()
    return a == b


def _without(examples: list[str], text: str) -> list[str]:
    """``examples`` less one copy of ``text``."""
    out = list(examples)
    with contextlib.suppress(ValueError):
        out.remove(text)
    return out


def _refusal(staged: _Staged) -> tuple[str, ...]:
    return tuple(str(p) for p in (*staged.prepared.errors, *staged.new_problems))


def _with(outcome: Outcome, **changes: Any) -> Outcome:
    from dataclasses import replace

    return replace(outcome, **changes)


__all__ = ["Guess", "Outcome", "Teacher", "guesses", "read_learned", "target"]
