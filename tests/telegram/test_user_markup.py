"""User text in a reply is shown as typed, never as markup (issue 13: ``**text**`` in user
text became bold in "I don't know the role …"): UI strings get their ``**bold**`` made bold
first, and the values, often the user's words, go in afterwards, escaped."""

from __future__ import annotations

import pytest

from bot.answer import AnswerService, ChatState
from bot.constants import LANGUAGES
from bot.content.telegram_html import plain_text, validate_html
from bot.nlu.result import LangHints
from bot.telegram.admin import ui_html, ui_plain
from tests.fakes.telegram_server import text_message, user
from tests.telegram.conftest import StartBot, assert_clean, texts

TYPED = ["**blorp**", "**", "**a** **b**", "__x__ *y* `z` <b>b</b> &amp; <a href='x'>l</a>",
         "{typed} {0} %s", "\\*\\*esc\\*\\*"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unknown_role_is_named_back_exactly_as_typed(service: AnswerService,
                                                         lang: str) -> None:
    state, hints = ChatState(lang=lang), LangHints(telegram=lang)
    [reference] = service.topic("salary", "blorp", state, hints).messages
    for typed in TYPED:
        reply = service.topic("salary", typed, ChatState(lang=lang), hints)
        assert (reply.kind, reply.lang) == ("which_role", lang), typed
        [shown] = reply.messages
        assert validate_html(shown) == []
        assert plain_text(shown) == plain_text(reference).replace("blorp", typed)
        assert shown.count("<") == reference.count("<"), shown  # no tag from the user


def test_every_way_to_a_ui_string_keeps_values_as_text(service: AnswerService) -> None:
    shown = service.ui("en", "bot.unknown_role", typed="**x** <b>y</b>")
    assert '"**x** &lt;b&gt;y&lt;/b&gt;"' in shown and "<b>" not in shown
    forgotten = ui_html(service, "nb", "admin.privacy.forgotten", count="**7** <i>")
    assert "**7** &lt;i&gt;" in forgotten and "<b>" not in forgotten
    assert ui_plain(service, "en", "admin.stats.button", days="**7**") == "**7** days"
    # The template's own bold still works.
    assert ui_html(service, "en", "admin.privacy.text", days=30).startswith(
        "<b>Your data and privacy</b>")


async def test_telegram_shows_the_users_asterisks(start_bot: StartBot) -> None:
    bot = await start_bot()
    calls = await bot.send(text_message("/salary **blorp** <b>x</b>", chat_id=7301,
                                        from_user=user(7301, "en")))
    sent = [str(c.params["text"]) for c in calls if c.method == "sendMessage"]
    assert sent and "**blorp** &lt;b&gt;x&lt;/b&gt;" in sent[0] and "<b>" not in sent[0]
    assert 'the role "**blorp** <b>x</b>"' in texts(calls)[0]
    assert_clean(bot.server)
