"""``helpdesk-bot run``: long polling by default, a webhook when WEBHOOK_URL is set.

Start-up: logging, content and engine, then the SQLite store (migrated; a database newer than
the code ends the program with one line and exit status 2), then the Application over the
store's chat states, initialized (``getMe``) before it runs: a token Telegram rejects ends the
program with one line naming TELEGRAM_BOT_TOKEN, exit status 2, and never the token. While
running, ``SIGHUP`` reloads ``content/`` and ``intents/`` like ``/reload`` (the outcome goes to
the log), and with ``CONTENT_AUTORELOAD=1`` so does any change of their files (watchfiles,
debounced). Delivery starts and stops in ``bot.telegram.delivery.lifecycle``: PTB's
``run_polling``/``run_webhook`` stop on SIGINT and SIGTERM, updates in flight finish (except
one whose reply would still have to wait before its first message, which is left in the
inbox), ``post_shutdown`` closes the store, and the process exits 0. The heartbeat and the
purge of expired question texts are JobQueue jobs (``schedule_jobs``).
Updates go through the store's inbox (``bot.telegram.delivery.inbox``) in both modes: fetched
batches with long polling, each webhook call before its ``200``. None is lost to a crash, and
at a stop those not started yet wait there for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ContextTypes

from bot.bootstrap import build_service
from bot.config import ConfigError, Settings
from bot.health import INTERVAL as HEARTBEAT_INTERVAL
from bot.health import heartbeat_path, prepare_heartbeat, touch_heartbeat
from bot.logs import redact, setup_logging
from bot.nlu.langid import release_free_memory
from bot.reload import Reloader
from bot.storage import StorageError, Store
from bot.telegram.app import build_application
from bot.telegram.delivery import lifecycle
from bot.telegram.delivery.inbox import Inbox
from bot.telegram.delivery.lifecycle import STOP_SIGNALS
from bot.telegram.digest import weekly_digest
from bot.telegram.store_states import StoreChatStates

log = logging.getLogger(__name__)
RELOAD_SIGNAL = signal.SIGHUP
AUTORELOAD_DEBOUNCE_MS = 800
PURGE_INTERVAL = 3600.0  # seconds between purges of expired question texts
FIRST_PURGE = 1.0  # seconds after start (a job cannot be due before the scheduler runs)
TRIM_INTERVAL = 15.0  # seconds between handing freed heap back to the OS (a few ms each)

# Telegram answers 401 for a well-formed but unknown token and 404 for a malformed one.
REJECTIONS = {"Unauthorized": "401 Unauthorized", "Not Found": "404 Not Found"}

AnyApp = Application[Any, Any, Any, Any, Any, Any]
Hook = Callable[[AnyApp], Coroutine[Any, Any, None]]


def run_bot(settings: Settings) -> int:
    """Run until stopped; returns the exit status."""
    secrets = tuple(s for s in (settings.token, settings.webhook_secret) if s)
    setup_logging(settings.log_level, secrets)
    # Until the loop handles it, a SIGHUP (an admin reloading early) must not kill the process.
    signal.signal(RELOAD_SIGNAL, signal.SIG_IGN)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # PTB's run_* use the current loop; the store must share it
    try:
        try:  # the store first: a database from a newer version fails fast, before training
            store = loop.run_until_complete(
                Store.open(settings.database_path, retention_days=settings.retention_days,
                           purge_interval=None))  # purged by a JobQueue job
        except (StorageError, OSError) as exc:
            print(f"helpdesk-bot: {exc}", file=sys.stderr)
            return 2
        try:
            service = build_service(settings)
            inbox = Inbox(store)
            webhook = bool(settings.webhook_url)
            app = build_application(
                settings, service, StoreChatStates(store),
                get_updates_request=None if webhook else inbox.request,
                update_queue=inbox.queue() if webhook else None)
            app.bot_data["store"] = store
            lifecycle.connect(app, inbox)
            _install_lifecycle(app, settings)
            if _token_accepted(loop, app, settings):  # else a stop signal came first
                lifecycle.run(app, settings)
        finally:
            loop.run_until_complete(store.close())  # a no-op when post_shutdown closed it
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    log.info("stopped")
    return 0


def _token_accepted(loop: asyncio.AbstractEventLoop, app: AnyApp, settings: Settings) -> bool:
    """Initialize the application (PTB's ``getMe``) before ``run_*``, which then skips it.

    PTB's own start would log a rejected token as a traceback and end in one that prints it;
    here it is a :class:`ConfigError`, one line and exit 2. False when a stop signal came
    first (PTB's handlers for those are not installed yet).
    """
    check = loop.create_task(app.initialize(), name="check-token")
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, check.cancel)
    try:
        loop.run_until_complete(check)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            loop.run_until_complete(app.bot.shutdown())  # its HTTP clients
        if isinstance(exc, asyncio.CancelledError):
            return False
        if isinstance(exc, InvalidToken):
            reason = _rejection(exc, settings)
            raise ConfigError("TELEGRAM_BOT_TOKEN", f"Telegram rejected it ({reason}); check it "
                              "with @BotFather") from None
        raise
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
    return True


def _rejection(exc: InvalidToken, settings: Settings) -> str:
    """Telegram's words for the rejection, never the token (PTB's own message holds it)."""
    cause = exc.__cause__
    words = cause.message if isinstance(cause, TelegramError) else exc.message
    words = redact(words.splitlines()[0] if words else "", (settings.token or "",))[:100]
    return REJECTIONS.get(words, words or "rejected")


def _chain(first: Hook | None, then: Hook) -> Hook:
    async def hook(app: AnyApp) -> None:
        if first is not None:
            await first(app)
        await then(app)

    return hook


def _install_lifecycle(app: AnyApp, settings: Settings) -> None:
    """SIGHUP, autoreload and the periodic jobs start with the application; the watchers stop
    before it shuts down (the jobs stop with its JobQueue)."""
    reloader: Reloader = app.bot_data["reloader"]
    stop_watching = asyncio.Event()
    watcher: list[asyncio.Task[None]] = []

    async def start(app: AnyApp) -> None:
        loop = asyncio.get_running_loop()
        schedule_jobs(app, settings)
        loop.add_signal_handler(
            RELOAD_SIGNAL, lambda: app.create_task(reloader.reload("SIGHUP"), name="reload"))
        if settings.content_autoreload:
            watcher.append(asyncio.create_task(
                watch_and_reload(reloader, stop_watching), name="content-autoreload"))
        log.info("send SIGHUP to reload content%s",
                 "; content autoreload is on" if settings.content_autoreload else "")

    async def stop(app: AnyApp) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().remove_signal_handler(RELOAD_SIGNAL)
        signal.signal(RELOAD_SIGNAL, signal.SIG_IGN)  # a late SIGHUP must not kill the exit
        stop_watching.set()
        for task in watcher:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.post_init = _chain(app.post_init, start)
    app.post_stop = _chain(app.post_stop, stop)


def schedule_jobs(app: AnyApp, settings: Settings) -> None:
    """The periodic work, as PTB JobQueue jobs on the event loop (they stop with the app):
    the heartbeat Docker's HEALTHCHECK reads (a hung loop goes stale), the purge of question
    texts past RETENTION_DAYS (just after start, then hourly) and the trim of freed heap
    (glibc keeps what parsing and sending free: ~4 MiB per 10,000 messages, which kept the
    bot above its 150 MiB budget); with WEEKLY_DIGEST, the admins' weekly digest
    (``bot.telegram.digest``)."""
    jobs = app.job_queue
    if jobs is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot's job-queue extra is not installed")
    path = heartbeat_path(settings)
    prepare_heartbeat(path)

    async def heartbeat(context: ContextTypes.DEFAULT_TYPE) -> None:
        touch_heartbeat(path)

    async def purge(context: ContextTypes.DEFAULT_TYPE) -> None:
        store: Store | None = context.bot_data.get("store")
        if store is None:
            return
        try:
            deleted = await store.purge_expired()
        except StorageError as exc:
            log.warning("purging expired question texts failed: %s", exc)
        else:
            if deleted:
                log.info("purged %d question texts past their retention", deleted)

    async def trim(context: ContextTypes.DEFAULT_TYPE) -> None:
        await asyncio.to_thread(release_free_memory)  # it walks the heap: off the loop

    touch_heartbeat(path)  # jobs added before the scheduler starts cannot run at "now"
    # A beat or purge that starts late (a busy loop) still runs, once, instead of being skipped.
    late_ok = {"misfire_grace_time": None, "coalesce": True}
    jobs.run_repeating(heartbeat, interval=HEARTBEAT_INTERVAL, name="heartbeat",
                       job_kwargs=late_ok)
    jobs.run_repeating(purge, interval=PURGE_INTERVAL, first=FIRST_PURGE, name="purge",
                       job_kwargs=late_ok)
    jobs.run_repeating(trim, interval=TRIM_INTERVAL, name="trim", job_kwargs=late_ok)
    weekly = settings.weekly_digest
    if weekly is not None:  # WEEKLY_DIGEST; PTB counts days from Sunday (0), Python from Monday
        jobs.run_daily(weekly_digest, time=weekly.at, days=((weekly.weekday + 1) % 7,),
                       name="weekly-digest", job_kwargs=late_ok)


async def watch_and_reload(reloader: Reloader, stop: asyncio.Event,
                           debounce_ms: int = AUTORELOAD_DEBOUNCE_MS) -> None:
    """Reload whenever files under content/ or intents/ change (debounced) until ``stop``."""
    from watchfiles import awatch

    paths = (reloader.content_dir, reloader.intents_dir)
    log.info("watching %s for changes", ", ".join(str(p) for p in paths))
    try:
        async for changes in awatch(*paths, debounce=debounce_ms, stop_event=stop):
            await reloader.reload(f"autoreload, {len(changes)} file change(s)")
    except Exception:  # the watcher is a convenience: never take the bot down with it
        log.exception("content autoreload stopped")
