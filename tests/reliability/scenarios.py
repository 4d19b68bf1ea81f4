"""Issue 7's scenarios, shared by the test suite (small sizes) and ``bench/reliability.py``.

Each scenario drives the real bot (``python -m bot run`` as a subprocess, or the Application
in-process where a window must be scaled down) against :class:`FakeTelegram` on 127.0.0.1 and
returns a :class:`Result`: counts for the pass criteria, and timings for the bench only (tests
never assert timings on this shared 2-core machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answer import AnswerService, ChatState
from bot.config import PROJECT_ROOT
from bot.nlu.result import LangHints
from bot.telegram.webhook import MAX_BODY_BYTES
from tests.fakes.offline import OfflineRequest
from tests.fakes.telegram_server import (
    FakeTelegram,
    Limits,
    Sent,
    text_message,
    user,
)

TOKEN = "123456789:AAHfakeTokenForTestsOnly-abcdefghijk"
REPEAT_WINDOW = 1.0  # seconds: see duplicate_ages
# Questions whose answer is one message (so one reply = one message, and a repeat is visible).
QUESTIONS = (
    ("en", "how much does a helpdesk specialist earn?"),
    ("en", "what does an IT project manager do?"),
    ("en", "which skills does a user support specialist need?"),
    ("en", "what certifications help an IT service manager?"),
    ("nb", "hva tjener en IT-prosjektleder?"),
    ("nb", "hvilke verktøy bruker en IKT-servicemedarbeider?"),
    ("lv", "kādas prasmes vajag lietotāju atbalsta speciālistam?"),
    ("fa", "کارشناس پشتیبانی فنی چه کار می‌کند؟"),
    ("en", "my printer is broken"),
    ("en", "hello"),
    ("en", "which roles do you know?"),
    ("nn", "kva gjer ein IKT-servicemedarbeidar?"),
)


@dataclass
class Result:
    """What a scenario measured: ``checks`` are the pass criteria (name -> passed)."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(self.checks.values())


# ---------------------------------------------------------------------------- the questions


@dataclass(frozen=True)
class Question:
    chat_id: int
    lang: str
    text: str
    expected: tuple[str, ...]  # the HTML messages of the correct reply


def expected_replies(service: AnswerService) -> list[tuple[str, str, tuple[str, ...]]]:
    """(lang, text, messages) for the questions whose reply is a single message."""
    found = []
    for lang, text in QUESTIONS:
        reply = service.answer(text, ChatState(), LangHints(telegram=lang))
        if len(reply.messages) == 1:
            found.append((lang, text, tuple(reply.messages)))
    return found


def questions(service: AnswerService, count: int, first_chat: int) -> list[Question]:
    pool = expected_replies(service)
    assert len(pool) >= 6, "too few single-message answers to vary the questions"
    return [Question(first_chat + i, *pool[i % len(pool)]) for i in range(count)]


def push(server: FakeTelegram, items: Iterable[Question]) -> list[int]:
    return [server.push_update(text_message(q.text, chat_id=q.chat_id,
                                            from_user=user(q.chat_id, q.lang)))
            for q in items]


@dataclass
class Tally:
    """Replies per chat compared with the questions asked."""

    answered: int
    missing: int
    duplicates: int  # messages beyond the expected ones, over all chats
    wrong: int  # chats whose first reply is not the expected text


def tally(server: FakeTelegram, asked: list[Question]) -> Tally:
    by_chat: dict[int, list[Sent]] = {}
    for sent in server.messages():
        by_chat.setdefault(int(sent.params["chat_id"]), []).append(sent)
    answered = missing = duplicates = wrong = 0
    for q in asked:
        got = by_chat.get(q.chat_id, [])
        if not got:
            missing += 1
            continue
        answered += 1
        duplicates += max(0, len(got) - len(q.expected))
        if tuple(str(s.params["text"]) for s in got[:len(q.expected)]) != q.expected:
            wrong += 1
    return Tally(answered, missing, duplicates, wrong)


async def wait_until(condition: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


# ---------------------------------------------------------------------------- the bot process


class BotProcess:
    """``python -m bot run`` against the fake server; its log goes to a file."""

    def __init__(self, server: FakeTelegram, workdir: Path, log_level: str | None = None,
                 root: Path = PROJECT_ROOT, **env: str) -> None:
        self.server = server
        self.root = root  # the checkout whose ``bot`` runs (a bench compares two)
        self.workdir = workdir
        self.db = workdir / "bot.sqlite3"
        self.log = workdir / "bot.log"
        # The suite's LOG_LEVEL (DEBUG for the token check) reaches the bot too.
        self.log_level = log_level or os.environ.get("LOG_LEVEL", "INFO").upper()
        self.extra = env
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TELEGRAM_", "ADMIN_", "WEBHOOK_", "DATABASE_", "LOG_"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=self.server.base_url,
                   DATABASE_PATH=str(self.db), LOG_LEVEL=self.log_level, **self.extra)
        return env

    async def start(self, ready_timeout: float = 90.0, wait_ready: bool = True) -> None:
        since = time.monotonic()
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=self.env(), cwd=str(self.root),
                stdout=asyncio.subprocess.DEVNULL, stderr=log)
        self.starts += 1
        if wait_ready:
            ready = await wait_until(
                lambda: any(m == "getUpdates" and t >= since for m, t in self.server.calls)
                or (self.process is not None and self.process.returncode is not None),
                ready_timeout)
            if not ready or self.process.returncode is not None:
                raise RuntimeError(f"the bot did not start: {self.log_tail()}")

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    async def wait(self, timeout: float) -> int | None:
        if self.process is None:
            return None
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            return None

    async def terminate(self, timeout: float = 30.0) -> tuple[int | None, float]:
        """SIGTERM; the exit status (None: still running after ``timeout``) and seconds taken."""
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = await self.wait(timeout)
        return code, time.monotonic() - began

    async def close(self) -> None:
        self.kill()
        await self.wait(10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def token_leaks(self) -> int:
        text = self.log_text()
        return text.count(TOKEN) + text.count(TOKEN.split(":")[1])


def integrity(db: Path) -> str:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def db_count(db: Path, sql: str) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute(sql).fetchone()[0])


