"""The understanding engine: text (+ language hints) -> :class:`~bot.nlu.result.Parse`.

Pipeline, each step a method below:

1. words: normalise; Persian typed in Latin letters (Finglish) is read word by word into
   Persian script first;
2. mentions: roles (typo-tolerant aliases), and jobs we do not cover (the occupation lexicon;
   a longer job title wins over a role alias inside it: "sales specialist");
3. language: of the words that are not role names, with the vocabulary of our own examples as
   evidence for short messages; a language we do not speak is reported as ``foreign``;
4. signals: pay dimensions, country, details asked about, and the follow-up, correction and
   all-roles markers, from the lexicons of the languages in play;
5. intent: the classifier on the role-masked text; in a long message the sentence that asks
   carries the intent, not the context around it;
6. rules that combine them (two roles mean compare, a role alone means overview, an unknown job
   means out of scope, a detail question decides its topic, ...).

The engine is immutable; a content reload builds a new one.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot.constants import INTENTS, LANGUAGES, TOPIC_INTENTS, map_telegram_language
from bot.nlu.classifier import OUT_OF_SCOPE, Decision, IntentClassifier
from bot.nlu.data import AliasSource, Example, load_intents
from bot.nlu.langid import (
    VariantModel,
    detect,
    foreign_language,
    preload,
    release_free_memory,
    reply_language,
)
from bot.nlu.lexicon import MARKERS, Hit, Lexicons, PhraseIndex, load_lexicons, longest
from bot.nlu.normalize import fold, has_arabic_script, normalize
from bot.nlu.result import Alternative, LangHints, Parse, PaySlice
from bot.nlu.roles import RoleMatch, RoleMatcher, distinct_roles, mask
from bot.problems import ContentError

N_ALTERNATIVES = 3
# Words that carry no request on their own: "the it project manager?" is still a bare role name,
# and so is "and for an IT project manager?" once its opener is recognised as a follow-up.
FILLER = frozenset([
    "a", "an", "the", "about", "on", "of", "for", "to", "is", "it", "its", "please", "then", "so",
    "ok", "okay", "hmm", "guy", "guys", "person", "people", "one", "job", "role", "position",
    "sorry", "oops", "no", "nope", "nei", "ne", "ja", "yes", "unnskyld", "beklager", "orsak",
    "atvaino", "piedod", "ببخشید", "ببخشيد", "نه",
    "om", "en", "ein", "ei", "et", "eit", "til", "da", "sa", "og", "jobb", "jobben", "rolle",
    "rollen", "rolla", "stilling", "stillingen", "yrke", "yrket",  # nb, nn (folded)
    "par", "un", "ar", "uz",  # lv
    "در", "مورد", "درباره", "برای", "از", "به", "را", "و", "چطور", "چطوره", "چی",  # fa
])
# Filler words that, opening a message, make it continue the last one: "and for an X?".
OPENING_FILLER = frozenset(["and", "for", "about", "og", "for", "om", "un", "par", "و", "برای",
                            "درباره"])
# Words that make a role title an IT one ("IT project manager" in construction is still ours).
IT_WORDS = frozenset([
    "it", "ikt", "ict", "itsm", "itil", "helpdesk", "help", "desk", "servicedesk", "support",
    "tech", "teknisk", "brukerstotte", "brukarstotte", "lietotaju", "atbalsta", "atbalsts",
    "پشتیبانی", "فناوری", "اطلاعات", "هلپ", "دسک", "فنی", "آی", "تی", "فاوا",
])
# Words that name a reply language, in every language we speak (folded).
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "engelsk", "anglu", "angliski", "انگلیسی"),
    "nb": ("bokmal", "norsk", "norwegian", "norvegu", "norvegiski", "نروژی"),
    "nn": ("nynorsk", "ny norsk", "landsmal"),
    "lv": ("latvian", "latvisk", "latviesu", "latviski", "lettisk", "لتونیایی", "لتونی"),
    "fa": ("persian", "farsi", "persisk", "persiesu", "persiski", "فارسی", "پارسی"),
}
# Longer names first: "nynorsk" must win over "norsk".
_NAMES_LONGEST_FIRST = sorted(
    ((name, lang) for lang, names in LANGUAGE_NAMES.items() for name in names),
    key=lambda pair: -len(pair[0]),
)
# A detail cue decides the topic when the classifier gives the detail's topic at least
# ASPECT_MIN_PROB; a cue of several words ("before tax") also when the classifier is less sure
# than ASPECT_OVERRULE of another topic.
ASPECT_MIN_PROB = 0.02
ASPECT_OVERRULE = 0.95
# Long messages: the question sentence's probabilities weigh this much against the whole's.
QUESTION_WEIGHT = 0.7
LONG_MESSAGE_WORDS = 10
FINGLISH_MAX_WORDS = 4  # the longest fixed expression in the Finglish lexicon
COMPOUND_HEAD = 7  # letters of a job name that ends a compound word
COMPARE_TOPIC_MIN = 0.3  # a comparison is about a topic the classifier gives this much
# A message this long that asks about a detail is about the job, not a language request.
LONG_LANGUAGE = 6
_SENTENCE_END = re.compile(r"(?<=[.!?؟;])\s+|\n+")


@dataclass(frozen=True)
class _Words:
    """The message as word lists: normalised (diacritics kept) and folded, with sentences."""

    norm: list[str]
    folded: list[str]
    sentences: list[tuple[int, int, bool]]  # (start, end, asks a question: ends with "?")
    finglish: bool
    roles: list[RoleMatch] | None  # role mentions, when already found (not after Finglish)


class Engine:
    """Parses messages; build one with :func:`build_engine`."""

    def __init__(
        self,
        classifier: IntentClassifier,
        matcher: RoleMatcher,
        variant: VariantModel,
        lexicons: Lexicons | None = None,
        vocabulary: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.classifier = classifier
        self.matcher = matcher
        self.variant = variant
        self.lexicons = lexicons or Lexicons()
        self.vocabulary = vocabulary or {}
        self.build_seconds = 0.0

    # ------------------------------------------------------------------ entry points

    def mask_text(self, text: str) -> str:
        """The folded text with role mentions replaced by a placeholder (what the model sees)."""
        words = self._words(text).folded
        return " ".join(mask(words, self.matcher.find(words)))

    def named_language(self, text: str) -> str | None:
        """One of our languages that ``text`` names ("på nynorsk", "in Persian"), else None."""
        return _named_language(self._words(text).folded)

    def parse(self, text: str, hints: LangHints | None = None) -> Parse:
        """Language, intent, role(s), details and dialogue signals of one message."""
        w = self._words(text)
        matches, occupation = self._mentions(w)
        roles = distinct_roles(matches)
        role = roles[0] if roles else None
        in_role = {i for m in matches for i in range(m.start, m.end)}
        lang, confident, foreign = self._language(w, matches, in_role, hints)
        masked = mask(w.folded, matches)
        signals = self._signals(w, in_role, lang if confident else None)
        content = [
            x for i, x in enumerate(w.folded)
            if i not in in_role and x not in FILLER and i not in signals.dialogue_words
        ]
        base = Parse(
            text, lang, confident, OUT_OF_SCOPE, role, roles, 1.0, (), False,
            masked=" ".join(masked), pay=signals.pay, country=signals.country,
            occupation=occupation if not roles else None,
            follow_up=signals.follow_up, correction=signals.correction,
            all_roles=signals.all_roles and not roles, foreign=foreign, finglish=w.finglish,
            role_only=bool(roles) and not content,
            named_language=_named_language(w.folded),
            broad=signals.broad,
        )

        def rule(intent: str, **changes: object) -> Parse:
            return _replace(base, intent=intent, **changes)

        if (len(roles) >= 2 or (roles and signals.compare)) and not signals.all_roles:
            return rule("compare", about=self._compared_on(masked, signals))
        if roles and not content:
            return rule("overview")
        if base.occupation is not None:
            return rule(OUT_OF_SCOPE)
        if not w.folded:
            return rule(OUT_OF_SCOPE, confidence=0.0)
        probs = self._probabilities(w, masked, matches)
        if signals.all_roles and not roles and len(signals.scope_words) < len(masked):
            # "which of them needs the least schooling?": the words besides "which of them"
            # name the topic; the marker itself looks like a question about the role list.
            rest = [x for i, x in enumerate(masked) if i not in signals.scope_words]
            reduced = self.classifier.probabilities(" ".join(rest))
            if self.classifier.labels[int(np.argmax(reduced))] in TOPIC_INTENTS:
                probs = reduced
        decision = self.classifier.decide_probs(probs)
        return self._decide(base, decision, probs, signals, bool(roles))

    # ------------------------------------------------------------------ steps

    def _words(self, text: str) -> _Words:
        """Normalised and folded words; Finglish read into Persian script; sentence spans."""
        raw_sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
        norm: list[str] = []
        sentences: list[tuple[int, int, bool]] = []
        for raw in raw_sentences or [text]:
            part = normalize(raw).split()
            if part:
                asks = raw.rstrip().endswith(("?", "؟"))
                sentences.append((len(norm), len(norm) + len(part), asks))
                norm.extend(part)
        folded_words = [fold(x) or x for x in norm]
        roles = self.matcher.find(folded_words)
        spans = self._finglish(norm, {i for m in roles for i in range(m.start, m.end)})
        if spans is None:
            return _Words(norm, folded_words, sentences, False, roles)
        # Read the Finglish words as Persian; role names typed in Latin letters stay as they
        # are. Word counts change, so the sentence spans are re-derived.
        replaced = {start: (end, persian) for start, end, persian in spans}
        out: list[str] = []
        new_sentences: list[tuple[int, int, bool]] = []
        for start, end, asks in sentences:
            first = len(out)
            i = start
            while i < end:
                if i in replaced:
                    stop, persian = replaced[i]
                    out.extend(persian)
                    i = stop
                else:
                    out.append(norm[i])
                    i += 1
            new_sentences.append((first, len(out), asks))
        return _Words(out, [fold(x) or x for x in out], new_sentences, True, None)

    def _finglish(self, norm: list[str], in_role: set[int]
                  ) -> list[tuple[int, int, list[str]]] | None:
        """The spans of a Latin-letter message to read as Persian, or None: not Finglish.

        Finglish phrases are matched longest first. The message is Finglish when they cover at
        least one word, more words than our other languages' examples use, and no fewer than the
        unknown words (role names do not count).
        """
        table = self.lexicons.finglish
        if not table or has_arabic_script(" ".join(norm)):
            return None
        spans: list[tuple[int, int, list[str]]] = []
        known = other = unknown = 0
        i = 0
        while i < len(norm):
            if i in in_role:
                i += 1
                continue
            if not norm[i].isascii():  # "māki", "lønn": Latin letters Finglish never uses
                other += any(c.isalpha() for c in norm[i]) and not has_arabic_script(norm[i])
                i += 1
                continue
            for size in range(min(FINGLISH_MAX_WORDS, len(norm) - i), 0, -1):
                if any(j in in_role for j in range(i, i + size)):
                    continue
                persian = table.get(" ".join(norm[i:i + size]))
                if persian is not None:
                    spans.append((i, i + size, normalize(persian).split()))
                    known += size
                    i += size
                    break
            else:
                word = norm[i]
                if self.vocabulary.get(word, frozenset()) - {"fa"}:
                    other += 1
                elif any(c.isalpha() for c in word):
                    unknown += 1
                i += 1
        if not known or known <= other or known < unknown:
            return None
        return spans

    def _mentions(self, w: _Words) -> tuple[list[RoleMatch], str | None]:
        """Role mentions, and a job we do not cover (which wins over a shorter role alias)."""
        matches = w.roles if w.roles is not None else self.matcher.find(w.folded)
        jobs = longest([j for j in self.lexicons.occupations.find(w.folded)
                        if not self._ordinary_word(j, w.folded)] + self._compound_jobs(w.folded))
        if not jobs:
            return self._generic_titles_in_other_fields(w, matches)
        kept: list[RoleMatch] = []
        occupation: Hit | None = None
        for m in matches:
            # A longer job title, or one as long as a role name matched only loosely (an
            # inflection or a typo), is the job: "کارشناس فروش" is a sales specialist.
            cover = next((j for j in jobs if j.start <= m.start and m.end <= j.end and (
                j.size > m.end - m.start or m.score < 100)), None)
            if cover is None:
                kept.append(m)
            else:
                occupation = occupation or cover
        if occupation is None:
            in_role = {i for m in kept for i in range(m.start, m.end)}
            free = [j for j in jobs if not set(range(j.start, j.end)) & in_role]
            occupation = free[0] if free else None
        if occupation is None:
            return kept, None
        return kept, " ".join(w.norm[occupation.start:occupation.end])

    def _generic_titles_in_other_fields(
        self, w: _Words, matches: list[RoleMatch]
    ) -> tuple[list[RoleMatch], str | None]:
        """"prosjektleder i byggebransjen", "service manager at a car garage": a title with no IT
        word in it, next to a trade that is not IT, is another job."""
        fields = self.lexicons.fields.find(w.folded)
        if not fields or not matches:
            return matches, None
        kept: list[RoleMatch] = []
        job: str | None = None
        for m in matches:
            if any(x in IT_WORDS for x in w.folded[m.start:m.end]):
                kept.append(m)
                continue
            near = min(fields, key=lambda f: abs(f.start - m.start))
            start, end = min(m.start, near.start), max(m.end, near.end)
            job = job or " ".join(w.norm[start:end] if end - start <= 6 else w.norm[m.start:m.end])
        return kept, job

    def _ordinary_word(self, job: Hit, words: list[str]) -> bool:
        """A one-word job of one language that our examples use as an ordinary word of
        another: Norwegian "programmer" are programs, not programmers."""
        if job.size != 1:
            return False
        langs = self.vocabulary.get(words[job.start], frozenset())
        return bool(langs) and job.term.lang not in langs

    def _compared_on(self, masked: list[str], signals: _Signals) -> str | None:
        """The topic a comparison is about ("how do their duties compare?"), if it names one."""
        if signals.aspects:
            return signals.aspects[0].split(".", 1)[0]
        probs = self.classifier.probabilities(" ".join(masked))
        ranked = sorted(zip(self.classifier.labels, probs.tolist(), strict=True),
                        key=lambda pair: -pair[1])
        return next((name for name, p in ranked if name in TOPIC_INTENTS and name != "overview"
                     and p >= COMPARE_TOPIC_MIN), None)

    def _compound_jobs(self, words: list[str]) -> list[Hit]:
        """Norwegian and Latvian glue words together: "cybersikkerhetsanalytiker" ends with a
        listed job ("analytiker"), so it is a job too (the head is at least COMPOUND_HEAD
        letters, so "sjef" alone does not make every "-sjef" one)."""
        heads = self.lexicons.job_heads
        hits: list[Hit] = []
        for i, word in enumerate(words):
            for cut in range(2, len(word) - COMPOUND_HEAD + 1):
                term = heads.get(word[cut:])
                if term is not None:
                    hits.append(Hit(term, i, i + 1))
                    break
        return hits

    def _language(
        self, w: _Words, matches: list[RoleMatch], in_role: set[int], hints: LangHints | None
    ) -> tuple[str, bool, str | None]:
        """Reply language, whether the text itself decided it, and a foreign language's code."""
        if w.finglish or has_arabic_script(" ".join(w.norm)):
            # Only Persian among our languages uses Arabic script, also in a role name:
            # "skills مدیر خدمات IT" is a Persian user's question.
            return "fa", True, None
        rest = [x for i, x in enumerate(w.norm) if i not in in_role]
        alias_langs = frozenset().union(*(m.langs for m in matches)) if matches else frozenset()
        prior = (hints.chat, map_telegram_language(hints.telegram)) if hints else ()
        vocab = [self.vocabulary.get(fold(x) or x, frozenset()) for x in rest]
        # The letters of the role name itself count only when nothing else hints at the
        # language: "/salary ikt servicemedarbeider" from an English user stays English.
        hinted = hints is not None and bool(hints.chat or map_telegram_language(hints.telegram))
        named = "" if hinted else " ".join(x for i, x in enumerate(w.norm) if i in in_role)
        detection = detect(
            " ".join(rest), alias_langs=alias_langs, variant=self.variant, prior=prior,
            vocab=vocab, role_text=named,
        )
        foreign = foreign_language(" ".join(rest), detection, vocab)
        if foreign in ("sv", "da"):
            # Swedes and Danes read Norwegian: answer in Bokmål.
            return "nb", True, None
        if foreign is not None:
            return map_telegram_language(hints.telegram if hints else None) or "en", False, foreign
        lang, confident = reply_language(detection, hints)
        return lang, confident, None

    def _signals(self, w: _Words, in_role: set[int], lang: str | None) -> _Signals:
        """Pay dimensions, country, detail and dialogue markers named outside role mentions."""
        langs = _lexicon_languages(lang)
        hits: list[Hit] = []
        for index in self.lexicons.index("slots", langs):
            hits += index.find(w.folded)
        chosen = longest(hits, in_role)
        slots: dict[str, str] = {}
        markers: dict[str, list[Hit]] = defaultdict(list)
        for hit in chosen:
            category = hit.term.category
            if category in MARKERS:
                markers[category].append(hit)
            else:
                slots.setdefault(category, hit.term.value)
        overtime = slots.get("overtime")
        pay = PaySlice(
            sector=slots.get("sector"), hours=slots.get("hours"), gender=slots.get("gender"),
            stat=slots.get("stat"), period=slots.get("period"),
            overtime=None if overtime is None else overtime == "with",
        )
        # A follow-up opener counts at the start (after filler words: "ok so and for ..."),
        # or as the last word ("برای مدیر پروژه چطور؟": "and for the project manager?").
        lead = next((i for i, x in enumerate(w.folded) if x not in FILLER and i not in in_role),
                    len(w.folded))
        follow_up = any(h.start <= lead or h.end == len(w.folded) for h in markers["follow_up"]) \
            or (bool(w.folded) and w.folded[0] in OPENING_FILLER)
        correction = any(h.start <= 3 for h in markers["correction"])
        dialogue = {i for h in markers["follow_up"] + markers["correction"] if
                    h.start <= lead or h.end == len(w.folded) or h.term.category == "correction"
                    for i in range(h.start, h.end)}
        details: list[Hit] = []
        for index in self.lexicons.index("details", langs):
            details += index.find(w.folded)
        aspects = longest(details, in_role)
        genders = {h.term.value for h in chosen if h.term.category == "gender"}
        if len(genders) == 1:
            # "what do women earn?" asks for a cell, not the gap between women and men.
            gender_words = {i for h in chosen if h.term.category == "gender"
                            for i in range(h.start, h.end)}
            aspects = [h for h in aspects if h.term.value != "salary.gender_gap"
                       or not set(range(h.start, h.end)) & gender_words]
        return _Signals(
            pay=pay,
            country=slots.get("country"),
            follow_up=follow_up,
            correction=correction,
            all_roles=bool(markers["all_roles"]),
            language_change=bool(markers["language_change"]),
            questions=tuple(h.start for h in markers["question"]),
            aspects=tuple(h.term.value for h in sorted(aspects, key=lambda h: -h.size)),
            strong_aspects=frozenset(h.term.value for h in aspects if h.size > 1),
            dialogue_words=frozenset(dialogue),
            scope_words=frozenset(i for h in markers["all_roles"] for i in range(h.start, h.end)),
            broad=bool(markers["broad"]),
            compare=bool(markers["compare"]),
            headcount=bool(markers["headcount"]),
        )

    def _probabilities(
        self, w: _Words, masked: list[str], matches: list[RoleMatch]
    ) -> np.ndarray:
        """Intent probabilities; a long message leans on its (last) question sentence."""
        probs = self.classifier.probabilities(" ".join(masked))
        if len(w.sentences) < 2 or len(w.folded) < LONG_MESSAGE_WORDS:
            return probs
        asking = [s for s in w.sentences if s[2]] or [w.sentences[-1]]
        start, end, _ = asking[-1]
        if end - start == len(w.folded):
            return probs
        part = self.classifier.probabilities(" ".join(_mask_span(w.folded, matches, start, end)))
        if self.classifier.labels[int(np.argmax(part))] not in TOPIC_INTENTS:
            # "Can you explain it in simple words?": the question names no topic, the context
            # around it does.
            return probs
        out: np.ndarray = QUESTION_WEIGHT * part + (1 - QUESTION_WEIGHT) * probs
        return out

    def _decide(
        self, base: Parse, decision: Decision, probs: np.ndarray, signals: _Signals,
        named_role: bool,
    ) -> Parse:
        """Combine the classifier's decision with the lexicon signals."""
        prob = dict(zip(self.classifier.labels, probs.tolist(), strict=True))
        intent, confidence = decision.intent, decision.score
        ranked = [(n, p) for n, p in decision.ranked if n != OUT_OF_SCOPE]
        if intent == OUT_OF_SCOPE:
            if named_role and decision.ranked[0][0] != OUT_OF_SCOPE:
                # A named role puts the question in scope: only the out_of_scope class itself
                # (e.g. "fix my printer, I am a helpdesk specialist") may refuse it.
                intent = decision.top_intent
            else:
                confidence = max(prob.get(OUT_OF_SCOPE, 0.0), 1.0 - confidence)
        if intent == "language" and not signals.language_change and (
                named_role or (signals.aspects and len(base.masked.split()) >= LONG_LANGUAGE)):
            # "I don't speak English well - is that a problem for this job?" asks about the job.
            intent, confidence = next(((n, p) for n, p in ranked if n in TOPIC_INTENTS),
                                      (intent, confidence))
        if signals.all_roles and intent not in TOPIC_INTENTS:
            # "which of these jobs pays best?": a topic across all roles, not the role list.
            topic = next((n for n, p in ranked if n in TOPIC_INTENTS and p >= 0.05),
                         "salary" if base.pay else None)
            if topic is not None:
                intent, confidence = topic, prob.get(topic, confidence)
        aspect = None
        for candidate in signals.aspects:
            topic = candidate.split(".", 1)[0]
            if intent == "salary" and base.pay and topic != "salary":
                continue  # "what would I earn per month working full-time?" asks the pay
            if intent == topic or (intent in TOPIC_INTENTS and (
                    prob.get(topic, 0.0) >= ASPECT_MIN_PROB
                    or (candidate in signals.strong_aspects and confidence < ASPECT_OVERRULE)
            )) or (intent == OUT_OF_SCOPE and (named_role or prob.get(OUT_OF_SCOPE, 0.0) < 0.5)):
                aspect, intent = candidate, topic
                confidence = max(confidence, prob.get(topic, 0.0))
                break
        if aspect is None and base.pay and (signals.headcount or (intent == OUT_OF_SCOPE and (
                named_role or prob.get(OUT_OF_SCOPE, 0.0) < 0.5))):
            # "how many work part-time?" reads the pay table's head-counts.
            intent, confidence = "salary", prob.get("salary", confidence)
        if aspect is None and intent == OUT_OF_SCOPE and signals.aspects:
            # Out of scope on its own, but it names a detail: in a conversation about a role
            # the dialogue may take it as a question about that detail ("how often is it
            # updated?"), so the detail is reported with the refusal.
            aspect = signals.aspects[0]
        alternatives = tuple(
            Alternative(name, base.role, p) for name, p in ranked if name != intent
        )[:N_ALTERNATIVES]
        ambiguous = decision.ambiguous and intent == decision.intent and aspect is None
        return _replace(base, intent=intent, confidence=confidence, alternatives=alternatives,
                        ambiguous=ambiguous, aspect=aspect)


