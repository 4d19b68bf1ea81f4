"""Whole numbers that users type or send back in button data: one parser that never raises.

Anyone can put any text in a command's arguments (``/stats 30``) or in callback data
(``adm:stats:30``). ``str.isdigit`` is the wrong test before ``int``: it is true for '²' and
'①', which ``int`` refuses, and the handler crashed. The rule here is ``str.isdecimal``: exactly
the characters ``int`` reads as digits (Unicode category Nd). So Persian '۳۰' and Arabic-Indic
'٣٠', which a Persian keyboard types, count like '30' (the bot speaks Persian), while
superscripts, fractions, signs, spaces and underscores (``int`` takes ' 30', '+30' and '3_0')
do not. The length is bounded before ``int`` sees the text (very long digit strings make
``int`` raise, or work hard).
"""

from __future__ import annotations

MAX_DIGITS = 9


def whole_number(text: str, low: int, high: int) -> int | None:
    """``text`` as a number from ``low`` to ``high``, or None for anything else."""
    if not 0 < len(text) <= MAX_DIGITS or not text.isdecimal():
        return None
    value = int(text)
    return value if low <= value <= high else None