def max_in_window(times: list[float], window: float) -> int:
    """The most events in any ``window`` seconds (a sliding window over sorted times)."""
    times = sorted(times)
    best = start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def start_in_process(app: Any) -> None:
    """Run a built Application's long polling in this process (scenarios that scale windows
    down or need the production pacing without a subprocess)."""
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()


async def stop_in_process(app: Any, server: FakeTelegram) -> None:
    """Stop what :func:`start_in_process` started, and the fake server."""
    server.release_polls()
    assert app.updater is not None
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    await server.stop()


async def new_server(limits: Limits | None = None) -> FakeTelegram:
    server = FakeTelegram(token=TOKEN, limits=limits or Limits())
    await server.start()
    return server


# ---------------------------------------------------------------------------- 1. burst


async def burst(service: AnswerService, workdir: Path, users: int = 1000) -> Result:
    """Every user sends one question at once; Telegram's limits; the bot paces itself."""
    result = Result("1. burst")
    server = await new_server()
    bot = BotProcess(server, workdir)
    try:
        await bot.start()
        asked = questions(service, users, 10_000_000)
        began = time.monotonic()
        push(server, asked)
        expected = sum(len(q.expected) for q in asked)
        await wait_until(lambda: len(server.messages()) >= expected, 60 + users / 10)
        elapsed = time.monotonic() - began
        await asyncio.sleep(1.0)  # room for late duplicates to show
        count = tally(server, asked)
        floor = expected / 30
        result.figures.update(
            users=users, messages=len(server.messages()), seconds=round(elapsed, 2),
            floor_seconds=round(floor, 2), ratio=round(elapsed / floor, 3),
            duplicates=count.duplicates, missing=count.missing, wrong=count.wrong,
            too_many_requests=sum(1 for e in server.errors if e[1] == 429),
            early_requests=server.early_requests, token_in_log=bot.token_leaks())
        result.checks.update({
            "all answered": count.missing == 0,
            "0 duplicates": count.duplicates == 0,
            "all correct": count.wrong == 0,
            "no request in a retry_after window": server.early_requests == 0,
            "token never logged": bot.token_leaks() == 0,
        })
        code, _ = await bot.terminate()
        result.checks["clean exit"] = code == 0
    finally:
        await bot.close()
        await server.stop()
    return result


# ---------------------------------------------------------------------------- 2. group flood


async def group_flood(service: AnswerService, commands: int = 100, period: float = 60.0,
                      limit: int = 20, spread: float = 30.0) -> Result:
    """``commands`` commands in one group within ``spread`` s, with a private chat beside it.

    Runs in-process so the group window can be scaled down (``period``): the bot's pacing and
    the fake server's group limit use the same window.
    """
    from telegram.ext import Application

    from bot.config import Settings
    from bot.telegram.app import build_application
    from bot.telegram.delivery.limiter import PacedRateLimiter, PaceLimits

    result = Result("2. group flood")
    server = await new_server(Limits(group_per_minute=limit, group_period=period))
    settings = Settings(token=TOKEN, api_base_url=server.base_url)
    pacing = PaceLimits(group=limit, group_period=period)
    app: Application[Any, Any, Any, Any, Any, Any] = build_application(
        settings, service, rate_limiter=PacedRateLimiter(pacing))
    group = -100_555
    topics = ("salary", "skills", "duties", "tools", "education")
    try:
        await start_in_process(app)
        began = time.monotonic()
        private_id = 0
        for i in range(commands):
            body = text_message(f"/{topics[i % len(topics)]} helpdesk", chat_id=group,
                                from_user=user(5000 + i % 7))
            server.push_update(body)
            if i == commands // 2:
                private_id = 4_000_001
                server.push_update(text_message("hello", chat_id=private_id))
            await asyncio.sleep(spread / commands)
        done = await wait_until(
            lambda: len(server.messages(group)) >= commands and server.messages(private_id),
            spread + period * (commands / limit + 2))
        elapsed = time.monotonic() - began
        group_sends = server.messages(group)
        times = [s.at for s in group_sends]
        busiest = max_in_window(times, period)
        private_at = server.messages(private_id)[0].at if server.messages(private_id) else None
        later_group = sum(1 for t in times if private_at is not None and t > private_at)
        replied_to = Counter(int((s.params.get("reply_parameters") or {}).get("message_id", 0))
                             for s in group_sends)
        result.figures.update(
            commands=commands, window_s=period, group_replies=len(group_sends),
            most_in_any_window=busiest, seconds=round(elapsed, 1),
            too_many_requests=sum(1 for e in server.errors if e[1] == 429),
            group_replies_after_private=later_group)
        result.checks.update({
            "never more than the limit in a window": busiest <= limit,
            "every command answered (none dropped)": done and len(group_sends) == commands
            and len(replied_to) == commands,
            "no 429": not any(e[1] == 429 for e in server.errors),
            "a private chat is not queued behind the group": later_group > 0,
        })
    finally:
        await stop_in_process(app, server)
    return result


