"""The answer service: one function from (text, chat state, language hints) to a reply.

It knows nothing about Telegram, so the same answers serve Telegram, the terminal chat and the
command line. Replies are Telegram-HTML messages plus rows of buttons whose ``data`` is a short
callback string (at most 64 bytes, Telegram's limit); :meth:`AnswerService.press` turns a pressed
button back into a reply.

Callback data grammar (``:``-separated, ids never contain ``:``):
``t:<role>:<topic>`` answer a topic, ``r:<role>`` overview, ``w:<topic>`` ask which role,
``st:<role>`` full pay table, ``c:<a>:<b>`` compare, ``ca:<a>`` pick the second role to compare,
``l:<lang>`` set the reply language, ``f:<+|->:<role>:<topic>`` feedback, ``x`` none of these.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.constants import LANGUAGES, ROLE_IDS, TOPIC_INTENTS, map_telegram_language
from bot.nlu.result import LangHints, Parse

if TYPE_CHECKING:
    from bot.content.catalog import Catalog
    from bot.nlu.engine import Engine

MAX_CALLBACK_BYTES = 64
TOPIC_BUTTONS_PER_ROW = 3

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


def fallback_language(state: ChatState, hints: LangHints | None) -> str:
    """Reply language when there is no text to detect it from (SPEC.md order)."""
    if state.lang in LANGUAGES:
        return state.lang
    if state.last_lang in LANGUAGES:
        return state.last_lang
    mapped = map_telegram_language(hints.telegram if hints else None)
    return mapped or "en"


class AnswerService:
    """Answers questions from a catalogue and an engine that can be swapped live (/reload)."""

    def __init__(self, catalog: Catalog, engine: Engine) -> None:
        self._lock = threading.Lock()
        self._bundle = (catalog, engine)

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

    # ----------------------------------------------------------------- entry points

    def answer(self, text: str, state: ChatState, hints: LangHints | None = None) -> Reply:
        """Answer a free-text message."""
        catalog, engine = self._bundle
        chat_hint = state.lang or state.last_lang
        parse = engine.parse(text, LangHints(telegram=hints.telegram if hints else None,
                                             chat=chat_hint))
        state = replace(state)
        if parse.lang_confident:
            state.last_lang = parse.lang
        return _Turn(catalog, state, parse.lang).respond(parse, text)

    def press(self, data: str, state: ChatState, hints: LangHints | None = None) -> Reply:
        """Answer a button press; stale or foreign data gets a short notice, never an error."""
        catalog, _ = self._bundle
        turn = _Turn(catalog, replace(state), fallback_language(state, hints))
        return turn.press(data)

    def topic(
        self, topic: str, args: str, state: ChatState, hints: LangHints | None = None
    ) -> Reply:
        """A topic command such as ``/salary helpdsk``: fuzzy role in ``args``, else context."""
        catalog, engine = self._bundle
        state = replace(state)
        lang = fallback_language(state, hints)
        role: str | None = None
        if args.strip():
            parse = engine.parse(args, LangHints(telegram=hints.telegram if hints else None,
                                                 chat=state.lang or state.last_lang))
            if parse.lang_confident:
                lang = parse.lang
            role = parse.role
            turn = _Turn(catalog, state, lang)
            if role is None:
                return turn.unknown_role(args, topic)
            return turn.topic_answer(role, topic)
        turn = _Turn(catalog, state, lang)
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
            parse = engine.parse(args, LangHints(telegram=hints.telegram if hints else None,
                                                 chat=state.lang or state.last_lang))
            roles = parse.roles or ((parse.role,) if parse.role else ())
            if parse.lang_confident:
                lang = parse.lang
        return _Turn(catalog, state, lang).compare(roles)

    def command(self, name: str, state: ChatState, hints: LangHints | None = None,
                args: str = "") -> Reply:
        """Meta commands: start (with an optional deep-link role), help, roles, language."""
        catalog, _ = self._bundle
        state = replace(state)
        turn = _Turn(catalog, state, fallback_language(state, hints))
        if name == "start":
            role = args.strip()
            if role in catalog.role_ids:
                return turn.topic_answer(role, "overview")
            return turn.welcome()
        if name == "help":
            return turn.help()
        if name == "roles":
            return turn.roles()
        if name == "language":
            return turn.language_menu()
        raise ValueError(f"unknown command {name!r}")

    def language_names(self) -> dict[str, str]:
        """Each language's own name, for menus."""
        return {lang: self.catalog.ui(lang, "bot.language_name") for lang in LANGUAGES}


