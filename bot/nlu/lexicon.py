"""Lexicons: the words and phrases that name pay dimensions, details, jobs and dialogue moves.

Data lives in ``intents/<lang>/lexicon/`` (like Rasa's lookup tables), one file per kind:

- ``slots.yaml``: ``sector``, ``hours``, ``gender``, ``stat``, ``period``, ``overtime``,
  ``country``, ``role_head`` (generic title words: "the manager"), ``currency``, ``ladder``
  (a career step by its place: first, next, previous, last), ``pick`` (one of two roles by
  its place: first, second) (each value -> phrases)
  and the phrase lists ``follow_up``, ``follow_up_end`` (a follow-up only as the last words:
  "X چطور؟", how about X?), ``correction``,
  ``all_roles``, ``which_of`` ("which of them": the roles, or the items a role's answer
  listed), ``question``, ``language_change``, ``broad`` ("tell me about"), ``compare``,
  ``headcount`` ("how many people"), ``amount`` ("what share", "how long": a number asked
  for), ``both`` ("which of the two") and ``same_group`` ("for them", "that group": the people
  asked about last), ``this_one`` ("this one", "denne": the role talked about, when offered
  as one of two: "this one or the helpdesk job?"), ``choice`` ("which", "better": a
  question asking to choose), ``study`` ("a degree in", "bachelor i", "رشته": what follows is
  a field of study, not a job); ``false_friends``: words an English
  phrase must not be read in (Norwegian "men" is "but"); ``support``: generic
  names of support work ("IT support"), which the country asked about makes one role;
- ``details.yaml``: detail id (``workplace.remote``) -> phrases that ask about it;
- ``occupations.yaml``: ``occupations:`` jobs the bot does not cover; ``related:`` jobs our
  sources name as next steps (IT consultant, CIO), other jobs unless the message asks about a
  career; ``fields:`` trades that are not IT ("construction", "offshore") and ``generic:`` title
  words ("technician", "leder"), which together make another job ("project manager in
  construction", "servicetekniker på heis");
- ``fa/lexicon/finglish.yaml``: ``words:`` Persian typed in Latin letters -> Persian script;
- ``foreign/lexicon/neighbours.yaml``: ``words:`` Swedish and Danish words -> their Bokmål
  ones, by ISO code: Swedes and Danes are answered in Bokmål, and understood through these;
- ``foreign/lexicon/courtesy.yaml``: ``courtesy:`` greetings and thanks of languages we do not
  speak, by ISO code ("guten tag": de), which are too short for the language detector.

A phrase is folded words that must appear next to each other; a trailing ``*`` on a word
matches any word that starts with it. Matching is one dictionary lookup per word (and per
prefix of it), so a lexicon of thousands of phrases costs microseconds per message.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.constants import LANGUAGES
from bot.content.yamlsrc import YamlDoc, load_yaml
from bot.nlu.finglish import loose_table
from bot.nlu.normalize import folded, normalize
from bot.problems import Problem

MIN_STEM = 3  # a "*" word shorter than this would match too much
SLOT_VALUES: dict[str, tuple[str, ...]] = {
    "sector": ("all", "state", "municipal", "private"),
    "hours": ("full_time", "part_time"),
    "gender": ("women", "men"),
    "stat": ("median", "mean", "lowest", "highest"),
    "period": ("hourly", "monthly", "yearly"),
    "overtime": ("with", "without"),
    "country": ("norway", "latvia", "iran"),
    "role_head": ("manager", "specialist", "technician"),
    "currency": ("nok", "eur", "usd", "irr"),  # a currency asked about ("in dollars?")
    # a step of a career ladder by its place ("the first step", "the third step", "and the
    # step after?")
    "ladder": ("first", "second", "third", "fourth", "fifth", "sixth", "next", "previous",
               "last"),
    # one of two roles by its place ("the second one", "اولی")
    "pick": ("first", "second"),
}
MARKERS: tuple[str, ...] = ("follow_up", "follow_up_end", "correction", "all_roles", "which_of",
                            "question", "language_change", "broad", "compare", "headcount",
                            "both", "same_group", "this_one", "choice", "study")
# Phrase lists read on their own, apart from the markers: "hvor mange prosent" asks for a number
# and is still the question word and head-count its words hold.
READINGS: tuple[str, ...] = ("amount",)
# Phrases that name a kind of work rather than one of our roles: ``support`` ("IT support",
# "atbalsta speciālists") is support work of whichever country the message is about.
ROLE_HINTS: tuple[str, ...] = ("support",)
# Words of a language that an English phrase must not be read in: Norwegian "men" is "but"
# ("samme tall, men bare privat sektor" asks about nobody's men).
FALSE_FRIENDS = "false_friends"


COMPOUNDING = ("nb", "nn", "lv")  # languages that glue words into one (jobs inside compounds)


@dataclass(frozen=True)
class Term:
    """One phrase: its words (a ``*`` ending marks a prefix) and what it stands for."""

    words: tuple[str, ...]
    category: str  # "sector", "detail", "occupation", "correction", ...
    value: str  # "state", "workplace.remote", the job as listed, ...
    lang: str
    # Where the phrase is written (for ``check``); not part of what the term means.
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Hit:
    """A term found at words ``start``..``end`` (exclusive) of a message."""

    term: Term
    start: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.start


# Persian attaches possessive and plural endings to the word ("کارآموزیش" = its internship,
# "حقوقش", "شغل‌ها"); a lexicon lists the bare word.
PERSIAN_ENDINGS = ("هایشان", "هایش", "هاشون", "هاش", "های", "ها", "شون", "تون", "مون", "یش",
                   "اش", "ش", "ت", "م", "ی", "ه")


@lru_cache(maxsize=65536)
def variants(word: str) -> tuple[str, ...]:
    """The word, and for Persian the word without a possessive or plural ending, or the
    spoken "is" ("مالیاته": "مالیات است")."""
    if not word or not "\u0600" <= word[0] <= "\u06ff":
        return (word,)
    return (word, *(word[:-len(e)] for e in PERSIAN_ENDINGS
                    if word.endswith(e) and len(word) - len(e) >= 3))


def _word_matches(pattern: str, word: str) -> bool:
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return pattern in variants(word)


class PhraseIndex:
    """Terms indexed by their first word (exactly, or by its stem for ``*`` words).

    Stems are grouped by their first MIN_STEM letters, so a word is checked against the few
    stems that share its beginning rather than every prefix of it.
    """

    def __init__(self, terms: Iterable[Term] = ()) -> None:
        self.exact: dict[str, list[Term]] = defaultdict(list)  # by first word (for readers)
        self.stems: dict[str, list[Term]] = defaultdict(list)  # by first word's stem
        # Lookup tables: one-word terms by word; longer terms whose first two words are exact
        # by the pair (most phrases: "before tax"), so a common first word ("how") does not
        # drag every phrase that starts with it into the comparison; the rest by first word
        # or by the first letters of its stem.
        self._single: dict[str, list[Term]] = defaultdict(list)
        self._pairs: dict[tuple[str, str], list[Term]] = defaultdict(list)
        self._loose: dict[str, list[Term]] = defaultdict(list)
        self._by_head: dict[str, list[tuple[str, Term]]] = defaultdict(list)
        self.size = 0
        for term in terms:
            self.add(term)

    def add(self, term: Term) -> None:
        first = term.words[0]
        if first.endswith("*"):
            stem = first[:-1]
            self.stems[stem].append(term)
            self._by_head[stem[:MIN_STEM]].append((stem, term))
        else:
            self.exact[first].append(term)
            if len(term.words) == 1:
                self._single[first].append(term)
            elif not term.words[1].endswith("*"):
                self._pairs[(first, term.words[1])].append(term)
            else:
                self._loose[first].append(term)
        self.size += 1

    def find(self, words: list[str], categories: frozenset[str] | None = None) -> list[Hit]:
        """Every occurrence of every term (overlaps included), in text order.

        The terms that may start at a word come in a fixed order: for each of its forms the
        one-word, loose and two-word terms (by the next word's forms); then the stems. Each
        word's forms are made once; a one-word term, or a two-word one found by its pair of
        words, needs no more checking; the rest of a longer term is checked word by word.
        """
        hits: list[Hit] = []
        size = len(words)
        forms = [*map(variants, words), ()]
        single, loose, pairs, by_head = self._single, self._loose, self._pairs, self._by_head

        def add(term: Term, i: int, checked: int) -> None:
            """Add ``term`` at word ``i`` if it is wanted and its words after the first
            ``checked`` match."""
            if categories is not None and term.category not in categories:
                return
            n = len(term.words)
            if n == checked or (i + n <= size and all(
                    _word_matches(p, w) for p, w in zip(term.words[checked:],
                                                        words[i + checked:i + n], strict=True))):
                hits.append(Hit(term, i, i + n))

        for i in range(size):
            word, following = words[i], forms[i + 1]
            for form in forms[i]:
                for term in single.get(form, ()):
                    add(term, i, 1)
                for term in loose.get(form, ()):
                    add(term, i, 1)
                for second in following:
                    for term in pairs.get((form, second), ()):
                        add(term, i, 2)
            for stem, term in by_head.get(word[:MIN_STEM], ()):
                if word.startswith(stem):
                    add(term, i, 1)
        return hits


def longest(hits: Iterable[Hit], taken: set[int] | None = None) -> list[Hit]:
    """Non-overlapping hits, longest first (then leftmost); ``taken`` words are skipped."""
    used = set(taken or ())
    out: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.size, h.start)):
        span = set(range(hit.start, hit.end))
        if span & used:
            continue
        used |= span
        out.append(hit)
    return sorted(out, key=lambda h: h.start)


@dataclass
class Lexicons:
    """Every lexicon of ``intents/``; one index per language for slots and details."""

    slots: dict[str, PhraseIndex] = field(default_factory=dict)
    details: dict[str, PhraseIndex] = field(default_factory=dict)
    occupations: PhraseIndex = field(default_factory=PhraseIndex)
    fields: PhraseIndex = field(default_factory=PhraseIndex)  # trades that are not IT
    generic: PhraseIndex = field(default_factory=PhraseIndex)  # title words ("technician")
    finglish: dict[str, str] = field(default_factory=dict)
    finglish_loose: dict[str, str] = field(default_factory=dict)  # by spelling skeleton
    courtesy: dict[str, str] = field(default_factory=dict)  # "guten tag" -> "de"
    neighbours: dict[str, dict[str, str]] = field(default_factory=dict)  # sv: {"lön": "lønn"}
    detail_ids: frozenset[str] = frozenset()
    job_heads: dict[str, Term] = field(default_factory=dict)  # one-word jobs, for compounds

    everything: PhraseIndex = field(default_factory=PhraseIndex)  # all of the above at once

    def find(self, words: list[str]) -> list[Hit]:
        """Every term of every lexicon in ``words``, in one pass (callers filter the hits by
        category and language)."""
        return self.everything.find(words)


def phrase_words(phrase: str) -> tuple[str, ...] | None:
    """A phrase's folded words, keeping ``*`` endings; None when nothing is left."""
    out: list[str] = []
    for raw in phrase.split():
        star = raw.endswith("*")
        word = folded(raw.rstrip("*"))
        if not word:
            continue
        parts = word.split()
        if star:
            parts[-1] += "*"
        out.extend(parts)
    return tuple(out) or None


def _terms(
    doc: YamlDoc, phrases: object, at: tuple[str | int, ...], category: str, value: str,
    lang: str, problems: list[Problem],
) -> list[Term]:
    if not isinstance(phrases, list):
        problems.append(doc.problem("expected a list of phrases", *at))
        return []
    out: list[Term] = []
    for i, phrase in enumerate(phrases):
        if not isinstance(phrase, str | int) or isinstance(phrase, bool):
            problems.append(doc.problem("a phrase must be text", *at, i))
            continue
        words = phrase_words(str(phrase))
        if words is None:
            problems.append(doc.problem(f"phrase {phrase!r} has no words", *at, i))
            continue
        if any(w.endswith("*") and len(w) - 1 < MIN_STEM for w in words):
            problems.append(doc.problem(
                f"phrase {phrase!r}: a * word needs at least {MIN_STEM} letters", *at, i))
            continue
        out.append(Term(words, category, value, lang, doc.line(*at, i)))
    return out


def _slots(doc: YamlDoc, lang: str, problems: list[Problem]) -> list[Term]:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem("expected a mapping of slot names"))
        return []
    terms: list[Term] = []
    for key, body in data.items():
        if key in SLOT_VALUES:
            if not isinstance(body, dict):
                problems.append(doc.problem(f"{key!r} must map values to phrases", key))
                continue
            for value, phrases in body.items():
                if value not in SLOT_VALUES[key]:
                    problems.append(doc.problem(
                        f"unknown {key} value {value!r} (expected one of "
                        f"{', '.join(SLOT_VALUES[key])})", key, value))
                    continue
                terms += _terms(doc, phrases, (key, value), key, value, lang, problems)
        elif key in MARKERS or key in READINGS or key in ROLE_HINTS or key == FALSE_FRIENDS:
            terms += _terms(doc, body, (key,), key, key, lang, problems)
        else:
            problems.append(doc.problem(f"unknown key {key!r}", key))
    return terms


