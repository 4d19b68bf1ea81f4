"""Right-to-left text for surfaces that draw characters one by one, left to right.

Old matplotlib (charts) and terminals without a bidi algorithm (xterm, tmux, the Linux console,
Windows Terminal) show code points in the order they come, unjoined. There arabic-reshaper
joins the letters (Arabic presentation forms) and python-bidi reorders each line into visual
order; its pure-Python algorithm also mirrors brackets, which the newer default does not. It
knows no isolates (FSI/PDI): callers remove those first. One home for both surfaces.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Hebrew, Arabic (with its supplements and presentation forms), Syriac, Thaana, N'Ko, ...
RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Invisible marks that steer the bidi algorithm: LRM, RLM, ALM, embeddings and overrides,
# isolates. A terminal without bidi draws some of them as boxes.
BIDI_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds right-to-left letters."""
    return RTL_LETTER.search(text) is not None


@functools.cache
def _tools() -> tuple[Any, Any]:
    """The reshaper and the bidi function, imported when first needed (arabic-reshaper
    loads fontTools: ~0.1 s that a chat in English never needs)."""
    import arabic_reshaper

    try:  # python-bidi's pure-Python algorithm mirrors brackets; the newer default does not
        from bidi.algorithm import get_display
    except ImportError:  # pragma: no cover - older or newer python-bidi without it
        from bidi import get_display
    # Drawn glyph by glyph, a combining mark (the ezafe of "همهٔ") would land beside its
    # letter; the reshaper drops such marks, and DejaVu Sans has no final form of ۀ.
    return arabic_reshaper.ArabicReshaper(), get_display


def visual_order(line: str, base: str | None = "R") -> str:
    """One line, joined and in the order it is drawn left to right. ``base``: "R" for a
    right-to-left paragraph (a Persian reply), None to take it from the first strong letter.
    The line must hold no isolates (:data:`BIDI_MARKS` removes them)."""
    reshaper, get_display = _tools()
    return str(get_display(reshaper.reshape(line), base_dir=base))
