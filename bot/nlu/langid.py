"""Which of our five languages a message is in, and which language to reply in.

Order of evidence: script (Arabic script means Persian), then py3langid restricted to en/no/lv,
then marker words to tell Nynorsk from Bokmål (py3langid has no usable Nynorsk model). Short
messages are not trusted; the reply-language rule of SPEC.md then falls back to the hints.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.constants import map_telegram_language
from bot.nlu.normalize import has_arabic_script
from bot.nlu.result import LangHints
from bot.nlu.saved import Key, load_or_build

LANGS: tuple[str, ...] = ("en", "nb", "nn", "lv", "fa")
VARIANTS = ("nb", "nn")  # the languages whose examples VariantModel reads (it skips the rest)


def _words(text: str) -> list[str]:
    return text.split()


# Words that only one of the two written Norwegian standards uses (normalised, casefolded).
NN_MARKERS = frozenset(
    _words(
        """ikkje kva korleis eg løn kvar dei noko mykje kven kvifor kor ein eit ho frå berre heile
    byte vere vore fekk kjem seier difor høyrer arbeidsoppgåver oppgåver tilsett tilsette treng
    jobbar tener gjer gjere sjå nokon nokre mogleg moglegheiter eigen eige eigne heime veke kvardag
    ferdigheiter sertifiseringar sertifikata eigenskapar personlege arbeidsgjevar arbeidsgjevarar
    kvalifikasjonar utdanningar arbeidsplassar verkty brukarstøtte medarbeidar leiar leiarar
    tenester teneste dykk korleis vidare vidareutdanning lærar skildring gjennomsnittleg vanleg
    vanlege daglege dagleg òg då meir sjølv framleis enno høgare kvarandre vorte verte"""
    )
)
NB_MARKERS = frozenset(
    _words(
        """ikke hva hvordan jeg lønn hvor noe mye hvem hvorfor fra bare hele være fikk kommer sier
    derfor hører arbeidsoppgaver oppgaver ansatt ansatte trenger jobber tjener gjør gjøre noen
    mulig muligheter egen eget egne hjemme uke hverdag ferdigheter sertifiseringer egenskaper
    personlige arbeidsgiver arbeidsgivere kvalifikasjoner utdannelse hvilke hvilken hvilket
    brukerstøtte medarbeider leder ledere tjenester tjeneste dere gjennomsnittlig vanlig vanlige
    daglige daglig videre videreutdanning lærer nå mer selv fortsatt høyere hverandre"""
    )
)

@dataclass(frozen=True)
class Detection:
    """The language of the text itself; ``confident`` is False for short or mixed messages."""

    lang: str | None
    confident: bool
    scores: tuple[tuple[str, float], ...] = ()
    nynorsk_marks: float = 0.0  # > 0 Nynorsk evidence, < 0 Bokmål evidence, 0 none
    variant_sure: bool = False  # marker words (not just endings) told Bokmål from Nynorsk


class CompactLangid:
    """py3langid's naive Bayes model for our languages and some others, in a fraction of the memory.

    py3langid walks a byte automaton of ~105k states x 256 (a 40 MB table) and keeps weights for
    97 languages. After reading any prefix, that automaton is in the state of the longest
    suffix that is one of its n-grams; we recover each state's n-gram once (breadth-first over
    the table, vectorised) and then find states by dict lookups of the last <= 6 bytes.
    Scores are identical to ``LanguageIdentifier.rank`` restricted to the same languages.
    """

    OURS = ("en", "no", "lv")
    # Languages we do not speak but whose Latin-script messages we should recognise as such.
    OTHERS = ("da", "sv", "de", "nl", "fr", "es", "it", "pt", "pl", "lt", "et", "fi", "tr")
    LANGS = OURS + OTHERS

    def __init__(self) -> None:
        import numpy as np
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        ident.set_languages(list(self.LANGS))
        labels = list(ident.nb_classes)
        order = [labels.index(lang) for lang in self.LANGS]
        self.table = np.ascontiguousarray(np.asarray(ident.nb_ptc, dtype=np.float32)[:, order])
        self.prior = np.asarray(ident.nb_pc, dtype=np.float32)[order]
        moves = np.frombuffer(ident.tk_nextmove, dtype=np.uint32).astype(np.int64)
        rows = np.asarray(ident.tk_row, dtype=np.int64)
        output = np.asarray(ident.tk_output, dtype=np.int64)
        del ident
        depth = np.full(len(output), -1, dtype=np.int64)
        parent = np.zeros(len(output), dtype=np.int64)
        edge = np.zeros(len(output), dtype=np.int64)
        depth[0] = 0
        frontier = np.array([0], dtype=np.int64)
        level = 0
        while len(frontier):
            nxt = moves[(rows[frontier] << 8)[:, None] + np.arange(256)[None, :]]
            f_idx, b_idx = np.nonzero(depth[nxt] == -1)
            states, first = np.unique(nxt[f_idx, b_idx], return_index=True)
            level += 1
            depth[states] = level
            parent[states] = frontier[f_idx[first]]
            edge[states] = b_idx[first]
            frontier = states
        del moves
        grams: list[bytes] = [b""] * len(output)
        for state in np.argsort(depth, kind="stable").tolist()[1:]:
            grams[state] = grams[int(parent[state])] + bytes((int(edge[state]),))
        # n-gram -> output feature (-1: a state that counts nothing but still ends the search)
        self.states: dict[bytes, int] = {
            g: int(o) for g, o in zip(grams, output.tolist(), strict=True) if g
        }
        self.depth = int(depth.max())

    def rank(self, text: str, languages: tuple[str, ...] = OURS) -> list[tuple[str, float]]:
        """(language, probability) best first among ``languages``, as py3langid's ``rank`` with
        norm_probs restricted to them (``set_languages``)."""
        import numpy as np

        scores = self._scores(text[:RANK_CHARS])
        if scores is None:
            probs = np.full(len(languages), 1.0 / len(languages))
        else:
            chosen = scores[_positions(self.LANGS, languages)]
            # the ufuncs' reduce: what .max() and .sum() call, without their Python layer
            probs = np.exp(chosen - np.maximum.reduce(chosen))
            probs /= np.add.reduce(probs)
        return sorted(zip(languages, probs.tolist(), strict=True), key=lambda kv: -kv[1])

    @lru_cache(maxsize=4096)  # noqa: B019 - one identifier per process: our languages and the
    def _scores(self, text: str) -> Any:  # foreign check rank the same text; follow-ups repeat
        """Length-normalised log scores of every language in LANGS (None: no feature)."""
        import numpy as np

        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf-8", errors="surrogatepass")
        get = self.states.get
        depth = self.depth
        features: list[int] = []
        # The n-grams are an automaton's trie, so every prefix of one is one too: the longest
        # n-gram ending at ``end`` starts no earlier than the one ending a byte before did.
        begin = 0
        for end in range(1, len(data) + 1):
            start = max(begin, end - depth)
            while start < end:
                feature = get(data[start:end])
                if feature is not None:
                    if feature >= 0:
                        features.append(feature)
                    break
                start += 1
            begin = start
        if not features:
            return None
        counts = Counter(features)  # in order of first occurrence, as counted one by one
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        vals = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        scores = np.log1p(vals) @ self.table[idx] + self.prior
        return scores * (1.0 / math.sqrt(len(data) or 1))


@lru_cache(maxsize=16)
def _positions(known: tuple[str, ...], languages: tuple[str, ...]) -> Any:
    """The index array of ``languages`` in ``known`` (made once per pair: rank runs twice
    per message)."""
    import numpy as np

    return np.array([known.index(lang) for lang in languages], dtype=np.intp)


_IDENTIFIER: CompactLangid | None = None
_LOCK = threading.Lock()


def _identifier(cache_dir: Path | None = None) -> CompactLangid:
    """The language model, loaded once per process (~1 s to derive, ~0.05 s when saved in
    ``cache_dir``) and shared by every engine."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        with _LOCK:
            if _IDENTIFIER is None:
                _IDENTIFIER = load_or_build(
                    cache_dir, "langid", Key("langid").hexdigest(), CompactLangid, CompactLangid)
                release_free_memory(collect=True)
    return _IDENTIFIER


