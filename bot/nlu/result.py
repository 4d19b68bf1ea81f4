"""Result types of the understanding engine, shared with the answer layer and the CLI.

A :class:`Parse` carries everything the dialogue needs to decide what to answer, so the answer
layer never matches text itself: the masked text, the detail asked about, the pay slice named,
the country, an occupation we do not cover, and the follow-up, correction and all-roles signals.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


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
class PaySlice:
    """The pay dimensions a message names; None where it names none.

    Values: sector ``all|state|municipal|private``, hours ``full_time|part_time``, gender
    ``women|men``, stat ``median|mean|lowest|highest``, period ``hourly|monthly|yearly``,
    overtime True (with) / False (without).
    """

    sector: str | None = None
    hours: str | None = None
    gender: str | None = None
    stat: str | None = None
    period: str | None = None
    overtime: bool | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))

    def merged(self, newer: PaySlice) -> PaySlice:
        """This slice with every dimension ``newer`` names replaced (a follow-up's change)."""
        changes = {f.name: getattr(newer, f.name) for f in fields(newer)
                   if getattr(newer, f.name) is not None}
        return replace(self, **changes)

    def to_json(self) -> dict[str, object]:
        """Only the dimensions that are set."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}

    @classmethod
    def from_json(cls, data: object) -> PaySlice:
        """The inverse of :meth:`to_json`; unknown keys and bad values are dropped."""
        if not isinstance(data, dict):
            return cls()
        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) else None

        overtime = data.get("overtime")
        return cls(text("sector"), text("hours"), text("gender"), text("stat"), text("period"),
                   overtime if isinstance(overtime, bool) else None)


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
    masked: str = ""  # folded text, role mentions replaced by the mask word
    aspect: str | None = None  # a detail question ("workplace.remote"), see content/details.yaml
    # every detail the words name, the longest cue first, whether or not the message reads as
    # asking it (the dialogue may, in the context of a conversation: "where does that rating
    # come from?" after the job outlook)
    cues: tuple[str, ...] = ()
    pay: PaySlice = PaySlice()
    country: str | None = None  # norway | latvia | iran, when the message names one
    currency: str | None = None  # nok | eur | usd | irr, when the message names one
    ladder: str | None = None  # first | next | previous | last: a career step by its place
    pick: str | None = None  # first | second: one of two roles by its place (named together,
    # compared, or the last two talked about: the dialogue knows which)
    occupation: str | None = None  # a job we do not cover, as the user wrote it
    follow_up: bool = False  # continues the previous question ("and part-time?")
    correction: bool = False  # corrects the previous question ("sorry, I meant ...")
    all_roles: bool = False  # asks across all roles ("which of them earns most?")
    which_of: bool = False  # all_roles only by "which of them": after one role's skills or
    # tools, the items listed ("which of them is rated lowest?")
    foreign: str | None = None  # ISO code of a language we do not speak
    finglish: bool = False  # Persian typed in Latin letters, read as Persian
    role_only: bool = False  # names role(s) and nothing else but filler and dialogue markers
    named_language: str | None = None  # one of ours the message names ("in Latvian please")
    broad: bool = False  # asks for everything on a topic ("tell me about the pay")
    about: str | None = None  # compare: the topic to compare on ("compare their duties")
    pay_more: tuple[PaySlice, ...] = ()  # other values named beside pay's ("state vs private")
    comparing: bool = False  # a comparison word ("compared with", "vs") is in the message
    both: bool = False  # speaks of two roles together ("which of the two", "both")
    asks_amount: bool = False  # asks for a number ("how many", "what share", "how long")
    step: str | None = None  # a step of the role's career ladder named ("senior support
    # technician": its key in facts.yaml's career_ladder), not the role itself
    head_roles: tuple[str, ...] = ()  # no role named, but a generic title word that these
    # roles' names hold ("back to the manager": the project or the service manager)
    local_role: str | None = None  # the role generic support work means in the message's
    # language's country ("atbalsta speciālists"); used when the chat has no role in context

    def to_json(self) -> dict[str, object]:
        """The ``helpdesk-bot parse`` output object (SPEC.md), plus the extra keys."""
        out: dict[str, object] = {
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
            "aspect": self.aspect,
            "pay": self.pay.to_json(),
            "country": self.country,
            "occupation": self.occupation,
            "follow_up": self.follow_up,
            "correction": self.correction,
            "all_roles": self.all_roles,
            "foreign": self.foreign,
        }
        if self.currency:
            out["currency"] = self.currency
        if self.which_of:
            out["which_of"] = True
        if self.ladder:
            out["ladder"] = self.ladder
        if self.pick:
            out["pick"] = self.pick
        if self.finglish:
            out["finglish"] = True
        if self.role_only:
            out["role_only"] = True
        if self.broad:
            out["broad"] = True
        if self.asks_amount:
            out["asks_amount"] = True
        if self.head_roles:
            out["head_roles"] = list(self.head_roles)
        if self.step:
            out["step"] = self.step
        if self.about:
            out["about"] = self.about
        if self.cues:
            out["cues"] = list(self.cues)
        if self.pay_more:
            out["pay_more"] = [p.to_json() for p in self.pay_more]
        if self.named_language:
            out["named_language"] = self.named_language
        return out
