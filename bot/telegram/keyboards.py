"""Service buttons to Telegram inline keyboards (the service itself knows no Telegram types)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer import MAX_CALLBACK_BYTES, Button, Reply


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard, or None when it has none."""
    return rows_to_markup(reply.buttons)


def rows_to_markup(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Buttons whose data would break Telegram's 64-byte limit are dropped, never sent."""
    markup = [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row
               if b.text and 0 < len(b.data.encode()) <= MAX_CALLBACK_BYTES] for row in rows]
    markup = [row for row in markup if row]
    return InlineKeyboardMarkup(markup) if markup else None


def url_button(text: str, url: str) -> InlineKeyboardMarkup:
    """A single link button (inline-mode results cannot carry our callback buttons)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, url=url)]])
