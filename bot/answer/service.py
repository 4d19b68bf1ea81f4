"""The answer service: the entry points from a message, a button or a command to a reply.

It knows nothing about Telegram, so the same answers serve Telegram, the terminal chat and the
command line. Each entry point parses (the engine), decides (:func:`bot.answer.dialogue.plan`)
and composes (:class:`bot.answer.compose.Composer`); the content and the engine can be swapped
live (/reload) and a reply in progress keeps the pair it started with.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from bot.answer import actions as act
from bot.answer import language
from bot.answer.compose import DEEP_LINK_SEPARATOR, Composer, InlineItem, Reply, ui_html
from bot.answer.dialogue import Plan, World, plan
from bot.answer.state import ChatState
from bot.constants import LANGUAGES, TOPIC_INTENTS
from bot.nlu.result import LangHints, Parse

if TYPE_CHECKING:
    from bot.content.catalog import Catalog
    from bot.nlu.engine import Engine

MAX_INLINE_RESULTS = 50  # Telegram's limit per answerInlineQuery
MIN_ALTERNATIVE = 0.15
# The slash commands every front end understands, name -> topic (Telegram requires Latin names).
TOPIC_COMMANDS: dict[str, str] = {
    "role": "overview", "overview": "overview", "duties": "duties", "salary": "salary",
    "pay": "salary", "skills": "skills", "interview": "interview", "education": "education",
    "career": "career", "workplace": "workplace", "qualities": "qualities", "tools": "tools",
    "certifications": "certifications", "outlook": "outlook",
}
META_COMMANDS: tuple[str, ...] = ("start", "help", "roles", "language")


def world_of(catalog: Catalog) -> World:
    """What the dialogue needs to know of the content."""
    country = {r: catalog.facts(r).get("country") for r in catalog.role_ids}
    with_pay = frozenset(r for r in catalog.role_ids
                         if (catalog.facts(r).get("pay") or {}).get("kind", "none") != "none")
    ladders = {r: catalog.ladder(r) for r in catalog.role_ids}
    return World(country, with_pay, ladders)


class AnswerService:
    """Answers questions from a catalogue and an engine that can be swapped live (/reload)."""

    def __init__(self, catalog: Catalog, engine: Engine, charts: bool = True) -> None:
        self._lock = threading.Lock()
        self._bundle = (catalog, engine, world_of(catalog))
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
            self._bundle = (catalog, engine, world_of(catalog))

    def _composer(self, catalog: Catalog, state: ChatState, lang: str) -> Composer:
        return Composer(catalog, state, lang, charts=self.charts)

    @staticmethod
    def _current(catalog: Catalog, world: World, state: ChatState) -> ChatState:
        """The chat's state as this content knows it (a copy: the caller's is not changed)."""
        return state.known(catalog.role_ids, catalog.details, world.steps)

    def known(self) -> act.Known:
        """The ids a button may name, for decoding presses."""
        catalog = self.catalog
        return act.Known(catalog.role_ids, TOPIC_INTENTS, catalog.details, LANGUAGES)

    # ------------------------------------------------------------------ entry points

    def understand(self, text: str, state: ChatState, hints: LangHints | None = None) -> Parse:
        """What the engine makes of a message in this chat."""
        return self.engine.parse(text, language.engine_hints(state, hints))

    def answer(self, text: str, state: ChatState, hints: LangHints | None = None) -> Reply:
        """Answer a free-text message."""
        catalog, engine, world = self._bundle
        state = self._current(catalog, world, state)
        parse = engine.parse(text, language.engine_hints(state, hints))
        state = language.after_message(state, parse)
        decided = plan(parse, state, world)
        return self._composer(catalog, state, parse.lang).answer(decided, parse)

    def press(self, data: str, state: ChatState, hints: LangHints | None = None) -> Reply:
        """Answer a button press; stale or foreign data gets a short notice, never an error."""
        catalog, _, world = self._bundle
        composer = self._composer(catalog, self._current(catalog, world, state),
                                  language.without_text(state, hints))
        return composer.press(act.decode(data, self.known()))

    def topic(self, topic: str, args: str, state: ChatState, hints: LangHints | None = None
              ) -> Reply:
        """A topic command such as ``/salary helpdsk``: fuzzy role in ``args``, else context."""
        catalog, engine, world = self._bundle
        state = self._current(catalog, world, state)
        lang = language.without_text(state, hints)
        if args.strip():
            parse = engine.parse(args, language.engine_hints(state, hints))
            lang = parse.lang if parse.lang_confident else lang
            composer = self._composer(catalog, state, lang)
            if parse.role is None:
                return composer.unknown_role(args, topic)
            return composer.page(parse.role, topic)
        composer = self._composer(catalog, state, lang)
        if state.last_role:
            return composer.page(state.last_role, topic)
        return composer.which_role(Plan("which_role", topic=topic))

    def compare(self, args: str, state: ChatState, hints: LangHints | None = None) -> Reply:
        """``/compare <role> <role>``: both roles from the arguments, or buttons to pick them."""
        catalog, engine, world = self._bundle
        state = self._current(catalog, world, state)
        lang = language.without_text(state, hints)
        roles: tuple[str, ...] = ()
        if args.strip():
            parse = engine.parse(args, language.engine_hints(state, hints))
            roles = parse.roles
            lang = parse.lang if parse.lang_confident else lang
        return self._composer(catalog, state, lang).compare(roles)

    def command(self, name: str, state: ChatState, hints: LangHints | None = None,
                args: str = "") -> Reply:
        """Meta commands: start (with an optional deep link), help, roles, language."""
        catalog, engine, world = self._bundle
        state = self._current(catalog, world, state)
        composer = self._composer(catalog, state, language.without_text(state, hints))
        if name == "start":
            role, _, topic = args.strip().partition(DEEP_LINK_SEPARATOR)
            if role in catalog.role_ids:
                return composer.page(role, topic if topic in TOPIC_INTENTS else "overview")
            return composer.welcome("greeting")
        if name == "help":
            return composer.welcome("help")
        if name == "roles":
            return composer.role_list()
        if name == "language":
            code = args.strip().lower()
            wanted = code if code in LANGUAGES else engine.named_language(args) \
                if args.strip() else None
            return composer.set_language(wanted) if wanted else composer.language_menu()
        raise ValueError(f"unknown command {name!r}")

    def slash(self, text: str, state: ChatState, hints: LangHints | None = None) -> Reply:
        """Any ``/command args`` line, through the one command table (terminal chat)."""
        head, _, args = text.strip()[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        if name in TOPIC_COMMANDS:
            return self.topic(TOPIC_COMMANDS[name], args, state, hints)
        if name == "compare":
            return self.compare(args, state, hints)
        if name in META_COMMANDS:
            return self.command(name, state, hints, args)
        return self.answer(text, state, hints)

    def language_names(self) -> dict[str, str]:
        """Each language's own name, for menus."""
        return {lang: self.catalog.ui(lang, "bot.language_name") for lang in LANGUAGES}

    def ui(self, lang: str, key: str, **values: object) -> str:
        """A UI string as safe Telegram HTML (``**bold**`` allowed, the rest escaped)."""
        return ui_html(self.catalog.ui(language.of(lang), key), **values)

    def inline(self, query: str, hints: LangHints | None = None
               ) -> tuple[str, list[InlineItem]]:
        """Inline mode: one result per matching (role, topic); an empty query lists the roles.

        Returns the reply language and the results. The language is the query's, by the one
        policy (SPEC: detected with confidence, else the user's Telegram language, else en).
        """
        catalog, engine, _ = self._bundle
        lang = language.without_text(ChatState(), hints)
        pairs: list[tuple[str, str]] = []
        if query.strip():
            parse = engine.parse(query, LangHints(telegram=hints.telegram if hints else None))
            lang = parse.lang  # the one policy (SPEC), applied by the engine to the hints
            pairs = _inline_pairs(parse, catalog.role_ids)
        if not pairs:
            pairs = [(role, "overview") for role in catalog.role_ids]
        composer = self._composer(catalog, ChatState(), lang)
        return lang, [composer.inline_item(role, topic)
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