class _Turn:
    """One reply being built: the catalogue, the chat state and the reply language."""

    def __init__(self, catalog: Catalog, state: ChatState, lang: str) -> None:
        self.catalog = catalog
        self.state = state
        self.lang = lang if lang in LANGUAGES else "en"

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

    def topic_keyboard(self, role: str, current: str) -> list[list[Button]]:
        """The other topics of the same role, then feedback on this answer."""
        buttons = [Button(self.ui(f"bot.topic.{t}"), f"t:{role}:{t}")
                   for t in TOPIC_INTENTS if t != current]
        rows = [buttons[i:i + TOPIC_BUTTONS_PER_ROW]
                for i in range(0, len(buttons), TOPIC_BUTTONS_PER_ROW)]
        extra: list[Button] = []
        if current == "salary" and self.catalog.facts(role).get("pay", {}).get("kind") == "table":
            extra.append(Button(self.ui("bot.button.full_table"), f"st:{role}"))
        extra.append(Button(self.ui("bot.button.compare"), f"ca:{role}"))
        rows.append(extra)
        rows.append([Button("👍", f"f:+:{role}:{current}"), Button("👎", f"f:-:{role}:{current}")])
        return rows

    # --------------------------------------------------------------- answers

    def respond(self, parse: Parse, text: str) -> Reply:
        """Decide what to say for a parsed message, using the chat's context."""
        intent, role = parse.intent, parse.role
        if parse.ambiguous and parse.alternatives and intent != "out_of_scope":
            return self.did_you_mean(parse)
        if intent == "compare" or len(parse.roles) >= 2:
            return self.compare(parse.roles or ((role,) if role else ()))
        if intent == "out_of_scope" and role is not None:
            # A bare role name, or "and for X?" after a topic: the role is the question.
            intent = self.state.last_topic if _is_follow_up(text) and self.state.last_topic \
                else "overview"
        elif (intent == "overview" and role is not None and self.state.last_topic
              and self.state.last_topic != "overview" and _is_follow_up(text)):
            intent = self.state.last_topic
        if intent in TOPIC_INTENTS:
            role = role or self.state.last_role
            if role is None:
                return self.which_role(intent)
            reply = self.topic_answer(role, intent)
            reply.confidence = parse.confidence
            return reply
        if intent == "greeting":
            return self.welcome()
        if intent == "help":
            return self.help()
        if intent == "roles":
            return self.roles()
        if intent == "language":
            return self.language_request(text)
        if intent == "thanks":
            return self.reply([self.ui("bot.thanks")], intent="thanks")
        if intent == "goodbye":
            return self.reply([self.ui("bot.goodbye")], intent="goodbye")
        return self.fallback(parse.confidence)

    def topic_answer(self, role: str, topic: str) -> Reply:
        self.state.last_role, self.state.last_topic = role, topic
        messages = self.catalog.render_topic(role, topic, self.lang)
        return self.reply(messages, self.topic_keyboard(role, topic), intent=topic, role=role,
                          topic=topic)

    def which_role(self, topic: str) -> Reply:
        self.state.last_topic = topic
        text = _p(self.ui("bot.which_role", topic=self.ui(f"bot.topic.{topic}")))
        return self.reply([text], self.role_buttons(f"t:{{role}}:{topic}"), intent=topic,
                          topic=topic)

    def unknown_role(self, typed: str, topic: str) -> Reply:
        text = _p(self.ui("bot.unknown_role", typed=_escape(typed.strip()[:80])))
        return self.reply([text], self.role_buttons(f"t:{{role}}:{topic}"), intent=topic,
                          topic=topic, fallback=True)

    def did_you_mean(self, parse: Parse) -> Reply:
        buttons: list[list[Button]] = []
        seen: set[str] = set()
        for alt in ((parse.intent, parse.role), *((a.intent, a.role) for a in parse.alternatives)):
            intent, role = alt
            role = role or self.state.last_role
            if intent not in TOPIC_INTENTS:
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
            return self.fallback(parse.confidence)
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
                                          Button(self.role_name(b), f"r:{b}")]],
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

    def fallback(self, confidence: float) -> Reply:
        text = _p(self.ui("bot.fallback")) + "\n\n" + _p(self.ui("bot.examples"))
        return self.reply([text], self.role_buttons(), intent="out_of_scope",
                          confidence=confidence, fallback=True)

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
            self.state.last_role, self.state.last_topic = args[0], "salary"
            messages = self.catalog.render_topic(args[0], "salary_table", self.lang)
            return self.reply(messages, self.topic_keyboard(args[0], "salary"), intent="salary",
                              role=args[0], topic="salary")
        if kind == "c" and len(args) == 2 and args[0] in roles and args[1] in roles:
            return self.compare((args[0], args[1]))
        if kind == "ca" and len(args) == 1 and args[0] in roles:
            return self.compare((args[0],))
        if kind == "l" and len(args) == 1 and args[0] in LANGUAGES:
            return self.set_language(args[0])
        if kind == "f" and len(args) == 3 and args[0] in "+-" and args[1] in roles:
            reply = self.reply([], intent="feedback", role=args[1], topic=args[2])
            reply.notice = self.ui("bot.feedback_thanks")
            return reply
        if kind == "x" and not args:
            return self.fallback(0.0)
        reply = self.reply([], intent="stale")
        reply.notice = self.ui("bot.stale_button")
        return reply


def _p(text: str) -> str:
    """UI strings are plain text with ``<b>`` allowed via ``**``; escape the rest."""
    escaped = _escape(text.strip())
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _is_follow_up(text: str) -> bool:
    folded = _fold(text)
    return any(folded == o or folded.startswith(o + " ") for o in FOLLOW_UP_OPENERS)


def _language_named(text: str) -> str | None:
    folded = f" {_fold(text)} "
    # "nynorsk" must win over "norsk"; check longer names first.
    pairs = sorted(((name, lang) for lang, names in LANGUAGE_NAMES.items() for name in names),
                   key=lambda p: -len(p[0]))
    for name, lang in pairs:
        if name in folded:
            return lang
    return None


__all__ = ["ROLE_IDS", "AnswerService", "Button", "ChatState", "Reply", "fallback_language"]
