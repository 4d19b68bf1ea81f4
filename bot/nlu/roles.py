"""Finding role mentions: every alias of every role in every language, typo-tolerant.

Matching works on word n-grams of the folded text with spaces removed, so "it-prosjektleder",
"IT prosjektleder" and "itprosjektleder" are one string. Exact hits come from a dict; the rest
from one vectorised rapidfuzz call. The longest (most specific) alias wins; an unknown job
("dentist") matches nothing rather than the nearest role.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

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


def _cutoff(length: int) -> float:
    """Minimum rapidfuzz ratio for a fuzzy hit; short strings must match exactly."""
    if length <= 4:
        return 101.0
    if length <= 7:
        return 85.0
    if length <= 13:
        return 84.0
    return 80.0


class RoleMatcher:
    """Typo-tolerant alias matcher built once per catalog."""

    def __init__(self, aliases: dict[str, dict[str, list[str]]]) -> None:
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        words_of: dict[str, int] = {}
        for role, by_lang in aliases.items():
            for names in by_lang.values():
                for name in names:
                    form = folded(name)
                    if not form:
                        continue
                    key = form.replace(" ", "")
                    votes[key][role] += 1
                    words_of[key] = max(words_of.get(key, 0), len(form.split()))
        self.exact: dict[str, str] = {}
        for key, counter in votes.items():
            (best, n), *rest = [*counter.most_common(2), ("", 0)]
            if n > rest[0][1]:  # an alias two roles claim equally belongs to neither
                self.exact[key] = best
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
        if not spans:
            return []
        candidates: list[tuple[float, RoleMatch]] = []
        fuzzy_queries: list[tuple[int, int, str]] = []
        for start, end, key in spans:
            role = self.exact.get(key)
            if role is not None:
                match = RoleMatch(role, start, end, 100.0, key)
                candidates.append((len(key) * 1.0 + 0.5, match))
            elif (
                self.fuzzy_keys
                and self.min_len * 0.75 <= len(key) <= self.max_len * 1.34
                and len(key) > 4
                and not key.isdigit()
            ):
                fuzzy_queries.append((start, end, key))
        if fuzzy_queries:
            matrix = process.cdist(
                [q[2] for q in fuzzy_queries],
                self.fuzzy_keys,
                scorer=fuzz.ratio,
                score_cutoff=80,
                dtype=np.uint8,
                workers=1,
            )
            rows, cols = np.nonzero(matrix)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                start, end, key = fuzzy_queries[r]
                alias = self.fuzzy_keys[c]
                score = float(matrix[r, c])
                if score >= _cutoff(min(len(key), len(alias))):
                    match = RoleMatch(self.exact[alias], start, end, score, alias)
                    candidates.append((len(alias) * score / 100.0, match))
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
