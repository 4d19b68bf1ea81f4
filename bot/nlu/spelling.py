"""One typo in a topic word ("tjner", "salery", "prosjektleeder") read as the word meant.

The classifier sees character n-grams, so a typo in a long word costs little, but in a short
topic word it can lose the topic ("hva tjner en it prosjektleder" read as an overview). A word
our examples never use is looked up by its one-letter deletions (the SymSpell idea): it is the
known word it becomes by dropping one letter, or by adding one, or by changing one (both give
the same deletion), in the language the message is written in ("nerves" is no typo of the
Norwegian "nervøs"). Only a single candidate is taken; a word with two or more near neighbours,
a short word, or one with digits is left as it is, and so is Persian: its prefixes and
suffixes are single letters ("نداره" is the negation of "داره", not a typo of it).
"""

from __future__ import annotations

from collections.abc import Mapping

MIN_LETTERS = 5  # shorter words have too many neighbours one letter away
AMBIGUOUS = ""  # a deletion several known words share
CACHED = 4096  # unknown words whose correction is remembered


def _latin(word: str) -> bool:
    """Letters only, all of them ASCII (folded text has no diacritics left)."""
    return word.isascii() and word.isalpha()


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class Speller:
    """Corrects words one edit away from exactly one known word."""

    def __init__(self, words: Mapping[str, frozenset[str]],
                 keep: frozenset[str] = frozenset()) -> None:
        """``words``: each known word and the languages whose examples use it; ``keep``:
        words that are no typos though the examples do not use them (the words of role names,
        which the examples hold only masked: "speciālists" is not "specialistus")."""
        self.keep = keep
        self.langs = {w: langs for w, langs in words.items()
                      if _latin(w) and len(w) >= MIN_LETTERS - 1}
        self.known = frozenset(self.langs)
        self.seen: dict[tuple[str, str], str] = {}  # unknown words already corrected (bounded)
        # deletion -> the one word it comes from, or "" when several do (only a single
        # candidate is ever taken, so which ones does not matter)
        self.by_deletion: dict[str, str] = {}
        for word in self.known:
            if len(word) >= MIN_LETTERS:
                for short in _deletions(word):
                    self.by_deletion[short] = word if self.by_deletion.get(short, word) == word \
                        else AMBIGUOUS

    def __getstate__(self) -> dict[str, object]:
        """Saved (with a saved engine that has answered) without the corrections made: they
        hold words users typed, which a saved model must not."""
        state = dict(self.__dict__)
        state["seen"] = {}
        return state

    def correct(self, word: str, lang: str) -> str:
        """``word``, or the one known word of ``lang`` it is a typo of (the last answers
        remembered)."""
        if word in self.known or word in self.keep:
            return word
        done = self.seen.get((word, lang))
        if done is None:
            if len(self.seen) >= CACHED:
                self.seen.clear()
            found = self._correct(word)
            done = self.seen[word, lang] = found if lang in self.langs.get(found, ()) else word
        return done

    def _correct(self, word: str) -> str:
        if len(word) < MIN_LETTERS or not _latin(word):
            return word
        # A letter left out or one too many first; a letter changed only when neither fits.
        shorter = _deletions(word)
        found = {short for short in shorter if short in self.known}
        if word in self.by_deletion:
            found.add(self.by_deletion[word])
        if not found:
            found = {self.by_deletion[short] for short in shorter if short in self.by_deletion}
        return found.pop() if len(found) == 1 and AMBIGUOUS not in found else word

    def correct_words(self, words: list[str], lang: str) -> list[str]:
        """Every (folded) word corrected."""
        return [self.correct(word, lang) for word in words]
