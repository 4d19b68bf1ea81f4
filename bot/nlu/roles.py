"""Finding role mentions: every alias of every role in every language, typo-tolerant.

Matching works on word n-grams of the folded text with spaces removed, so "it-prosjektleder",
"IT prosjektleder" and "itprosjektleder" are one string. In order of trust: exact aliases,
aliases with one inner word left out ("ikt tehniķis"), inflected forms sharing an alias's stem
("tehniķim", "prosjektlederen"), cut-short names ("ict service tech"), then typos within a
few edits (rapidfuzz OSA distance; over several words, keeping the first letter). The longest
(most specific) match wins; an unknown job ("dentist") matches nothing rather than the
nearest role.

Most word n-grams of a message are no alias and near none, so two cheap necessary conditions
skip them before the real look-ups: an alias (or its stem) starts with the n-gram's first
HEAD letters, and a typo within k edits leaves at most k letters of the alias missing from the
n-gram and adds at most k others (checked on letter-set bitmasks, for all n-grams and aliases
at once), so only the few pairs left get an OSA distance. An n-gram of several words is only
compared with the aliases that share its first letter (a typo over several words keeps it), and
not at all when it has more letters than MOST_EDITS that none of them has, or is too long.
"""

from __future__ import annotations

import bisect
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from rapidfuzz.distance import OSA

from bot.nlu.normalize import folded

MASK = "xrolex"
MIN_STEMMED_WORD = 6  # an alias's last word needs this many letters to take endings
CACHE_LIMIT = 25_000  # n-grams remembered per cache; a full cache starts again (bounds memory)
HEAD = 6  # letters every look-up but the fuzzy one needs in common with an alias's beginning
# (stems are at least this long, and so is the shortest part of a key that _stem tries)
FUZZY_BATCH = 1024  # keys tested at once (training masks thousands of examples in one pass)
# Persian plural endings that folding writes apart from their word ("تکنسین‌های" ->
# "تکنسین های"): inside a role name they are skipped, as if joined.
PLURAL_PARTICLES = frozenset(["ها", "های", "هایی"])
LETTER_BITS = 63  # bits of a letter-set mask for the aliases' letters ...
OTHER_LETTER = 1 << LETTER_BITS  # ... and one for every letter no alias has


# A look-up's hit: (weight, role, score, alias, languages, final); role "" when none.
_Hit = tuple[float, str, float, str, frozenset[str], bool]
_NO_HIT: _Hit = (0.0, "", 0.0, "", frozenset(), False)
# A span left for fuzzy matching: (start, end, key); the keys' letter-set masks are kept apart
# in an array (training has ~10^5 of them: as Python ints they left RSS several MB higher).
_Query = tuple[int, int, str]


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
    return MOST_EDITS


MOST_EDITS = 3  # the most max_edits allows


