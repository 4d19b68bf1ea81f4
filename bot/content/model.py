"""The loaded content's data types: a role, its text per language, one topic's text.

They live apart from ``catalog`` (which loads them) so that the renderers in ``answers`` can
name them without importing the loader that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.content.yamlsrc import YamlDoc


@dataclass(frozen=True)
class TopicText:
    """One topic of one role in one language."""

    text: str | None
    general: bool = False
    unavailable: str | None = None
    see_also: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleText:
    """A role's ``<lang>.yaml``."""

    lang: str
    name: str
    aliases: tuple[str, ...]
    topics: dict[str, TopicText]
    labels: dict[str, str]
    doc: YamlDoc
    details: dict[str, str] = field(default_factory=dict)  # detail id -> answer text
    briefs: dict[str, str] = field(default_factory=dict)  # topic -> one-line answer


@dataclass
class Role:
    """A role: facts once, text per language."""

    id: str
    facts: dict[str, Any]
    facts_doc: YamlDoc | None
    texts: dict[str, RoleText] = field(default_factory=dict)