@dataclass(frozen=True)
class _Signals:
    pay: PaySlice
    country: str | None
    follow_up: bool
    correction: bool
    all_roles: bool
    language_change: bool
    questions: tuple[int, ...]
    aspects: tuple[str, ...]  # best first
    strong_aspects: frozenset[str]  # found by a phrase of several words ("before tax")
    dialogue_words: frozenset[int]  # words of follow-up / correction markers
    scope_words: frozenset[int]  # words of all-roles markers ("which of them")
    broad: bool  # "tell me about ...": the whole page
    compare: bool  # "compared with", "vs"
    headcount: bool  # "how many people"


def _replace(parse: Parse, **changes: object) -> Parse:
    return replace(parse, **changes)  # type: ignore[arg-type]


def _mask_span(words: list[str], matches: list[RoleMatch], start: int, end: int) -> list[str]:
    """The masked words of words ``start``..``end`` (a sentence of the message)."""
    inner = [replace(m, start=m.start - start, end=m.end - start)
             for m in matches if start <= m.start and m.end <= end]
    return mask(words[start:end], inner)


def _named_language(words: list[str]) -> str | None:
    padded = f" {' '.join(words)} "
    return next((lang for name, lang in _NAMES_LONGEST_FIRST if f" {name} " in padded), None)