class RoleMatcher:
    """Typo-tolerant alias matcher built once per catalog."""

    def __init__(self, aliases: dict[str, dict[str, list[str]]]) -> None:
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        derived: dict[str, Counter[str]] = defaultdict(Counter)
        words_of: dict[str, int] = {}
        last_word: dict[str, int] = {}  # length of each key's last word
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
                    last_word[key] = len(parts[-1])
                    # "ikt servisa tehniķis" is also said "ikt tehniķis": drop one inner word.
                    for k in range(1, len(parts) - 1):
                        short = "".join(parts[:k] + parts[k + 1 :])
                        if len(short) >= 8:
                            derived[short][role] += 1
                            last_word[short] = len(parts[-1])
                            words_of[short] = max(words_of.get(short, 0), len(parts) - 1)
        self.exact = _unambiguous(votes)
        self.derived = {k: r for k, r in _unambiguous(derived).items() if k not in votes}
        self.langs = {k: frozenset(v) for k, v in langs.items()}
        # Inflected forms keep the stem: "tehniķim", "prosjektlederen", "managers". Only where
        # the last word keeps a stem of its own: "کارشناس فنی" minus two letters would make
        # "کارشناس فروش" (a sales specialist) look like an inflection of it.
        stems: dict[str, Counter[str]] = defaultdict(Counter)
        self._stem_alias: dict[str, str] = {}
        for key, role in [*self.exact.items(), *self.derived.items()]:
            if len(key) >= 8 and last_word.get(key, 0) >= MIN_STEMMED_WORD:
                stems[key[:-2]][role] += 1
                self._stem_alias.setdefault(key[:-2], key)
        self.stems = _unambiguous(stems)
        # Sorted, so that cut-short names ("ict service tech") are found by bisection.
        self.keys: list[str] = sorted(self.exact)
        self.fuzzy_keys = [k for k in self.keys if len(k) > 4]
        self.fuzzy_words = max([words_of[k] for k in self.keys] + [1])
        self.max_words = max([*words_of.values(), 1])
        self._fuzzy_hits: dict[str, tuple[tuple[str, int], ...]] = {}
        # ... and of keys of several words, only against aliases with the key's first letter
        self._fuzzy_first: dict[str, tuple[tuple[str, int], ...]] = {}
        self._looked_up: dict[str, _Hit] = {}
        self._word_letters: dict[str, int] = {}
        self.min_len = min([len(k) for k in self.fuzzy_keys] + [5])
        self.max_len = max([len(k) for k in self.fuzzy_keys] + [0])
        self.longest = max([len(k) for k in (*self.keys, *self.derived)] + [0]) + 3

    def __getstate__(self) -> dict[str, object]:
        """Saved without the look-up caches: they hold words users typed (a saved model must
        not), and another thread may be adding to them while a reload saves the model."""
        state = dict(self.__dict__)
        state.update(_fuzzy_hits={}, _fuzzy_first={}, _looked_up={}, _word_letters={})
        return state

    def prepare(self) -> None:
        """Make the look-up tables now rather than at the first message (not saved either)."""
        _ = (self._letters, self._fuzzy_index, self._heads, self._head_starts,
             self._first_letters)

    def find(self, words: list[str]) -> list[RoleMatch]:
        """Non-overlapping role mentions in folded ``words``, in text order."""
        return self.find_many([words])[0]

    def find_many(self, texts: list[list[str]], *, remember: bool = True
                  ) -> list[list[RoleMatch]]:
        """:meth:`find` for many texts with one fuzzy pass (training masks thousands).
        ``remember=False`` keeps the look-ups out of the caches: the words of the training
        examples are not the words users will send, and would fill the caches for nothing."""
        found: list[tuple[list[tuple[float, RoleMatch]], list[_Query]]] = []
        letters: array[int] = array("Q")
        looked_up = self._looked_up if remember else {}  # still one look-up per n-gram
        for words in texts:
            candidates, queries, masks = self._exact_candidates(words, looked_up)
            found.append((candidates, queries))
            letters.extend(masks)
        hits = self._fuzzy([key for _, queries in found for _, _, key in queries], letters,
                           [end - start == 1 for _, queries in found for start, end, _ in queries],
                           remember)
        out: list[list[RoleMatch]] = []
        for candidates, queries in found:
            for start, end, key in queries:
                for alias, edits in hits[key]:
                    if end - start > 1 and key[0] != alias[0]:
                        # "do support specialists" is no typo of "it support specialist": a
                        # typo keeps a name's first letter, a short word swapped does not.
                        continue
                    score = 100.0 * (1 - edits / max(len(key), len(alias)))
                    match = RoleMatch(self.exact[alias], start, end, score, alias)
                    candidates.append((len(alias) - 1.5 * edits, match))
            out.append(_resolve(candidates))
        return out

    def _exact_candidates(
        self, words: list[str], looked_up: dict[str, _Hit]
    ) -> tuple[list[tuple[float, RoleMatch]], list[_Query], array[int]]:
        """Exact, derived, inflected and cut-short hits, plus the spans left for fuzzy matching
        and their keys' letter sets."""
        candidates: list[tuple[float, RoleMatch]] = []
        fuzzy_queries: list[_Query] = []
        query_letters: array[int] = array("Q")
        heads, starts = self._heads, self._head_starts
        letters = self._letters
        groups = self._first_letters
        # Each word's letter-set mask, kept as the look-ups are (not for training's words).
        known = self._word_letters if looked_up is self._looked_up else {}
        if len(known) > CACHE_LIMIT:
            self._word_letters = known = {}
        word_letters = []
        for word in words:
            mask = known.get(word)
            if mask is None:
                mask = known[word] = sum({letters.get(c, OTHER_LETTER) for c in word})
            word_letters.append(mask)
        # Fuzzy keys: this many words at most, of a length within 3 of a fuzzy alias's.
        fuzzy_words = self.fuzzy_words if self.fuzzy_keys else 0
        shortest, longest = max(5, self.min_len - 3), min(self.max_len + 3, self.longest)
        size, max_words, too_long = len(words), self.max_words, self.longest
        for i in range(size):
            key = ""
            mask = 0
            skipped = 0  # plural particles passed over: they do not count as words
            # A key of several words needs a fuzzy alias with its first letter (see find_many)
            # whose letters it does not exceed by more than MOST_EDITS (nor its length): no
            # such group, no fuzzy key of several words from here on.
            group_letters, group_len, _ = groups.get(words[i][0], (0, -1, 0))
            several = group_len >= 0
            exact = True  # the key may still start an alias, derived name or stem
            for j in range(i, size):
                if j - i - skipped >= max_words:
                    break
                if j > i and words[j] in PLURAL_PARTICLES:
                    skipped += 1  # "تکنسین‌های ICT": the plural written apart, as if joined
                    continue
                key += words[j]
                mask |= word_letters[j]
                if len(key) > too_long:  # no alias, nor a typo of one, is this long
                    break
                # No alias, derived name or stem starts as this key does: no hit, nor for the
                # longer keys from here once the key is HEAD letters long or starts no head.
                found: _Hit | None = _NO_HIT
                if exact:
                    head = key[:HEAD]
                    if head in heads:
                        found = looked_up.get(key)
                    elif len(head) == HEAD or head not in starts:
                        exact = False
                if found is None:
                    found = self._lookup(key)
                    if looked_up is self._looked_up and len(looked_up) > CACHE_LIMIT:
                        self._looked_up = looked_up = {}
                    looked_up[key] = found
                if found[1]:
                    weight, role, score, alias, langs, final = found
                    candidates.append((weight, RoleMatch(role, i, j + 1, score, alias, langs)))
                    if final:
                        continue
                if j > i and several and ((mask & ~group_letters).bit_count() > MOST_EDITS
                                          or len(key) > group_len + MOST_EDITS):
                    several = False  # the key only grows: no later one can pass either
                if j - i - skipped < fuzzy_words and shortest <= len(key) <= longest \
                        and (j == i or several) and not key.isdigit():
                    fuzzy_queries.append((i, j + 1, key))
                    query_letters.append(mask)
                if not exact and not several:
                    break  # no longer key from this word can be looked up or tried fuzzily
        return candidates, fuzzy_queries, query_letters

    def _lookup(self, key: str) -> _Hit:
        """The non-fuzzy hit of one n-gram key: (weight, role, score, alias, languages, final),
        role "" when none; ``final``: an exact or derived alias, so no fuzzy search either.
        Kept per key, because the same words come back in message after message. A key whose
        first HEAD letters start no alias, derived name or stem has none (see ``_heads``)."""
        role = self.exact.get(key)
        if role is not None:
            return len(key) + 0.5, role, 100.0, key, self.langs[key], True
        role = self.derived.get(key)
        if role is not None:
            return len(key) - 0.5, role, 90.0, key, frozenset(), True
        stem = self._stem(key)
        if stem is not None:
            alias = self._stem_alias[stem]
            return (len(stem), self.stems[stem], 95.0, alias, self.langs.get(alias, frozenset()),
                    False)
        if len(key) >= 10:
            prefixed = self._prefix_of(key)
            if prefixed is not None:
                return len(key) - 1.0, prefixed, 85.0, key, frozenset(), False
        return _NO_HIT  # shared: most n-grams are no alias, and the cache keeps them all

    def _fuzzy(self, keys: list[str], letters: array[int], whole: list[bool],
               remember: bool = True) -> dict[str, tuple[tuple[str, int], ...]]:
        """Aliases within the allowed number of edits of each key (``letters``: their
        letter-set masks); only those with the key's first letter unless ``whole`` (a key of
        one word: see find_many), though a key's whole answer may come back in their place.

        The letter-set test (see the module docstring) runs on every key and alias at once;
        the pairs that pass, a few in a hundred, get their OSA distance. Results are cached
        (bounded) because the same words come back in message after message. The cache may be
        shared by an old and a new engine during a reload, so answers come from a local dict
        and the cache is only ever added to or swapped.
        """
        if len(self._fuzzy_hits) > CACHE_LIMIT:
            self._fuzzy_hits = {}
        if len(self._fuzzy_first) > CACHE_LIMIT:
            self._fuzzy_first = {}
        cache = self._fuzzy_hits if remember else {}
        first_cache = self._fuzzy_first if remember else {}
        hits: dict[str, tuple[tuple[str, int], ...]] = {}
        todo: dict[str, int] = {}  # key -> its place in the lists below
        todo_letters: array[int] = array("Q")
        todo_whole: list[bool] = []
        for key, mask, one_word in zip(keys, letters, whole, strict=True):
            known = cache.get(key)
            if known is None and not one_word:
                known = first_cache.get(key)
            if known is not None:
                hits[key] = known
            elif key not in todo:
                todo[key] = len(todo_whole)
                todo_letters.append(mask)
                todo_whole.append(one_word)
            elif one_word:
                todo_whole[todo[key]] = True  # also wanted whole: the whole answer serves both
        batch_keys = list(todo)
        if not todo or not self.fuzzy_keys:
            for key, one_word in zip(batch_keys, todo_whole, strict=True):
                # () for a miss: the empty tuple is shared, a list each is not
                hits[key] = (cache if one_word else first_cache)[key] = ()
            return hits
        found: dict[str, list[tuple[str, int]]] = defaultdict(list)
        distance = OSA.distance
        fuzzy_keys = self.fuzzy_keys
        for first in range(0, len(batch_keys), FUZZY_BATCH):
            batch = batch_keys[first:first + FUZZY_BATCH]
            near = self._near_pairs(
                batch, np.frombuffer(todo_letters[first:first + FUZZY_BATCH], dtype=np.uint64),
                todo_whole[first:first + FUZZY_BATCH])
            for r, c, cutoff in zip(*near, strict=True):
                key, alias = batch[r], fuzzy_keys[c]
                n = distance(key, alias, score_cutoff=cutoff)
                if n <= cutoff:
                    found[key].append((alias, n))
        for key, one_word in zip(batch_keys, todo_whole, strict=True):
            hits[key] = (cache if one_word else first_cache)[key] = tuple(found.get(key, ()))
        return hits

    def _near_pairs(self, keys: list[str], letters: np.ndarray, whole: list[bool]
                    ) -> tuple[list[int], list[int], list[int]]:
        """(key, fuzzy alias) index pairs, each key's aliases in order, that pass the length
        and letter-set tests for the edits allowed between them (the third list: max_edits
        of each pair), and share the first letter unless the key is ``whole``; ``letters``:
        the keys' letter-set masks."""
        masks, not_masks, budget = self._fuzzy_index
        query = letters[:, None]
        groups, stride = self._first_letters, self.longest + 1
        none = (0, 0, len(groups) + 1)  # a first letter no alias has: the last table, all -1
        allowed = budget[np.fromiter(
            (len(key) if one_word else len(key) + groups.get(key[0], none)[2] * stride
             for key, one_word in zip(keys, whole, strict=True)), np.intp, len(keys))]
        near = np.maximum(np.bitwise_count(masks & ~query),  # the alias's letters not typed
                          np.bitwise_count(query & not_masks)) <= allowed  # typed, not in it
        flat = near.ravel().nonzero()[0]  # 2-D np.nonzero costs ten times more
        rows = flat // near.shape[1]
        cols = flat - rows * near.shape[1]
        return rows.tolist(), cols.tolist(), allowed.ravel()[flat].tolist()

    @cached_property
    def _letters(self) -> dict[str, int]:
        """Each letter of the fuzzy aliases -> its bit in a letter-set mask (a mask is the sum
        of its distinct bits). Letters beyond LETTER_BITS share bits, and every other letter
        has OTHER_LETTER: the counts of letters missing on either side stay lower bounds."""
        out: dict[str, int] = {}
        for key in self.fuzzy_keys:
            for c in key:
                if c not in out:
                    out[c] = 1 << len(out) % LETTER_BITS
        return out

    @cached_property
    def _fuzzy_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The fuzzy aliases' letter-set masks and their complements (as rows to broadcast
        against the keys), and by key length the edits allowed against each alias: max_edits
        of the shorter one, or -1 where the lengths alone differ by more. The table of edits
        comes once for keys of one word, then once per first letter (see _first_letters)
        with -1 for the aliases that start otherwise, and last all -1 (for keys of several
        words that start as no alias does): one look-up gives each key its row."""
        masks = np.fromiter(self._alias_masks, np.uint64, len(self.fuzzy_keys))
        lengths = [len(key) for key in self.fuzzy_keys]
        budget = np.array([[max_edits(min(n, m)) if abs(n - m) <= max_edits(min(n, m)) else -1
                            for m in lengths] for n in range(self.longest + 1)], np.int8)
        tables = [budget]
        for first in self._first_letters:
            other = np.array([key[0] != first for key in self.fuzzy_keys])
            tables.append(np.where(other[None, :], np.int8(-1), budget).astype(np.int8))
        tables.append(np.full_like(budget, -1))
        return masks[None, :], ~masks[None, :], np.concatenate(tables)

    @cached_property
    def _first_letters(self) -> dict[str, tuple[int, int, int]]:
        """First letter of the fuzzy aliases -> the letter-set mask of all of them that start
        with it, their greatest length (for the bounds in _exact_candidates), and the number
        (from 1) of its table in _fuzzy_index."""
        out: dict[str, tuple[int, int, int]] = {}
        for key, key_mask in zip(self.fuzzy_keys, self._alias_masks, strict=True):
            mask, length, number = out.get(key[0], (0, 0, len(out) + 1))
            out[key[0]] = (mask | key_mask, max(length, len(key)), number)
        return out

    @cached_property
    def _alias_masks(self) -> list[int]:
        """The letter-set mask of each fuzzy alias (see _letters)."""
        letters = self._letters
        return [sum({letters[c] for c in key}) for key in self.fuzzy_keys]

    @cached_property
    def _heads(self) -> frozenset[str]:
        """The first HEAD letters (or all, if fewer) of every alias, derived name and stem: an
        n-gram key that starts otherwise has no exact, derived, inflected or cut-short hit."""
        return frozenset(k[:HEAD] for k in (*self.exact, *self.derived, *self.stems))

    @cached_property
    def _head_starts(self) -> frozenset[str]:
        """Every beginning of every head: a key shorter than HEAD letters that is none can
        grow into no head."""
        return frozenset(head[:n] for head in self._heads for n in range(1, len(head) + 1))

    def _prefix_of(self, key: str) -> str | None:
        """The one role whose aliases start with ``key`` (>= 2/3 of the alias), else None."""
        i = bisect.bisect_left(self.keys, key)
        roles: set[str] = set()
        while i < len(self.keys) and self.keys[i].startswith(key):
            if len(key) * 3 >= len(self.keys[i]) * 2:
                roles.add(self.exact[self.keys[i]])
            i += 1
        return roles.pop() if len(roles) == 1 else None

    def _stem(self, key: str) -> str | None:
        """The alias stem ``key`` starts with, followed by an inflectional ending of 1-4
        letters. The stem alone is no form of the alias: "it lead" (in "does it lead
        somewhere?") is "IT leader" cut short, not said of one."""
        for cut in range(len(key) - 1, max(5, len(key) - 5), -1):
            if key[:cut] in self.stems:
                return key[:cut]
        return None


def _resolve(candidates: list[tuple[float, RoleMatch]]) -> list[RoleMatch]:
    """Greedy: the most specific (longest, closest) candidate first, no overlapping spans."""
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