def release_free_memory(collect: bool = False) -> None:
    """Give freed buffers back to the OS (glibc keeps them otherwise); ``collect`` runs the GC
    first (100 ms: only worth it after the one-time model load)."""
    import contextlib
    import ctypes
    import gc

    if collect:
        gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def preload(cache_dir: Path | None = None) -> None:
    """Load the language model now rather than on the first message (saved in ``cache_dir``)."""
    _identifier(cache_dir)


_LV_LETTERS = frozenset("āčēģīķļņšūž")
_NO_LETTERS = frozenset("æøå")
_FAMILY = {"en": "en", "nb": "no", "nn": "no", "lv": "lv"}


def _char_grams(word: str) -> list[str]:
    w = f" {word} "
    return [w[i : i + n] for n in (2, 3, 4) for i in range(len(w) - n + 1)]


class VariantModel:
    """Bokmål vs Nynorsk from words and word-internal character n-grams.

    Hand-picked marker words decide on their own; a naive Bayes model over the Norwegian intent
    examples adds the weaker evidence of endings ("-ar" plurals, "-leg" adjectives, ...).
    """

    def __init__(self, samples: Iterable[tuple[str, str]] = ()) -> None:
        counts: dict[str, Counter[str]] = {lang: Counter() for lang in VARIANTS}
        words: dict[str, Counter[str]] = {lang: Counter() for lang in VARIANTS}
        for text, lang in samples:
            if lang in words:
                words[lang].update(text.split())
        for lang, seen in words.items():  # each distinct word's n-grams once, times its uses
            grams = counts[lang]
            for w, n in seen.items():
                for g in _char_grams(w):
                    grams[g] += n
        # Words seen at least twice in one variant and never in the other act as markers too.
        self.nn_words = NN_MARKERS | {
            w for w, n in words["nn"].items() if n >= 2 and w not in words["nb"]
        }
        self.nb_words = NB_MARKERS | {
            w for w, n in words["nb"].items() if n >= 2 and w not in words["nn"]
        }
        self.nn_words -= NB_MARKERS
        self.nb_words -= NN_MARKERS
        self._cache: dict[str, tuple[float, int]] = {}
        vocab = set(counts["nb"]) | set(counts["nn"])
        total = {k: sum(c.values()) + 0.5 * len(vocab) for k, c in counts.items()}
        self.llr: dict[str, float] = {}
        if total["nb"] and total["nn"]:
            for g in vocab:
                nn = (counts["nn"][g] + 0.5) / total["nn"]
                nb = (counts["nb"][g] + 0.5) / total["nb"]
                self.llr[g] = math.log(nn / nb)

    def __getstate__(self) -> dict[str, object]:
        """Saved without the per-word cache (words users typed; filled while a reload saves)."""
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def score(self, words: list[str]) -> float:
        """> 0 means Nynorsk, < 0 Bokmål; each marker word counts 1 (so does a compound ending
        in one: "medianløn", "årslønn"), endings at most 0.9."""
        marks = sum((w in self.nn_words or _compound_of(w, NN_HEADS))
                    - (w in self.nb_words or _compound_of(w, NB_HEADS)) for w in words)
        if marks:
            return float(marks)
        total, count = 0.0, 0
        for w in words:
            word_total, word_count = self._endings(w)
            total += word_total
            count += word_count
        if not count:
            return 0.0
        return max(-0.9, min(0.9, total / count * 3.0))

    def _endings(self, word: str) -> tuple[float, int]:
        """The summed evidence of a word's character n-grams and their number (kept per word)."""
        known = self._cache.get(word)
        if known is None:
            grams = _char_grams(word)
            known = (sum(self.llr.get(g, 0.0) for g in grams), len(grams))
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[word] = known
        return known


