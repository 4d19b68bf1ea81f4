"""Scenario 7: hostile input through normalisation, ``parse`` and the service's answer path.

:func:`problems` runs one text everywhere a user's words go (free text, a topic command's
arguments, ``/compare``, inline mode) and returns what is wrong: an exception, invalid Telegram
HTML, or a message over 4,096 characters. The suite runs a few thousand generated texts and the
fixed :data:`NASTY` corpus; ``bench/reliability.py hostile`` runs 100,000.

:func:`log_injections` makes texts that try to forge a log line; ``test_log_injection.py``
sends them as texts, names, chat titles, callback data and inline queries to the real bot.
"""

from __future__ import annotations

import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer import AnswerService, ChatState
from bot.content.telegram_html import text_length, validate_html
from bot.nlu.normalize import normalize
from bot.nlu.result import LangHints

MAX_CHARS = 4096
NASTY = (
    "\u202eknalb\u202c salary helpdesk",  # right-to-left override
    "\u2066\u2067\u2068\u2069\u200f\u200e helpdesk",  # isolates and marks
    "👩\u200d💻\u200d\u200d\u200d salary",  # zero-width joiners, dangling
    "\u200b\u200c\u200d\ufeff",  # only zero-width characters
    "s\u0301\u0301\u0301a\u0336l\u0489a\u20dd\u0338r\u0300y " * 30,  # combining marks
    "Z̸̡̢̛̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌̕̚ͅ͏͓͔͕͖͙͚͐͑͒͗͛ͣͤͥͦͧͨͩͪͫͬͭͮͯ͘͜͟͢͝͞͠͡",
    "\x00salary\x00helpdesk\x00",  # NUL
    "\x01\x02\x07\x1b[31m\x7f\x85",  # control characters, ANSI escape
    "</b></i></a></code></pre><b><i>",  # stray closing tags
    "<b>salary</b> <script>alert(1)</script> <a href='javascript:x'>it</a>",
    "&amp &lt &gt &quot &#x &#99999999; &bogus; & amp;",  # entities without semicolons
    "x" * 10_000,  # 10,000 characters
    "lønn " * 2_000,
    "🙂😀🔥💸🧑\u200d💻🇳🇴🇱🇻🇮🇷" * 40,  # only emoji (flags, ZWJ sequences)
    "🙂",
    "",
    " \t\n\r ",
    "/",
    "@",
    "/salary " + "\u202e" * 50,
    "\ud7ff\ue000\uffff\U0010ffff",  # edges of the planes
    "حقوق کارشناس پشتیبانی\u200cفنی\u200c\u200c چقدر است؟" * 20,
    "ك ي ى ۀ ة ٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹",  # Arabic vs Persian letters and digits
    "Ā ā Č č Ē ē Ģ ģ Ī ī Ķ ķ Ļ ļ Ņ ņ Š š Ū ū Ž ž " * 10,
    "ÆØÅ æøå " * 500,
    "{{ 7*7 }} {% raw %} ${jndi:ldap://x} %s %n %(x)s {0}",  # template and format syntax
    "'; DROP TABLE chats; --",
    "\n".join(["helpdesk"] * 500),
    "a\u0000b\u0000" * 2_000,
)

# Characters that break things: controls, bidi, joiners, combining marks, HTML syntax, emoji,
# surrogate-free astral characters, and the scripts of the five languages.
ALPHABET = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(list("<>&;\"'/#x0123456789 \n\t\x00\u202e\u202d\u2066\u2069\u200b\u200c"
                         "\u200d\ufeff\u0301\u0336\u20ddāčēģīķļņšūžæøåÆØÅ")),
    st.sampled_from(list("حقوقکارشناسپشتیبانیفنی۰۱۲🙂👩💻🇳🇴")),
)
WORDS = st.sampled_from([
    "salary", "helpdesk", "skills", "lønn", "prosjektleder", "IKT", "alga", "prasmes",
    "حقوق", "پشتیبانی", "<b>", "</b>", "&amp", "&lt;", "<a href='x'>", "/salary", "/compare",
    "compare", "and", "?", "🙂", "\u202e", "\u200d",
])
TEXTS = st.one_of(
    st.text(ALPHABET, max_size=200),
    st.lists(st.one_of(WORDS, st.text(ALPHABET, max_size=12)), max_size=30).map(" ".join),
    st.text(ALPHABET, min_size=4000, max_size=5000),
)
LANG_CODES = st.sampled_from([None, "en", "nb", "no", "nn", "lv", "fa", "de", "zz"])
TOPICS = ("salary", "skills", "duties", "certifications", "career")


