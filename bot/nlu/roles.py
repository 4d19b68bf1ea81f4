"""Finding role mentions: every alias of every role in every language, typo-tolerant.

Matching works on word n-grams of the folded text with spaces removed, so "it-prosjektleder",
"IT prosjektleder" and "itprosjektleder" are one string. Exact hits come from a dict; the rest
from one vectorised rapidfuzz call. The longest (most specific) alias wins; an unknown job
("dentist") matches nothing rather than the nearest role.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.nlu.normalize import folded

MASK = "xrolex"


@dataclass(frozen=True)
class RoleMatch:
    """One mention: words ``start``..``end`` (exclusive) of the folded text name ``role``."""

    role: str
    start: int
    end: int
    score: float
    alias: str
    langs: frozenset[str] = frozenset()  # languages whose alias lists hold this alias


def max_edits(length: int) -> int:
    """Typos tolerated in a name of ``length`` letters; short names must be exact.

    Counting edits (not a similarity ratio) keeps long compounds honest: "kundestøttemedarbeider"
    is five edits from "brukerstøttemedarbeider", so it is not taken for that role.
    """
    if length <= 4:
        return 0
    if length <= 8:
        return 1
    if length <= 16:
        return 2
    return 3


class RoleMatcher:
    """Typo-tolerant alias matcher built once per catalog."""

    def __init__(self, aliases: dict[str, dict[str, list[str]]]) -> None:
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        derived: dict[str, Counter[str]] = defaultdict(Counter)
        words_of: dict[str, int] = {}
        langs: dict[str, set[str]] = defaultdict(set)
        for role, by_lang in aliases.items():
            for lang, names in by_lang.items():
                for name in names:
                    parts = folded(name).split()
                    if not parts:
                        continue
                    key = "".join(parts)
                    votes[key][role] += 1
                    langs[key].add(lang)
                    words_of[key] = max(words_of.get(key, 0), len(parts))
                    # "ikt servisa tehniķis" is also said "ikt tehniķis": drop one inner word.
                    for k in range(1, len(parts) - 1):
                        short = "".join(parts[:k] + parts[k + 1 :])
                        if len(short) >= 8:
                            derived[short][role] += 1
                            words_of[short] = max(words_of.get(short, 0), len(parts) - 1)
        self.exact = _unambiguous(votes)
        self.derived = {k: r for k, r in _unambiguous(derived).items() if k not in votes}
        self.langs = {k: frozenset(v) for k, v in langs.items()}
        # Inflected forms keep the stem: "tehniķim", "prosjektlederen", "managers".
        stems: dict[str, Counter[str]] = defaultdict(Counter)
        self._stem_alias: dict[str, str] = {}
        for key, role in [*self.exact.items(), *self.derived.items()]:
            if len(key) >= 8:
                stems[key[:-2]][role] += 1
                self._stem_alias.setdefault(key[:-2], key)
        self.stems = _unambiguous(stems)
        # Cut-short names: "ict service tech" for "ict service technician".
        self._sorted = sorted(self.exact)
        self.keys: list[str] = sorted(self.exact)
        self.fuzzy_keys = [k for k in self.keys if len(k) > 4]
        self.max_words = max([words_of[k] for k in self.keys] + [1]) + 1
        self.min_len = min([len(k) for k in self.fuzzy_keys] + [5])
        self.max_len = max([len(k) for k in self.fuzzy_keys] + [0])

    def find(self, words: list[str]) -> list[RoleMatch]:
        """Non-overlapping role mentions in folded ``words``, in text order."""
        spans: list[tuple[int, int, str]] = []
        for i in range(len(words)):
            joined = ""
            for j in range(i, min(len(words), i + self.max_words)):
                joined += words[j]
                spans.append((i, j + 1, joined))
        candidates: list[tuple[float, RoleMatch]] = []
        fuzzy_queries: list[tuple[int, int, str]] = []
        for start, end, key in spans:
            role = self.exact.get(key)
            if role is not None:
                match = RoleMatch(role, start, end, 100.0, key, self.langs[key])
                candidates.append((len(key) + 0.5, match))
                continue
            role = self.derived.get(key)
            if role is not None:
                candidates.append((len(key) - 0.5, RoleMatch(role, start, end, 90.0, key)))
                continue
            stem = self._stem(key)
            if stem is not None:
                alias = self._stem_alias[stem]
                langs = self.langs.get(alias, frozenset())
                match = RoleMatch(self.stems[stem], start, end, 95.0, alias, langs)
                candidates.append((len(stem), match))
            elif len(key) >= 10:
                prefixed = self._prefix_of(key)
                if prefixed is not None:
                    candidates.append((len(key) - 1.0, RoleMatch(prefixed, start, end, 85.0, key)))
            if (
                self.fuzzy_keys
                and len(key) > 4
                and self.min_len - 3 <= len(key) <= self.max_len + 3
                and not key.isdigit()
            ):
                fuzzy_queries.append((start, end, key))
        if fuzzy_queries:
            matrix = process.cdist(
                [q[2] for q in fuzzy_queries],
                self.fuzzy_keys,
                scorer=OSA.distance,
                score_cutoff=3,
                dtype=np.int32,
                workers=1,
            )
            rows, cols = np.nonzero(matrix <= 3)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                start, end, key = fuzzy_queries[r]
                alias = self.fuzzy_keys[c]
                edits = int(matrix[r, c])
                if edits <= max_edits(min(len(key), len(alias))):
                    score = 100.0 * (1 - edits / max(len(key), len(alias)))
                    match = RoleMatch(self.exact[alias], start, end, score, alias)
                    candidates.append((len(alias) - 1.5 * edits, match))
        candidates.sort(key=lambda c: (-c[0], c[1].start))
        taken: list[RoleMatch] = []
        used: set[int] = set()
        for _, match in candidates:
            span = set(range(match.start, match.end))
            if span & used:
                continue
            used |= span
            taken.append(match)
        return sorted(taken, key=lambda m: m.start)

    def _prefix_of(self, key: str) -> str | None:
        """The one role whose aliases start with ``key`` (>= 2/3 of the alias), else None."""
        i = bisect.bisect_left(self._sorted, key)
        roles: set[str] = set()
        while i < len(self._sorted) and self._sorted[i].startswith(key):
            if len(key) * 3 >= len(self._sorted[i]) * 2:
                roles.add(self.exact[self._sorted[i]])
            i += 1
        return roles.pop() if len(roles) == 1 else None

    def _stem(self, key: str) -> str | None:
        """The alias stem ``key`` starts with, allowing an inflectional ending of <= 4 letters."""
        for cut in range(len(key), max(5, len(key) - 5), -1):
            if key[:cut] in self.stems:
                return key[:cut]
        return None


def _unambiguous(votes: dict[str, Counter[str]]) -> dict[str, str]:
    """Key -> the role most alias lists give it; a key two roles claim equally is dropped."""
    out: dict[str, str] = {}
    for key, counter in votes.items():
        (best, n), *rest = [*counter.most_common(2), ("", 0)]
        if n > rest[0][1]:
            out[key] = best
    return out


def distinct_roles(matches: list[RoleMatch]) -> tuple[str, ...]:
    """Roles in order of first mention, without repeats."""
    return tuple(dict.fromkeys(m.role for m in matches))


def mask(words: list[str], matches: list[RoleMatch]) -> list[str]:
    """Replace each mention by one placeholder word so the intent model ignores which role."""
    out: list[str] = []
    i = 0
    for m in matches:
        out.extend(words[i : m.start])
        out.append(MASK)
        i = m.end
    out.extend(words[i:])
    return out