# Marker words that end compounds: "timeløn", "medianløn" are Nynorsk, "årslønn" Bokmål.
NN_HEADS = ("løn", "løna", "løner")
NB_HEADS = ("lønn", "lønnen", "lønner")


def _compound_of(word: str, heads: tuple[str, ...]) -> bool:
    return word.endswith(heads) and any(  # most words end in none: one call says so
        word.endswith(h) and len(word) > len(h) + 2 for h in heads)


_DEFAULT_VARIANT = VariantModel()


def nynorsk_score(words: list[str]) -> int:
    """Marker words only: positive for Nynorsk, negative for Bokmål, 0 when they do not tell."""
    return sum((w in NN_MARKERS) - (w in NB_MARKERS) for w in words)


def detect(
    normalized: str,
    *,
    alias_langs: frozenset[str] = frozenset(),
    variant: VariantModel | None = None,
    prior: Iterable[str | None] = (),
    vocab: Sequence[frozenset[str]] = (),
    role_text: str = "",
) -> Detection:
    """Detect the language of normalised text (diacritics kept, role names removed).

    ``vocab`` holds, per word, the languages whose intent examples use it: a word only one
    language uses ("sveiki", "paldies", "takk") is evidence that langid's character statistics
    lack in a one- or two-word message. ``role_text`` is what the user wrote for the role names:
    when their aliases belong to several languages ("IT-prosjektleder" is listed for English
    speakers too), the letters of the name itself tell ("lietotāju atbalsta speciāliste").

    ``alias_langs`` are the languages whose alias lists contain the role names the user wrote
    ("brukarstøttespesialist" is only a Nynorsk alias): evidence, but weaker than the words.
    ``prior`` holds the hint languages (chat's choice, Telegram's code): they tip close calls
    such as "er comptia lurt for ..." but cannot outvote a clear text; with a hint, the role
    name's letters no longer choose between languages ("/salary ikt servicemedarbeider" from an
    English user stays English), only between Bokmål and Nynorsk.
    """
    model = variant or _DEFAULT_VARIANT
    letters = sum(map(str.isalpha, normalized))
    if has_arabic_script(normalized):
        # None of our other languages uses Arabic script; Persian users mix in English terms
        # ("DevOps engineer شدن سخته؟"), so a few Persian letters decide.
        arabic = sum("\u0600" <= c <= "\u06ff" for c in normalized)
        return Detection("fa", arabic >= MIN_PERSIAN_LETTERS, (("fa", 1.0),))
    families = {_FAMILY[x] for x in alias_langs if x in _FAMILY}
    hinted = any(x for x in prior)
    prior = [x for x in prior if x]
    if len(families) > 1 and role_text and letters < MIN_LETTERS and not hinted:
        named, p_named = _identifier().rank(role_text)[0]
        if named in families and named != "en" and p_named >= MIN_PROB:
            families = {named}
            alias_langs = frozenset(x for x in alias_langs if _FAMILY.get(x) == named)
    if letters == 0:
        if alias_langs == {"fa"}:
            return Detection("fa", True, (("fa", 1.0),))
        if len(families) == 1 and families != {"en"}:
            if "no" in families:
                nynorsk = alias_langs == {"nn"} or (
                    "nn" in alias_langs and model.score(role_text.split()) >= 0.5)
                lang = "nn" if nynorsk else "nb"
            else:
                lang = "lv"
            return Detection(lang, True, ((lang, 1.0),))
        return Detection(None, False)
    words = normalized.split()
    logit = {lang: math.log(max(p, 1e-6)) for lang, p in _identifier().rank(normalized)}
    chars = set(normalized)
    strong = 0.0
    if chars & _LV_LETTERS:
        logit["lv"] += 4.0
        strong += 1
    if chars & _NO_LETTERS:
        logit["no"] += 4.0
        strong += 1
    # Endings alone are weak evidence in a message of one or two words ("hei" is no Nynorsk);
    # marker words count at any length, and so do the endings of the role name the user wrote
    # ("it-prosjektleiar", "brukarstøtte").
    marks = model.score(words)
    if abs(marks) < 1 and len(words) < MIN_VARIANT_WORDS:
        marks = 0.0
    if abs(marks) < 1 and role_text:
        marks += model.score(role_text.split())
    if abs(marks) >= 1:
        logit["no"] += 2.0 * min(abs(marks), 2.0)
        strong += 1
    for hint in {_FAMILY.get(x or "") for x in prior} - {None}:
        logit[str(hint)] += PRIOR_WEIGHT
    votes = vocabulary_votes(vocab)
    other = max((n for f, n in votes.items() if f != "en"), default=0)
    if len(votes) > 1 and (other >= 2 or other >= votes.get("en", 0)):
        # English words amid Norwegian or Latvian ones are loanwords ("vai service desk
        # managerim vajag certification?"), unless they outnumber a lone foreign word ("tell
        # me about helpdesk salary and skills in Norge" stays English).
        votes.pop("en", None)
    if len(votes) == 1:
        ((family, n),) = votes.items()
        logit[family] += VOCAB_WEIGHT * min(n, 3)
        strong += 1
        known = [{_FAMILY.get(x) for x in langs} for langs in vocab if langs]
        if family != "en" and len(words) <= UNANIMOUS_WORDS and all(family in f for f in known):
            # A short message whose every known word is used by Norwegian (Latvian) examples
            # ("jobbintervju tips?"): our vocabulary knows better than letter statistics
            # trained on long text, which lean to English.
            logit[family] += UNANIMOUS_WEIGHT
    if len(families) == 1:
        (family,) = families
        logit[family] += 1.5 if family != "en" else 0.5
        if family != "en":
            # With few other words ("cik pelna helpdesk speciālists") the role name's language
            # is the best evidence there is; in a long sentence the words decide.
            strong += 1.0 if letters < MIN_LETTERS else 0.5
            known = [{_FAMILY.get(x) for x in langs} for langs in vocab if langs]
            if len(words) <= ROLE_LED_WORDS and all(family in f for f in known):
                # "prosjektleiar arbeidsstad": a Nynorsk role name and a word our examples do
                # not contradict; letter statistics of one short word lean to English.
                logit[family] += UNANIMOUS_WEIGHT
                strong += 1
    if "nn" in alias_langs and "nb" not in alias_langs:
        marks += 0.5
    elif "nb" in alias_langs and "nn" not in alias_langs:
        marks -= 0.5
    top = max(logit.values())
    z = sum(math.exp(v - top) for v in logit.values())
    probs = {k: math.exp(v - top) / z for k, v in logit.items()}
    best = max(probs, key=lambda k: probs[k])
    p = probs[best]
    lang = ("nn" if marks >= 0.5 else "nb") if best == "no" else best
    # Short text: langid is unreliable, so only strong evidence (letters, markers) counts.
    long_enough = letters >= MIN_LETTERS and len(words) >= 2
    confident = p >= MIN_PROB and (long_enough or strong >= 1)
    scores = tuple(sorted(probs.items(), key=lambda kv: -kv[1]))
    return Detection(lang, confident, scores, marks, variant_sure=abs(marks) >= 1)


