"""👎 on an answer keeps its question to be taught (issue 15), stored like an unanswered one.

The question comes from the bot's memory of the chat's recent answers (nothing is written
until the 👎); it appears among the teachable items marked 👎 with what was answered, is
taught with one tap, and goes with /forget and the retention purge like any stored question.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.admin.conftest import ADMIN_ID, Harness
from tests.admin.test_teach import (  # noqa: F401  (intents, pristine, teach: fixtures)
    admin_says,
    buttons,
    intents,
    press,
    pristine,
    sent_with,
    teach,
)
from tests.fakes.telegram_server import callback, text_message, user

# Answered as pay with a confidence high enough that nothing is kept, and wrongly so.
LONELY = "is a helpdesk specialist a lonely job"
HELPDESK = "helpdesk-specialist"
U = 2101
_message_ids = itertools.count(500_000)


async def ask(h: Harness, text: str, chat_id: int = U) -> int:
    """Ask in the user's private chat; the question's message id."""
    body = text_message(text, chat_id=chat_id, from_user=user(chat_id))
    body["message"]["message_id"] = next(_message_ids)
    await h.send(body)
    return int(body["message"]["message_id"])


async def dislike(h: Harness, topic: str = "salary", chat_id: int = U,
                  pressed: int | None = None) -> None:
    """👎 on an answer about ``topic`` (pressed on message ``pressed``, by default the latest)."""
    body: dict[str, Any] = callback(f"f:-:{HELPDESK}:{topic}", chat_id=chat_id,
                                    from_user=user(chat_id))
    body["callback_query"]["message"]["message_id"] = (
        next(_message_ids) if pressed is None else pressed)
    await h.send(body)
    await h.store.flush()


async def test_a_dislike_keeps_the_question_and_one_tap_teaches_it(
        teach: Harness) -> None:  # noqa: F811
    h = teach
    await ask(h, LONELY)
    assert h.texts(U)[-1].startswith("<b>Helpdesk specialist: pay</b>"), h.texts(U)[-1]
    await h.store.flush()
    assert await h.store.unanswered(5) == []  # answered confidently: no text kept

    await dislike(h)
    [item] = await h.store.unanswered(5)
    assert (item.text, item.lang, item.intent, item.role, item.disliked) == (
        LONELY, "en", "salary", HELPDESK, True)
    await dislike(h)  # a second 👎 on the same answer keeps nothing more
    assert [i.count for i in await h.store.unanswered(5)] == [1]

    await admin_says(h, "/unanswered")
    card = sent_with(h, LONELY)
    assert "👎 on the answer: Pay · Helpdesk specialist" in card["text"], card["text"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(card))
    await press(h, f"adm:t:{item.id}:workplace:{HELPDESK}")
    learned = h.texts(ADMIN_ID)[-1]
    assert re.match(f"Learned: «{LONELY}» → workplace \\({HELPDESK}\\); the same question is "
                    "now answered with", learned), learned
    await ask(h, LONELY, chat_id=U + 1)
    assert h.texts(U + 1)[-1].startswith("<b>Helpdesk specialist: workplace</b>"), \
        h.texts(U + 1)[-1]


async def test_the_dislike_keeps_the_question_of_the_answer_it_was_pressed_on(
        harness: Harness) -> None:
    h = harness
    first = await ask(h, "what does a helpdesk specialist earn")
    second = await ask(h, "helpdesk specialist salary in iran")
    assert second > first
    await dislike(h, pressed=first + 1)  # the first answer's message, before the second question
    [item] = await h.store.unanswered(5)
    assert item.text == "what does a helpdesk specialist earn" and item.disliked
    await dislike(h, topic="duties")  # no answer about duties: counted, nothing kept
    assert len(await h.store.unanswered(5)) == 1


async def test_a_kept_dislike_goes_with_forget_and_with_the_retention(
        harness: Harness, tmp_path: Path) -> None:
    h = harness
    await ask(h, LONELY)
    await ask(h, LONELY, chat_id=U + 1)
    await dislike(h)
    await dislike(h, chat_id=U + 1)
    assert [i.count for i in await h.store.unanswered(5)] == [2]

    await h.send(text_message("/forget", chat_id=U, from_user=user(U)))
    await h.send(callback(f"pv:forget:{U}", chat_id=U, from_user=user(U)))
    await h.store.flush()
    [item] = await h.store.unanswered(5)
    assert item.count == 1  # only the other user's asking is left

    await ask(h, LONELY)  # remembered again after /forget, but a forget drops it from memory
    await h.send(callback(f"pv:forget:{U}", chat_id=U, from_user=user(U)))
    await dislike(h)
    assert [i.count for i in await h.store.unanswered(5)] == [1]

    later = datetime.now(UTC) + timedelta(days=h.store.retention_days + 1)
    assert await h.store.purge_expired(later) == 1
    assert await h.store.unanswered(5) == []


@pytest.mark.parametrize("lang", ["en", "nb", "nn", "lv", "fa"])
async def test_privacy_says_a_dislike_keeps_the_question(harness: Harness, lang: str) -> None:
    await harness.send(text_message("/privacy", chat_id=U, from_user=user(U, lang)))
    [text] = harness.texts(U)
    question_line = next(line for line in text.splitlines()
                         if "👎" in line and "👍" not in line)
    assert "/forget" not in question_line and len(question_line) > 80, question_line
