"""The answer service: one function from (text, chat state, language hints) to a reply.

It knows nothing about Telegram, so the same answers serve Telegram, the terminal chat and the
command line. Replies are Telegram-HTML messages plus rows of buttons whose ``data`` is a short
callback string (at most 64 bytes, Telegram's limit); :meth:`AnswerService.press` turns a pressed
button back into a reply.

Callback data grammar (``:``-separated, ids never contain ``:``):
``t:<role>:<topic>`` answer a topic, ``r:<role>`` overview, ``w:<topic>`` ask which role,
``st:<role>`` full pay table, ``c:<a>:<b>`` compare, ``ca:<a>`` pick the second role to compare,
``l:<lang>`` set the reply language, ``f:<+|->:<role>:<topic>`` feedback, ``x`` none of these,
``ch:<pay|career>:<role>`` a chart (offered only with ``charts=True``; drawn and answered by
``bot.telegram.photos``). Anything else is a stale button: a short notice, never an error.

Deep links: ``/start <role>`` opens a role, ``/start <role>__<topic>`` one of its topics
(Telegram allows only ``A-Za-z0-9_-`` in the payload).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.constants import LANGUAGES, ROLE_IDS, TOPIC_INTENTS, map_telegram_language
from bot.nlu.result import LangHints, Parse
from bot.nlu.roles import MASK  # what Engine.mask_text puts where a role was named
from bot.textfmt import html_to_text

if TYPE_CHECKING:
    from bot.content.catalog import Catalog
    from bot.nlu.engine import Engine

MAX_CALLBACK_BYTES = 64
TOPIC_BUTTONS_PER_ROW = 3
DEEP_LINK_SEPARATOR = "__"
MAX_INLINE_RESULTS = 50  # Telegram's limit per answerInlineQuery
INLINE_DESCRIPTION_CHARS = 120
# Below this, an alternative reading is not worth a "did you mean" button or an inline result.
MIN_ALTERNATIVE = 0.15
CHART_PAY_KINDS = frozenset({"table", "range", "levels"})
# Words that carry no topic in a follow-up such as "and for an X?" / "kva med ein X?" (folded).
FOLLOW_UP_FILLER = frozenset({
    "a", "an", "the", "for", "to", "about", "of", "with", "then", "what", "how", "too", "also",
    "og", "en", "ei", "et", "ein", "eit", "til", "med", "om", "da", "sa", "hva", "kva", "enn",
    "un", "bet", "ar", "par", "ka", "ko", "kas", "tad", "ari",
    "و", "برای", "چطور", "چی", "در", "مورد", "درباره", "هم", "را", "است", "چه", "پس", "به",
})

# Words that name a reply language, in every language we speak (folded, lower case).
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "engelsk", "angļu", "anglu", "angliski", "انگلیسی", "انگلیسي"),
    "nb": ("bokmål", "bokmal", "norsk", "norwegian", "norvēģu", "norvegu", "نروژی"),
    "nn": ("nynorsk", "ny norsk", "landsmål"),
    "lv": ("latvian", "latvisk", "latviešu", "latviesu", "latviski", "lettisk", "لتونیایی",
           "لتونی"),
    "fa": ("persian", "farsi", "persisk", "persiešu", "persiesu", "persiski", "فارسی", "فارسي",
           "پارسی"),
}

# Short openers that make a message with only a role in it a follow-up on the last topic
# ("and for an IT project manager?").
FOLLOW_UP_OPENERS = (
    "and", "what about", "how about", "same for", "og", "hva med", "kva med", "enn", "men",
    "un", "bet", "kā ar", "ka ar", "و", "برای", "چطور", "در مورد", "درباره",
)


@dataclass
class ChatState:
    """What one chat remembers between messages (persisted by the storage layer)."""

    lang: str | None = None  # the explicit choice made with /language
    last_role: str | None = None
    last_topic: str | None = None
    last_lang: str | None = None  # the language of the last confidently detected message


@dataclass(frozen=True)
class Button:
    """An inline button: a label and the callback data it sends back."""

    text: str
    data: str


@dataclass
class Reply:
    """What the bot says: HTML messages, buttons under the last one, and what it understood."""

    messages: list[str]
    buttons: list[list[Button]]
    lang: str
    intent: str
    role: str | None = None
    topic: str | None = None
    confidence: float = 1.0
    fallback: bool = False  # the bot could not answer (stored for /unanswered)
    state: ChatState = field(default_factory=ChatState)
    notice: str | None = None  # a short toast for a button press (answerCallbackQuery)


@dataclass(frozen=True)
class InlineItem:
    """One inline-mode result: a topic of a role as a single message (no Telegram types)."""

    id: str  # unique in one answer, <= 64 bytes
    title: str
    description: str
    text: str  # Telegram HTML, <= 4096 characters
    role: str
    topic: str
    complete: bool  # False when the full answer needs more than one message
    deep_link: str  # the /start payload that opens the same answer in a private chat


def fallback_language(state: ChatState, hints: LangHints | None) -> str:
    """Reply language when there is no text to detect it from (SPEC.md order)."""
    if state.lang in LANGUAGES:
        return state.lang
    if state.last_lang in LANGUAGES:
        return state.last_lang
    mapped = map_telegram_language(hints.telegram if hints else None)
    return mapped or "en"


def deep_link_payload(role: str, topic: str = "overview") -> str:
    """The ``/start`` payload for a role (and topic), within Telegram's character set."""
    return role if topic == "overview" else f"{role}{DEEP_LINK_SEPARATOR}{topic}"


