"""Walking a career ladder by its places: "the first step", "and the one after?", "the last
step?" are each answered with that one step, counted from the step talked about last."""

from __future__ import annotations

import pytest

from bot.answer.service import AnswerService
from bot.answer.state import ChatState
from bot.textfmt import html_to_text

# The IT service manager's ladder in the source: analyst, desk manager, the role, senior,
# IT director, CIO.
WALKS = {
    "en": ["what's the very first rung on the career ladder towards IT service manager?",
           "and the rung above that?", "and the step before?", "what is the final step?"],
    "nb": ["hva er det første trinnet på karrierestigen mot IT-tjenesteleder?",
           "og det neste trinnet?", "og trinnet før?", "hva er det øverste trinnet?"],
    "nn": ["kva er det første steget på karrierevegen mot IT-tenesteleiar?",
           "og steget etter det?", "og steget før?", "kva er det siste steget?"],
    "lv": ["kāds ir pirmais pakāpiens karjerā ceļā uz IT pakalpojumu vadītāju?",
           "un nākamais pakāpiens?", "un iepriekšējais solis?", "kāds ir pēdējais pakāpiens?"],
    "fa": ["اولین پله مسیر شغلی برای رسیدن به مدیر خدمات فناوری اطلاعات چیه؟", "پله بعدی چیه؟",
           "پله قبلی چی بود؟", "آخرین مرحله چیه؟"],
}
EXPECTED = ["service_desk_analyst", "service_desk_manager", "service_desk_analyst", "cio"]


@pytest.mark.parametrize("lang", sorted(WALKS))
def test_the_ladder_is_walked_step_by_step(service: AnswerService, lang: str) -> None:
    state = ChatState()
    for text, key in zip(WALKS[lang], EXPECTED, strict=True):
        reply = service.answer(text, state)
        shown = html_to_text(reply.messages[0])
        assert (reply.kind, reply.role, reply.detail) == ("step", "it-service-manager", key), (
            text, shown)
        label = service.catalog.label("it-service-manager", f"career.{key}", lang)
        assert shown.splitlines()[0].endswith(label), shown
        state = reply.state


def test_the_step_after_a_detail_about_one_step_is_the_next_one(service: AnswerService) -> None:
    """"And after that?" after the internship's length is the second step, with its time."""
    first = service.answer("how long is the helpdesk internship in Iran?", ChatState())
    assert first.detail == "career.internship", html_to_text(first.messages[0])
    reply = service.answer("and what comes after that?", first.state)
    shown = html_to_text(reply.messages[0])
    assert (reply.kind, reply.detail) == ("step", "support_specialist"), shown
    assert "after 1–2\xa0years" in shown, shown


def test_the_step_after_a_named_step_counts_from_it(service: AnswerService) -> None:
    reply = service.answer("what's the next step after senior IT service manager?", ChatState())
    assert (reply.kind, reply.detail) == ("step", "it_director"), html_to_text(reply.messages[0])


def test_a_first_step_outside_a_career_question_is_no_ladder_step(
        service: AnswerService) -> None:
    """"What is the first step when a user calls?" is about the work, not the career."""
    reply = service.answer("as a helpdesk specialist, what is the first step when a user "
                           "calls with a problem?", ChatState())
    assert reply.kind != "step", (reply.kind, reply.detail)


def test_next_without_a_step_to_count_from_is_the_career_question_it_was(
        service: AnswerService) -> None:
    """With no step in the message or the chat, "what's the next step for a helpdesk
    specialist?" asks where the role leads: the career answer, not a step picked at random."""
    reply = service.answer("what's the next step for a helpdesk specialist?", ChatState())
    assert reply.kind != "step" and reply.topic == "career", (reply.kind, reply.topic)
