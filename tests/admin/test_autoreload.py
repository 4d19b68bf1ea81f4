"""CONTENT_AUTORELOAD: a file change under content/ or intents/ triggers one (debounced) reload."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.answer import AnswerService
from bot.problems import Problem
from bot.reload import Prepared, Reloader
from bot.telegram.runner import watch_and_reload


async def test_a_burst_of_edits_reloads_and_the_watcher_stops_cleanly(
        own_service: AnswerService, tmp_path: Path) -> None:
    content, intents = tmp_path / "content", tmp_path / "intents"
    content.mkdir()
    intents.mkdir()
    calls: list[str] = []

    def preparer(content_dir: Path, intents_dir: Path) -> Prepared:
        calls.append(str(content_dir))
        return Prepared(errors=[Problem("content/x.yaml", 1, "stub")])

    reloader = Reloader(own_service, content, intents, preparer=preparer)
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_and_reload(reloader, stop, debounce_ms=300))
    bursts = 0

    async def edit_until_reloaded() -> None:
        # The watcher may take a moment to start: edit in bursts until it has reacted.
        nonlocal bursts
        while reloader.last is None:
            bursts += 1
            for i in range(5):
                (intents / f"file{i}.yaml").write_text(f"intent: x{bursts}\n")
            await asyncio.sleep(0.5)

    await asyncio.wait_for(edit_until_reloaded(), timeout=30)
    assert 1 <= len(calls) <= bursts  # debounced: a burst of five edits, at most one reload
    assert calls[0] == str(content)
    assert reloader.last is not None and not reloader.last.ok
    assert "file change" in reloader.last.trigger
    assert own_service.catalog is not None
    stop.set()
    await asyncio.wait_for(watcher, timeout=10)
