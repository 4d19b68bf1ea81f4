"""Detail answers as a user reads them: the answer once, right under the title."""

from __future__ import annotations

import pytest

from bot.answer.compose import Composer
from bot.answer.dialogue import Plan
from bot.answer.service import AnswerService
from bot.answer.state import ChatState
from bot.textfmt import html_to_text

LANGS = ("en", "nb", "nn", "lv", "fa")


@pytest.mark.parametrize("lang", LANGS)
def test_where_the_information_comes_from_names_the_source_once(service: AnswerService,
                                                                lang: str) -> None:
    """"Where is this from?" is answered by the source line itself, so the usual source footer
    would only repeat it."""
    for role in service.catalog.role_ids:
        composer = Composer(service.catalog, ChatState(), lang)
        reply = composer.answer(Plan("detail", role=role, topic="overview",
                                     detail="overview.source"))
        text = html_to_text(reply.messages[0])
        source = html_to_text(service.catalog.source_line(role, lang))
        lines = [x for x in text.split("\n") if x.strip()]
        assert source in lines[1], (role, lang, text)
        assert text.count(source) == 1, (role, lang, text)