# ---------------------------------------------------------------------------- 3. ambiguous send


async def ambiguous_send(service: AnswerService, workdir: Path) -> Result:
    """The server takes a message and never answers: the bot's call times out (after 5 s)."""
    from tests.fakes.telegram_server import Fault

    result = Result("3. ambiguous send")
    server = await new_server()
    bot = BotProcess(server, workdir)
    try:
        await bot.start()
        first, second = questions(service, 2, 3_000_001)
        server.faults.append(Fault("sendMessage", "accept_timeout", delay=12.0))
        push(server, [first])
        await wait_until(lambda: bool(server.messages(first.chat_id)), 20)
        await asyncio.sleep(7.0)  # the bot's read timeout (5 s) passes; would it send again?
        push(server, [second])
        await wait_until(lambda: bool(server.messages(second.chat_id)), 20)
        await asyncio.sleep(1.0)
        copies = len(server.messages(first.chat_id))
        result.figures.update(copies=copies, next_question_answered=len(
            server.messages(second.chat_id)))
        result.checks.update({
            "at most one copy": copies <= 1,
            "the bot keeps answering": len(server.messages(second.chat_id)) == 1,
        })
        code, _ = await bot.terminate()
        result.checks["clean exit"] = code == 0
    finally:
        await bot.close()
        await server.stop()
    return result


# ---------------------------------------------------------------------------- 4. crash loop


async def crash_loop(service: AnswerService, workdir: Path, updates: int = 500,
                     kills: int = 10, seed: int = 7, arrival_per_s: float = 50.0,
                     life: tuple[float, float] = (0.5, 4.0)) -> Result:
    """SIGKILL at random moments while updates arrive; restart each time; count replies."""
    result = Result("4. crash loop")
    rng = random.Random(seed)
    server = await new_server()
    bot = BotProcess(server, workdir)
    asked = questions(service, updates, 20_000_000)
    delivered = 0

    async def feed() -> None:
        nonlocal delivered
        for q in asked:
            push(server, [q])
            delivered += 1
            await asyncio.sleep(1 / arrival_per_s)

    feeder: asyncio.Task[None] | None = None
    killed_at: list[int] = []
    kill_times: list[float] = []
    try:
        await bot.start()
        feeder = asyncio.create_task(feed())
        for _ in range(kills):
            await asyncio.sleep(rng.uniform(*life))
            killed_at.append(len(server.messages()))
            bot.kill()
            await bot.wait(10)
            # The kill's moment is when the process is gone: a send already on its way when
            # SIGKILL was sent may still be accepted until then (under load, tens of ms later).
            kill_times.append(time.monotonic())
            await bot.start()
        await feeder
        expected = sum(len(q.expected) for q in asked)
        await wait_until(lambda: len(server.messages()) >= expected, 120)
        await asyncio.sleep(2.0)
        code, _ = await bot.terminate()
        count = tally(server, asked)
        check = integrity(bot.db)
        ages = duplicate_ages(server, kill_times)
        result.figures.update(
            updates=updates, kills=kills, starts=bot.starts, answered=count.answered,
            missing=count.missing, duplicates=count.duplicates, wrong=count.wrong,
            integrity_check=check, messages_when_killed=killed_at,
            inbox_left=db_count(bot.db, "SELECT count(*) FROM inbox"),
            duplicate_age_before_kill_ms=[round(1000 * a) for a in ages],
            early_requests=server.early_requests, token_in_log=bot.token_leaks())
        result.checks.update({
            "token never logged": bot.token_leaks() == 0,
            "every update answered": count.missing == 0,
            f"a repeat only of a reply accepted < {REPEAT_WINDOW} s before a kill": all(
                a < REPEAT_WINDOW for a in ages) and len(ages) == count.duplicates,
            "all correct": count.wrong == 0,
            "integrity_check ok": check == "ok",
            "clean final exit": code == 0,
        })
    finally:
        if feeder is not None:
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feeder
        await bot.close()
        await server.stop()
    return result


def duplicate_ages(server: FakeTelegram, kill_times: list[float]) -> list[float]:
    """For each repeated reply: how long before the next kill its first copy was accepted.

    A repeat is unavoidable only for a reply Telegram accepted in the instant before a kill,
    before its finish was committed (Telegram has no idempotent send). Anything older would be
    a bug. Replies repeated without any later kill get an infinite age.
    """
    by_chat: dict[int, list[Sent]] = {}
    for sent in server.messages():
        by_chat.setdefault(int(sent.params["chat_id"]), []).append(sent)
    ages = []
    for copies in by_chat.values():
        for first in copies[:-1]:  # every message but the last has a later copy
            later = [k for k in kill_times if k >= first.at]
            ages.append(min(later) - first.at if later else float("inf"))
    return sorted(ages)


# ---------------------------------------------------------------------------- 5. stop


