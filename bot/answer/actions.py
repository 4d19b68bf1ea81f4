"""Button actions: what a pressed inline button asks for, typed, with its callback data.

Every button's ``data`` is built by :func:`encode` and read back by :func:`decode`, the only
places that know the grammar (``:``-separated, ids never contain ``:``) and Telegram's 64-byte
limit. Unknown or stale data decodes to None, which the caller answers with a short notice.

``t:<role>:<topic>`` a topic page, ``d:<role>:<detail>`` a detail answer, ``r:<role>`` the
overview, ``w:<topic or detail>`` ask which role, ``st:<role>`` the full pay table,
``c:<a>:<b>`` compare, ``ca:<a>`` pick the second role to compare, ``l:<lang>`` reply language,
``f:<+|->:<role>:<topic>`` feedback, ``x`` none of these, ``ch:<pay|career>:<role>`` a chart
(drawn by ``bot.telegram.photos``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data
CHART_PREFIX = "ch:"
CHART_KINDS = ("pay", "career")


@dataclass(frozen=True)
class ShowTopic:
    role: str
    topic: str


@dataclass(frozen=True)
class ShowDetail:
    role: str
    detail: str


@dataclass(frozen=True)
class ShowOverview:
    role: str


@dataclass(frozen=True)
class AskRole:
    """Which role? ``about`` is a topic or a detail id."""

    about: str


@dataclass(frozen=True)
class ShowPayTable:
    role: str


@dataclass(frozen=True)
class Compare:
    first: str
    second: str


@dataclass(frozen=True)
class CompareWith:
    first: str


@dataclass(frozen=True)
class SetLanguage:
    lang: str


@dataclass(frozen=True)
class Feedback:
    up: bool
    role: str
    topic: str


@dataclass(frozen=True)
class NoneOfThese:
    pass


@dataclass(frozen=True)
class ShowChart:
    kind: str  # pay | career
    role: str


Action = (ShowTopic | ShowDetail | ShowOverview | AskRole | ShowPayTable | Compare | CompareWith
          | SetLanguage | Feedback | NoneOfThese | ShowChart)


def encode(action: Action) -> str:
    """The callback data of an action; ValueError if it would exceed Telegram's limit."""
    match action:
        case ShowTopic(role, topic):
            data = f"t:{role}:{topic}"
        case ShowDetail(role, detail):
            data = f"d:{role}:{detail}"
        case ShowOverview(role):
            data = f"r:{role}"
        case AskRole(about):
            data = f"w:{about}"
        case ShowPayTable(role):
            data = f"st:{role}"
        case Compare(first, second):
            data = f"c:{first}:{second}"
        case CompareWith(first):
            data = f"ca:{first}"
        case SetLanguage(lang):
            data = f"l:{lang}"
        case Feedback(up, role, topic):
            data = f"f:{'+' if up else '-'}:{role}:{topic}"
        case NoneOfThese():
            data = "x"
        case ShowChart(kind, role):
            data = f"{CHART_PREFIX}{kind}:{role}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


@dataclass(frozen=True)
class Known:
    """The ids a pressed button may name (from the loaded content)."""

    roles: Collection[str]
    topics: Collection[str]
    details: Collection[str]
    langs: Collection[str]


def decode(data: str, known: Known) -> Action | None:
    """The action of a pressed button, or None when the data is stale or foreign."""
    kind, *args = data.split(":")
    roles = known.roles
    match kind, args:
        case "t", [role, topic] if role in roles and topic in known.topics:
            return ShowTopic(role, topic)
        case "d", [role, detail] if role in roles and detail in known.details:
            return ShowDetail(role, detail)
        case "r", [role] if role in roles:
            return ShowOverview(role)
        case "w", [about] if about in known.topics or about in known.details:
            return AskRole(about)
        case "st", [role] if role in roles:
            return ShowPayTable(role)
        case "c", [first, second] if first in roles and second in roles and first != second:
            return Compare(first, second)
        case "ca", [first] if first in roles:
            return CompareWith(first)
        case "l", [lang] if lang in known.langs:
            return SetLanguage(lang)
        case "f", [sign, role, topic] if sign in ("+", "-") and role in roles and (
                topic in known.topics or topic == "compare"):
            return Feedback(sign == "+", role, topic)
        case "x", []:
            return NoneOfThese()
        case "ch", [chart, role] if chart in CHART_KINDS and role in roles:
            return ShowChart(chart, role)
    return None