PRIOR_WEIGHT = 0.5  # tuned on intents/ with right and wrong hints: more only hurt
VOCAB_WEIGHT = 2.5
UNANIMOUS_WORDS = 4  # up to this many words, a unanimous vocabulary outweighs letter statistics
UNANIMOUS_WEIGHT = 4.0
ROLE_LED_WORDS = 2  # up to this many words besides a role name of one language, it leads


def vocabulary_votes(vocab: Sequence[frozenset[str]]) -> dict[str, int]:
    """Per language family (en, no, lv), how many words only that family's examples use."""
    votes: Counter[str] = Counter()
    for langs in vocab:
        families = {_FAMILY.get(x) for x in langs}
        if len(families) == 1 and None not in families:
            votes[str(next(iter(families)))] += 1
    return dict(votes)


# Scripts that are none of ours: the message is in a language we do not speak.
_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0400, 0x04FF, "ru"), (0x0370, 0x03FF, "el"), (0x0590, 0x05FF, "he"),
    (0x0900, 0x097F, "hi"), (0x0E00, 0x0E7F, "th"), (0x10A0, 0x10FF, "ka"),
    (0x0530, 0x058F, "hy"), (0x3040, 0x30FF, "ja"), (0xAC00, 0xD7AF, "ko"),
    (0x4E00, 0x9FFF, "zh"),
)
_UKRAINIAN = frozenset("іїєґ")
FOREIGN_MIN_PROB = 0.9
FOREIGN_MIN_LETTERS = 5