async def stop_during_burst(service: AnswerService, workdir: Path, users: int = 300,
                            stop_after: int = 60) -> Result:
    """SIGTERM while a burst is being answered; then a restart answers the rest."""
    result = Result("5. stop")
    server = await new_server()
    bot = BotProcess(server, workdir)
    try:
        await bot.start()
        asked = questions(service, users, 30_000_000)
        push(server, asked)
        await wait_until(lambda: len(server.messages()) >= stop_after, 60)
        code, seconds = await bot.terminate(timeout=30)
        sent_by_then = len(server.messages())
        unfinished = db_count(bot.db, "SELECT count(*) FROM updates WHERE NOT done")
        # A started update whose reply had not begun is left in the inbox at a stop (see
        # delivery.limiter.StopSending); one that is neither finished nor there would be lost.
        lost = db_count(bot.db, "SELECT count(*) FROM updates WHERE NOT done AND update_id "
                                "NOT IN (SELECT update_id FROM inbox)")
        deferred = db_count(bot.db, "SELECT count(*) FROM inbox")
        # Updates the bot took (claimed, or kept in its inbox) that Telegram would send again.
        unconfirmed = db_count(bot.db, (
            "SELECT count(*) FROM (SELECT update_id FROM updates UNION SELECT update_id "
            f"FROM inbox) WHERE update_id >= {server.confirmed_offset}"))
        never_fetched = len(server.pending()) - unconfirmed  # still at Telegram, not ours yet
        await bot.start()
        expected = sum(len(q.expected) for q in asked)
        await wait_until(lambda: len(server.messages()) >= expected, 60 + users / 10)
        await asyncio.sleep(1.0)
        code2, _ = await bot.terminate()
        count = tally(server, asked)
        result.figures.update(
            users=users, exit_status=code, exit_seconds=round(seconds, 2),
            sent_before_exit=sent_by_then, started_not_finished=unfinished,
            started_and_not_kept=lost,
            left_for_next_start=deferred, unconfirmed_offsets=unconfirmed,
            not_fetched_yet=never_fetched,
            after_restart_missing=count.missing, duplicates=count.duplicates,
            token_in_log=bot.token_leaks())
        result.checks.update({
            "token never logged": bot.token_leaks() == 0,
            "exit 0": code == 0,
            "within 10 s": code is not None and seconds <= 10,
            "started updates answered or kept for the restart": lost == 0,
            "offsets confirmed": unconfirmed == 0,
            "restart answers the rest exactly once": count.missing == 0
            and count.duplicates == 0 and count.wrong == 0 and code2 == 0,
        })
    finally:
        await bot.close()
        await server.stop()
    return result


# ---------------------------------------------------------------------------- 6. server faults


