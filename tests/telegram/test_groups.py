"""Groups over HTTP: commands, @bot suffixes, mentions, replies, chatter, language, migration."""

from __future__ import annotations

from typing import Any

from tests.fakes.telegram_server import (
    BOT_USER,
    bot_message,
    callback,
    non_text_message,
    text_message,
    user,
)
from tests.telegram.conftest import StartBot, assert_clean, buttons, only_messages, texts

GROUP = -1004000
ALICE = user(4001, lang="en")
BOB = user(4002, lang="en")
BOT = str(BOT_USER["username"])


def said(text: str, chat_id: int = GROUP, who: dict[str, Any] | None = None,
         **extra: Any) -> dict[str, Any]:
    return text_message(text, chat_id=chat_id, from_user=who or ALICE, **extra)


async def test_group_answers_what_is_meant_for_it_and_ignores_chatter(
        start_bot: StartBot) -> None:
    bot = await start_bot()
    # Chatter, other bots' commands and other people's replies: nothing at all.
    for body in (said("what's for lunch?"), said("the helpdesk fixed my printer, great"),
                 said("/salary@other_bot helpdesk"), said("/help@other_bot"),
                 said(f"@{BOT}_fan salary helpdesk"),
                 said("and the skills?", reply_to_message=said("hi", who=BOB)["message"]),
                 non_text_message("sticker", chat_id=GROUP, from_user=ALICE)):
        assert await bot.send(body) == [], body
    # Commands, with and without the @bot suffix, answered as replies to the asking message.
    for text, title in [("/salary helpdesk", "Helpdesk specialist: pay"),
                        (f"/skills@{BOT} it service manager", "IT service manager: skills"),
                        (f"/duties@{BOT.upper()}", "IT service manager: duties")]:
        body = said(text)
        calls = only_messages(await bot.send(body))
        assert calls, text
        assert texts(calls)[0].startswith(title), text
        assert calls[0].params["reply_parameters"]["message_id"] == body["message"]["message_id"]
    # A mention, anywhere in the message and in any letter case.
    body = said(f"what does an IT project manager do, @{BOT.title()}?")
    calls = only_messages(await bot.send(body))
    assert texts(calls)[0].startswith("IT project manager: duties")
    assert calls[0].params["reply_parameters"]["message_id"] == body["message"]["message_id"]
    # A reply to the bot's own message: the group's context applies.
    reply = said("and the salary?", who=BOB,
                 reply_to_message=bot_message(GROUP, message_id=calls[-1].result["message_id"]))
    calls = only_messages(await bot.send(reply))
    assert texts(calls)[0].startswith("IT project manager: pay")
    # A bare mention: how to ask.
    calls = only_messages(await bot.send(said(f"@{BOT}")))
    assert "Ask me about a role" in texts(calls)[0]
    # Unknown commands in groups may be meant for other bots: left alone.
    assert await bot.send(said("/horoscope")) == []
    assert_clean(bot.server)


