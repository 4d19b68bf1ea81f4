"""Button data: one grammar, built and read in one place, always within Telegram's 64 bytes."""

from __future__ import annotations

import pytest

from bot.answer import actions as act
from bot.answer.service import AnswerService
from bot.answer.state import ChatState

KNOWN = act.Known(roles=("it-service-manager", "helpdesk-specialist"),
                  topics=("salary", "workplace"), details=("workplace.remote",),
                  langs=("en", "fa"))

ACTIONS: list[act.Action] = [
    act.ShowTopic("it-service-manager", "salary"),
    act.ShowDetail("helpdesk-specialist", "workplace.remote"),
    act.ShowOverview("helpdesk-specialist"),
    act.AskRole("workplace"),
    act.AskRole("workplace.remote"),
    act.ShowPayTable("it-service-manager"),
    act.Compare("it-service-manager", "helpdesk-specialist"),
    act.CompareWith("helpdesk-specialist"),
    act.SetLanguage("fa"),
    act.Feedback(True, "helpdesk-specialist", "salary"),
    act.Feedback(False, "helpdesk-specialist", "compare"),
    act.NoneOfThese(),
    act.ShowChart("career", "helpdesk-specialist"),
]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: type(a).__name__)
def test_every_action_survives_the_round_trip(action: act.Action) -> None:
    data = act.encode(action)
    assert len(data.encode()) <= act.MAX_CALLBACK_BYTES
    assert act.decode(data, KNOWN) == action


@pytest.mark.parametrize("data", [
    "", "t", "t:nobody:salary", "t:helpdesk-specialist:nothing", "d:helpdesk-specialist:x.y",
    "c:helpdesk-specialist:helpdesk-specialist", "l:de", "f:*:helpdesk-specialist:salary",
    "ch:video:helpdesk-specialist", "x:extra", "t:helpdesk-specialist:salary:more",
])
def test_stale_or_forged_data_decodes_to_nothing(data: str) -> None:
    assert act.decode(data, KNOWN) is None


def test_data_over_64_bytes_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="too long"):
        act.encode(act.ShowDetail("helpdesk-specialist", "x" * 60))


def test_every_button_the_service_offers_decodes(service: AnswerService) -> None:
    """Whatever the answer layer puts under an answer, it can read back."""
    known = service.known()
    for role in service.catalog.role_ids:
        for text in ("salary", "remote work", "which of them earns most", "compare with helpdesk"):
            reply = service.answer(f"{text} {role}", ChatState())
            for row in reply.buttons:
                for button in row:
                    assert act.decode(button.data, known) is not None, button
