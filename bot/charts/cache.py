"""Rendered charts and their Telegram file ids, per (role, kind, language, content version).

Rendering takes a few hundred milliseconds of CPU, so it runs in a worker thread, one render at a
time (matplotlib is not made for concurrent use, and the bot shares two cores), and the result is
kept. Because the content version is part of the key, ``/reload`` invalidates everything at
once: the first key seen with a new version drops the entries of every older one, and requests
still holding an older catalogue are served without being cached. Once Telegram has a chart, it
is re-sent by its ``file_id`` instead of uploading the PNG again.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from bot.charts.render import RenderedChart, render_chart

if TYPE_CHECKING:
    from bot.content.catalog import Catalog


class ChartKey(NamedTuple):
    role: str
    kind: str
    lang: str
    version: str


@dataclass(frozen=True)
class SentPhoto:
    """What Telegram gave back for an uploaded chart: enough to send it again."""

    file_id: str
    caption: str


class ChartCache:
    """Thread-safe store of rendered charts and file ids (bounded, least recently used out)."""

    def __init__(self, max_entries: int = 128) -> None:
        self.max_entries = max_entries
        self._charts: OrderedDict[ChartKey, RenderedChart] = OrderedDict()
        self._sent: dict[ChartKey, SentPhoto] = {}
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()
        self._version: str | None = None
        self._retired: set[str] = set()
        self._inflight: dict[ChartKey, asyncio.Future[RenderedChart]] = {}
        self.renders = 0  # how many charts were actually drawn (tests and the benchmark read it)

    @staticmethod
    def key(catalog: Catalog, role: str, kind: str, lang: str) -> ChartKey:
        return ChartKey(role, kind, lang, catalog.version)

    def _current(self, version: str) -> bool:
        """Note ``version``; False for a retired one (a request that began before a reload)."""
        if version == self._version:
            return True
        if version in self._retired:
            return False
        if self._version is not None:
            self._retired.add(self._version)
        self._version = version
        self._charts.clear()
        self._sent.clear()
        return True

    def clear(self) -> None:
        """Forget everything (rendered charts and file ids)."""
        with self._lock:
            self._charts.clear()
            self._sent.clear()

    def get(self, key: ChartKey) -> RenderedChart | None:
        """The rendered chart if it is cached (no rendering)."""
        with self._lock:
            hit = self._charts.get(key)
            if hit is not None:
                self._charts.move_to_end(key)
            return hit

    def render(self, catalog: Catalog, role: str, kind: str, lang: str) -> RenderedChart:
        """The chart, from the cache or drawn now (blocking: call it in a worker thread)."""
        key = self.key(catalog, role, kind, lang)
        hit = self.get(key)
        if hit is not None:
            return hit
        with self._render_lock:
            hit = self.get(key)  # another thread may have drawn it while we waited
            if hit is not None:
                return hit
            chart = render_chart(catalog, role, kind, lang)
            self.renders += 1
        with self._lock:
            if self._current(key.version):
                self._charts[key] = chart
                while len(self._charts) > self.max_entries:
                    self._charts.popitem(last=False)
        return chart

    async def chart(self, catalog: Catalog, role: str, kind: str, lang: str) -> RenderedChart:
        """The chart without blocking the event loop; concurrent requests share one render."""
        key = self.key(catalog, role, kind, lang)
        hit = self.get(key)
        if hit is not None:
            return hit
        future = self._inflight.get(key)
        if future is None or future.get_loop() is not asyncio.get_running_loop():
            future = asyncio.ensure_future(
                asyncio.to_thread(self.render, catalog, role, kind, lang))
            self._inflight[key] = future

            def _done(done: asyncio.Future[RenderedChart], key: ChartKey = key) -> None:
                if self._inflight.get(key) is done:
                    del self._inflight[key]

            future.add_done_callback(_done)
        return await asyncio.shield(future)

    def sent(self, key: ChartKey) -> SentPhoto | None:
        """The file id (and caption) of a chart Telegram already has."""
        with self._lock:
            return self._sent.get(key)

    def remember(self, key: ChartKey, file_id: str, caption: str) -> None:
        """Keep the ``file_id`` Telegram returned for an upload of ``key``."""
        with self._lock:
            if self._current(key.version):
                self._sent[key] = SentPhoto(file_id, caption)

    def forget(self, key: ChartKey) -> None:
        """Drop a file id Telegram no longer accepts."""
        with self._lock:
            self._sent.pop(key, None)
