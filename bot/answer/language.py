"""The one reply-language policy of the answer layer (SPEC.md, "Reply language").

A message's own language, when the engine detected it with confidence, decides; otherwise the
chat's /language choice, then the language of the chat's last confidently detected message,
then Telegram's language code, then English. The engine applies the same order to the hints it
is given (:func:`engine_hints`), so a message and a button press agree.
"""

from __future__ import annotations

from dataclasses import replace

from bot.answer.state import ChatState
from bot.constants import LANGUAGES, map_telegram_language
from bot.nlu.result import LangHints, Parse


def without_text(state: ChatState, hints: LangHints | None) -> str:
    """Reply language when there is no text to detect it from (buttons, bare commands)."""
    if state.lang in LANGUAGES:
        return state.lang
    if state.last_lang in LANGUAGES:
        return state.last_lang
    return map_telegram_language(hints.telegram if hints else None) or "en"


def engine_hints(state: ChatState, hints: LangHints | None) -> LangHints:
    """What the engine weighs besides the text: the chat's choice (or its last detected
    language) and Telegram's code."""
    return LangHints(telegram=hints.telegram if hints else None,
                     chat=state.lang or state.last_lang)


def after_message(state: ChatState, parse: Parse) -> ChatState:
    """The state with the message's language remembered when it was detected with confidence."""
    if parse.lang_confident and parse.foreign is None:
        return replace(state, last_lang=parse.lang)
    return replace(state)


def of(lang: str | None) -> str:
    """A language we speak (English for anything else)."""
    return lang if lang in LANGUAGES else "en"
