"""Text normalisation shared by training and parsing, so both sides see the same strings.

``normalize`` keeps diacritics (language id needs them); ``fold`` additionally removes Latin
diacritics so that "lietotaju" matches "lietotāju" and "lonn" matches "lønn".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic-script letter variants -> the Persian letter users most often type.
_LETTERS = {
    "ي": "ی",  # Arabic yeh
    "ى": "ی",  # alef maksura
    "ئ": "ی",  # yeh with hamza
    "ك": "ک",  # Arabic kaf
    "ة": "ه",  # teh marbuta
    "ۀ": "ه",  # heh with yeh above
    "ە": "ه",
    "ھ": "ه",  # heh doachashmee
    "ۂ": "ه",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ؤ": "و",
}
_DIGITS = {chr(0x06F0 + i): str(i) for i in range(10)}
_DIGITS |= {chr(0x0660 + i): str(i) for i in range(10)}
# Removed outright: tatweel, harakat and Quranic marks, zero-width joiners, direction marks, BOM.
_DELETE = (
    ["ـ", "\u200d", "\u200b", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202b"]
    + ["\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + [chr(0x0670)]
    + [chr(c) for c in range(0x06D6, 0x06EE)]
    + ["'", "\u2019", "\u2018", "\u02bc", "`", "\u00b4"]
)
_TABLE: dict[int, str | None] = {ord(k): v for k, v in (_LETTERS | _DIGITS).items()}
_TABLE.update({ord(c): None for c in _DELETE})
# ZWNJ separates parts of one Persian word; treating it as a space makes "می‌خواهم" and
# "می خواهم" identical (the un-separated spelling is left to fuzzy and n-gram matching).
_TABLE[0x200C] = " "

_NON_WORD = re.compile(r"[\W_]+")

# Latin letters that Unicode does not decompose into base + accent.
_FOLD_EXTRA = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"}
)


def normalize(text: str) -> str:
    """NFKC, casefold, unify Arabic-script letters and digits, strip punctuation and emoji."""
    text = unicodedata.normalize("NFKC", text).translate(_TABLE).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word.translate(_FOLD_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(normalized: str) -> str:
    """Remove diacritics from an already normalised string (Latin letters; Persian is untouched)."""
    if normalized.isascii():
        return normalized
    return " ".join(_fold_word(w) for w in normalized.split(" "))


# Text that is already folded and plain (lower-case ASCII letters and digits, single spaces):
# normalising and folding leave it as it is. The engine classifies such text many times.
_PLAIN = re.compile("[a-z0-9]+(?: [a-z0-9]+)*")


def folded(text: str) -> str:
    """``fold(normalize(text))``: the view used for matching and classification."""
    if _PLAIN.fullmatch(text):
        return text
    return fold(normalize(text))


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\ufb50-\ufeff]")


def has_arabic_script(text: str) -> bool:
    """True when the text contains Arabic-script letters (Persian in our languages)."""
    return _ARABIC_SCRIPT.search(text) is not None  # a loop over the characters cost ~3%