def _lexicon_languages(lang: str | None) -> tuple[str, ...]:
    """Whose lexicons apply: the message's language and English (mixed in everywhere);
    both Norwegian standards together; every language when the language is not known."""
    if lang is None:
        return LANGUAGES
    if lang in ("nb", "nn"):
        return ("nb", "nn", "en")
    return (lang, "en") if lang != "en" else ("en",)


# The parts of the last build, reused when a reload did not change them (most reloads change
# role texts, not aliases or intents). One entry each, so memory does not grow.
_LAST_MATCHER: tuple[str, RoleMatcher] | None = None
_LAST_MODEL: tuple[str, IntentClassifier, VariantModel] | None = None


def clear_build_cache() -> None:
    """Forget the previous build (benchmarks use it to time a build from scratch)."""
    global _LAST_MATCHER, _LAST_MODEL
    _LAST_MATCHER = _LAST_MODEL = None


def _digest(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


VOCABULARY_SHARE = 0.15  # a language using a word less often than this is noise (a loanword)


def vocabulary_of(samples: Sequence[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Folded word -> the languages whose examples use it, leaving out languages that account
    for less than VOCABULARY_SHARE of its uses ("hei" is Norwegian though a Latvian example
    has it once)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for text, lang in samples:
        for word in set(text.split()):
            folded_word = fold(word) or word
            if folded_word.isdigit() or len(folded_word) < 2:
                continue
            seen[folded_word][lang] += 1
    out: dict[str, frozenset[str]] = {}
    for word, langs in seen.items():
        total = sum(langs.values())
        out[word] = frozenset(lang for lang, n in langs.items()
                              if n >= VOCABULARY_SHARE * total)
    return out


def train_engine(
    examples: Sequence[Example], catalog: AliasSource, lexicons: Lexicons | None = None
) -> Engine:
    """Engine from examples already in memory (tests and benchmarks use this)."""
    global _LAST_MATCHER, _LAST_MODEL
    aliases = catalog.aliases()
    alias_key = _digest(aliases)
    if _LAST_MATCHER is not None and _LAST_MATCHER[0] == alias_key:
        matcher = _LAST_MATCHER[1]
    else:
        matcher = RoleMatcher(aliases)
        _LAST_MATCHER = (alias_key, matcher)
    norm = [normalize(ex.text).split() for ex in examples]
    folded_words = [[fold(w) or w for w in words] for words in norm]
    found = matcher.find_many(folded_words)
    samples = []
    texts = []
    for ex, norm_words, words, matches in zip(examples, norm, folded_words, found, strict=True):
        texts.append(" ".join(mask(words, matches)))
        in_role = {i for m in matches for i in range(m.start, m.end)}
        samples.append((" ".join(w for i, w in enumerate(norm_words) if i not in in_role), ex.lang))
    vocabulary = vocabulary_of(samples)
    model_key = _digest([alias_key, [(ex.text, ex.intent, ex.lang) for ex in examples]])
    if _LAST_MODEL is not None and _LAST_MODEL[0] == model_key:
        return Engine(_LAST_MODEL[1], matcher, _LAST_MODEL[2], lexicons, vocabulary)
    # The shipped intents have a real out_of_scope class; the threshold is only a second guard,
    # so it may cost at most 3% of in-scope questions on the held-out split.
    classifier = IntentClassifier.train(
        texts, [ex.intent for ex in examples], max_false_fallback=0.03
    )
    variant = VariantModel(samples)
    _LAST_MODEL = (model_key, classifier, variant)
    return Engine(classifier, matcher, variant, lexicons, vocabulary)


def build_engine(intents_dir: Path, catalog: AliasSource) -> Engine:
    """Load ``intents_dir`` (examples and lexicons) and train; raises ContentError when the
    files cannot be read."""
    started = time.perf_counter()
    preload()
    lexicons, problems = load_lexicons(intents_dir, frozenset(catalog.details))
    if problems:
        raise ContentError(problems)
    engine = train_engine(load_intents(intents_dir), catalog, lexicons)
    release_free_memory()  # training temporaries: keep the bot's RSS small
    engine.build_seconds = time.perf_counter() - started
    return engine


__all__ = ["FILLER", "INTENTS", "Engine", "PhraseIndex", "build_engine", "train_engine"]