def _details(doc: YamlDoc, lang: str, ids: frozenset[str], problems: list[Problem]
             ) -> list[Term]:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem("expected a mapping of detail ids to phrases"))
        return []
    terms: list[Term] = []
    for key, phrases in data.items():
        if ids and key not in ids:
            problems.append(doc.problem(f"unknown detail id {key!r} (see content/details.yaml)",
                                        key))
            continue
        terms += _terms(doc, phrases, (key,), "detail", key, lang, problems)
    return terms


def _listed(doc: YamlDoc, key: str, problems: list[Problem], optional: tuple[str, ...] = ()
            ) -> object:
    data = doc.data
    if not isinstance(data, dict) or key not in data:
        problems.append(doc.problem(f"expected a mapping with {key!r}"))
        return None
    for other in data:
        if other != key and other not in optional:
            problems.append(doc.problem(f"unknown key {other!r}", other))
    return data[key]


FOREIGN_FOLDER = "foreign"  # intents/foreign/lexicon/: phrases of languages we do not speak


def _foreign_doc(intents_dir: Path, name: str, problems: list[Problem]) -> YamlDoc | None:
    """``foreign/lexicon/<name>``, read (problems named by the path from the project), or None
    when there is no such file or it cannot be read."""
    path = intents_dir / FOREIGN_FOLDER / "lexicon" / name
    if not path.is_file():
        return None
    try:
        shown = str(path.relative_to(intents_dir.parent))
    except ValueError:
        shown = str(path)
    return load_yaml(path, shown, problems)


