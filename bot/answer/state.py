"""What one chat remembers between messages, so that follow-ups keep their context.

The storage layer persists it: the language choices and the last role and topic as columns,
the rest of the dialogue (detail or career step, pay slice, kind of the last answer, the
other role of a comparison, the roles talked about lately, the pair "the first one" counts
in) as one JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from bot.nlu.result import PaySlice

RECENT = 4  # roles remembered for "back to the manager"


@dataclass
class ChatState:
    """A chat's language choices and the question it asked last."""

    lang: str | None = None  # the explicit choice made with /language
    last_role: str | None = None
    last_topic: str | None = None
    last_lang: str | None = None  # the language of the last confidently detected message
    last_detail: str | None = None  # a detail question ("workplace.remote"), or after a
    # career step's answer (last_kind "step") the step's key
    last_pay: PaySlice = field(default_factory=PaySlice)  # the pay slice asked about
    last_kind: str | None = None  # what the last answer was: page, detail, pay, compare, ...
    last_other: str | None = None  # the other role of the last answer about two (a
    # comparison, a career move, one of a pair picked by its place)
    recent: tuple[str, ...] = ()  # the roles answered about, the latest first (a few)
    pair: tuple[str, ...] = ()  # two roles compared or named together, in their order ("the
    # second one" is pair[1]); kept while the chat stays with one of them

    def known(self, roles: Collection[str], details: Collection[str],
              steps: Collection[str] = ()) -> ChatState:
        """A copy without the role, detail and career step ids the content no longer has: a
        reload may remove a role that a stored chat still remembers."""
        role = self.last_role if self.last_role in roles else None
        ids = steps if self.last_kind == "step" else details
        return replace(self, last_role=role,
                       last_other=self.last_other if role and self.last_other in roles else None,
                       last_detail=self.last_detail if self.last_detail in ids else None,
                       recent=tuple(r for r in self.recent if r in roles),
                       pair=self.pair if set(self.pair) <= set(roles) else ())

    def context_json(self) -> str | None:
        """The dialogue part that has no column of its own, as JSON (None when empty)."""
        data: dict[str, object] = {}
        if self.last_detail:
            data["detail"] = self.last_detail
        if self.last_pay:
            data["pay"] = self.last_pay.to_json()
        if self.last_kind:
            data["kind"] = self.last_kind
        if self.last_other:
            data["other"] = self.last_other
        if self.recent:
            data["recent"] = list(self.recent)
        if self.pair:
            data["pair"] = list(self.pair)
        return json.dumps(data, sort_keys=True) if data else None

    def load_context(self, text: str | None) -> None:
        """Fill the dialogue part from :meth:`context_json`; anything unreadable is ignored."""
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        detail, kind, other = data.get("detail"), data.get("kind"), data.get("other")
        self.last_detail = detail if isinstance(detail, str) else None
        self.last_kind = kind if isinstance(kind, str) else None
        self.last_other = other if isinstance(other, str) else None
        self.last_pay = PaySlice.from_json(data.get("pay"))
        recent = data.get("recent")
        self.recent = tuple(r for r in recent if isinstance(r, str))[:RECENT] \
            if isinstance(recent, list) else ()
        pair = data.get("pair")
        self.pair = tuple(r for r in pair if isinstance(r, str))[:2] \
            if isinstance(pair, list) and len(pair) == 2 else ()
