"""Detail answers: a role's short answer to one detail question, its figures filled in.

Text files hold no digits; a detail's text names its figures as ``{placeholders}`` and
``facts.yaml`` maps each to a dotted path (``details.<id>.values``), so every figure is stored
once and formatted for the language here (Persian digits, grouped thousands, "3–12 months").
"""

from __future__ import annotations

import re
from typing import Any

from bot.content import formatting as fmt
from bot.content.facts_schema import resolve

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def format_value(value: Any, lang: str) -> str:
    """A figure from facts.yaml as the language writes it."""
    if isinstance(value, bool):
        raise TypeError("not a figure")
    if isinstance(value, int):
        return fmt.format_int(value, lang)
    if isinstance(value, dict):
        return fmt.format_duration(value.get("min"), value.get("max"), value["unit"], lang)
    text = str(value)
    if _ISO_DATE.match(text):
        return fmt.format_date(text, lang)
    return fmt.persian_digits(text) if lang == "fa" else text


def fill(text: str, facts: dict[str, Any], detail: str, lang: str) -> str:
    """``text`` with each ``{name}`` replaced by its formatted figure (KeyError if undefined)."""
    values = ((facts.get("details") or {}).get(detail) or {}).get("values") or {}

    def figure(m: re.Match[str]) -> str:
        return format_value(resolve(facts, str(values[m.group(1)])), lang)

    return PLACEHOLDER.sub(figure, text)