def _courtesy(intents_dir: Path, problems: list[Problem]) -> dict[str, str]:
    """``foreign/lexicon/courtesy.yaml``: folded greeting, thanks or goodbye -> the ISO code of
    its language (none of ours)."""
    doc = _foreign_doc(intents_dir, "courtesy.yaml", problems)
    if doc is None:
        return {}
    listed = _listed(doc, "courtesy", problems)
    if listed is None:
        return {}
    if not isinstance(listed, dict):
        problems.append(doc.problem("'courtesy' must map language codes to phrases", "courtesy"))
        return {}
    out: dict[str, str] = {}
    for code, phrases in listed.items():
        if not (isinstance(code, str) and len(code) == 2 and code.isalpha()
                and code not in LANGUAGES):
            problems.append(doc.problem(
                "expected the two-letter code of a language the bot does not speak",
                "courtesy", code))
            continue
        if not isinstance(phrases, list) or not all(isinstance(x, str) and x.strip()
                                                     for x in phrases):
            problems.append(doc.problem("expected a list of phrases", "courtesy", code))
            continue
        for phrase in phrases:
            key = " ".join(folded(phrase).split())
            if out.get(key, code) != code:
                problems.append(doc.problem(
                    f"{phrase!r} is listed for {out[key]!r} too", "courtesy", code))
            out[key] = code
    return out


