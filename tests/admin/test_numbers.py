"""Numbers in admin arguments and buttons (and the terminal chat's button numbers): any text a
user sends gets a polite answer, never an exception (issue 13: '²'.isdigit() is True, but
int('²') raises). Persian and Arabic-Indic digits count like ASCII ones."""

from __future__ import annotations

import logging

import pytest

from bot.answer import AnswerService
from bot.chat import TerminalChat
from bot.numbers import whole_number
from tests.admin.conftest import ADMIN_ID, Harness, admin_user, message, private_chat
from tests.fakes.telegram_server import callback

STALE = "This button is out of date. Please ask again."
USAGE = "Send /stats for the last 7 days"
NOT_NUMBERS = ["²", "①", "½", "3²", "+3", "-1", " 3", "3 ", "3_0", "0x1f", "", "3.0", "٣.٠",
               "1" * 5000, "0", "366", "३६६٣"]


@pytest.mark.parametrize(("text", "number"), [
    ("30", 30), ("۳۰", 30), ("٣٠", 30), ("०३", 3), ("365", 365), ("1", 1), ("۳0", 30)])
def test_decimal_digits_of_any_script_are_read(text: str, number: int) -> None:
    assert whole_number(text, 1, 365) == number


@pytest.mark.parametrize("text", NOT_NUMBERS, ids=range(len(NOT_NUMBERS)))
def test_anything_else_is_none_and_never_raises(text: str) -> None:
    assert whole_number(text, 1, 365) is None


def _failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=range(len(NOT_NUMBERS)))
async def test_a_forged_admin_button_gets_a_polite_toast(
        harness: Harness, caplog: pytest.LogCaptureFixture, value: str) -> None:
    for kind in ("stats", "unans", "nothing"):
        await harness.send(callback(f"adm:{kind}:{value}", chat_id=ADMIN_ID,
                                    from_user=admin_user()))
    assert _failures(caplog) == []
    assert harness.toasts() == [STALE] * 3
    assert harness.texts() == []


async def test_admin_buttons_and_arguments_in_persian_digits_work(harness: Harness) -> None:
    await harness.send(callback("adm:stats:۳۰", chat_id=ADMIN_ID, from_user=admin_user()))
    assert "last 30 days" in harness.captions()[-1]
    await harness.send({"message": message("/stats ٩٠", private_chat(ADMIN_ID), admin_user())})
    assert "last 90 days" in harness.captions()[-1]
    await harness.send(callback("adm:unans:۵", chat_id=ADMIN_ID, from_user=admin_user()))
    assert "No unanswered questions" in harness.texts()[-1]


ARGUMENTS = [v for v in NOT_NUMBERS if v and v.strip() == v]  # "/stats  3" is /stats 3


@pytest.mark.parametrize("value", ARGUMENTS, ids=range(len(ARGUMENTS)))
async def test_a_bad_admin_argument_gets_the_usage(
        harness: Harness, caplog: pytest.LogCaptureFixture, value: str) -> None:
    await harness.send({"message": message(f"/stats {value}", private_chat(ADMIN_ID),
                                           admin_user())})
    assert _failures(caplog) == []
    [text] = harness.texts()
    assert USAGE in text


def test_the_terminal_chat_reads_button_numbers_the_same_way(service: AnswerService) -> None:
    chat = TerminalChat(service, "en")
    chat.handle("/start")
    ascii_press = chat.handle("1")
    chat.handle("/start")
    persian_press = chat.handle("۱")  # the first button, typed on a Persian keyboard
    assert ascii_press is not None and persian_press is not None
    assert persian_press.messages == ascii_press.messages
    chat.handle("/start")
    superscript = chat.handle("²")  # free text, not a crash
    assert superscript is not None and superscript.messages != ascii_press.messages
