"""How the terminal chat shows a reply and reads a choice: pure functions, tested directly.

- **Text**: Telegram HTML to text; ``<b>`` becomes bold (ANSI SGR 1) where colour is wanted,
  nothing otherwise. Terminal control characters in the text are dropped (an ESC in echoed
  user text must not drive the terminal), and so are the invisible bidi marks the answers
  carry for Telegram (isolates, LRM/RLM), which terminals without bidi draw as boxes.
- **Colour** only when standard output is a terminal, ``NO_COLOR`` is unset or empty
  (https://no-color.org) and ``TERM`` is not ``dumb``: piped output stays plain.
- **Bidi** ``auto|on|off``: with "on", lines holding Persian (Arabic script) are joined and
  put in visual order here (:mod:`bot.rtl`), right to left for a Persian reply; "auto" does
  that only on a terminal that has no bidi algorithm of its own (:func:`terminal_does_bidi`),
  never for piped output, which keeps the logical order programs expect.
- **Buttons** as ``[n] label`` in rows that fit the terminal's width.
- **Choices**: a typed number, or a button's label.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.numbers import whole_number
from bot.rtl import BIDI_MARKS, has_rtl, visual_order

BOLD, NORMAL = "\x1b[1m", "\x1b[22m"
BIDI_MODES = ("auto", "on", "off")
BUTTON_GAP = "  "
# C0 and C1 controls but newline and tab; U+E000/E001 are used below to mark bold.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000\ue001]")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
_ON, _OFF = "\ue000", "\ue001"  # bold from here / to here, until the line is finished
_BOLD_TAGS = frozenset({"b", "strong"})
ZWNJ = "\u200c"


@dataclass(frozen=True)
class Look:
    """How to show text: bold or plain, bidi done here or by the terminal, columns."""

    colour: bool = False
    bidi: bool = False
    width: int = 80


def wants_colour(env: Mapping[str, str], isatty: bool) -> bool:
    """Bold only on a terminal, unless NO_COLOR asks for none or the terminal is dumb."""
    return isatty and not env.get("NO_COLOR") and env.get("TERM", "") != "dumb"


def terminal_does_bidi(env: Mapping[str, str]) -> bool:
    """Whether the terminal lays out right-to-left text itself, as far as the environment
    tells: VTE 0.58+ (GNOME Terminal, Tilix, ...), Konsole, mlterm, mintty and macOS Terminal
    do; xterm, the Linux console, kitty, Alacritty, Windows Terminal, iTerm2 (by default) and
    anything inside tmux or screen (they place each cell themselves) do not."""
    term = env.get("TERM", "")
    if env.get("TMUX") or env.get("STY") or term.startswith(("screen", "tmux")):
        return False
    vte = env.get("VTE_VERSION", "")
    return (
        (vte.isdecimal() and int(vte) >= 5800)
        or bool(env.get("KONSOLE_VERSION"))
        or term.startswith("mlterm") or bool(env.get("MLTERM"))
        or env.get("TERM_PROGRAM", "") in ("Apple_Terminal", "mintty")
    )


def wants_bidi(mode: str, env: Mapping[str, str], isatty: bool) -> bool:
    """``--bidi``: on, off, or auto (on for a terminal without bidi; never when piped)."""
    if mode not in BIDI_MODES:
        raise ValueError(f"bidi mode {mode!r} is not one of {', '.join(BIDI_MODES)}")
    if mode != "auto":
        return mode == "on"
    return isatty and not terminal_does_bidi(env)


def clean(text: str) -> str:
    """``text`` without terminal controls and invisible bidi marks (newlines and tabs stay)."""
    return BIDI_MARKS.sub("", _CONTROL.sub("", text))


def display_width(text: str) -> int:
    """Columns ``text`` takes: wide (emoji, CJK) 2, combining and format characters 0."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _marked(markup: str) -> str:
    """HTML to text, bold spans marked with _ON/_OFF; everything else of the markup dropped."""
    out: list[str] = []
    pos = 0
    for tag in _TAG.finditer(markup):
        out.append(clean(html.unescape(markup[pos:tag.start()])))
        if tag.group(2).lower() in _BOLD_TAGS:
            out.append(_OFF if tag.group(1) else _ON)
        pos = tag.end()
    out.append(clean(html.unescape(markup[pos:])))
    return "".join(out)