async def server_faults(service: AnswerService, workdir: Path, outage: float = 4.0,
                        users: int = 40) -> Result:
    """getUpdates then sendMessage fail (500, 502, dropped connections) for a while."""
    from tests.fakes.telegram_server import Fault

    result = Result("6. server faults")
    server = await new_server()
    bot = BotProcess(server, workdir)
    try:
        await bot.start()
        asked = questions(service, users, 40_000_000)
        now = time.monotonic()
        # getUpdates: 502 then dropped connections; sendMessage: 500 then 502, afterwards.
        get_end, send_end = now + outage, now + 2 * outage
        server.faults += [
            Fault("getUpdates", "status", status=502, until=now + outage / 2),
            Fault("getUpdates", "disconnect", until=get_end),
            Fault("sendMessage", "status", status=500, until=get_end + outage / 2),
            Fault("sendMessage", "status", status=502, until=send_end),
        ]
        push(server, asked[: users // 2])
        await asyncio.sleep(outage)
        push(server, asked[users // 2:])
        expected = sum(len(q.expected) for q in asked)
        await wait_until(lambda: len(server.messages()) >= expected, 120)
        await asyncio.sleep(1.0)
        polls = sum(1 for m, t in server.calls if m == "getUpdates" and now <= t < get_end)
        failed_sends = sum(1 for e in server.errors if e[0] == "sendMessage")
        count = tally(server, asked)
        first_reply = min((s.at for s in server.messages()), default=0.0)
        result.figures.update(
            users=users, outage_s=outage, polls_during_outage=polls,
            failed_sends=failed_sends, missing=count.missing, duplicates=count.duplicates,
            first_reply_after_s=round(first_reply - now, 1) if first_reply else None)
        result.checks.update({
            "faults happened": failed_sends > 0 and polls > 0,
            "backs off (no hammering)": polls <= 2 * outage + 4,
            "everything answered afterwards": count.missing == 0 and count.wrong == 0,
            "0 duplicates": count.duplicates == 0,
        })
        code, _ = await bot.terminate()
        result.checks["clean exit"] = code == 0
    finally:
        await bot.close()
        await server.stop()
    return result


def format_table(results: list[Result]) -> str:
    """A plain-text table: scenario, pass/fail, figures."""
    lines = [f"{'scenario':<20} {'result':<6} figures", "-" * 100]
    for r in results:
        figures = ", ".join(f"{k}={v}" for k, v in r.figures.items())
        lines.append(f"{r.name:<20} {'PASS' if r.passed else 'FAIL':<6} {figures}")
        for check, ok in r.checks.items():
            if not ok:
                lines.append(f"{'':<27}failed: {check}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- 10. memory


async def memory(service: AnswerService, workdir: Path, chats: int = 10_000,
                 first: int = 10_000, total: int = 100_000) -> Result:
    """RSS after ``first`` and after ``total`` messages from ``chats`` chats, in-process.

    The production wiring (store-backed chat states, claims, finishes, analytics) over an
    offline request that keeps nothing; no pacing (it would only make the run slower).
    """
    import gc

    import psutil
    from telegram import Update

    from bot.config import Settings
    from bot.storage import Store
    from bot.telegram import admin
    from bot.telegram.app import build_application
    from bot.telegram.store_states import StoreChatStates

    result = Result("10. memory")
    store = await Store.open(workdir / "memory.sqlite3", purge_interval=None)
    request = OfflineRequest(record=False)
    settings = Settings(token=TOKEN)
    app = build_application(settings, service, StoreChatStates(store), request=request,
                            get_updates_request=OfflineRequest(record=False), rate_limiter=False)
    app.bot_data["store"] = store
    process = psutil.Process()
    texts = [q for _, q in QUESTIONS] + ["and the salary?", "/skills", "thanks"]
    rss: dict[int, float] = {}
    began = time.monotonic()
    try:
        await app.initialize()
        for n in range(1, total + 1):
            chat = 50_000_000 + (n * 7919) % chats
            body = text_message(texts[n % len(texts)], chat_id=chat, from_user=user(chat))
            update = Update.de_json({"update_id": n, **body}, app.bot)
            await app.process_update(update)
            if n in (first, total):
                await store.flush()
                gc.collect()
                rss[n] = process.memory_info().rss / 2**20
        elapsed = time.monotonic() - began
        growth = rss[total] / rss[first] - 1
        result.figures.update(chats=chats, messages=total, rss_mib_first=round(rss[first], 1),
                              rss_mib_total=round(rss[total], 1),
                              growth_pct=round(100 * growth, 1), sent=request.sends,
                              per_message_ms=round(1000 * elapsed / total, 2))
        result.checks.update({
            "RSS within 10%": growth <= 0.10,
            "every message answered": request.sends >= total,
        })
    finally:
        await admin.drain(app)
        await app.shutdown()
        await store.close()
    return result


async def run_memory(workdir: Path, texts: list[tuple[str, str | None]], messages: int = 10_000,
                     chats: int = 2_000, batch: int = 30, root: Path = PROJECT_ROOT,
                     model_cache: Path | None = None, budget_mib: float | None = None
                     ) -> Result:
    """RSS of ``python -m bot run`` (a subprocess, the real thing) after ``messages`` messages
    from ``chats`` chats, ``texts`` ((text, Telegram language code)) cycled, against the fake
    Bot API.

    Fed in batches of ``batch`` chats, the next once each of them has had its answer: the bot
    paces its sends (30 a second), so pushing everything at once would measure a backlog of
    thousands of waiting answers, not a bot keeping up with its users. With ``model_cache``
    (``MODEL_CACHE_DIR``) the bot loads the saved model as a production start does. With
    ``budget_mib``, an RSS above it after the messages fails the scenario (issue 14: 150 MiB).
    """
    import psutil

    result = Result("10b. memory under run")
    server = await new_server(Limits(overall_per_second=None, private_per_second=None,
                                     group_per_minute=None))
    env = {"MODEL_CACHE_DIR": str(model_cache)} if model_cache is not None else {}
    bot = BotProcess(server, workdir, root=root, **env)
    replies: Counter[int] = Counter()
    seen = 0

    def count_replies() -> None:
        nonlocal seen
        sent = server.sent
        for item in sent[seen:]:
            if item.method in ("sendMessage", "sendPhoto"):
                replies[int(item.params["chat_id"])] += 1
        seen = len(sent)

    try:
        await bot.start()
        assert bot.process is not None
        process = psutil.Process(bot.process.pid)
        rss_start = process.memory_info().rss / 2**20
        began = time.monotonic()
        unanswered = 0
        for first in range(0, messages, batch):
            asked = {}
            for n in range(first, min(first + batch, messages)):
                chat = 60_000_000 + n % chats
                asked[chat] = replies[chat]
                text, lang = texts[n % len(texts)]
                server.push_update(text_message(text, chat_id=chat, from_user=user(chat, lang)))

            def answered(asked: dict[int, int] = asked) -> bool:
                count_replies()
                return all(replies[c] > before for c, before in asked.items())

            if not await wait_until(answered, 30.0, step=0.02):
                unanswered += sum(1 for c, before in asked.items() if replies[c] <= before)
        elapsed = time.monotonic() - began
        await asyncio.sleep(1.0)
        memory = process.memory_info()
        status = Path(f"/proc/{process.pid}/status")
        peak = next((int(line.split()[1]) / 1024 for line in status.read_text().splitlines()
                     if line.startswith("VmHWM:")), None) if status.exists() else None
        count_replies()
        result.figures.update(messages=messages, chats=chats,
                              rss_mib_start=round(rss_start, 1),
                              rss_mib=round(memory.rss / 2**20, 1),
                              peak_mib=round(peak, 1) if peak is not None else None,
                              sent=sum(replies.values()), unanswered=unanswered,
                              seconds=round(elapsed, 1))
        result.checks["every message answered"] = unanswered == 0
        if budget_mib is not None:
            result.checks[f"RSS after the messages <= {budget_mib:g} MiB"] = \
                memory.rss / 2**20 <= budget_mib
        code, _ = await bot.terminate()
        result.checks["clean exit"] = code == 0
    finally:
        await bot.close()
        await server.stop()
    return result


# ---------------------------------------------------------------------------- 9. webhook


def free_port() -> int:
    import socket

    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def webhook_secret(workdir: Path) -> Result:
    """Webhook mode on 127.0.0.1: a wrong or missing secret gets 403 and runs no handler; a
    body over the limit is refused; without WEBHOOK_SECRET the bot refuses to start."""
    import aiohttp

    result = Result("9. webhook")
    server = await new_server()
    port = free_port()
    secret = "s3cret-Token_for-webhook"
    await webhook_without_secret(server, workdir / "no-secret", port, result)
    bot = BotProcess(server, workdir, WEBHOOK_URL="https://bot.example.invalid/hook",
                     WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), WEBHOOK_SECRET=secret)
    url = f"http://127.0.0.1:{port}/hook"
    statuses: dict[str, int] = {}
    try:
        await bot.start(wait_ready=False)
        up = await wait_until(lambda: any(m == "setWebhook" for m, _ in server.calls), 90)
        if not up:
            raise RuntimeError(f"the webhook did not start: {bot.log_tail()}")
        async with aiohttp.ClientSession() as session:
            for name, headers, chat in (
                    ("missing secret", {}, 9_000_001),
                    ("wrong secret", {"X-Telegram-Bot-Api-Secret-Token": "nope"}, 9_000_002),
                    ("secret of another case", {"X-Telegram-Bot-Api-Secret-Token":
                                                secret.upper()}, 9_000_003),
                    ("right secret", {"X-Telegram-Bot-Api-Secret-Token": secret}, 9_000_004)):
                body = {"update_id": chat, **text_message("hello", chat_id=chat)}
                for _ in range(40):  # the listener may need a moment after setWebhook
                    try:
                        async with session.post(url, json=body, headers=headers) as response:
                            statuses[name] = response.status
                        break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.25)
            # The right secret, but a body over the limit: refused before it is read in full.
            big = {"update_id": 9_000_005, **text_message("hello", chat_id=9_000_005),
                   "padding": "x" * MAX_BODY_BYTES}
            try:
                async with session.post(url, json=big, headers={
                        "X-Telegram-Bot-Api-Secret-Token": secret}) as response:
                    statuses["body over the limit"] = response.status
            except aiohttp.ClientConnectionError:
                statuses["body over the limit"] = 0  # tornado answered 400 and closed
        await wait_until(lambda: bool(server.messages(9_000_004)), 20)
        await asyncio.sleep(1.0)
        handled = {chat: len(server.messages(chat)) for chat in range(9_000_001, 9_000_006)}
        result.figures.update(statuses=statuses, replies=list(handled.values()))
        result.checks.update({
            "wrong or missing secret: 403": all(
                statuses.get(n) == 403 for n in ("missing secret", "wrong secret",
                                                 "secret of another case")),
            "no handler ran for them": handled[9_000_001] == handled[9_000_002]
            == handled[9_000_003] == 0,
            "the right secret is answered": statuses.get("right secret") == 200
            and handled[9_000_004] == 1,
            "a body over the limit is refused": statuses.get("body over the limit") in (400, 0)
            and handled[9_000_005] == 0,
        })
        code, _ = await bot.terminate()
        result.checks["clean exit"] = code == 0
    finally:
        await bot.close()
        await server.stop()
    return result


async def webhook_without_secret(server: FakeTelegram, workdir: Path, port: int,
                                 result: Result) -> None:
    """``WEBHOOK_URL`` without ``WEBHOOK_SECRET``: one line naming it, exit 2, nothing started."""
    workdir.mkdir(parents=True, exist_ok=True)
    bot = BotProcess(server, workdir, log_level="INFO",
                     WEBHOOK_URL="https://bot.example.invalid/hook",
                     WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port))
    calls = len(server.calls)
    try:
        await bot.start(wait_ready=False)
        code = await bot.wait(60)
    finally:
        await bot.close()
    lines = [line for line in bot.log_text().splitlines() if line.strip()]
    result.figures["without secret"] = {"exit": code, "stderr lines": len(lines)}
    result.checks.update({
        "no secret: exit 2": code == 2,
        "no secret: one line naming WEBHOOK_SECRET": len(lines) == 1
        and "WEBHOOK_SECRET" in lines[0],
        "no secret: Telegram never called": len(server.calls) == calls,
    })


async def post_update(session: Any, url: str, body: dict[str, Any],
                      headers: dict[str, str]) -> int:
    """POST one update to the webhook; the HTTP status (the listener may need a moment)."""
    import aiohttp

    for _ in range(40):
        try:
            async with session.post(url, json=body, headers=headers) as response:
                return int(response.status)
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.25)
    raise RuntimeError("the webhook never answered")


async def webhook_crash(service: AnswerService, workdir: Path, updates: int = 20) -> Result:
    """Webhook mode: ``SIGKILL`` right after the ``200`` of ``updates`` updates; restart.

    Every update is in the inbox (or already finished) once its ``200`` arrived, so the
    restart answers all of them, though Telegram will not deliver them again; a copy
    delivered again afterwards is not answered twice (the claim).
    """
    import aiohttp

    result = Result("9b. webhook crash")
    server = await new_server()
    port = free_port()
    secret = "s3cret-Token_for-webhook"
    bot = BotProcess(server, workdir, WEBHOOK_URL="https://bot.example.invalid/hook",
                     WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), WEBHOOK_SECRET=secret)
    url = f"http://127.0.0.1:{port}/hook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    asked = questions(service, updates, 30_000_000)
    kill_times: list[float] = []
    try:
        await bot.start(wait_ready=False)
        if not await wait_until(lambda: any(m == "setWebhook" for m, _ in server.calls), 90):
            raise RuntimeError(f"the webhook did not start: {bot.log_tail()}")
        bodies = [{"update_id": 700_000 + i, **text_message(
            q.text, chat_id=q.chat_id, from_user=user(q.chat_id, q.lang))}
            for i, q in enumerate(asked)]
        async with aiohttp.ClientSession() as session:
            statuses = await asyncio.gather(*(post_update(session, url, b, headers)
                                              for b in bodies))
        kill_times.append(time.monotonic())
        bot.kill()
        await bot.wait(10)
        answered_before = len(server.messages())
        kept = db_count(bot.db, "SELECT count(*) FROM (SELECT update_id FROM inbox UNION "
                                "SELECT update_id FROM updates WHERE done)")
        setups = sum(1 for m, _ in server.calls if m == "setWebhook")
        await bot.start(wait_ready=False)
        await wait_until(lambda: sum(1 for m, _ in server.calls if m == "setWebhook") > setups,
                         90)
        expected = sum(len(q.expected) for q in asked)
        await wait_until(lambda: len(server.messages()) >= expected, 60 + updates)
        async with aiohttp.ClientSession() as session:  # Telegram re-sending what it sent
            statuses += await asyncio.gather(*(post_update(session, url, b, headers)
                                               for b in bodies[:5]))
        await asyncio.sleep(1.0)  # room for late duplicates to show
        count = tally(server, asked)
        ages = duplicate_ages(server, kill_times)
        code, _ = await bot.terminate()
        result.figures.update(
            updates=updates, statuses=sorted(set(statuses)), answered_before_kill=answered_before,
            kept_at_kill=kept, answered=count.answered, missing=count.missing,
            duplicates=count.duplicates, wrong=count.wrong,
            inbox_left=db_count(bot.db, "SELECT count(*) FROM inbox"))
        result.checks.update({
            "every POST got 200": all(s == 200 for s in statuses),
            "every update kept (inbox or finished) at the kill": kept == updates,
            "every update answered after the restart": count.missing == 0,
            f"a repeat only of a reply accepted < {REPEAT_WINDOW} s before the kill": all(
                a < REPEAT_WINDOW for a in ages) and len(ages) == count.duplicates,
            "all correct": count.wrong == 0,
            "token never logged": bot.token_leaks() == 0,
            "clean exit": code == 0,
        })
    finally:
        await bot.close()
        await server.stop()
    return result


