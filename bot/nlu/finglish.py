"""Finglish spelling variants: one key for the many Latin spellings of a Persian word.

Persian typed in Latin letters has no fixed spelling: حقوقش is "hoghooghesh", "hoghoghesh",
"hoghoogesh", "hoqooqesh"; چنده is "chande", "chandeh". The lexicon
(``intents/fa/lexicon/finglish.yaml``) lists the common spellings; :func:`skeleton` maps a word to
what those spellings share (digraphs to one letter, o/u, i/y/ee, g/gh/q, doubled letters, a
final h after a vowel), so that a spelling nobody listed still finds its word. Only words of
:data:`MIN_LETTERS` or more are looked up this way, and a skeleton two different Persian words
share is dropped: the loose look-up never guesses between words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MIN_LETTERS = 4  # shorter skeletons ("ba", "ke") say too little to stand for a word
_DIGRAPHS = (("kh", "x"), ("gh", "q"), ("sh", "S"), ("ch", "C"), ("zh", "J"), ("ou", "u"),
             ("oo", "u"), ("ee", "i"), ("aa", "a"), ("ei", "e"), ("ey", "e"))
_LETTERS = str.maketrans({"g": "q", "o": "u", "y": "i", "w": "v", "'": None, "-": None})
_RUNS = re.compile(r"(.)\1+")
# Skeletons of the plural suffix ها with what follows it (-ye, -i, -ash), longest first; spoken
# Persian drops its h ("shoghlaei", شغلایی).
PLURAL_ENDINGS = ("haie", "haii", "hai", "hae", "haS", "ha", "aie", "aii", "ai", "ae", "a")


def skeleton(word: str) -> str:
    """What the Latin spellings of one Persian word have in common ("hoghoogesh" and
    "hoghooghesh" both give "huquqeS")."""
    out = word.lower()
    for pair, letter in _DIGRAPHS:
        out = out.replace(pair, letter)
    out = out.translate(_LETTERS)
    if len(out) > 2 and out.endswith("h") and out[-2] in "ae":
        out = out[:-1]  # "chandeh" is "chande"
    return _RUNS.sub(r"\1", out)


def loose_table(table: Mapping[str, str]) -> dict[str, str]:
    """Skeleton -> Persian for the one-word entries of ``table`` whose skeleton is long enough
    and is not shared by entries with different Persian."""
    found: dict[str, str | None] = {}
    for key, persian in table.items():
        if " " in key:
            continue
        key_skeleton = skeleton(key)
        if len(key_skeleton) < MIN_LETTERS:
            continue
        if found.get(key_skeleton, persian) != persian:
            found[key_skeleton] = None  # two words: not for a guess
        else:
            found[key_skeleton] = persian
    return {k: v for k, v in found.items() if v is not None}


def loose_lookup(word: str, loose: Mapping[str, str]) -> str | None:
    """The Persian of a Finglish ``word`` spelled in a way the lexicon does not list, or None;
    a plural ("narmafzarhaei", نرم‌افزارهایی) is its listed singular with ها."""
    key = skeleton(word)
    if len(key) < MIN_LETTERS:
        return None
    found = loose.get(key)
    if found is not None:
        return found
    for ending in PLURAL_ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= MIN_LETTERS:
            stem = loose.get(key[: -len(ending)])
            if stem is not None:
                return stem + "\u200cها"
    return None
