"""Result types of the understanding engine, shared with the answer service and the CLI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LangHints:
    """What we know about the user's language besides the text itself.

    ``telegram`` is Telegram's ``language_code`` (e.g. ``"nb"``, ``"en-US"``); ``chat`` is the
    language the chat saved with /language. Both decide short or ambiguous messages.
    """

    telegram: str | None = None
    chat: str | None = None


@dataclass(frozen=True)
class Alternative:
    """A runner-up reading of the message, offered as "did you mean"."""

    intent: str
    role: str | None
    confidence: float


@dataclass(frozen=True)
class Parse:
    """Everything the engine understood from one message."""

    text: str
    lang: str
    lang_confident: bool
    intent: str
    role: str | None
    roles: tuple[str, ...]
    confidence: float
    alternatives: tuple[Alternative, ...]
    ambiguous: bool

    def to_json(self) -> dict[str, object]:
        """The ``helpdesk-bot parse`` output object (SPEC.md), plus a few extra keys."""
        return {
            "text": self.text,
            "lang": self.lang,
            "intent": self.intent,
            "role": self.role,
            "confidence": round(self.confidence, 4),
            "alternatives": [
                {"intent": a.intent, "role": a.role, "confidence": round(a.confidence, 4)}
                for a in self.alternatives
            ],
            "roles": list(self.roles),
            "lang_confident": self.lang_confident,
            "ambiguous": self.ambiguous,
        }