# ---------------------------------------------------------------------------- 12. refusals


async def refusals(service: AnswerService, presses: int = 3) -> Result:
    """Final 4xx answers are final: an expired button, a muted group, a proxy's 5xx pages.

    In-process with the production pacing. A user presses a topic button whose query has
    expired (``presses`` times), a group that muted the bot sends a command, then the same
    user asks a question while ``sendMessage`` fails once with nginx's HTML 502 and once with
    an empty 500. Each refused call must be made once, the pressed topic's answer must still
    arrive as a message, and the 5xx sends must be repeated until they arrive, once.
    """
    from telegram.ext import Application

    from bot.answer import actions
    from bot.config import Settings
    from bot.telegram.app import build_application
    from tests.fakes.telegram_server import Fault, callback

    result = Result("12. refusals")
    server = await new_server()
    settings = Settings(token=TOKEN, api_base_url=server.base_url)
    app: Application[Any, Any, Any, Any, Any, Any] = build_application(settings, service)
    chat, group = 7_000_001, -100_777
    server.muted.add(group)
    topic = actions.encode(actions.ShowTopic("helpdesk-specialist", "salary"))
    question = "what does an IT project manager do?"
    try:
        await start_in_process(app)
        began = time.monotonic()
        for _ in range(presses):
            press = callback(topic, chat_id=chat)
            server.expired_queries.add(press["callback_query"]["id"])
            server.push_update(press)
        server.push_update(text_message("/salary helpdesk", chat_id=group,
                                        from_user=user(7_000_002)))
        await wait_until(lambda: len(server.messages(chat)) >= presses, 30)
        server.faults += [Fault("sendMessage", "status", status=502, body="html"),
                          Fault("sendMessage", "status", status=500, body="empty")]
        asked = time.monotonic()
        server.push_update(text_message(question, chat_id=chat))
        answered = await wait_until(lambda: len(server.messages(chat)) >= presses + 1, 30)
        await asyncio.sleep(1.0)  # room for late repeats to show
        delay = (server.messages(chat)[-1].at - asked) if answered else None
        query_calls = sum(1 for m, t in server.calls if m == "answerCallbackQuery" and t >= began)
        group_calls = sum(1 for e in server.errors if e[2] == f"muted {group}")
        faults_hit = sum(1 for e in server.errors if e[0] == "sendMessage" and e[2] == "fault")
        texts = [str(s.params["text"]) for s in server.messages(chat)]
        english = LangHints(telegram="en")
        expected_topic = service.press(topic, ChatState(), english).messages[0]
        expected_answer = service.answer(question, ChatState(), english).messages[0]
        result.figures.update(
            presses=presses, answer_query_calls=query_calls, muted_group_calls=group_calls,
            html_and_empty_5xx=faults_hit, chat_messages=len(texts),
            next_answer_after_s=round(delay, 2) if delay is not None else None)
        result.checks.update({
            "an expired query is answered once, not retried": query_calls == presses,
            "the pressed topic still arrives as a message": texts[:presses]
            == [expected_topic] * presses,
            "a muted group is tried once": group_calls == 1,
            "both 5xx pages were served": faults_hit == 2,
            "the next question is answered, once": texts[presses:] == [expected_answer],
        })
    finally:
        await stop_in_process(app, server)
    return result


