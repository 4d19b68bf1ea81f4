"""/stats as a picture (issue 15): the photo and its caption end to end, the picture in all
five languages (Persian mirrored and shaped), an empty database, and ``stats --png``."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from matplotlib.axes import Axes

from bot.answer import AnswerService
from bot.charts.render import png_size
from bot.charts.stats import build_stats, render_stats
from bot.charts.text import NATIVE_SHAPING, RLM
from bot.storage import Stats, Store
from tests.admin.conftest import ADMIN_ID, Harness, admin_user, message, private_chat
from tests.fakes.telegram_server import user

UNTIL = date(2026, 12, 1)
LANGS = ("en", "nb", "nn", "lv", "fa")
TITLES = {"en": "Questions per day, by language", "nb": "Spørsmål per dag, etter språk",
          "nn": "Spørsmål per dag, etter språk", "lv": "Jautājumi pa dienām un valodām",
          "fa": "پرسش‌ها در هر روز، به تفکیک زبان"}


def sample() -> Stats:
    days = tuple(UNTIL - timedelta(days=6 - i) for i in range(7))
    by_lang = {"en": (5, 8, 3, 0, 9, 12, 7), "nb": (2, 3, 4, 1, 0, 2, 5),
               "fa": (1, 0, 2, 3, 1, 1, 4)}
    per_day = tuple((d, sum(c[i] for c in by_lang.values())) for i, d in enumerate(days))
    return Stats(days=7, since=days[0], until=UNTIL, questions=79, fallbacks=11,
                 per_day=per_day, intents=(("salary", 40), ("overview", 28), ("compare", 11)),
                 roles=(("helpdesk-specialist", 50), ("it-project-manager", 9)),
                 langs=tuple((lang, sum(c)) for lang, c in by_lang.items()),
                 thumbs_up=14, thumbs_down=5, lang_days=tuple(by_lang.items()),
                 topic_votes=(("salary", 6, 3), ("compare", 1, 2)))


def empty() -> Stats:
    days = tuple((UNTIL - timedelta(days=6 - i), 0) for i in range(7))
    return Stats(days=7, since=days[0][0], until=UNTIL, questions=0, fallbacks=0,
                 per_day=days, intents=(), roles=(), langs=(), thumbs_up=0, thumbs_down=0)


def _plain(text: str) -> str:
    """A drawn text as written (the shaping of :mod:`bot.charts.text` undone)."""
    return text.replace(RLM, "")


@pytest.mark.parametrize("lang", LANGS)
def test_the_picture_renders_in_every_language(service: AnswerService, lang: str,
                                               tmp_path: Path) -> None:
    catalog = service.catalog
    chart = build_stats(sample(), catalog, lang)
    texts = chart.texts()
    facts = {gid.removeprefix("fact:"): text for gid, text in chart.fact_texts()}
    assert facts["fallback:rate"].endswith(("14%", "14\u00a0%", "۱۴٪")), facts
    assert facts["ranked:charts.stats.intents:0"].endswith("40" if lang != "fa" else "۴۰")
    assert _plain(facts["day:2026-11-30"]) == ("15" if lang != "fa" else "۱۵")  # 12 + 2 + 1
    name = catalog.role_name("helpdesk-specialist", lang)
    if NATIVE_SHAPING:  # each language is named in itself, Persian right to left everywhere
        assert RLM + "فارسی" in texts and any(_plain(t) == "English" for t in texts)
    if lang == "fa":
        if NATIVE_SHAPING:
            assert RLM + TITLES[lang] in texts and RLM + name in texts
        assert all(not any(c.isascii() and c.isdigit() for c in t) for t in facts.values())
        axes = [a for a in chart.figure.axes if isinstance(a, Axes)]
        assert all(a.xaxis_inverted() for a in axes[:4])  # mirrored: from the right
    else:
        assert TITLES[lang] in texts and name in texts
    rendered = render_stats(sample(), catalog, lang)
    assert png_size(rendered.png) == (rendered.width, rendered.height) == (1200, 1350)
    (tmp_path / rendered.filename).write_bytes(rendered.png)  # to look at, when in doubt


def test_an_empty_range_is_a_whole_picture_saying_so(service: AnswerService) -> None:
    for lang in ("en", "fa"):
        chart = build_stats(empty(), service.catalog, lang)
        none = service.catalog.ui(lang, "charts.stats.none")
        assert sum(_plain(t) == none for t in chart.texts()) == 5, lang
        assert png_size(render_stats(empty(), service.catalog, lang).png)[0] == 1200
    assert "0 questions" in " ".join(build_stats(empty(), service.catalog, "en").texts())


async def _usage(store: Store) -> None:
    today = datetime.now(UTC).date()
    await store.record_answer(today, "salary", "helpdesk-specialist", "nb", wait=True)
    await store.record_answer(today, "salary", "helpdesk-specialist", "fa", wait=True)
    await store.record_answer(today, "out_of_scope", None, "en", True, wait=True)
    await store.record_feedback(1001, 1001, "helpdesk-specialist:salary", 1, wait=True)
    await store.record_feedback(1002, 1002, "helpdesk-specialist:salary", 1, wait=True)
    await store.record_feedback(1003, 1003, "it-project-manager:compare", -1, wait=True)


async def test_stats_sends_the_picture_with_the_numbers_as_caption(harness: Harness) -> None:
    h = harness
    await _usage(h.store)
    stats = await h.store.stats(7)
    assert stats.topic_votes == (("salary", 2, 0), ("compare", 0, 1))
    assert dict(stats.lang_days)["nb"][-1] == 1
    await h.send({"message": message("/stats", private_chat(ADMIN_ID), admin_user())})
    [photo] = h.request.sent("sendPhoto")
    assert int(photo["chat_id"]) == ADMIN_ID and photo["parse_mode"] == "HTML"
    caption = photo["caption"]
    assert caption.startswith("<b>Usage over the last 7 days ("), caption
    assert "Questions: 3\nNot answered: 33% (1)\nFeedback: 👍 2 / 👎 1 (67% 👍)" in caption
    [(filename, png)] = h.request.files
    assert filename.endswith("-7d-en.png") and png_size(png) == (1200, 1350)
    assert h.texts() == []  # the picture replaces the text

    await h.send({"message": message("/stats 30", private_chat(ADMIN_ID), admin_user("fa"))})
    assert h.captions()[-1].startswith("<b>استفاده در ۳۰ روز گذشته")
    assert "پرسش‌ها: ۳" in h.captions()[-1]


async def test_a_non_admin_stats_changes_nothing(harness: Harness) -> None:
    h = harness
    await _usage(h.store)
    before = await h.store.stats(7)
    await h.send({"message": message("/stats", private_chat(5555), user(5555))})
    await h.store.flush()
    assert h.request.sent("sendPhoto") == [] and h.request.files == []
    [neutral] = h.texts()  # what any unknown command gets
    assert neutral.startswith("I don't know that command.")
    assert await h.store.stats(7) == before


def test_stats_png_writes_the_picture_on_the_server(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"

    async def fill() -> None:
        store = await Store.open(database, purge_interval=None)
        try:
            await _usage(store)
        finally:
            await store.close()

    asyncio.run(fill())
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ADMIN_", "WEBHOOK_", "DATABASE_", "LOG_"))}
    env["DATABASE_PATH"] = str(database)
    picture = tmp_path / "out" / "stats.png"
    picture.parent.mkdir()
    done = subprocess.run([sys.executable, "-m", "bot", "stats", "--png", str(picture),
                           "--lang", "fa"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Questions" in done.stdout and f"Picture written to {picture}" in done.stdout
    assert png_size(picture.read_bytes()) == (1200, 1350)
    assert [p.name for p in picture.parent.iterdir()] == ["stats.png"]  # no temporary left

    missing = subprocess.run([sys.executable, "-m", "bot", "stats", "--png", str(picture)],
                             env={**env, "DATABASE_PATH": str(tmp_path / "none.sqlite3")},
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and missing.stderr.startswith("helpdesk-bot stats: no "
                                                                 "database at")