def _bad_messages(where: str, messages: list[str]) -> list[str]:
    found = []
    for message in messages:
        errors = validate_html(message)
        if errors:
            found.append(f"{where}: invalid HTML {errors[0]}")
        if text_length(message) > MAX_CHARS or len(message) > MAX_CHARS:
            found.append(f"{where}: {len(message)} characters")
    if not messages:
        found.append(f"{where}: no message")
    return found


def problems(service: AnswerService, text: str, telegram_lang: str | None = "en") -> list[str]:
    """Everything wrong with how ``text`` goes through the bot (empty when all is fine)."""
    hints = LangHints(telegram=telegram_lang)
    found: list[str] = []
    try:
        normalize(text)
        service.engine.parse(text, hints)
        if text.strip():
            found += _bad_messages("answer", service.answer(text, ChatState(), hints).messages)
        topic = TOPICS[len(text) % len(TOPICS)]
        found += _bad_messages("topic", service.topic(topic, text, ChatState(), hints).messages)
        found += _bad_messages("compare", service.compare(text, ChatState(), hints).messages)
        _, items = service.inline(text[:256], hints)
        found += _bad_messages("inline", [item.text for item in items])
    except Exception as exc:  # the finding itself: any exception is a failure
        found.append(f"{type(exc).__name__}: {exc}")
    return found


def run_generated(service: AnswerService, examples: int, seed: int | None = None
                  ) -> tuple[int, list[tuple[str, list[str]]], float]:
    """``examples`` generated texts; returns (run, failures, seconds)."""
    failures: list[tuple[str, list[str]]] = []
    count = 0

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
              suppress_health_check=list(HealthCheck))
    @given(text=TEXTS, lang=LANG_CODES)
    def check(text: str, lang: str | None) -> None:
        nonlocal count
        count += 1
        found = problems(service, text, lang)
        if found and len(failures) < 20:
            failures.append((text, found))

    began = time.monotonic()
    check()
    return count, failures, time.monotonic() - began


# ---------------------------------------------------------------------------- log injection

# Each ends a log line for some reader: grep and journald split at \n, Python's splitlines and
# many editors also at \r, \v, \f, \x1c-\x1e, NEL and U+2028/2029.
LINE_BREAKERS = ("\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
                 "\u2029")
# Each hides or reorders what a reader of the log sees: terminal escapes, backspaces, bidi.
DISGUISES = ("\x1b[2K\r", "\x1b[1A", "\x08" * 8, "\u202e", "\u2066", "\u2069", "\u200f", "\x00",
             "\x7f", "\x9b", "")
FAKE_RECORD = "2026-01-01 00:00:00,000 CRITICAL bot.telegram.admin: admin /reload by user 1"
_FILLERS = (*LINE_BREAKERS, *DISGUISES, "salary helpdesk", "حقوق ۳", "lønn", "prasmes",
            "%s %(x)s {0} %n", "🙂", " ", "<b>", "**x**", "\\n", "'\"")


def log_injections(count: int, seed: int = 13) -> list[str]:
    """``count`` texts, each with a line break and a fake record after it (every breaker in
    turn), in random surroundings; the same texts for the same seed."""
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        before = "".join(rng.choice(_FILLERS) for _ in range(rng.randint(0, 5)))
        after = "".join(rng.choice(_FILLERS) for _ in range(rng.randint(0, 3)))
        texts.append(f"{before}{LINE_BREAKERS[i % len(LINE_BREAKERS)]}{FAKE_RECORD}"
                     f"{rng.choice(DISGUISES)}{after}")
    return texts