async def test_only_group_administrators_change_the_group_language(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.server.chat_members[(GROUP, 4001)] = "administrator"
    refused = only_messages(await bot.send(said("/language nb", who=BOB)))
    assert "Only the administrators" in texts(refused)[0]
    assert any(c.method == "getChatMember" and int(c.params["user_id"]) == 4002
               for c in bot.server.sent)
    # The menu for an administrator; a member pressing a language button gets a toast.
    menu = only_messages(await bot.send(said("/language")))
    assert buttons(menu[0]) == ["l:en", "l:nb", "l:nn", "l:lv", "l:fa"]
    toast = await bot.send(callback("l:fa", chat_id=GROUP, from_user=BOB))
    assert [c.method for c in toast if c.method != "getChatMember"] == ["answerCallbackQuery"]
    assert "Only the administrators" in toast[-1].params["text"]
    # Asking in words does not get around it.
    words = only_messages(await bot.send(said(f"@{BOT} answer in latvian", who=BOB)))
    assert "Only the administrators" in texts(words)[0]
    chosen = await bot.send(callback("l:nb", chat_id=GROUP, from_user=ALICE))
    assert "bokmål" in texts(chosen)[0]
    # The whole group now gets Bokmål for messages without a language of their own.
    calls = only_messages(await bot.send(said("/salary helpdesk", who=BOB)))
    assert texts(calls)[0].startswith("Helpdesk-spesialist: lønn")
    # The group's owner counts as an administrator, and an anonymous admin too.
    bot.server.chat_members[(GROUP, 4003)] = "creator"
    owner = only_messages(await bot.send(said("/language en", who=user(4003))))
    assert "English" in texts(owner)[0]
    anonymous = said("/language nn", who=user(1087968824, username="GroupAnonymousBot"))
    anonymous["message"]["sender_chat"] = {"id": GROUP, "type": "supergroup", "title": "G"}
    assert "nynorsk" in texts(only_messages(await bot.send(anonymous)))[0]
    assert_clean(bot.server)


async def test_private_language_needs_no_admin_check(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(callback("l:lv", chat_id=4100))
    assert not [c for c in bot.server.sent if c.method == "getChatMember"]


async def test_a_migrated_group_is_followed_to_the_supergroup(start_bot: StartBot) -> None:
    bot = await start_bot()
    old, new = -4200, -1004200
    ask = said("/salary helpdesk", chat_id=old)
    ask["message"]["chat"]["type"] = "group"
    await bot.send(ask)
    # Telegram refuses messages to the old group and names the new one.
    bot.server.migrated[old] = new
    ask = said("/skills", chat_id=old)
    ask["message"]["chat"]["type"] = "group"
    await bot.send(ask)
    moved = bot.server.messages(new)
    assert len(moved) == 1
    # The group's context (the last role) came along.
    assert str(moved[0].result["text"]).startswith("Helpdesk specialist: skills")
    assert [e for e in bot.server.errors if e[1] != 400] == []
    # The service message in the new supergroup moves the context too (idempotent).
    note = said("", chat_id=new)
    del note["message"]["text"]
    note["message"]["migrate_from_chat_id"] = old
    assert await bot.send(note) == []
    calls = only_messages(await bot.send(said("/tools", chat_id=new)))
    assert texts(calls)[0].startswith("Helpdesk specialist: tools")


def my_membership(chat_id: int, old: str, new: str) -> dict[str, Any]:
    """A ``my_chat_member`` update body: the bot's own status in the chat changed."""
    chat = {"id": chat_id, "type": "supergroup", "title": "Helpdesk people"}
    return {"my_chat_member": {
        "chat": chat, "from": ALICE, "date": 1_700_000_000,
        "old_chat_member": {"user": BOT_USER, "status": old},
        "new_chat_member": {"user": BOT_USER, "status": new}}}


async def test_a_group_that_muted_the_bot_is_not_tried_again_until_its_rights_change(
        start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.server.muted.add(GROUP)

    def tries() -> int:
        return sum(1 for e in bot.server.errors if e[2] == f"muted {GROUP}")

    await bot.send(said("/salary helpdesk"))
    assert tries() == 1  # refused once: final, no apology
    for text in ("/skills helpdesk", f"@{BOT} what does a helpdesk specialist do?"):
        assert only_messages(await bot.send(said(text))) == []
    assert tries() == 1  # remembered: not tried at all
    assert await bot.send(said("/duties helpdesk", chat_id=GROUP - 1)) != []  # others are
    bot.server.muted.discard(GROUP)  # an admin lets the bot write again; Telegram says so
    await bot.send(my_membership(GROUP, "left", "member"))
    answered = await bot.send(said("/skills helpdesk"))
    assert texts(answered)[0].startswith("Helpdesk specialist: skills")


def test_a_remembered_mute_ends_after_a_while() -> None:
    from bot.telegram.delivery.sending import MUTE_MEMORY, MutedChats

    now = [1000.0]
    muted = MutedChats(clock=lambda: now[0])
    muted.mute(GROUP)
    now[0] += MUTE_MEMORY - 1
    assert muted.muted(GROUP) and not muted.muted(GROUP - 1)
    now[0] += 2
    assert not muted.muted(GROUP)  # the group's permissions may have changed: try again
    small = MutedChats(limit=2, clock=lambda: now[0])
    for chat in (-1, -2, -3):
        small.mute(chat)
    assert [small.muted(c) for c in (-1, -2, -3)] == [False, True, True]  # bounded