# ---------------------------------------------------------------------------- 13. one chat floods


async def flood(service: AnswerService, workdir: Path, messages: int = 300, presses: int = 200,
                muted: int = 40) -> Result:
    """One user sends ``messages`` at once, another presses ``presses`` expired buttons, a
    group that muted the bot sends ``muted`` commands; then a well-behaved user asks.

    The real ``bot run`` with its inbox. The newcomer must not wait behind the floods; each
    flooder gets its chat's backlog answered and one notice; nothing is left in the inbox.
    """
    from bot.answer import actions
    from bot.telegram.delivery.processor import PRIVATE_BACKLOG
    from tests.fakes.telegram_server import callback

    result = Result("13. flood")
    server = await new_server()
    bot = BotProcess(server, workdir)
    flooder, presser, group, newcomer = 8_000_001, 8_000_002, -100_888, 8_000_003
    server.muted.add(group)
    topic = actions.encode(actions.ShowTopic("helpdesk-specialist", "salary"))
    try:
        await bot.start()
        for i in range(messages):
            server.push_update(text_message(QUESTIONS[i % 4][1], chat_id=flooder))
        for _ in range(presses):
            press = callback(topic, chat_id=presser)
            server.expired_queries.add(press["callback_query"]["id"])
            server.push_update(press)
        for i in range(muted):
            server.push_update(text_message("/salary helpdesk", chat_id=group,
                                            from_user=user(8_100_000 + i % 5)))
        asked = time.monotonic()
        server.push_update(text_message("hello", chat_id=newcomer))
        answered = await wait_until(lambda: bool(server.messages(newcomer)), 60)
        newcomer_at = server.messages(newcomer)[0].at if answered else None
        floods_done = await wait_until(
            lambda: len(server.messages(flooder)) > PRIVATE_BACKLOG
            and len(server.messages(presser)) > PRIVATE_BACKLOG
            and db_count(bot.db, "SELECT COUNT(*) FROM inbox") == 0, 90)
        await asyncio.sleep(1.0)
        flooder_at = [s.at for s in server.messages(flooder)]
        behind = sum(1 for t in flooder_at if newcomer_at is not None and t < newcomer_at)
        group_tries = sum(1 for e in server.errors if e[2] == f"muted {group}")
        query_calls = sum(1 for m, _ in server.calls if m == "answerCallbackQuery")
        inbox_left = db_count(bot.db, "SELECT COUNT(*) FROM inbox")
        result.figures.update(
            flood_messages=messages, stale_presses=presses, muted_commands=muted,
            newcomer_after_s=round(newcomer_at - asked, 2) if newcomer_at else None,
            flooder_replies_before_newcomer=behind,
            flooder_replies=len(flooder_at), presser_replies=len(server.messages(presser)),
            answer_query_calls=query_calls, muted_group_tries=group_tries,
            inbox_left=inbox_left)
        notice = service.ui("en", "bot.flood")

        def served(chat: int) -> tuple[int, int]:
            texts = [str(m.params["text"]) for m in server.messages(chat)]
            return len(texts) - texts.count(notice), texts.count(notice)

        result.checks.update({
            "the newcomer is answered": answered,
            "the newcomer does not wait for a flooder's backlog":
                answered and behind < PRIVATE_BACKLOG,
            "a flooder gets its backlog answered, the rest dropped, one notice":
                floods_done and PRIVATE_BACKLOG <= served(flooder)[0] < messages // 2
                and served(flooder)[1] == 1,
            "stale presses: the same":
                PRIVATE_BACKLOG <= served(presser)[0] < presses // 2
                and served(presser)[1] == 1,
            "each press's query answered at most once": query_calls <= presses,
            # Once per command it handles (a flood notice is one more try); never repeated.
            "the muted group is never retried": 0 < group_tries <= muted + 1,
            "nothing left in the inbox": inbox_left == 0,
        })
        code, _ = await bot.terminate()
        result.checks["clean exit"] = code == 0
    finally:
        await bot.close()
        await server.stop()
    return result


