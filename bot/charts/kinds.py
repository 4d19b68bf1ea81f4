"""Which charts a role has, read from its facts without drawing anything.

Kept apart from the drawing modules so that offering a chart button (every salary or career
answer) does not import matplotlib: a bot that is never asked for a picture stays ~40 MB smaller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.content.catalog import Catalog

KINDS: tuple[str, ...] = ("pay", "career")


def ladder(catalog: Catalog, role: str) -> list[dict[str, Any]]:
    """The role's ladder steps from ``facts.yaml`` (empty when the seed gives none)."""
    steps = catalog.facts(role).get("career_ladder")
    return [s for s in steps if isinstance(s, dict) and s.get("key")] if steps else []


def pay_kind(catalog: Catalog, role: str) -> str | None:
    """The role's pay kind when it can be drawn (table, range, levels), else None."""
    pay = catalog.facts(role).get("pay")
    if not isinstance(pay, dict):
        return None
    kind = pay.get("kind")
    if kind == "table" and pay.get("rows"):
        return "table"
    if kind == "range" and pay.get("low") is not None and pay.get("high") is not None:
        return "range"
    if kind == "levels" and all(pay.get(k) is not None for k in ("lowest", "median", "highest")):
        return "levels"
    return None


def has_chart(catalog: Catalog, role: str, kind: str) -> bool:
    """Whether ``role`` has a chart of ``kind`` (pay figures / a career ladder in its facts)."""
    if role not in catalog.role_ids or kind not in KINDS:
        return False
    if kind == "pay":
        return pay_kind(catalog, role) is not None
    return bool(ladder(catalog, role))