# Letters Persian keyboards type and Arabic lacks, and the zero-width non-joiner only Persian uses.
_PERSIAN_ONLY = frozenset("پچژگکی\u200c")
_ARABIC_ONLY = frozenset("ة")  # teh marbuta (alef maksura also ends Persian words in old text)
# Arabic function words Persian does not use (Persian typed on an Arabic keyboard has ي and ك,
# so those letters alone prove nothing).
_ARABIC_WORDS = frozenset(_words("هي هو هل ماذا كيف لماذا الذي التي إلى الى على عن ليس يكسب يعمل في"
                                 " ما كم راتب"))
# Persian function words an Arabic sentence does not have: typed on an Arabic keyboard
# ("البته حقوق يك متخصص ... در لتوني خوب است؟") the text is still Persian.
_PERSIAN_WORDS = frozenset(_words("است در را که كه برای براي چه این اين آن هست می مي نمی نمي یک يك"
                                  " هم با از تو"))


def is_arabic(raw: str) -> bool:
    """Arabic rather than Persian: Arabic script with none of the letters a Persian keyboard
    types (پ چ ژ گ, Persian kaf and yeh, the zero-width non-joiner), no Persian function word,
    and two Arabic marks (Arabic function words, teh marbuta, words with the article "ال").
    Read on the raw text: normalising maps Arabic letters to Persian ones."""
    if set(raw) & _PERSIAN_ONLY or not has_arabic_script(raw):
        return False
    words = raw.replace("؟", " ").replace("?", " ").replace("،", " ").split()
    if any(word in _PERSIAN_WORDS for word in words):
        return False
    marks = sum(1 for word in words if word in _ARABIC_WORDS)
    marks += sum(c in _ARABIC_ONLY for c in raw)
    marks += sum(1 for word in words if word.startswith(("ال", "لل")) and len(word) > 4)
    return marks >= 2