class AnswerService:
    """Answers questions from a catalogue and an engine that can be swapped live (/reload)."""

    def __init__(self, catalog: Catalog, engine: Engine, charts: bool = True) -> None:
        self._lock = threading.Lock()
        self._bundle = (catalog, engine)
        # Chart buttons only where something draws them: Telegram (bot.telegram.photos) does,
        # the terminal chat does not.
        self.charts = charts

    @property
    def catalog(self) -> Catalog:
        return self._bundle[0]

    @property
    def engine(self) -> Engine:
        return self._bundle[1]

    def swap(self, catalog: Catalog, engine: Engine) -> None:
        """Replace content and engine at once; a reply in progress keeps the old pair."""
        with self._lock:
            self._bundle = (catalog, engine)

    def _turn(self, catalog: Catalog, state: ChatState, lang: str) -> _Turn:
        return _Turn(catalog, state, lang, charts=self.charts)

    def _parse(self, engine: Engine, text: str, state: ChatState,
               hints: LangHints | None) -> Parse:
        return engine.parse(text, LangHints(telegram=hints.telegram if hints else None,
                                            chat=state.lang or state.last_lang))

    # ----------------------------------------------------------------- entry points

    def answer(self, text: str, state: ChatState, hints: LangHints | None = None) -> Reply:
        """Answer a free-text message."""
        catalog, engine = self._bundle
        parse = self._parse(engine, text, state, hints)
        state = replace(state)
        if parse.lang_confident:
            state.last_lang = parse.lang
        # Only a possible follow-up ("and for an X?") needs the masked text: not every message.
        bare = (parse.role is not None and state.last_topic is not None and _is_follow_up(text)
                and _only_filler(engine.mask_text(text)))
        return self._turn(catalog, state, parse.lang).respond(parse, text, bare_role=bare)

    def press(self, data: str, state: ChatState, hints: LangHints | None = None) -> Reply:
        """Answer a button press; stale or foreign data gets a short notice, never an error."""
        catalog, _ = self._bundle
        turn = self._turn(catalog, replace(state), fallback_language(state, hints))
        return turn.press(data)

    def topic(
        self, topic: str, args: str, state: ChatState, hints: LangHints | None = None
    ) -> Reply:
        """A topic command such as ``/salary helpdsk``: fuzzy role in ``args``, else context."""
        catalog, engine = self._bundle
        state = replace(state)
        lang = fallback_language(state, hints)
        if args.strip():
            parse = self._parse(engine, args, state, hints)
            if parse.lang_confident:
                lang = parse.lang
            turn = self._turn(catalog, state, lang)
            if parse.role is None:
                return turn.unknown_role(args, topic)
            return turn.topic_answer(parse.role, topic)
        turn = self._turn(catalog, state, lang)
        if state.last_role:
            return turn.topic_answer(state.last_role, topic)
        return turn.which_role(topic)

    def compare(self, args: str, state: ChatState, hints: LangHints | None = None) -> Reply:
        """``/compare <role> <role>``: both roles from the arguments, or buttons to pick them."""
        catalog, engine = self._bundle
        state = replace(state)
        lang = fallback_language(state, hints)
        roles: tuple[str, ...] = ()
        if args.strip():
            parse = self._parse(engine, args, state, hints)
            roles = parse.roles or ((parse.role,) if parse.role else ())
            if parse.lang_confident:
                lang = parse.lang
        return self._turn(catalog, state, lang).compare(roles)

    def command(self, name: str, state: ChatState, hints: LangHints | None = None,
                args: str = "") -> Reply:
        """Meta commands: start (with an optional deep link), help, roles, language."""
        catalog, _ = self._bundle
        state = replace(state)
        turn = self._turn(catalog, state, fallback_language(state, hints))
        if name == "start":
            role, _, topic = args.strip().partition(DEEP_LINK_SEPARATOR)
            if role in catalog.role_ids:
                return turn.topic_answer(role, topic if topic in TOPIC_INTENTS else "overview")
            return turn.welcome()
        if name == "help":
            return turn.help()
        if name == "roles":
            return turn.roles()
        if name == "language":
            wanted = _language_named(args) if args.strip() else None
            code = args.strip().lower()
            if code in LANGUAGES:
                wanted = code
            return turn.set_language(wanted) if wanted else turn.language_menu()
        raise ValueError(f"unknown command {name!r}")

    def language_names(self) -> dict[str, str]:
        """Each language's own name, for menus."""
        return {lang: self.catalog.ui(lang, "bot.language_name") for lang in LANGUAGES}

    def ui(self, lang: str, key: str, **values: object) -> str:
        """A UI string as safe Telegram HTML (``**bold**`` allowed, the rest escaped)."""
        return _p(self.catalog.ui(lang if lang in LANGUAGES else "en", key, **values))

    def inline(self, query: str, hints: LangHints | None = None
               ) -> tuple[str, list[InlineItem]]:
        """Inline mode: one result per matching (role, topic); an empty query lists the roles.

        Returns the reply language and the results. The language comes from the query when it
        is detected with confidence, else from the user's Telegram language.
        """
        catalog, engine = self._bundle
        lang = map_telegram_language(hints.telegram if hints else None) or "en"
        pairs: list[tuple[str, str]] = []
        if query.strip():
            parse = engine.parse(query, LangHints(telegram=hints.telegram if hints else None))
            if parse.lang_confident:
                lang = parse.lang
            pairs = _inline_pairs(parse, catalog.role_ids)
        if not pairs:
            pairs = [(role, "overview") for role in catalog.role_ids]
        return lang, [_Turn(catalog, ChatState(), lang).inline_item(role, topic)
                      for role, topic in pairs[:MAX_INLINE_RESULTS]]


