"""Numbers, amounts, ranges, durations and dates written the way each language writes them.

Figures live once in ``facts.yaml``; every language renders them here, so a Norwegian reader sees
``43 880 kr`` and a Persian reader ``۴۳٬۸۸۰ kr`` from the same stored ``43880``. Hand-written
rather than Babel, which writes Persian with Latin digits and Latvian dates in the wrong case
(docs/design.md, "Libraries weighed").
"""

from __future__ import annotations

import re
from datetime import date

NBSP = "\u00a0"
FSI = "\u2068"
PDI = "\u2069"
RLM = "\u200f"
EN_DASH = "\u2013"

LANGS = ("en", "nb", "nn", "lv", "fa")

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_TO_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_PERSIAN_THOUSANDS = "\u066c"  # ARABIC THOUSANDS SEPARATOR, the Persian convention

# Currency symbols written before the number in English (€800), after it elsewhere.
_PREFIX_IN_EN = {"€", "$", "£"}

_ABOUT = {"en": "about", "nb": "ca.", "nn": "ca.", "lv": "aptuveni", "fa": "حدود"}

_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "nb": ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "desember"],
    "nn": ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "desember"],
    # Locative, as in "2022. gada 3. februārī".
    "lv": ["janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā", "jūlijā", "augustā",
           "septembrī", "oktobrī", "novembrī", "decembrī"],
    "fa": ["ژانویهٔ", "فوریهٔ", "مارس", "آوریل", "مهٔ", "ژوئن", "ژوئیهٔ", "اوت", "سپتامبر",
           "اکتبر", "نوامبر", "دسامبر"],
}


def persian_digits(text: str) -> str:
    """ASCII digits to Persian digits (۰–۹)."""
    return text.translate(_PERSIAN_DIGITS)


def ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII, for comparing figures."""
    return text.translate(_TO_ASCII_DIGITS)


def format_int(value: int, lang: str) -> str:
    """An integer with the language's thousands separator (no-break space where it is a space)."""
    if lang == "en":
        return f"{value:,}"
    if lang == "fa":
        return persian_digits(f"{value:,}".replace(",", _PERSIAN_THOUSANDS))
    # nb, nn, lv: a space between groups; four-digit numbers are grouped too (1 400, 43 880).
    return f"{value:,}".replace(",", NBSP)


def isolate(text: str) -> str:
    """Wrap a left-to-right run so it cannot reorder a right-to-left line."""
    return f"{FSI}{text}{PDI}"


# Currency signs in Persian text are written out, as Persian writes them (not Latin symbols).
_UNIT_NAMES = {"fa": {"kr": "کرون", "€": "یورو"}}


def _unit(unit: str, lang: str) -> str:
    unit = _UNIT_NAMES.get(lang, {}).get(unit, unit)
    return isolate(unit) if lang == "fa" and re.search(r"[A-Za-z]", unit) else unit


def format_amount(value: int, unit: str | None, lang: str, approx: bool = False) -> str:
    """``43 880 kr``, ``€800``, ``ca. 271 kr``, ``حدود ۲۷۱ kr``; unit exactly as the source."""
    number = format_int(value, lang)
    if not unit:
        text = number
    elif lang == "en" and unit in _PREFIX_IN_EN:
        text = f"{unit}{number}"
    else:
        text = f"{number}{NBSP}{_unit(unit, lang)}"
    if approx:
        text = f"{_ABOUT[lang]}{NBSP}{text}"
    return text


def format_range(low: int, high: int, unit: str | None, lang: str) -> str:
    """``€800–€1,400``, ``800–1 400 €``, ``۸۰۰ تا ۱٬۴۰۰ €``."""
    if lang == "fa":
        return f"{format_int(low, lang)} تا {format_amount(high, unit, lang)}"
    if lang == "en" and unit in _PREFIX_IN_EN:
        return f"{format_amount(low, unit, lang)}{EN_DASH}{format_amount(high, unit, lang)}"
    return f"{format_int(low, lang)}{EN_DASH}{format_amount(high, unit, lang)}"


