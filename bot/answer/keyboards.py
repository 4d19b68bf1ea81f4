"""Rows of buttons under an answer; every button's data comes from :mod:`bot.answer.actions`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.answer import actions as act
from bot.constants import LANGUAGES, TOPIC_INTENTS

TOPIC_BUTTONS_PER_ROW = 3
CHART_PAY_KINDS = frozenset({"table", "range", "levels"})


@dataclass(frozen=True)
class Button:
    """An inline button: a label and the callback data it sends back."""

    text: str
    data: str

    @classmethod
    def of(cls, text: str, action: act.Action) -> Button:
        return cls(text, act.encode(action))


Rows = list[list[Button]]
Label = Callable[..., str]  # a UI string in the reply language


def role_rows(roles: Iterable[str], name: Callable[[str], str],
              action: Callable[[str], act.Action] = act.ShowOverview) -> Rows:
    """One button per role, one role a row (names are long in some languages)."""
    return [[Button.of(name(r), action(r))] for r in roles]


def language_rows(name_in_own_language: Callable[[str], str]) -> Rows:
    return [[Button.of(name_in_own_language(code), act.SetLanguage(code))] for code in LANGUAGES]


def topic_rows(role: str, current: str | None, ui: Label, *, pay_table: bool = False,
               chart: act.ShowChart | None = None, page_first: bool = False) -> Rows:
    """The role's topics (the current one first when ``page_first``: the full page of a detail
    answer), extras, then feedback on this answer."""
    rows: Rows = []
    if page_first and current:
        rows.append([Button.of("📄 " + ui(f"bot.topic.{current}"), act.ShowTopic(role, current))])
    others = [Button.of(ui(f"bot.topic.{t}"), act.ShowTopic(role, t))
              for t in TOPIC_INTENTS if t != current]
    rows += [others[i:i + TOPIC_BUTTONS_PER_ROW]
             for i in range(0, len(others), TOPIC_BUTTONS_PER_ROW)]
    extra: list[Button] = []
    if pay_table:
        extra.append(Button.of(ui("bot.button.full_table"), act.ShowPayTable(role)))
    if chart is not None:
        key = "bot.button.chart" if chart.kind == "pay" else "bot.button.picture"
        extra.append(Button.of(ui(key), chart))
    extra.append(Button.of(ui("bot.button.compare"), act.CompareWith(role)))
    rows.append(extra)
    rows.append(feedback_row(role, current or "overview"))
    return rows


def feedback_row(role: str, topic: str) -> list[Button]:
    return [Button.of("👍", act.Feedback(True, role, topic)),
            Button.of("👎", act.Feedback(False, role, topic))]