def _other_script(letters: list[str]) -> str | None:
    """The language of a script none of ours uses, when at least half the letters are in it."""
    for lo, hi, code in _SCRIPTS:
        if sum(1 for c in letters if lo <= ord(c) <= hi) * 2 >= len(letters):
            return code
    return None


def foreign_language(
    normalized: str, detection: Detection, vocab: Sequence[frozenset[str]] = ()
) -> str | None:
    """The ISO code of a language we do not speak, or None when the text is (maybe) ours.

    Another script decides at once (Cyrillic is Russian, or Ukrainian by its own letters). In
    Latin script py3langid ranks a wider set of languages; a confident other language counts
    only when our examples' vocabulary does not claim the words ("cik" is Latvian even if the
    letters look Lithuanian).
    """
    letters = [c for c in normalized if c.isalpha()]
    if not letters:
        return None
    script = _other_script(letters) if max(letters) >= "\u0370" else None
    if script is not None:
        return "uk" if script == "ru" and _UKRAINIAN & set(normalized) else script
    if detection.lang == "fa" or len(letters) < FOREIGN_MIN_LETTERS:
        return None
    # Short function words ("was", "in", "ein", "man") are shared by the Germanic languages:
    # only longer words our examples use claim a message for us.
    words = normalized.split()
    ours = sum(1 for word, langs in zip(words, vocab, strict=False)
               if langs and len(word) > SHARED_WORD_LETTERS)
    if ours * 2 >= max(len(vocab), 1):
        return None
    best, p = _identifier().rank(normalized, CompactLangid.LANGS)[0]
    if best in CompactLangid.OURS or p < (FOREIGN_MIN_PROB if ours else FOREIGN_UNCLAIMED_PROB):
        return None
    return best
MIN_LETTERS = 10
SHARED_WORD_LETTERS = 3  # words this short do not tell Germanic languages apart
FOREIGN_UNCLAIMED_PROB = 0.8  # enough for another language when none of its words is ours
RANK_CHARS = 300  # language id reads at most this much of a message (it is decided by then)
MIN_PERSIAN_LETTERS = 3
MIN_VARIANT_WORDS = 3
MIN_PROB = 0.9


def reply_language(detection: Detection, hints: LangHints | None) -> tuple[str, bool]:
    """SPEC.md rule: confident detection, else chat's choice, else Telegram's code, else en.

    Norwegian text whose variant the words do not reveal follows a Norwegian hint (nb or nn).
    """
    chat = hints.chat if hints and hints.chat in LANGS else None
    telegram = map_telegram_language(hints.telegram) if hints else None
    if detection.confident and detection.lang:
        lang = detection.lang
        if lang in ("nb", "nn") and not detection.variant_sure:
            for hint in (chat, telegram):
                if hint in ("nb", "nn"):
                    return hint, True
        return lang, True
    for hint in (chat, telegram):
        if hint:
            return hint, False
    return "en", False