def _balanced(text: str) -> list[str]:
    """Lines each with its own bold marks: a span over several lines is closed at each line's
    end and opened again at the next line's start."""
    lines: list[str] = []
    bold = False
    for line in text.split("\n"):
        body = (_ON if bold else "") + line
        for char in line:
            if char in (_ON, _OFF):
                bold = char == _ON
        lines.append(body + (_OFF if bold else ""))
    return lines


def wrap(text: str, width: int) -> list[str]:
    """The words of ``text`` in lines of at most ``width`` columns (a longer word alone)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        longer = f"{line} {word}" if line else word
        if line and display_width(longer) > width:
            lines.append(line)
            line = word
        else:
            line = longer
    lines.append(line)
    return lines


def show_line(line: str, look: Look, rtl: bool = False) -> str:
    """A marked line as the terminal gets it. With ``look.bidi`` a line holding right-to-left
    letters is put in visual order (its bold kept when the whole line is bold, dropped
    otherwise: the marks cannot follow the letters); ``rtl``: a right-to-left paragraph.

    A visual line must not be wrapped by the terminal (its first row would hold the end of
    the sentence), so it is wrapped here first, each row reordered on its own, and in a
    right-to-left paragraph aligned to the right edge, where its reading starts."""
    if look.bidi and has_rtl(line):
        inner = line.removeprefix(_ON).removesuffix(_OFF)
        whole = inner != line and _ON not in inner and _OFF not in inner
        plain = inner.replace(_ON, "").replace(_OFF, "")
        edge = max(look.width - 1, 1)  # a full last column makes some terminals wrap
        rows = []
        for row in wrap(plain, edge):
            # Joined by the reshaper already: the non-joiner has done its work, and some
            # terminals without bidi draw it as a box.
            shown = visual_order(row, "R" if rtl else None).replace(ZWNJ, "")
            pad = " " * max(edge - display_width(shown), 0) if rtl else ""
            rows.append(f"{pad}{_ON}{shown}{_OFF}" if whole else pad + shown)
        line = "\n".join(rows)
    on, off = (BOLD, NORMAL) if look.colour else ("", "")
    line = line.replace(_ON + _OFF, "")
    return line.replace(_ON, on).replace(_OFF, off)


def show_html(markup: str, look: Look, rtl: bool = False) -> str:
    """A Telegram HTML message as terminal text (see the module docstring)."""
    return "\n".join(show_line(line, look, rtl) for line in _balanced(_marked(markup)))


def show_plain(text: str, look: Look, rtl: bool = False) -> str:
    """Plain text (a notice, a button row) as terminal text."""
    return "\n".join(show_line(clean(line), look, rtl) for line in text.split("\n"))


def button_rows(labels: Sequence[str], width: int) -> list[str]:
    """``[1] label`` items, as many to a row as fit in ``width`` columns (a label longer than
    the width gets a row of its own; it is never cut)."""
    rows: list[str] = []
    row = ""
    for number, label in enumerate(labels, 1):
        item = f"[{number}] {clean(label)}"
        if row and display_width(row + BUTTON_GAP + item) > width:
            rows.append(row)
            row = item
        else:
            row = f"{row}{BUTTON_GAP}{item}" if row else item
    if row:
        rows.append(row)
    return rows


def typed_number(text: str) -> int | None:
    """A line that is only a whole number (Persian digits too), or None."""
    return whole_number(text.strip(), 0, 10**9 - 1)


def _words(text: str) -> str:
    return " ".join(clean(text).split()).casefold()


def _bare(label: str) -> str:
    """A label without its emoji and ellipsis ("📄 Pay" -> "pay", "Compare with…" ->
    "compare with"), as someone would type it."""
    kept = "".join(" " if unicodedata.category(char)[0] == "S" or char == "…" else char
                   for char in label)
    return _words(kept)


def label_choice(text: str, labels: Sequence[str]) -> int | None:
    """The 1-based number of the button whose label ``text`` is, in any case, with or without
    the label's emoji and ellipsis; None otherwise. Punctuation typed that the label does not
    have ("pay?") makes it a question, not a press."""
    typed = _words(text)
    if not typed:
        return None
    for number, label in enumerate(labels, 1):
        if typed in (_words(label), _bare(label)):
            return number
    return None

