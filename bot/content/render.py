"""Turn role text + facts into Telegram HTML messages through Jinja2 templates.

Templates live in ``content/templates`` so admins can change the look without touching code;
this module prepares the values (formatted per language) and post-processes the result
(blank lines, Persian direction marks, splitting at Telegram's 4096-character limit).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from bot.content import formatting as fmt
from bot.content.telegram_html import MAX_MESSAGE_LENGTH, text_length

__all__ = ["MAX_MESSAGE_LENGTH", "text_length"]

BULLET = "• "
_TOKEN = re.compile(r"<[^>]*>|&[^;\s<>&]*;|[^<&]+|[<&]")


def make_environment(templates_dir: Path) -> Environment:
    """The Jinja2 environment: HTML-escaping everything, failing on any undefined name."""
    return Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )


# ---------------------------------------------------------------- plain text -> blocks -> HTML


@dataclass(frozen=True)
class Block:
    """A paragraph (``bullets`` empty) or a bullet list, from a role text."""

    text: str
    bullets: tuple[str, ...] = ()


def parse_blocks(text: str) -> list[Block]:
    """Split writer text into paragraphs and bullet lists (lines starting with ``- ``)."""
    blocks: list[Block] = []
    for raw in re.split(r"\n[ \t]*\n", text.strip()):
        para: list[str] = []
        bullets: list[str] = []
        for line in raw.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith(("- ", "• ")):
                if para:
                    blocks.append(Block(" ".join(para)))
                    para = []
                bullets.append(stripped[2:].strip())
            elif bullets and line[:1] in (" ", "\t"):
                bullets[-1] = f"{bullets[-1]} {stripped}"
            else:
                if bullets:
                    blocks.append(Block("", tuple(bullets)))
                    bullets = []
                para.append(stripped)
        if para:
            blocks.append(Block(" ".join(para)))
        if bullets:
            blocks.append(Block("", tuple(bullets)))
    return blocks


def blocks_to_html(blocks: Iterable[Block]) -> Markup:
    """Escaped Telegram HTML: paragraphs separated by a blank line, bullets as ``• ``."""
    parts: list[str] = []
    for block in blocks:
        if block.bullets:
            parts.append("\n".join(BULLET + str(escape(b)) for b in block.bullets))
        else:
            parts.append(str(escape(block.text)))
    return Markup("\n\n".join(parts))


def text_to_html(text: str) -> Markup:
    """Writer text (no HTML) to escaped Telegram HTML."""
    return blocks_to_html(parse_blocks(text))


def first_sentence(text: str, limit: int = 220) -> str:
    """The first sentence of a text, cut at a word boundary when it is long."""
    blocks = parse_blocks(text)
    if not blocks:
        return ""
    first = blocks[0].text or blocks[0].bullets[0]
    m = re.search(r"(?<=[.!?؟])\s", first)
    sentence = first[: m.start()] if m else first
    if len(sentence) > limit:
        cut = sentence[:limit].rsplit(" ", 1)[0]
        sentence = cut.rstrip(",;:") + "…"
    return sentence


def summary(text: str, limit: int = 220, bullets: int = 3, sep: str = "; ") -> str:
    """A one-line gist: the first sentence, or the list it introduces when it ends in ':'."""
    blocks = parse_blocks(text)
    if not blocks:
        return ""
    if blocks[0].bullets:
        return sep.join(blocks[0].bullets[:bullets])
    sentence = first_sentence(text, limit)
    if sentence.rstrip().endswith((":", "：")) and len(blocks) > 1 and blocks[1].bullets:
        return sep.join(blocks[1].bullets[:bullets])
    return sentence


def first_bullets(text: str, n: int) -> list[str]:
    """Up to ``n`` bullet points of a text (its first list)."""
    for block in parse_blocks(text):
        if block.bullets:
            return list(block.bullets[:n])
    return []


# ---------------------------------------------------------------- post-processing


def _map_text_nodes(html: str, func: Callable[[str], str]) -> str:
    out: list[str] = []
    for m in _TOKEN.finditer(html):
        tok = m.group(0)
        out.append(tok if tok[0] in "<&" else func(tok))
    return "".join(out)


def finish(html: str, lang: str) -> str:
    """Tidy whitespace; in Persian isolate Latin runs and start each line right-to-left."""
    html = re.sub(r"[ \t]+\n", "\n", html)
    html = re.sub(r"\n{3,}", "\n\n", html).strip()
    if lang == "fa":
        html = _map_text_nodes(html, fmt.isolate_latin_runs)
        html = "\n".join(
            (fmt.RLM + line) if line and not line.startswith(fmt.RLM) else line
            for line in html.split("\n")
        )
    return html


def _open_tags_after(html: str) -> int:
    depth = 0
    for m in re.finditer(r"<(/?)[a-zA-Z][^>]*>", html):
        depth += -1 if m.group(1) else 1
    return depth


def _hard_split(piece: str, limit: int) -> list[str]:
    """Last resort for one over-long line: split its text at spaces (tags dropped)."""
    from bot.content.telegram_html import plain_text

    words = plain_text(piece).split(" ")
    out: list[str] = []
    cur = ""
    for word in words:
        cand = f"{cur} {word}" if cur else word
        if len(cand.encode("utf-16-le")) // 2 > limit and cur:
            out.append(str(escape(cur)))
            cur = word
        else:
            cur = cand
    if cur:
        out.append(str(escape(cur)))
    return out


def split_messages(html: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split at paragraph boundaries (never inside a tag) so each part is within ``limit``."""
    if text_length(html) <= limit:
        return [html]
    # Paragraphs, glued back together wherever a tag stays open across the blank line.
    paras: list[str] = []
    for para in html.split("\n\n"):
        if paras and _open_tags_after(paras[-1]) > 0:
            paras[-1] = f"{paras[-1]}\n\n{para}"
        else:
            paras.append(para)
    pieces: list[str] = []
    for para in paras:
        if text_length(para) <= limit:
            pieces.append(para)
            continue
        lines: list[str] = []
        for line in para.split("\n"):
            if lines and _open_tags_after(lines[-1]) > 0:
                lines[-1] = f"{lines[-1]}\n{line}"
            else:
                lines.append(line)
        parts = [part for line in lines
                 for part in ([line] if text_length(line) <= limit else _hard_split(line, limit))]
        pieces.extend(_pack(parts, "\n", limit))
    return _pack(pieces, "\n\n", limit)


def _pack(parts: list[str], joiner: str, limit: int) -> list[str]:
    """Greedily join ``parts`` with ``joiner`` into as few chunks within ``limit`` as fit."""
    chunks: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{joiner}{part}" if current else part
        if current and text_length(candidate) > limit:
            chunks.append(current)
            current = part
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def render_template(env: Environment, name: str, context: dict[str, Any], lang: str) -> str:
    """Render one template to finished (not yet split) HTML."""
    return finish(env.get_template(name).render(**context), lang)