# ------------------------------------------------------------------------ 14. stop while retrying


async def stop_while_retrying(service: AnswerService, workdir: Path, users: int = 6) -> Result:
    """SIGTERM while every ``sendMessage`` fails with 500 (sends in back-off), then a restart
    with the server healthy again: the stop is prompt and no question goes unanswered."""
    from tests.fakes.telegram_server import Fault

    result = Result("14. stop in back-off")
    server = await new_server()
    bot = BotProcess(server, workdir)
    try:
        await bot.start()
        asked = questions(service, users, 50_000_000)
        server.faults.append(Fault("sendMessage", "status", status=500,
                                   until=time.monotonic() + 3600))
        push(server, asked)
        # Each send has failed at least twice: all are waiting in back-off.
        retrying = await wait_until(
            lambda: sum(1 for e in server.errors if e[0] == "sendMessage") >= 2 * users, 60)
        code, seconds = await bot.terminate(timeout=30)
        left = db_count(bot.db, "SELECT count(*) FROM inbox")
        server.faults.clear()
        await bot.start()
        expected = sum(len(q.expected) for q in asked)
        await wait_until(lambda: len(server.messages()) >= expected, 60)
        await asyncio.sleep(1.0)
        code2, _ = await bot.terminate()
        count = tally(server, asked)
        result.figures.update(users=users, exit_status=code, exit_seconds=round(seconds, 2),
                              left_in_inbox=left, missing=count.missing,
                              duplicates=count.duplicates)
        result.checks.update({
            "sends were in back-off": retrying,
            "exit 0": code == 0,
            "within 10 s": code is not None and seconds <= 10,
            "the unanswered updates stay in the inbox": left == users,
            "the restart answers each once": count.missing == 0 and count.duplicates == 0
            and count.wrong == 0 and code2 == 0,
        })
    finally:
        await bot.close()
        await server.stop()
    return result
