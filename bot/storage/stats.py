"""Usage analytics: the daily counters and 👍/👎 votes, and the ``Stats`` report over them.

Why a module of its own: analytics are written in the background lane, nobody waits for them,
and only ``/stats``, the digest and ``helpdesk-bot stats`` read them; none of it touches what a
reply depends on.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, timedelta

from bot.storage.core import StoreCore
from bot.storage.models import CountAnswer, RecordFeedback, Stats


class StatsMixin(StoreCore):
    """Counting questions and votes, and reading them back as ``Stats``."""

    async def record_answer(
        self,
        day: date,
        intent: str,
        role: str | None,
        lang: str,
        fallback: bool = False,
        *,
        wait: bool = False,
    ) -> None:
        """*Queued* (unless ``wait``): count one question in the daily counters."""
        await self._apply_or_submit(wait, CountAnswer(day, intent, role, lang, fallback))

    async def record_feedback(
        self, chat_id: int, user_id: int, answer_key: str, value: int, *, wait: bool = False
    ) -> None:
        """*Queued* (unless ``wait``): a 👍 (+1) or 👎 (-1) on an answer; the latest vote counts."""
        await self._apply_or_submit(wait, RecordFeedback(chat_id, user_id, answer_key, value))

    async def stats(self, days: int = 7, *, today: date | None = None) -> Stats:
        """Usage over the ``days`` UTC days ending with ``today`` (default: the clock's day)."""
        if days < 1:
            raise ValueError("days must be at least 1")
        until = today or self._clock().astimezone(UTC).date()
        since = until - timedelta(days=days - 1)
        span = (since.isoformat(), until.isoformat())
        rows = await self._fetch(
            "SELECT day, intent, role, lang, questions, fallbacks FROM counters "
            "WHERE day BETWEEN ? AND ?",
            span,
        )
        per_day: Counter[str] = Counter()
        day_lang: Counter[tuple[str, str]] = Counter()
        intents: Counter[str] = Counter()
        roles: Counter[str] = Counter()
        langs: Counter[str] = Counter()
        questions = fallbacks = 0
        for day, intent, role, lang, count, fallback_count in rows:
            per_day[day] += count
            day_lang[day, lang] += count
            intents[intent] += count
            if role:
                roles[role] += count
            langs[lang] += count
            questions += count
            fallbacks += fallback_count
        votes: Counter[int] = Counter()
        topics: dict[str, Counter[int]] = {}
        for key, value, count in await self._fetch(
            "SELECT answer_key, value, count(*) FROM feedback WHERE day BETWEEN ? AND ? "
            "GROUP BY answer_key, value",
            span,
        ):
            votes[value] += count
            topics.setdefault(str(key).rpartition(":")[2], Counter())[value] += count
        days_iso = [(since + timedelta(days=i)).isoformat() for i in range(days)]
        ranked_langs = _ranked(langs)
        return Stats(
            days=days,
            since=since,
            until=until,
            questions=questions,
            fallbacks=fallbacks,
            per_day=tuple(
                (day, per_day[day.isoformat()])
                for day in (since + timedelta(days=i) for i in range(days))
            ),
            intents=_ranked(intents),
            roles=_ranked(roles),
            langs=ranked_langs,
            thumbs_up=votes[1],
            thumbs_down=votes[-1],
            lang_days=tuple((lang, tuple(day_lang[day, lang] for day in days_iso))
                            for lang, _ in ranked_langs),
            topic_votes=tuple(sorted(((topic, c[1], c[-1]) for topic, c in topics.items()),
                                     key=lambda t: (-(t[1] + t[2]), t[0]))),
        )


def _ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
