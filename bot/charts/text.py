"""Text on charts: right-to-left shaping for Persian, numbers and amounts per language.

Matplotlib 3.11 and later lay text out with libraqm, which shapes Arabic script and applies the
bidi algorithm itself: there the logical string is passed through, prefixed with a RIGHT-TO-LEFT
MARK so that a line starting with a Latin word ("IT Service Desk ...") still runs right to left.
Older matplotlib draws code points one by one, left to right: there arabic-reshaper joins the
letters (presentation forms) and python-bidi reorders each line into visual order
(:func:`bot.rtl.visual_order`, shared with the terminal chat). Doing both would reverse the
text twice, so exactly one of the two paths is used.
"""

from __future__ import annotations

from matplotlib import ft2font

from bot.content import formatting as fmt
from bot.rtl import visual_order

RLM = "\u200f"
RTL_LANGS = frozenset({"fa"})
# libraqm present: matplotlib shapes and reorders by itself.
NATIVE_SHAPING: bool = hasattr(ft2font, "__libraqm_version__")


def is_rtl(lang: str) -> bool:
    """Whether charts in ``lang`` are laid out right to left (mirrored)."""
    return lang in RTL_LANGS


def shape_line(line: str, *, native: bool = NATIVE_SHAPING) -> str:
    """One right-to-left line, ready for matplotlib (see the module docstring)."""
    if native:
        return RLM + line
    return visual_order(line)


def shape(text: str, lang: str, *, native: bool = NATIVE_SHAPING) -> str:
    """Text as matplotlib must be given it to show ``text`` correctly in ``lang``."""
    if not is_rtl(lang):
        return text
    return "\n".join(shape_line(line, native=native) for line in text.split("\n"))


def number(value: int, lang: str) -> str:
    """An integer as ``lang`` writes it (Persian digits and separator for ``fa``)."""
    return fmt.format_int(value, lang)


def amount(value: int, unit: str | None, lang: str) -> str:
    """An amount with its unit exactly as the source states it (``€800``, ``800 €``)."""
    return fmt.format_amount(value, unit, lang)


def plain_digits(text: str) -> str:
    """Persian digits to ASCII, for comparing what a chart says with the facts."""
    return fmt.ascii_digits(text)
