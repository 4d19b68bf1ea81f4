"""The fixed ids of SPEC.md, in one place for every layer."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "nb", "nn", "lv", "fa")
RTL_LANGUAGES: frozenset[str] = frozenset({"fa"})

ROLE_IDS: tuple[str, ...] = (
    "ict-service-technician",
    "it-project-manager",
    "user-support-specialist",
    "helpdesk-specialist",
    "it-service-manager",
)

TOPIC_INTENTS: tuple[str, ...] = (
    "overview",
    "duties",
    "salary",
    "skills",
    "interview",
    "education",
    "career",
    "workplace",
    "qualities",
    "tools",
    "certifications",
    "outlook",
)

META_INTENTS: tuple[str, ...] = (
    "greeting",
    "help",
    "roles",
    "language",
    "thanks",
    "goodbye",
    "compare",
    "out_of_scope",
)

INTENTS: tuple[str, ...] = TOPIC_INTENTS + META_INTENTS

# Telegram's language_code -> our reply language (SPEC.md, "Reply language").
TELEGRAM_LANGUAGE_MAP: dict[str, str] = {
    "en": "en",
    "no": "nb",
    "nb": "nb",
    "nn": "nn",
    "lv": "lv",
    "fa": "fa",
}


def map_telegram_language(code: str | None) -> str | None:
    """Map a Telegram ``language_code`` such as ``nb-NO`` or ``en-US`` to one of ours."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return TELEGRAM_LANGUAGE_MAP.get(base)