NEIGHBOURS = ("sv", "da")  # languages answered in Bokmål, read through their word lists


def _neighbours(intents_dir: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """``foreign/lexicon/neighbours.yaml``: per neighbour language, its word (lower case, as
    written) -> the Bokmål word it is read as."""
    doc = _foreign_doc(intents_dir, "neighbours.yaml", problems)
    listed = None if doc is None else _listed(doc, "words", problems)
    if doc is None or listed is None:
        return {}
    if not isinstance(listed, dict):
        problems.append(doc.problem("'words' must map language codes to word tables", "words"))
        return {}
    out: dict[str, dict[str, str]] = {}
    for code, table in listed.items():
        if code not in NEIGHBOURS:
            problems.append(doc.problem(
                f"expected one of {', '.join(NEIGHBOURS)} (answered in Bokmål)", "words", code))
            continue
        if not isinstance(table, dict):
            problems.append(doc.problem("expected words mapped to Bokmål words", "words", code))
            continue
        words: dict[str, str] = {}
        for word, bokmal in table.items():
            source = normalize(word).split() if isinstance(word, str) else []
            target = normalize(bokmal).split() if isinstance(bokmal, str) else []
            if len(source) != 1 or len(target) != 1 or source == target:
                problems.append(doc.problem(
                    "expected one word mapped to another single Bokmål word", "words", code,
                    str(word)))
                continue
            words[source[0]] = target[0]
        out[code] = words
    return out


def load_lexicons(intents_dir: Path, detail_ids: frozenset[str] = frozenset()
                  ) -> tuple[Lexicons, list[Problem]]:
    """Every lexicon under ``intents_dir``; a missing file is an empty lexicon, not an error."""
    problems: list[Problem] = []
    lex = Lexicons(detail_ids=detail_ids)
    occupations: list[Term] = []
    fields: list[Term] = []
    generic: list[Term] = []
    for lang in LANGUAGES:
        folder = intents_dir / lang / "lexicon"

        def doc_of(name: str, folder: Path = folder) -> YamlDoc | None:
            path = folder / name
            if not path.is_file():
                return None
            try:
                shown = str(path.relative_to(intents_dir.parent))
            except ValueError:
                shown = str(path)
            return load_yaml(path, shown, problems)

        doc = doc_of("slots.yaml")
        lex.slots[lang] = PhraseIndex(_slots(doc, lang, problems) if doc else ())
        doc = doc_of("details.yaml")
        lex.details[lang] = PhraseIndex(_details(doc, lang, detail_ids, problems) if doc else ())
        doc = doc_of("occupations.yaml")
        if doc is not None:
            listed = _listed(doc, "occupations", problems,
                             optional=("fields", "related", "generic"))
            if listed is not None:
                occupations += [
                    Term(t.words, "occupation", " ".join(t.words).replace("*", ""), lang, t.line)
                    for t in _terms(doc, listed, ("occupations",), "occupation", "", lang,
                                    problems)]
            data = doc.data if isinstance(doc.data, dict) else {}
            if "fields" in data:
                fields += _terms(doc, data["fields"], ("fields",), "field", "", lang, problems)
            if "related" in data:
                occupations += [
                    Term(t.words, "related", " ".join(t.words).replace("*", ""), lang, t.line)
                    for t in _terms(doc, data["related"], ("related",), "related", "", lang,
                                    problems)]
            if "generic" in data:
                generic += _terms(doc, data["generic"], ("generic",), "generic", "", lang,
                                  problems)
        doc = doc_of("finglish.yaml")
        if doc is not None:
            words = _listed(doc, "words", problems)
            if isinstance(words, dict):
                for key, value in words.items():
                    if not isinstance(value, str) or not value.strip() or not key.isascii():
                        problems.append(doc.problem(
                            "expected an ASCII word mapped to Persian text", "words", key))
                        continue
                    lex.finglish[normalize(key)] = value.strip()
            elif words is not None:
                problems.append(doc.problem("'words' must map Latin words to Persian", "words"))
            lex.finglish_loose = loose_table(lex.finglish)
    lex.courtesy = _courtesy(intents_dir, problems)
    lex.neighbours = _neighbours(intents_dir, problems)
    lex.occupations = PhraseIndex(occupations)
    lex.fields = PhraseIndex(fields)
    lex.generic = PhraseIndex(generic)
    lex.everything = PhraseIndex([
        *(t for index in lex.slots.values() for ts in (*index.exact.values(),
                                                         *index.stems.values()) for t in ts),
        *(t for index in lex.details.values() for ts in (*index.exact.values(),
                                                           *index.stems.values()) for t in ts),
        *occupations, *fields, *generic,
    ])
    # Only the compounding languages' own titles: "fjernstøtteprogrammer" is Norwegian for
    # remote-support programs, not an English "programmer".
    lex.job_heads = {t.words[0]: t for t in occupations
                     if t.lang in COMPOUNDING and len(t.words) == 1
                     and not t.words[0].endswith("*")}
    return lex, problems


def lexicon_files(intents_dir: Path) -> list[Path]:
    """The lexicon files of every language (what ``load_lexicons`` reads)."""
    return sorted(intents_dir.glob("*/lexicon/*.yaml"))


# The last lexicons loaded and their problems, by folder, detail ids and the files' bytes: a
# reload's checks and its engine build both need them, and an edit of examples changes none.
_LAST: tuple[str, Lexicons, tuple[Problem, ...]] | None = None


def cached_lexicons(intents_dir: Path, detail_ids: frozenset[str] = frozenset()
                    ) -> tuple[Lexicons, list[Problem]]:
    """:func:`load_lexicons`, the same object again while no lexicon file has changed (callers
    only read it)."""
    global _LAST
    digest = hashlib.sha256(f"{intents_dir}\0{sorted(detail_ids)}".encode())
    try:
        for path in lexicon_files(intents_dir):
            data = path.read_bytes()
            digest.update(f"\0{path.relative_to(intents_dir)}\0{len(data)}\0".encode() + data)
    except OSError:  # not a file, or unreadable: loading reports it
        return load_lexicons(intents_dir, detail_ids)
    key = digest.hexdigest()
    last = _LAST
    if last is not None and last[0] == key:
        return last[1], list(last[2])
    lexicons, problems = load_lexicons(intents_dir, detail_ids)
    _LAST = (key, lexicons, tuple(problems))
    return lexicons, problems


def forget_lexicons() -> None:
    """Drop the lexicons :func:`cached_lexicons` keeps (a benchmark's build from scratch)."""
    global _LAST
    _LAST = None
