"""The one line of a topic page that answers a narrower question.

Some pages list their facts as labelled lines ("- Monitoring and alerting: Nagios, Zabbix
and SolarWinds ..."). When a question about that topic names one label ("what do they use
for monitoring?", "og samarbeidsverktøy?", "Kva CMDB-system brukar dei?"), that line is the
answer and the page is one tap away. A label is named by its first word or by an acronym in
its brackets ("Configuration management databases (CMDB)"); a word names it when it is that
word, a compound that starts with it ("samarbeidsverktøy" names "Samarbeid"), or, in
Latvian, a long word with another case ending ("atskaitēm" names "atskaites"). Only a
label named alone counts: a question that names two, or none, gets the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.nlu.normalize import folded

_LABELLED = re.compile(r"^[ \t]*[-•][ \t]*(?P<label>[^:\n]{2,60}):[ \t]*(?P<rest>\S.*)$",
                       re.MULTILINE)
_BRACKETED = re.compile(r"\(([^)]+)\)")
MIN_WORD = 4  # a shorter word of the question names no label ("it", "med", "kas")
MIN_HEAD = 5  # a compound must start with a label word at least this long ("samarbeid")
MIN_INFLECTED = 7  # in these languages a label word this long is also named with another
ENDING = 2  # ending of up to this many letters ("atskaites" -> "atskaitēm")
CASE_ENDINGS = frozenset(["lv"])


def _keys(label: str) -> set[str]:
    """The words that name a label: its first word and any acronym in brackets."""
    words = folded(_BRACKETED.sub(" ", label)).split()
    keys = set(words[:1])
    for inner in _BRACKETED.findall(label):
        keys.update(folded(inner).split())
    return {k for k in keys if len(k) >= 3}


def _names(word: str, key: str, inflected: bool) -> bool:
    """``word`` is the label word, a compound starting with it, or, in a language that
    changes a word's ending by case (``inflected``), another case of a long one: Latvian
    "atskaitēm" ("for reports") names "atskaites". (English "customise" is no case of
    "customer", nor Norwegian "tekniker" of "teknisk".)"""
    return word == key or (len(key) >= MIN_HEAD and word.startswith(key)) or (
        inflected and len(key) >= MIN_INFLECTED
        and len(key) - ENDING <= len(word) <= len(key) + ENDING
        and word.startswith(key[:-ENDING]))


def labelled_line(text: str, words: Iterable[str], lang: str = "en") -> str | None:
    """The labelled line of ``text`` that the (folded) ``words`` of a question in ``lang``
    name, or None when they name none or more than one."""
    asked = [w for w in words if len(w) >= MIN_WORD]
    if not asked:
        return None
    inflected = lang in CASE_ENDINGS
    found = [m for m in _LABELLED.finditer(text)
             if any(_names(w, k, inflected) for w in asked for k in _keys(m.group("label")))]
    if len(found) != 1:
        return None
    return f"{found[0].group('label').strip()}: {found[0].group('rest').strip()}"
