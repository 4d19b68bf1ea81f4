"""What the admin commands and the teach buttons share: UI strings, sending, splitting."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.ext import ContextTypes

from bot.answer import AnswerService
from bot.answer.compose import fill
from bot.answer.compose import ui_html as markup_html
from bot.storage import Store
from bot.telegram.delivery.sending import send_html

Context = ContextTypes.DEFAULT_TYPE

MAX_MESSAGE = 3800  # characters per message we build (Telegram allows 4096)
MAX_QUESTION_SHOWN = 300


def ui_html(service: AnswerService, lang: str, key: str, **values: object) -> str:
    """A UI string as Telegram HTML: ``**bold**`` made bold, then the values put in escaped
    (``bot.answer.compose.ui_html``: no markup can come from a value)."""
    return markup_html(service.catalog.ui(lang, key), **values)


def ui_plain(service: AnswerService, lang: str, key: str, **values: object) -> str:
    """A UI string for a button label or a toast (plain text, no markup); values go in after
    the template's ``**`` are dropped, so a value keeps its own."""
    return fill(service.catalog.ui(lang, key).replace("**", "").strip(), values)


def service_of(context: Context) -> AnswerService:
    service: AnswerService = context.bot_data["service"]
    return service


def store_of(context: Context) -> Store | None:
    store: Store | None = context.bot_data.get("store")
    return store


def shorten(text: str, limit: int = MAX_QUESTION_SHOWN) -> str:
    """A stored question as shown to admins: cut with "…" beyond ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + "…"


async def send(context: Context, chat_id: int, texts: list[str],
               markup: InlineKeyboardMarkup | None = None) -> None:
    """Send HTML messages; the keyboard goes under the last one."""
    for i, text in enumerate(texts):
        if await send_html(context, chat_id, text,
                           markup if i == len(texts) - 1 else None) is None:
            return


def chunks(lines: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Join lines into messages of at most ``limit`` characters."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        if current and len(current) + 1 + len(line) > limit:
            out.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current.strip():
        out.append(current)
    return out


__all__ = ["MAX_MESSAGE", "MAX_QUESTION_SHOWN", "chunks", "send", "service_of", "shorten",
           "store_of", "ui_html", "ui_plain"]
