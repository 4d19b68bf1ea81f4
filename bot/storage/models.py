"""Plain values that go into and come out of the store.

Nothing here knows about SQLite or Telegram: handlers build ``Change`` values and read
``ChatRecord``/``Stats``/``UnansweredItem``; the Telegram and CLI layers do all formatting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class ChatRecord:
    """What a chat remembers: its language choice and the conversation context."""

    lang: str | None = None  # chosen with /language
    last_role: str | None = None
    last_topic: str | None = None
    last_lang: str | None = None  # of the last message whose language was detected confidently
    context: str | None = None  # the rest of the dialogue (detail, pay slice, ...) as JSON


# --- changes -------------------------------------------------------------------------------
# A handler describes the state changes an update causes as a list of these, so that they can be
# committed in the same transaction that claims the update (see ``Store.claim_update``).


@dataclass(frozen=True)
class SetChatLang:
    """Save (or with ``None`` clear) the reply language chosen in a chat via /language."""

    chat_id: int
    lang: str | None


@dataclass(frozen=True)
class SetChatState:
    """Save everything a chat remembers at once (what a handler has after answering)."""

    chat_id: int
    lang: str | None
    last_role: str | None
    last_topic: str | None
    last_lang: str | None
    context: str | None = None


@dataclass(frozen=True)
class SetUserLang:
    """Save (or clear) a user's own language choice, which follows them into new chats."""

    user_id: int
    lang: str | None


@dataclass(frozen=True)
class SetContext:
    """Remember the last role and topic of a chat, for follow-ups like "and the salary?"."""

    chat_id: int
    role: str | None
    topic: str | None


@dataclass(frozen=True)
class CountAnswer:
    """Add one question to the counters of ``day`` x intent x role x language.

    ``fallback`` marks a question the bot could not answer (out of scope, not understood), which
    feeds the fallback rate of /stats. No text is kept here.
    """

    day: date
    intent: str
    role: str | None
    lang: str
    fallback: bool = False


@dataclass(frozen=True)
class RecordUnanswered:
    """Keep the text of a question answered badly or not at all, for /unanswered.

    ``answered`` is true for a low-confidence answer (or one that got a 👎: ``disliked``),
    false for the fallback reply. Kept at most ``retention_days``; ``at`` defaults to the time
    of the write (UTC).
    """

    chat_id: int
    user_id: int | None
    text: str
    lang: str | None
    intent: str | None
    confidence: float | None
    answered: bool = False
    at: datetime | None = None
    role: str | None = None  # what the answer was about (kept for a 👎)
    disliked: bool = False  # the asker's answer got a 👎: kept to be taught, like the others


@dataclass(frozen=True)
class RecordFeedback:
    """A 👍 (+1) or 👎 (-1) for one answer; a user's later vote on the same answer replaces it."""

    chat_id: int
    user_id: int
    answer_key: str
    value: int
    day: date | None = None

    def __post_init__(self) -> None:
        if self.value not in (1, -1):
            raise ValueError(f"feedback value must be +1 or -1, not {self.value!r}")


@dataclass(frozen=True)
class InboxItem:
    """A fetched update as Telegram sent it (JSON), kept until it is finished."""

    update_id: int
    chat_id: int | None
    user_id: int | None
    body: str


@dataclass(frozen=True)
class FinishUpdate:
    """Mark a claimed update as handled (its reply was sent).

    Submitted together with the update's analytics, e.g. ``submit(*counters, FinishUpdate(id))``,
    both commit in one transaction: the work an update caused is stored with its id.
    """

    update_id: int


Change = (
    SetChatLang
    | SetChatState
    | SetUserLang
    | SetContext
    | CountAnswer
    | RecordUnanswered
    | RecordFeedback
    | FinishUpdate
)


# --- reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """Usage over the last ``days`` days (``since`` .. ``until``, both included, UTC days).

    ``per_day`` has every day of the range, zeros included, oldest first. ``intents``,
    ``roles`` and ``langs`` are ``(id, questions)`` sorted by count, largest first; questions
    that named no role are left out of ``roles``. ``lang_days`` splits ``per_day`` by language
    (the days in the same order, languages as in ``langs``); ``topic_votes`` are
    ``(topic, 👍, 👎)`` per answer topic (``compare`` for comparisons), most votes first.
    """

    days: int
    since: date
    until: date
    questions: int
    fallbacks: int
    per_day: tuple[tuple[date, int], ...]
    intents: tuple[tuple[str, int], ...]
    roles: tuple[tuple[str, int], ...]
    langs: tuple[tuple[str, int], ...]
    thumbs_up: int
    thumbs_down: int
    lang_days: tuple[tuple[str, tuple[int, ...]], ...] = ()
    topic_votes: tuple[tuple[str, int, int], ...] = ()

    @property
    def fallback_rate(self) -> float | None:
        """Share of questions the bot could not answer; ``None`` when there were none."""
        return self.fallbacks / self.questions if self.questions else None

    @property
    def thumbs_up_ratio(self) -> float | None:
        """Share of 👍 among all votes; ``None`` when nobody voted."""
        votes = self.thumbs_up + self.thumbs_down
        return self.thumbs_up / votes if votes else None


@dataclass(frozen=True)
class UnansweredItem:
    """One question text (grouped case- and space-insensitively) with how often it was asked.

    ``answered`` is false when at least one asking got the fallback reply, true when every
    asking got an answer with low confidence.
    """

    text: str
    count: int
    last_seen: datetime
    lang: str | None
    intent: str | None
    answered: bool = field(default=False)
    id: int = 0  # the latest asking's row: what buttons and ``helpdesk-bot teach`` refer to
    role: str | None = None  # the latest asking's answer was about this role (if known)
    disliked: bool = False  # an asking's answer got a 👎


@dataclass(frozen=True)
class Decision:
    """What an admin decided about a stored question; holds no user or chat id.

    ``action``: ``teach`` (the text became an example of ``intent``) or ``ignore`` (not a
    question). ``status``: ``live``, ``held`` (kept aside because it would have lowered an
    accuracy floor; ``note`` names the test items) or ``undone``.
    """

    id: int
    created_at: datetime
    text: str
    lang: str | None
    action: str
    intent: str | None
    role: str | None
    status: str
    note: str | None = None
