"""Which of our five languages a message is in, and which language to reply in.

Order of evidence: script (Arabic script means Persian), then py3langid restricted to en/no/lv,
then marker words to tell Nynorsk from Bokmål (py3langid has no usable Nynorsk model). Short
messages are not trusted; the reply-language rule of SPEC.md then falls back to the hints.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from bot.nlu.normalize import has_arabic_script
from bot.nlu.result import LangHints

LANGS: tuple[str, ...] = ("en", "nb", "nn", "lv", "fa")


def _words(text: str) -> list[str]:
    return text.split()


# Words that only one of the two written Norwegian standards uses (normalised, casefolded).
NN_MARKERS = frozenset(
    _words(
        """ikkje kva korleis eg løn kvar dei noko mykje kven kvifor kor ein eit ho frå berre heile
    vere vore fekk kjem seier difor høyrer arbeidsoppgåver oppgåver tilsett tilsette treng
    jobbar tener gjer gjere sjå nokon nokre mogleg moglegheiter eigen eige eigne heime veke kvardag
    ferdigheiter sertifiseringar sertifikata eigenskapar personlege arbeidsgjevar arbeidsgjevarar
    kvalifikasjonar utdanningar arbeidsplassar verkty brukarstøtte medarbeidar leiar leiarar
    tenester teneste dykk korleis vidare vidareutdanning lærar skildring gjennomsnittleg vanleg
    vanlege daglege dagleg òg"""
    )
)
NB_MARKERS = frozenset(
    _words(
        """ikke hva hvordan jeg lønn hvor noe mye hvem hvorfor fra bare hele være fikk kommer sier
    derfor hører arbeidsoppgaver oppgaver ansatt ansatte trenger jobber tjener gjør gjøre noen
    mulig muligheter egen eget egne hjemme uke hverdag ferdigheter sertifiseringer egenskaper
    personlige arbeidsgiver arbeidsgivere kvalifikasjoner utdannelse hvilke hvilken hvilket
    brukerstøtte medarbeider leder ledere tjenester tjeneste dere gjennomsnittlig vanlig vanlige
    daglige daglig videre videreutdanning lærer"""
    )
)

_TELEGRAM = {"no": "nb", "nb": "nb", "nn": "nn", "en": "en", "lv": "lv", "fa": "fa"}


def map_language_code(code: str | None) -> str | None:
    """Telegram ``language_code`` ("nb", "no", "en-US", ...) -> one of LANGS, or None."""
    if not code:
        return None
    return _TELEGRAM.get(code.strip().lower().replace("_", "-").split("-")[0])


@dataclass(frozen=True)
class Detection:
    """The language of the text itself; ``confident`` is False for short or mixed messages."""

    lang: str | None
    confident: bool
    scores: tuple[tuple[str, float], ...] = ()
    nynorsk_marks: int = 0  # > 0 Nynorsk words, < 0 Bokmål words, 0 no evidence


_IDENTIFIER: Any = None
_LOCK = threading.Lock()


def _identifier() -> Any:
    """py3langid's model restricted to our languages; loaded once per process (~0.5 s)."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        with _LOCK:
            if _IDENTIFIER is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                ident.set_languages(["en", "no", "lv"])
                _IDENTIFIER = ident
    return _IDENTIFIER


def preload() -> None:
    """Load the language model now rather than on the first message."""
    _identifier()


_LV_LETTERS = frozenset("āčēģīķļņšūž")
_NO_LETTERS = frozenset("æøå")


def nynorsk_score(words: list[str]) -> int:
    """Positive for Nynorsk, negative for Bokmål, 0 when the words do not tell."""
    return sum((w in NN_MARKERS) - (w in NB_MARKERS) for w in words)


def detect(normalized: str) -> Detection:
    """Detect the language of normalised text (diacritics kept, role names best removed)."""
    letters = sum(c.isalpha() for c in normalized)
    if letters == 0:
        return Detection(None, False)
    if has_arabic_script(normalized):
        arabic = sum("\u0600" <= c <= "\u06ff" for c in normalized)
        return Detection("fa", arabic >= 2 and arabic * 2 >= letters, (("fa", 1.0),))
    words = normalized.split()
    ranked = _identifier().rank(normalized)
    probs = dict(ranked)
    chars = set(normalized)
    if chars & _LV_LETTERS:
        probs["lv"] = probs.get("lv", 0.0) + 0.5
    if chars & _NO_LETTERS:
        probs["no"] = probs.get("no", 0.0) + 0.5
    marks = nynorsk_score(words)
    if marks:
        probs["no"] = probs.get("no", 0.0) + 0.3 * min(abs(marks), 2)
    total = sum(probs.values())
    best = max(probs, key=lambda k: probs[k])
    p = probs[best] / total
    lang = best
    if best == "no":
        lang = "nn" if marks > 0 else "nb"
    # Short text: langid is unreliable, so only strong evidence (letters, markers) counts.
    strong = bool(chars & (_LV_LETTERS | _NO_LETTERS)) or marks != 0
    long_enough = letters >= 12 and len(words) >= 2
    confident = p >= 0.9 and (long_enough or (strong and p >= 0.95))
    if best == "no" and marks == 0:
        confident = confident and long_enough
    scores = tuple(sorted(((k, v / total) for k, v in probs.items()), key=lambda kv: -kv[1]))
    return Detection(lang, confident, scores, marks)


def reply_language(detection: Detection, hints: LangHints | None) -> tuple[str, bool]:
    """SPEC.md rule: confident detection, else chat's choice, else Telegram's code, else en.

    Norwegian text whose variant the words do not reveal follows a Norwegian hint (nb or nn).
    """
    chat = hints.chat if hints and hints.chat in LANGS else None
    telegram = map_language_code(hints.telegram) if hints else None
    if detection.confident and detection.lang:
        lang = detection.lang
        if lang in ("nb", "nn") and detection.nynorsk_marks == 0:
            for hint in (chat, telegram):
                if hint in ("nb", "nn"):
                    return hint, True
        return lang, True
    for hint in (chat, telegram):
        if hint:
            return hint, False
    return "en", False
