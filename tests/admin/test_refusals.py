"""Admin commands run only for ADMIN_IDS in a private chat; everyone else gets a neutral reply."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.reload import Reloader
from tests.admin.conftest import (
    ADMIN_ID,
    ADMIN_NAME,
    CHANNEL,
    GROUP,
    Harness,
    admin_user,
    message,
    private_chat,
)
from tests.fakes.telegram_server import callback, user

NEUTRAL = "Sorry, I can't help with that. Send /help to see what I can do."
UNKNOWN = "I don't know that command."  # what a command that does not exist gets in private
STATS_MARK = "Questions:"


def non_admin(command: str) -> dict[str, Any]:
    return {"message": message(command, private_chat(1001), user(1001))}


def lookalike(command: str) -> dict[str, Any]:
    # Same username (and name) as the admin, another id: usernames can be taken over.
    impostor = {**admin_user(), "id": 5555}
    return {"message": message(command, private_chat(5555), impostor)}


def anonymous_group_admin(command: str) -> dict[str, Any]:
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                 "username": "GroupAnonymousBot"}
    return {"message": message(command, GROUP, anonymous, sender_chat=GROUP)}


def channel_linked(command: str) -> dict[str, Any]:
    telegram = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
    return {"message": message(command, GROUP, telegram, sender_chat=CHANNEL,
                               is_automatic_forward=True)}


def channel_post(command: str) -> dict[str, Any]:
    return {"channel_post": message(command, CHANNEL, None, sender_chat=CHANNEL)}


def forwarded(command: str) -> dict[str, Any]:
    # The admin forwards a message that someone else wrote: the command is not the admin's.
    origin = {"type": "user", "sender_user": user(1001), "date": int(time.time()) - 60}
    return {"message": message(command, private_chat(ADMIN_ID), admin_user(),
                               forward_origin=origin)}


def edited(command: str) -> dict[str, Any]:
    return {"edited_message": message(command, private_chat(ADMIN_ID), admin_user(),
                                      edit_date=int(time.time()))}


def admin_in_group(command: str) -> dict[str, Any]:
    return {"message": message(f"{command}@helpdesk_careers_bot", GROUP, admin_user())}


CASES: dict[str, tuple[Callable[[str], dict[str, Any]], str]] = {
    "non-admin": (non_admin, "not in ADMIN_IDS"),
    "username look-alike": (lookalike, "not in ADMIN_IDS"),
    "anonymous group admin": (anonymous_group_admin, "anonymous group admin"),
    "channel-linked sender": (channel_linked, "channel-linked sender (777000)"),
    "channel post": (channel_post, "channel post"),
    "forwarded": (forwarded, "forwarded message"),
    "edited": (edited, "edited message"),
    "admin in a group": (admin_in_group, "not a private chat"),
}


@pytest.mark.parametrize("command", ["/stats", "/unanswered 5", "/reload"])
@pytest.mark.parametrize("case", list(CASES))
async def test_refused_with_a_neutral_reply_and_a_log_line(
        harness: Harness, caplog: pytest.LogCaptureFixture, case: str, command: str) -> None:
    build, reason = CASES[case]
    await harness.store.record_unanswered(1001, 1001, "secret question", "en", "out_of_scope",
                                          0.1, wait=True)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.admin"):
        await harness.send(build(command))
    texts = harness.texts()
    body = build(command)
    chat = (body.get("message") or body.get("edited_message") or body["channel_post"])["chat"]
    if chat["type"] == "private":
        # Exactly the reply a command that does not exist gets: nothing betrays admin commands.
        assert len(texts) == 1 and texts[0].startswith(UNKNOWN), texts
        await harness.send(non_admin("/nosuchcommand"))
        assert harness.texts()[-1] == texts[0]
    else:
        assert texts == [NEUTRAL], texts
    assert not any(STATS_MARK in t or "secret question" in t for t in texts)
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1 and reason in refused[0], refused
    reloader: Reloader = harness.app.bot_data["reloader"]
    assert reloader.last is None and not reloader.busy


def test_every_case_is_refused_by_the_rule_itself() -> None:
    # The rule is pure: an admin in a private chat passes, everything above does not.
    from telegram import Bot, Update

    from bot.telegram.admin import refusal_reason

    bot = Bot("123:" + "a" * 35)
    ok = Update.de_json({"update_id": 1, "message": message(
        "/stats", private_chat(ADMIN_ID), admin_user())}, bot)
    assert ok is not None and refusal_reason(ok, frozenset({ADMIN_ID})) is None
    # Even an ADMIN_IDS that lists the anonymous-admin and channel ids by mistake admits none.
    careless = frozenset({ADMIN_ID, 1087968824, 777000})
    for name, (build, reason) in CASES.items():
        update = Update.de_json({"update_id": 1, **build("/stats")}, bot)
        assert update is not None
        refused = refusal_reason(update, careless)
        assert refused is not None and reason in refused, name


async def test_admin_button_pressed_by_someone_else_is_refused(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.telegram.admin"):
        await harness.send(callback("adm:stats:30", chat_id=1001))
        await harness.send(callback("adm:unans:25", chat_id=ADMIN_ID, from_user=user(1001)))
    assert harness.texts() == []  # nothing posted: only a neutral toast
    assert harness.toasts() == [NEUTRAL, NEUTRAL]
    assert sum("refused button" in r.getMessage() for r in caplog.records) == 2


async def test_admin_gets_stats_unanswered_and_buttons(harness: Harness) -> None:
    store = harness.store
    await store.record_answer(time_today(), "salary", "helpdesk-specialist", "nb", wait=True)
    await store.record_answer(time_today(), "out_of_scope", None, "en", True, wait=True)
    await store.record_feedback(1001, 1001, "helpdesk-specialist:salary", 1, wait=True)
    await store.record_unanswered(1001, 1001, "<b>how to fix my printer</b>", "en",
                                  "out_of_scope", 0.2, wait=True)
    await harness.send({"message": message("/stats", private_chat(ADMIN_ID), admin_user())})
    stats = harness.captions()[-1]  # a picture; the key numbers are its caption
    assert "Questions: 2" in stats and "Not answered: 50% (1)" in stats
    assert "👍 1 / 👎 0" in stats
    buttons = harness.request.sent("sendPhoto")[-1]["reply_markup"]["inline_keyboard"][0]
    assert {b["callback_data"] for b in buttons} == {"adm:stats:30", "adm:stats:90"}

    await harness.send({"message": message("/unanswered", private_chat(ADMIN_ID),
                                           admin_user())})
    listing = harness.texts()[-1]
    assert "«&lt;b&gt;how to fix my printer&lt;/b&gt;» — 1×" in listing  # escaped user text

    await harness.send(callback("adm:stats:30", chat_id=ADMIN_ID, from_user=admin_user()))
    assert "last 30 days" in harness.captions()[-1]
    await harness.send({"message": message("/stats soon", private_chat(ADMIN_ID),
                                           admin_user())})
    assert "/stats 30" in harness.texts()[-1]  # usage, not an error
    assert ADMIN_NAME not in "".join(harness.texts())


def time_today() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).date()
