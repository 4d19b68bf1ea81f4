"""Every role x language x topic of the real content renders to valid, sendable Telegram HTML."""

from __future__ import annotations

import itertools
import re

import pytest

from bot.content.catalog import LANGS, TOPICS, Catalog
from bot.content.check import check_content
from bot.content.telegram_html import (
    MAX_MESSAGE_LENGTH,
    plain_text,
    text_length,
    validate_html,
)
from tests.content.conftest import CONTENT

MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")
ROLES = ("ict-service-technician", "it-project-manager", "user-support-specialist",
         "helpdesk-specialist", "it-service-manager")


def _sendable(messages: list[str]) -> None:
    assert messages
    for msg in messages:
        assert validate_html(msg) == [], msg
        assert 0 < text_length(msg) <= MAX_MESSAGE_LENGTH


def test_roles_are_the_spec_roles(catalog: Catalog) -> None:
    assert catalog.role_ids == ROLES


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("lang", LANGS)
def test_every_language_file_exists(role: str, lang: str) -> None:
    assert (CONTENT / "roles" / role / f"{lang}.yaml").is_file()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("lang", LANGS)
def test_every_topic_renders(catalog: Catalog, role: str, lang: str) -> None:
    text = catalog.role(role).texts[lang]
    for topic in TOPICS:
        assert topic in text.topics, f"{role}/{lang} lacks {topic}"
        messages = catalog.render_topic(role, topic, lang)
        _sendable(messages)
        assert catalog.role_name(role, lang) in messages[0].replace("&#39;", "'") or lang == "fa"
        # Every answer ends with its source.
        last = MARKS.sub("", plain_text(messages[-1]))
        assert last.endswith(MARKS.sub("", catalog.source_line(role, lang))), last[-200:]


@pytest.mark.parametrize("lang", LANGS)
def test_compare_fits_one_message(catalog: Catalog, lang: str) -> None:
    for a, b in itertools.permutations(ROLES, 2):
        messages = catalog.render_compare(a, b, lang)
        assert len(messages) == 1
        _sendable(messages)


@pytest.mark.parametrize("lang", LANGS)
def test_salary_table_renders(catalog: Catalog, lang: str) -> None:
    assert catalog.has_salary_table("ict-service-technician")
    assert not catalog.has_salary_table("it-project-manager")
    _sendable(catalog.render_salary_table("ict-service-technician", lang))


def test_general_topics_say_so(catalog: Catalog) -> None:
    for role, lang in itertools.product(ROLES, LANGS):
        for topic, body in catalog.role(role).texts[lang].topics.items():
            html = "\n".join(catalog.render_topic(role, topic, lang))
            note = catalog.ui(lang, "answers.general_note")
            if body.general and body.unavailable is None:
                assert note in html.replace("\u200f", ""), (role, topic, lang)
            else:
                assert note not in html


def test_shipped_content_passes_check() -> None:
    assert [str(p) for p in check_content(CONTENT)] == []


def test_ui_answers_complete_in_every_language(catalog: Catalog) -> None:
    answers = {k for k in catalog.ui_keys("en") if k.startswith("answers.")}
    assert len(answers) > 50
    for lang in LANGS:
        assert answers <= catalog.ui_keys(lang), lang