def format_percent(value: int, lang: str) -> str:
    """``80%`` in English, ``80 %`` in Norwegian and Latvian, ``۸۰٪`` in Persian."""
    if lang == "en":
        return f"{value}%"
    if lang == "fa":
        return persian_digits(str(value)) + "٪"
    return f"{value}{NBSP}%"


_DURATION_WORDS = {
    ("en", "months"): ("month", "months"),
    ("en", "years"): ("year", "years"),
    ("nb", "months"): ("måned", "måneder"),
    ("nb", "years"): ("år", "år"),
    ("nn", "months"): ("månad", "månader"),
    ("nn", "years"): ("år", "år"),
    ("lv", "months"): ("mēnesis", "mēneši"),
    ("lv", "years"): ("gads", "gadi"),
    ("fa", "months"): ("ماه", "ماه"),
    ("fa", "years"): ("سال", "سال"),
}


def _plural(n: int, lang: str, unit: str) -> str:
    one, many = _DURATION_WORDS[(lang, unit)]
    if lang == "lv":  # Latvian: singular after numbers ending in 1, except 11.
        return one if n % 10 == 1 and n % 100 != 11 else many
    return one if n == 1 else many


def format_duration(low: int | None, high: int | None, unit: str, lang: str) -> str:
    """``3–12 months``, ``1–2 år``, ``2–4 gadi``, ``۳ تا ۱۲ ماه``; one bound if one is given."""
    if unit not in ("months", "years"):
        raise ValueError(f"unknown duration unit {unit!r}")
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        n = low if low is not None else high
        assert n is not None
        text = f"{n}{NBSP}{_plural(n, lang, unit)}"
        return persian_digits(text) if lang == "fa" else text
    if lang == "fa":
        return persian_digits(f"{low} تا {high} ") + _plural(high, lang, unit)
    return f"{low}{EN_DASH}{high}{NBSP}{_plural(high, lang, unit)}"


def format_date(iso: str, lang: str) -> str:
    """``3 February 2022``, ``3. februar 2022``, ``2022. gada 3. februārī``, ``۳ فوریهٔ ۲۰۲۲``."""
    d = date.fromisoformat(iso)
    month = _MONTHS[lang][d.month - 1]
    if lang == "en":
        return f"{d.day} {month} {d.year}"
    if lang in ("nb", "nn"):
        return f"{d.day}. {month} {d.year}"
    if lang == "lv":
        return f"{d.year}. gada {d.day}. {month}"
    return persian_digits(f"{d.day} {month} {d.year}")


# A run of Latin script (letters, digits inside it, a few joiners), e.g. "ITIL Service Desk",
# "HDI - CSR", "kr". Trailing punctuation stays outside so it follows the Persian sentence.
_LATIN_TAIL = r"[A-Za-z0-9\u00c0-\u024f&+#/._'\-]*"
_LATIN_RUN = re.compile(
    "\u2068[^\u2069]*\u2069"  # an existing isolate: left as it is
    r"|[A-Za-z\u00c0-\u024f]" + _LATIN_TAIL
    + r"(?:,?[ \u00a0]+(?:[-–][ \u00a0]+)?[A-Za-z0-9\u00c0-\u024f]" + _LATIN_TAIL + ")*"
)


def isolate_latin_runs(text: str) -> str:
    """In Persian text, isolate each Latin run (FSI…PDI) so it does not break the RTL line."""

    def wrap(m: re.Match[str]) -> str:
        run = m.group(0)
        if run.startswith(FSI):
            return run
        tail = ""
        while run and run[-1] in "._-/'":
            tail = run[-1] + tail
            run = run[:-1]
        return isolate(run) + tail

    return _LATIN_RUN.sub(wrap, text)
