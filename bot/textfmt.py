"""Telegram HTML to plain text, for the terminal chat and logs."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]*>")


def html_to_text(markup: str) -> str:
    """Drop tags and decode entities; keeps line breaks, which carry the layout."""
    return html.unescape(_TAG.sub("", markup))
