"""Validator and length measure for Telegram's HTML parse mode.

Telegram rejects a whole message for one bad tag, so every rendered answer is checked here
(content check, tests, and the fake Telegram server in the test suite).
"""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MAX_MESSAGE_LENGTH = 4096

_TOKEN = re.compile(r"<[^>]*>|&[^;\s<>&]*;?|[^<&]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*(/?)>$")
_ATTR = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _attrs(raw: str) -> dict[str, str] | None:
    out: dict[str, str] = {}
    pos = 0
    raw = raw.rstrip()
    while pos < len(raw):
        m = _ATTR.match(raw, pos)
        if not m:
            return None
        if m.end() == pos:
            return None
        value = next((v for v in m.groups()[1:] if v is not None), "")
        out[m.group(1).lower()] = value
        pos = m.end()
    return out


def _entity(token: str) -> str | None:
    """Decoded text of an entity token, or None when Telegram would reject it."""
    if not token.endswith(";"):
        return None
    body = token[1:-1]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body]
    try:
        if body.startswith(("#x", "#X")):
            return chr(int(body[2:], 16))
        if body.startswith("#"):
            return chr(int(body[1:]))
    except (ValueError, OverflowError):
        return None
    return None


def _check_tag(name: str, attrs: dict[str, str]) -> str | None:
    if name == "a":
        if set(attrs) - {"href"} or "href" not in attrs:
            return "<a> needs exactly one attribute, href"
    elif name == "span":
        if attrs != {"class": "tg-spoiler"}:
            return '<span> is allowed only as <span class="tg-spoiler">'
    elif name == "tg-emoji":
        if set(attrs) != {"emoji-id"}:
            return "<tg-emoji> needs emoji-id"
    elif name == "code":
        if set(attrs) - {"class"}:
            return "<code> allows only a class attribute"
    elif name == "blockquote":
        if set(attrs) - {"expandable"}:
            return "<blockquote> allows only expandable"
    elif attrs:
        return f"<{name}> takes no attributes"
    return None


def _walk(text: str) -> tuple[list[str], str]:
    """Errors and the plain text Telegram would show."""
    errors: list[str] = []
    plain: list[str] = []
    stack: list[str] = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok == "<":
            errors.append(f"unescaped '<' at offset {m.start()}")
        elif tok == "&":
            errors.append(f"unescaped '&' at offset {m.start()}")
            plain.append("&")
        elif tok.startswith("<"):
            tm = _TAG.match(tok)
            if not tm:
                errors.append(f"malformed tag {tok!r} at offset {m.start()}")
                continue
            closing, name, raw_attrs, selfclose = tm.groups()
            name = name.lower()
            if name not in ALLOWED_TAGS:
                errors.append(f"tag <{name}> is not supported by Telegram (offset {m.start()})")
                continue
            if selfclose:
                errors.append(f"self-closing <{name}/> is not supported (offset {m.start()})")
                continue
            if closing:
                if raw_attrs.strip():
                    errors.append(f"closing tag </{name}> has attributes")
                if not stack:
                    errors.append(f"</{name}> closes nothing (offset {m.start()})")
                elif stack[-1] != name:
                    errors.append(
                        f"</{name}> closes <{stack[-1]}>: improper nesting (offset {m.start()})"
                    )
                    if name in stack:
                        while stack and stack.pop() != name:
                            pass
                else:
                    stack.pop()
            else:
                attrs = _attrs(raw_attrs)
                if attrs is None:
                    errors.append(f"bad attributes in {tok!r}")
                    continue
                problem = _check_tag(name, attrs)
                if problem:
                    errors.append(f"{problem} (offset {m.start()})")
                if name in ("pre", "code") and name in stack:
                    errors.append(f"<{name}> cannot be nested in <{name}>")
                stack.append(name)
        elif tok.startswith("&"):
            decoded = _entity(tok)
            if decoded is None:
                errors.append(f"unsupported entity {tok!r} at offset {m.start()}")
                plain.append(html.unescape(tok))
            else:
                plain.append(decoded)
        else:
            if ">" in tok:
                # Telegram tolerates a bare '>' but it is a sign of broken escaping.
                errors.append(f"unescaped '>' at offset {m.start() + tok.index('>')}")
            plain.append(tok)
    for name in reversed(stack):
        errors.append(f"<{name}> is never closed")
    return errors, "".join(plain)


def validate_html(text: str) -> list[str]:
    """Every reason Telegram would reject ``text`` in HTML parse mode; empty when it is fine."""
    errors, plain = _walk(text)
    if not plain.strip():
        errors.append("message text is empty")
    return errors


def plain_text(text: str) -> str:
    """The text Telegram displays: tags stripped, entities decoded."""
    return _walk(text)[1]


def text_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the visible text."""
    return len(plain_text(text).encode("utf-16-le")) // 2