def _inline_pairs(parse: Parse, role_ids: tuple[str, ...]) -> list[tuple[str, str]]:
    """The (role, topic) pairs a query asks for, best first."""
    roles = [r for r in parse.roles if r in role_ids] or (
        [parse.role] if parse.role in role_ids else [])
    topics: list[str] = []
    if parse.intent in TOPIC_INTENTS:
        topics.append(parse.intent)
    for alt in parse.alternatives:
        if alt.intent in TOPIC_INTENTS and alt.confidence >= MIN_ALTERNATIVE \
                and alt.intent not in topics:
            topics.append(alt.intent)
    if roles and (not topics or topics[0] == "overview"):
        # A bare role name ("tell me about X"): everything about it, the overview first.
        topics += [t for t in TOPIC_INTENTS if t not in topics]
    if not topics:
        return []
    return [(role, topic) for topic in topics for role in (roles or role_ids)]


class _Turn:
    """One reply being built: the catalogue, the chat state and the reply language."""

    def __init__(self, catalog: Catalog, state: ChatState, lang: str, *,
                 charts: bool = False) -> None:
        self.catalog = catalog
        self.state = state
        self.lang = lang if lang in LANGUAGES else "en"
        self.charts = charts

    # --------------------------------------------------------------- helpers

    def ui(self, key: str, **values: object) -> str:
        return self.catalog.ui(self.lang, key, **values)

    def reply(self, messages: list[str], buttons: list[list[Button]] | None = None, *,
              intent: str, role: str | None = None, topic: str | None = None,
              confidence: float = 1.0, fallback: bool = False) -> Reply:
        for row in buttons or []:
            for button in row:
                if len(button.data.encode()) > MAX_CALLBACK_BYTES:
                    raise ValueError(f"callback data too long: {button.data!r}")
        return Reply(messages=messages, buttons=buttons or [], lang=self.lang, intent=intent,
                     role=role, topic=topic, confidence=confidence, fallback=fallback,
                     state=self.state)

    def role_name(self, role: str) -> str:
        return self.catalog.role_name(role, self.lang)

    def role_buttons(self, make_data: str = "r:{role}", exclude: str | None = None
                     ) -> list[list[Button]]:
        """One button per role, one role a row (names are long in some languages)."""
        return [[Button(self.role_name(r), make_data.format(role=r))]
                for r in self.catalog.role_ids if r != exclude]

    def chart_button(self, role: str, topic: str) -> Button | None:
        """A chart of the pay figures or a picture of the career ladder, where there is one."""
        if not self.charts:
            return None
        facts = self.catalog.facts(role)
        pay = facts.get("pay")
        if topic == "salary" and isinstance(pay, dict) and pay.get("kind") in CHART_PAY_KINDS:
            return Button(self.ui("bot.button.chart"), f"ch:pay:{role}")
        if topic == "career" and facts.get("career_ladder"):
            return Button(self.ui("bot.button.picture"), f"ch:career:{role}")
        return None

    def topic_keyboard(self, role: str, current: str) -> list[list[Button]]:
        """The other topics of the same role, then extras, then feedback on this answer."""
        buttons = [Button(self.ui(f"bot.topic.{t}"), f"t:{role}:{t}")
                   for t in TOPIC_INTENTS if t != current]
        rows = [buttons[i:i + TOPIC_BUTTONS_PER_ROW]
                for i in range(0, len(buttons), TOPIC_BUTTONS_PER_ROW)]
        extra: list[Button] = []
        if current == "salary" and self.catalog.has_salary_table(role):
            extra.append(Button(self.ui("bot.button.full_table"), f"st:{role}"))
        chart = self.chart_button(role, current)
        if chart is not None:
            extra.append(chart)
        extra.append(Button(self.ui("bot.button.compare"), f"ca:{role}"))
        rows.append(extra)
        rows.append([Button("👍", f"f:+:{role}:{current}"), Button("👎", f"f:-:{role}:{current}")])
        return rows

    # --------------------------------------------------------------- answers

    def respond(self, parse: Parse, text: str, *, bare_role: bool = False) -> Reply:
        """Decide what to say for a parsed message, using the chat's context.

        ``bare_role``: the message is a role and words that name no topic ("and for an X?").
        """
        intent, role = parse.intent, parse.role
        last_topic = self.state.last_topic if self.state.last_topic in TOPIC_INTENTS else None
        if role is not None and len(parse.roles) < 2 and last_topic and _is_follow_up(text) \
                and (bare_role or intent in ("overview", "compare", "out_of_scope")):
            # "and for an IT project manager?": the new role, the topic asked about last
            # (but "and the pay for X?" names a topic of its own).
            return self.topic_answer(role, last_topic, parse.confidence)
        if parse.ambiguous and parse.alternatives and intent != "out_of_scope":
            return self.did_you_mean(parse)
        if len(parse.roles) >= 2 or (intent == "compare" and (role or self.state.last_role)):
            return self.compare(parse.roles or ((role,) if role else ()))
        if intent == "compare":
            return self.compare(())
        if intent == "out_of_scope" and role is not None:
            intent = "overview"  # a role name and nothing we understood: the role is the question
        if intent in TOPIC_INTENTS:
            role = role or self.state.last_role
            if role is None:
                return self.which_role(intent)
            return self.topic_answer(role, intent, parse.confidence)
        if intent == "greeting":
            return self.welcome()
        if intent == "help":
            return self.help()
        if intent == "roles":
            return self.roles()
        if intent == "language":
            return self.language_request(text)
        if intent == "thanks":
            return self.reply([_p(self.ui("bot.thanks"))], intent="thanks")
        if intent == "goodbye":
            return self.reply([_p(self.ui("bot.goodbye"))], intent="goodbye")
        return self.fallback(parse)

    def topic_answer(self, role: str, topic: str, confidence: float = 1.0) -> Reply:
        self.state.last_role, self.state.last_topic = role, topic
        messages = self.catalog.render_topic(role, topic, self.lang)
        return self.reply(messages, self.topic_keyboard(role, topic), intent=topic, role=role,
                          topic=topic, confidence=confidence)

    def which_role(self, topic: str) -> Reply:
        self.state.last_topic = topic
        text = _p(self.ui("bot.which_role", topic=self.ui(f"bot.topic.{topic}")))
        return self.reply([text], self.role_buttons(f"t:{{role}}:{topic}"), intent=topic,
                          topic=topic)

    def unknown_role(self, typed: str, topic: str) -> Reply:
        text = _p(self.ui("bot.unknown_role", typed=_shorten(typed, 80)))
        return self.reply([text], self.role_buttons(f"t:{{role}}:{topic}"), intent=topic,
                          topic=topic, fallback=True)

    def did_you_mean(self, parse: Parse) -> Reply:
        buttons: list[list[Button]] = []
        seen: set[str] = set()
        readings = [(parse.intent, parse.role, parse.confidence)]
        readings += [(a.intent, a.role, a.confidence) for a in parse.alternatives]
        for intent, role, confidence in readings:
            role = role or self.state.last_role
            if intent not in TOPIC_INTENTS or (buttons and confidence < MIN_ALTERNATIVE):
                continue
            data = f"t:{role}:{intent}" if role else f"w:{intent}"
            if data in seen:
                continue
            seen.add(data)
            label = self.ui(f"bot.topic.{intent}")
            if role:
                label = f"{label} · {self.role_name(role)}"
            buttons.append([Button(label, data)])
            if len(buttons) == 3:
                break
        if not buttons:
            return self.fallback(parse)
        buttons.append([Button(self.ui("bot.button.none_of_these"), "x")])
        return self.reply([_p(self.ui("bot.did_you_mean"))], buttons, intent=parse.intent,
                          role=parse.role, confidence=parse.confidence, fallback=True)

    def compare(self, roles: tuple[str, ...]) -> Reply:
        known = [r for r in roles if r in self.catalog.role_ids]
        if len(known) >= 2 and known[0] != known[1]:
            a, b = known[0], known[1]
            self.state.last_role, self.state.last_topic = a, "compare"
            messages = self.catalog.render_compare(a, b, self.lang)
            return self.reply(messages, [[Button(self.role_name(a), f"r:{a}"),
                                          Button(self.role_name(b), f"r:{b}")],
                                         [Button("👍", f"f:+:{a}:compare"),
                                          Button("👎", f"f:-:{a}:compare")]],
                              intent="compare", role=a)
        first = known[0] if known else self.state.last_role
        if first is None:
            text = _p(self.ui("bot.compare_pick_first"))
            return self.reply([text], self.role_buttons("ca:{role}"), intent="compare")
        text = _p(self.ui("bot.compare_pick_second", role=self.role_name(first)))
        return self.reply([text], self.role_buttons(f"c:{first}:{{role}}", exclude=first),
                          intent="compare", role=first)

    def welcome(self) -> Reply:
        text = _p(self.ui("bot.welcome")) + "\n\n" + _p(self.ui("bot.examples"))
        return self.reply([text], self.role_buttons(), intent="greeting")

    def help(self) -> Reply:
        text = _p(self.ui("bot.help")) + "\n\n" + _p(self.ui("bot.examples"))
        return self.reply([text], self.role_buttons(), intent="help")

    def roles(self) -> Reply:
        lines = [_p(self.ui("bot.roles_intro"))]
        lines += [f"• <b>{_escape(self.role_name(r))}</b>" for r in self.catalog.role_ids]
        return self.reply(["\n".join(lines)], self.role_buttons(), intent="roles")

    def language_menu(self) -> Reply:
        buttons = [[Button(self.catalog.ui(code, "bot.language_name"), f"l:{code}")]
                   for code in LANGUAGES]
        return self.reply([_p(self.ui("bot.language_prompt"))], buttons, intent="language")

    def language_request(self, text: str) -> Reply:
        wanted = _language_named(text)
        if wanted is None:
            return self.language_menu()
        return self.set_language(wanted)

    def set_language(self, lang: str) -> Reply:
        self.state.lang = lang
        self.lang = lang
        return self.reply([_p(self.ui("bot.language_set"))], self.role_buttons(),
                          intent="language")

    def fallback(self, parse: Parse | None = None) -> Reply:
        """Out of scope (e.g. "my printer is broken"): say kindly what this bot is for.

        When the engine's out-of-scope class won, the message was understood as something else
        (often an IT support request); when nothing reached the threshold, we simply did not
        understand, and say so.
        """
        confidence = parse.confidence if parse else 0.0
        best_other = max((a.confidence for a in parse.alternatives), default=0.0) if parse \
            else 0.0
        understood_as_other = parse is not None and parse.intent == "out_of_scope" \
            and confidence > best_other
        key = "bot.fallback" if understood_as_other else "bot.not_understood"
        text = _p(self.ui(key)) + "\n\n" + _p(self.ui("bot.examples"))
        return self.reply([text], self.role_buttons(), intent="out_of_scope",
                          confidence=confidence, fallback=True)

    def inline_item(self, role: str, topic: str) -> InlineItem:
        messages = self.catalog.render_topic(role, topic, self.lang)
        first = messages[0]
        plain = html_to_text(first).replace("\u200f", "").strip().split("\n")
        body = " ".join(line.strip() for line in plain[1:] if line.strip())
        description = _shorten(body, INLINE_DESCRIPTION_CHARS)
        title = f"{self.role_name(role)} · {self.ui(f'bot.topic.{topic}')}"
        return InlineItem(id=f"{role}:{topic}", title=title, description=description,
                          text=first, role=role, topic=topic, complete=len(messages) == 1,
                          deep_link=deep_link_payload(role, topic))

    # --------------------------------------------------------------- buttons

    def press(self, data: str) -> Reply:
        parts = data.split(":")
        kind, args = parts[0], parts[1:]
        roles = set(self.catalog.role_ids)
        if kind == "t" and len(args) == 2 and args[0] in roles and args[1] in TOPIC_INTENTS:
            return self.topic_answer(args[0], args[1])
        if kind == "r" and len(args) == 1 and args[0] in roles:
            return self.topic_answer(args[0], "overview")
        if kind == "w" and len(args) == 1 and args[0] in TOPIC_INTENTS:
            return self.which_role(args[0])
        if kind == "st" and len(args) == 1 and args[0] in roles:
            return self.salary_table(args[0])
        if kind == "c" and len(args) == 2 and args[0] in roles and args[1] in roles:
            return self.compare((args[0], args[1]))
        if kind == "ca" and len(args) == 1 and args[0] in roles:
            return self.compare((args[0],))
        if kind == "l" and len(args) == 1 and args[0] in LANGUAGES:
            return self.set_language(args[0])
        if kind == "f" and len(args) == 3 and args[0] in ("+", "-") and args[1] in roles \
                and args[2] in (*TOPIC_INTENTS, "compare"):
            reply = self.reply([], intent="feedback", role=args[1], topic=args[2])
            reply.notice = self.ui("bot.feedback_thanks")
            return reply
        if kind == "x" and not args:
            return self.fallback(None)
        reply = self.reply([], intent="stale")
        reply.notice = self.ui("bot.stale_button")
        return reply

    def salary_table(self, role: str) -> Reply:
        self.state.last_role, self.state.last_topic = role, "salary"
        messages = self.catalog.render_salary_table(role, self.lang)
        return self.reply(messages, self.topic_keyboard(role, "salary"), intent="salary",
                          role=role, topic="salary")


def _p(text: str) -> str:
    """UI strings are plain text with ``<b>`` allowed via ``**``; escape the rest."""
    escaped = _escape(text.strip())
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text`` on one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _is_follow_up(text: str) -> bool:
    folded = _fold(text)
    return any(folded == o or folded.startswith(o + " ") for o in FOLLOW_UP_OPENERS)


def _only_filler(masked: str) -> bool:
    """Whether a masked message holds a role and nothing but follow-up filler words."""
    words = _fold(masked).split()
    return MASK in words and all(
        w == MASK or w in FOLLOW_UP_FILLER for w in words)


def _language_named(text: str) -> str | None:
    folded = f" {_fold(text)} "
    # "nynorsk" must win over "norsk"; check longer names first.
    pairs = sorted(((name, lang) for lang, names in LANGUAGE_NAMES.items() for name in names),
                   key=lambda p: -len(p[0]))
    for name, lang in pairs:
        if name in folded:
            return lang
    return None


__all__ = ["ROLE_IDS", "AnswerService", "Button", "ChatState", "InlineItem", "Reply",
           "deep_link_payload", "fallback_language"]
