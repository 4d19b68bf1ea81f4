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

import functools
import hashlib
import itertools
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import islice
from pathlib import Path

import numpy as np

from bot.constants import INTENTS, LANGUAGES, TOPIC_INTENTS, map_telegram_language
from bot.nlu import memos
from bot.nlu.classifier import (
    OUT_OF_SCOPE,
    Calibration,
    Decision,
    FeatureMemo,
    IntentClassifier,
)
from bot.nlu.data import AliasSource, Example, example_files, learned_files, load_intents
from bot.nlu.finglish import loose_lookup
from bot.nlu.langid import (
    VARIANTS,
    Detection,
    VariantModel,
    detect,
    foreign_language,
    is_arabic,
    preload,
    release_free_memory,
    reply_language,
)
from bot.nlu.lexicon import (
    FALSE_FRIENDS,
    MARKERS,
    NEIGHBOURS,
    ROLE_HINTS,
    SLOT_VALUES,
    Hit,
    Lexicons,
    PhraseIndex,
    Term,
    cached_lexicons,
    forget_lexicons,
    lexicon_files,
    longest,
)
from bot.nlu.normalize import fold, folded, has_arabic_script, normalize
from bot.nlu.result import Alternative, LangHints, Parse, PaySlice
from bot.nlu.roles import RoleMatch, RoleMatcher, distinct_roles, mask
from bot.nlu.saved import Key, load_saved, save_model
from bot.nlu.spelling import Speller
from bot.problems import ContentError

N_ALTERNATIVES = 3
# Words that carry no request on their own: "the it project manager?" is still a bare role name,
# and so is "and for an IT project manager?" once its opener is recognised as a follow-up.
FILLER = frozenset([
    "a", "an", "the", "about", "on", "of", "for", "to", "is", "it", "its", "please", "then", "so",
    "in", "i", "that",
    "ok", "okay", "hmm", "guy", "guys", "person", "people", "one", "job", "role", "position",
    "sorry", "oops", "no", "nope", "nei", "ne", "ja", "yes", "unnskyld", "beklager", "orsak",
    "atvaino", "piedod", "ببخشید", "ببخشيد", "نه",
    "om", "en", "ein", "ei", "et", "eit", "den", "til", "da", "sa", "og", "jobb", "jobben", "rolle",
    "rollen", "rolla", "stilling", "stillingen", "yrke", "yrket",  # nb, nn (folded)
    "par", "un", "ar", "uz", "amats", "amatam", "amatu", "amata", "loma", "lomai",  # lv
    "در", "مورد", "درباره", "برای", "از", "به", "را", "و", "چطور", "چطوره", "چی",  # fa
    "شغل", "نقش",
])
# Filler words that, opening a message, make it continue the last one: "and for an X?".
OPENING_FILLER = frozenset(["and", "for", "about", "og", "om", "un", "par", "و", "برای",
                            "درباره"])
OPENING_SHORT = 6  # ... in a message of at most this many words ("About how much does an ICT
# service technician earn?" is a question of its own)
# Words that make a role title an IT one ("IT project manager" in construction is still ours).
IT_WORDS = frozenset([
    "it", "ikt", "ict", "itsm", "itil", "helpdesk", "help", "desk", "servicedesk", "support",
    "tech", "teknisk", "brukerstotte", "brukarstotte", "lietotaju", "atbalsta", "atbalsts",
    "پشتیبانی", "فناوری", "اطلاعات", "هلپ", "دسک", "فنی", "آی", "تی", "فاوا",
])
FIELD_NEAR = 3  # words between a title and the trade that makes it another job


# IT words that are also the start of ordinary words: whole words only ("technician" is no
# IT word, or an elevator technician would be ours).
WHOLE_IT_WORDS = frozenset(["tech", "help", "desk"])


def _is_it_word(word: str) -> bool:
    """An IT word, or a compound holding one ("brukarstøttespesialist", "helpdeskspesialist")."""
    return word in IT_WORDS or any(len(it) >= 4 and it not in WHOLE_IT_WORDS and it in word
                                   for it in IT_WORDS)


# Words that name a reply language, in every language we speak (folded).
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "engelsk", "anglu", "angliski", "انگلیسی"),
    "nb": ("bokmal", "norsk", "norwegian", "norvegu", "norvegiski", "نروژی"),
    "nn": ("nynorsk", "ny norsk", "landsmal"),
    "lv": ("latvian", "latvisk", "latviesu", "latviski", "lettisk", "لتونیایی", "لتونی"),
    "fa": ("persian", "farsi", "persisk", "persiesu", "persiski", "فارسی", "پارسی"),
}
# Words before a language's name that say it is not the one wanted, and (Persian, whose verb
# comes last) words after it.
NOT_THIS_LANGUAGE = frozenset([
    "dont", "not", "cant", "cannot", "instead", "than", "ikke", "ikkje", "istedenfor",
    "isteden", "staden", "stedet", "enn", "nevis", "ne", "nesaprotu", "nerunaju", "neprotu",
    "بجای", "جای", "نه"])
NOT_AFTER = frozenset(["نیستم", "نمیفهمم", "نمیدونم", "نمیتونم", "بلد", "نه"])
# A language's name before one of these is the country's adjective: "the Latvian job", "the
# Norwegian one" point at a role, they ask for no reply language.
JOB_AFTER = frozenset(["job", "jobs", "role", "roles", "one", "ones", "position", "occupation",
                       "profession", "site", "source", "version", "guy", "specialist", "pay",
                       "salary", "salaries", "figures", "market"])
# Longer names first: "nynorsk" must win over "norsk".
_NAMES_LONGEST_FIRST = sorted(
    ((name, lang) for lang, names in LANGUAGE_NAMES.items() for name in names),
    key=lambda pair: -len(pair[0]),
)
_NAMES_PADDED = [(f" {name} ", lang) for name, lang in _NAMES_LONGEST_FIRST]  # whole words
# A detail cue decides the topic when the classifier gives the detail's topic at least
# ASPECT_MIN_PROB; a specific cue (several words, or one long word: "before tax",
# "internship") also when the classifier is less sure than ASPECT_OVERRULE of another topic.
STRONG_CUE_LETTERS = 9
STRONG_CUE_PERSIAN = 6
ASPECT_MIN_PROB = 0.02
STUDY_GAP = 1  # words between "a degree in" and the field it names ("رشته م مهندسی")
ASPECT_OVERRULE = 0.95
UNDETECTED = Detection(None, False)  # a message in a language we do not speak: hints decide
# The country whose source a message in this language is most likely about ("IT atbalsts").
COUNTRY_OF_LANGUAGE = {"lv": "latvia", "fa": "iran"}
# Beside a role named by its own words, generic support work is the support role of the
# language's country, Norway's too ("IT-support, altså IKT-servicemedarbeider").
SUPPORT_COUNTRY = {**COUNTRY_OF_LANGUAGE, "nb": "norway", "nn": "norway"}
STEP = "step"  # the alias of a role mention that is the name of a step on its career ladder
STEP_KEY = "/"  # a step term's value: "<role>/<step key>"; its RoleMatch alias "step/<key>"
OTHER_TOPIC = 0.9  # the words besides a detail name another topic this surely: not the detail
SURE_ASPECT_WORDS = 7  # a message this short is about the detail it names by a phrase or twice
# Long messages: the question sentence's probabilities weigh this much against the whole's.
QUESTION_WEIGHT = 0.7
QUESTION_WEIGHT_UNSURE = 0.4  # ... when the question sentence is read less surely than all
LONG_MESSAGE_WORDS = 10
# Pick phrases that point at one of two roles wherever they stand ("the latter", "the first
# one", "den andre av dem"); a bare ordinal must open or close the message.
PICK_WORDS = frozenset(["former", "latter", "forstnevnte", "sistnevnte", "forstnemnde",
                        "sistnemnde"])
PICK_ENDS = frozenset(["one", "them", "two", "dem", "dei"])
# Persian pronoun suffixes that Finglish writers split off with a hyphen ("hoghoogh-esh").
FINGLISH_CLITICS = frozenset(["esh", "ash", "sh", "am", "et", "at", "eshun", "eshoon", "ashun",
                              "emun", "etun", "shun", "shoon"])
FINGLISH_EZAFE = frozenset(["e", "ye", "ie"])  # "masir-e shoghli": "the path of the job"
FINGLISH_SHARED = frozenset(["toman", "tomans", "rial", "rials", "riyal", "riyals", "euro",
                             "euros", "dollar", "dollars", "iran", "to", "too"])  # English too
FINGLISH_MAX_WORDS = 4  # the longest fixed expression in the Finglish lexicon
MAX_CHARS = 400  # a longer message is read as its first HEAD_CHARS and its last characters
HEAD_CHARS = 120
COMPOUND_PART = 4  # letters of each part of a compound read as two known words
COMPOUND_HEAD = 7  # letters of a job name that ends a compound word
GENERIC_HEAD = 6  # letters of a generic title word ("tekniker") that ends a compound word
CAREER_MOVE = 0.3  # two roles, career the likeliest reading this sure and twice compare's:
# moving from one role to the other
RELATED_CAREER = 0.3  # a job our sources name as a next step is a career question this sure
COMPARE_TOPIC_MIN = 0.15  # a comparison is about a topic the classifier gives this much
REST_TOPIC_MIN = 0.5  # ... or that its words besides roles and the marker clearly name
ENGINE_SVM_TOL = 1e-2  # same predictions on every set we have, in half the training time
# A message this long that asks about a detail is about the job, not a language request.
LONG_LANGUAGE = 6
LANGUAGE_SURE = 0.75  # a language request without a language we speak or a change verb
ROLES_SURE = 0.8  # "which professions can you tell me about?" stays the role list
GREETING_OPENER = 0.8  # a first sentence this surely a greeting, with no question after it
GREETING_REST_CLEAR = 0.7  # ... and the rest read alone no request this clear
GREETING_AND_QUESTION = 5  # words: a greeting this long that names a role also asks something
_SENTENCE_END = re.compile(r"(?<=[.!?؟;])\s+|\n+")


@dataclass(frozen=True)
class _Words:
    """The message as word lists: normalised (diacritics kept) and folded, with sentences."""

    norm: list[str]
    folded: list[str]
    sentences: list[tuple[int, int, bool]]  # (start, end, asks a question: ends with "?")
    finglish: bool
    roles: list[RoleMatch] | None  # role mentions, when already found (not after Finglish)
    hits: list[Hit]  # every lexicon term in the words (one pass; steps filter by category)
    courtesy: str | None = None  # the whole message is a greeting of this foreign language

    def of(self, *categories: str, langs: tuple[str, ...] | None = None) -> list[Hit]:
        """The lexicon hits of these categories (and languages, when given)."""
        return [h for h in self.hits if h.term.category in categories
                and (langs is None or h.term.lang in langs)]


class Engine:
    """Parses messages; build one with :func:`build_engine`."""

    def __init__(
        self,
        classifier: IntentClassifier,
        matcher: RoleMatcher,
        variant: VariantModel,
        lexicons: Lexicons | None = None,
        vocabulary: dict[str, frozenset[str]] | None = None,
        steps: PhraseIndex | None = None,
        support_roles: dict[str, str] | None = None,
        role_heads: dict[str, tuple[str, ...]] | None = None,
        name_words: frozenset[str] = frozenset(),
    ) -> None:
        self.classifier = classifier
        self.matcher = matcher
        self.variant = variant
        self.lexicons = lexicons or Lexicons()
        self.vocabulary = vocabulary or {}
        self.steps = steps or PhraseIndex()  # career-step names -> their ladder's role
        self.support_roles = support_roles or {}  # country -> its source's support role
        self.role_heads = role_heads or {}  # "manager" -> the roles whose names end in it
        self.name_words = name_words  # the folded words of every role name
        self.build_seconds = 0.0
        # The key it is saved under in the model cache (its build's memos are saved under it
        # too, see bot.nlu.memos); None when it is not saved. Not saved itself.
        self.saved_key: str | None = None

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
        matches, job_hit, occupation = self._mentions(w)
        matches = self._corrected(w, matches)
        roles = distinct_roles(matches)
        role = roles[0] if roles else None
        in_role = {i for m in matches for i in range(m.start, m.end)}
        lang, confident, foreign, neighbour = self._language(text, w, matches, in_role, hints)
        if neighbour is not None and matches:
            # Only about our roles: other jobs' names are in no word list of ours, and the
            # question read plainly ("how much does a sjuksköterska earn?") would be ours.
            w = self._read_as_bokmal(w, neighbour)
        signals = self._signals(w, in_role, lang if confident else None, len(roles) == 2)
        # What the classifier reads: one typo in a word of the message's language corrected
        # ("tjner" -> "tjener"); the lexicons above have read the words as written.
        masked = mask(self.speller.correct_words(w.folded, lang), matches)
        generic = _spans(w.of(*ROLE_HINTS))  # support work named generically ("IT support")
        if not matches and signals.country and signals.role_head is not None \
                and self._support_place(signals.country, None, beside_named=False) \
                in self.role_heads.get(signals.role_head, ()):
            # "tehniķis Norvēģijā" (the technician in Norway): a title word that the country's
            # support role's name holds names support work there too.
            generic |= _spans(w.of("role_head"))
        local = None if occupation or job_hit else self._support_role(
            generic, matches, signals.country, lang if confident else None)
        if len(roles) >= 2 and not signals.compare and not signals.both \
                and not (_one_sentence(w, matches)
                         and _between_roles(w.folded, matches, AND_WORDS | ALTERNATIVE_WORDS)) \
                and not set(w.folded) & COMPARATIVE_WORDS:
            # Two roles set side by side ("X and Y", "X or Y") are meant as named.
            matches = self._generic_support(generic, matches, signals.country,
                                            lang if confident else None)
            roles = distinct_roles(matches)
            role = roles[0]
        support_words: set[int] = set()  # the generic words, when they are read as a role
        if local is not None and (signals.country or matches):
            roles, role = (local,), local  # "a support job in Latvia": the Latvian source's
            local = None
            support_words = generic
        steps = {m.alias.partition(STEP_KEY)[2] for m in matches if m.alias.startswith(STEP)}
        if steps and "education.duration" in signals.aspects:
            # "how long does it take to become a senior support technician?": to a step of a
            # career ladder, that is the years of experience, not the length of a study.
            signals = replace(signals, aspects=tuple(
                "career.years" if a == "education.duration" else a for a in signals.aspects))
        asked = _asked_roles(w, matches) if len(roles) >= 2 and not signals.compare \
            and not signals.both and not set(w.folded) & COMPARATIVE_WORDS else None
        if asked:  # "people say I'd be good in IT support. What does a user support
            roles, role = asked, asked[0]  # specialist need to learn?": one role is asked
        content = [
            x for i, x in enumerate(w.folded)
            if i not in in_role and i not in support_words and x not in FILLER
            and i not in signals.dialogue_words
        ]
        base = Parse(
            text, lang, confident, OUT_OF_SCOPE, role, roles, 1.0, (), False,
            masked=" ".join(masked), pay=signals.pay, country=signals.country,
            cues=tuple(dict.fromkeys(signals.aspects)),  # each once, the longest cue first
            currency=signals.currency, ladder=signals.ladder, pick=signals.pick,
            occupation=occupation if not roles else None,
            follow_up=signals.follow_up, correction=signals.correction,
            all_roles=signals.all_roles and not roles, foreign=foreign, finglish=w.finglish,
            which_of=signals.which_of and not roles,
            role_only=bool(roles) and not content,
            named_language=_named_language(w.folded),
            broad=signals.broad,
            pay_more=signals.pay_more,
            comparing=signals.compare,
            both=signals.both,
            asks_amount=signals.headcount or signals.amount,
            # One step named, not the role's own name (its key is then ""): asked about.
            step=(next(iter(steps)) or None) if len(steps) == 1 and len(roles) == 1 else None,
            head_roles=self.role_heads.get(signals.role_head or "", ()) if not roles else (),
            # Support work named without a title or a country ("atbalsta speciālists"): the
            # language's country's role, for the dialogue to use when no role is in context.
            local_role=local if not roles else None,
        )

        def rule(intent: str, **changes: object) -> Parse:
            return _replace(base, intent=intent, **changes)

        offered = len(roles) >= 2 and _alternatives(w.folded, matches)
        comparing = (len(roles) >= 2 or (roles and signals.compare and not signals.pay_more)) \
            and (not signals.all_roles or offered)  # "X or Y, which suits best?"
        # "which suits me, this one or the helpdesk job?": compared with the role talked about.
        comparing = comparing or (signals.this_or and (
            len(roles) == 1 or (not roles and signals.role_head is not None)))
        if comparing:
            whole = self.classifier.probabilities(" ".join(masked))  # once for both readings
            move = _career_move(self.classifier.labels, whole) if len(roles) >= 2 \
                and not signals.compare and not signals.both and not offered \
                and not _between_roles(w.folded, matches, AND_WORDS) else 0.0
            if move:
                # "can a user support specialist become a project manager?": a career question
                # about the first role (the second is where it leads), not a comparison.
                return rule("career", confidence=move)
            # One role "vs" compares it with another role; "state vs private" compares two
            # pay slices of the same role (pay_more), which the pay answer shows side by side.
            return rule("compare", about=self._compared_on(whole, signals))
        if roles and not content:
            return rule("overview")
        if base.local_role is not None and generic.issuperset(
                i for i, x in enumerate(w.folded)
                if x not in FILLER and i not in signals.dialogue_words):
            # Only support work named ("atbalsta speciālists"): its overview, like a role name.
            return rule("overview")
        if base.occupation is not None:
            if job_hit is not None and job_hit.term.category == "related":
                # "can I become a CIO one day?" asks about a career; "what does a CIO earn?"
                # about a job we do not cover.
                career = self.classifier.probabilities(" ".join(masked))
                if career[self.classifier.labels.index("career")] >= RELATED_CAREER:
                    base = replace(base, occupation=None)
            if base.occupation is not None:
                return rule(OUT_OF_SCOPE)
        if not w.folded:
            return rule(OUT_OF_SCOPE, confidence=0.0)
        probs = self._probabilities(w, masked, matches)
        if len(w.sentences) >= 2 and not roles and not signals.asks and not signals.questions \
                and not signals.aspects:
            # "Hi! I'm looking into IT jobs for my son.": a greeting, then context but no
            # question yet; welcome the user rather than guess a topic from the context.
            start, end = w.sentences[0][:2]
            labels = self.classifier.labels
            opener = self.classifier.probabilities(" ".join(w.folded[start:end]))
            later = self.classifier.probabilities(" ".join(w.folded[end:]))
            best, after = int(opener.argmax()), int(later.argmax())
            # ... unless the rest is a plain request after all ("Hi! I'd like to know more
            # about the pay.", "Hello. My laptop won't start."): then that is answered.
            asks_anyway = later[after] >= GREETING_REST_CLEAR and labels[after] != "greeting"
            if labels[best] == "greeting" and opener[best] >= GREETING_OPENER \
                    and not asks_anyway:
                return rule("greeting", confidence=float(opener[best]))
        if signals.all_roles and not roles and len(signals.scope_words) < len(masked):
            # "which of them needs the least schooling?": the words besides "which of them"
            # name the topic; the marker itself looks like a question about the role list.
            rest = [x for i, x in enumerate(masked) if i not in signals.scope_words]
            reduced = self.classifier.probabilities(" ".join(rest))
            # Some markers carry the topic themselves ("the best paid"): keep whichever reading
            # is surer of a topic.
            # The words left must read as a topic themselves: "which jobs do you know about?"
            # leaves "do you know about", which reads as help, not as a topic of all roles.
            top = self.classifier.labels[int(reduced.argmax())]
            if top in TOPIC_INTENTS and _best_topic(self.classifier.labels, reduced) > \
                    _best_topic(self.classifier.labels, probs):
                probs = reduced
        decision = self.classifier.decide_probs(probs)
        return self._decide(base, decision, probs, signals, bool(roles))

    def prepare(self) -> None:
        """Make now the tables that are otherwise made at their first use (a saved model
        leaves them out, see ``__getstate__``): the first message would pay for them (~40 ms,
        most of it the speller)."""
        _ = self.speller, self._finglish_starts
        self.matcher.prepare()

    def adopt_speller(self, other: Engine) -> None:
        """Take ``other``'s speller when it is made from the same words (the calibrated engine
        after its interim one, and most rebuilds after an edit): the same corrections without
        making them again (~50 ms). The two engines then share its cache of corrections."""
        made = other.__dict__.get("speller")
        if made is not None and other.vocabulary == self.vocabulary \
                and other.name_words == self.name_words:
            self.__dict__["speller"] = made

    def __getstate__(self) -> dict[str, object]:
        """Saved without the tables :meth:`prepare` makes from what is saved: a smaller file,
        whichever way the engine was readied before it was saved."""
        state = dict(self.__dict__)
        for made in ("speller", "_finglish_starts", "saved_key"):
            state.pop(made, None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.saved_key = None  # the loader sets it

    # ------------------------------------------------------------------ steps

    def _words(self, text: str) -> _Words:
        """Normalised and folded words; Finglish read into Persian script; sentence spans.

        A very long message is read as its beginning and its end (where the question usually
        is), so that no message costs more than a few milliseconds.
        """
        if len(text) > MAX_CHARS:
            text = text[:HEAD_CHARS] + " . " + text[-(MAX_CHARS - HEAD_CHARS):]
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
        # A greeting of a language we do not speak ("merci beaucoup") is no Finglish.
        courtesy = self.lexicons.courtesy.get(" ".join(folded_words))
        spans = None if courtesy else \
            self._finglish(norm, {i for m in roles for i in range(m.start, m.end)})
        if spans is None:
            return _Words(norm, folded_words, sentences, False, roles,
                          self.lexicons.find(folded_words), courtesy)
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
        folded_out = [fold(x) or x for x in out]
        return _Words(out, folded_out, new_sentences, True, None, self.lexicons.find(folded_out))

    def _finglish(self, norm: list[str], in_role: set[int]
                  ) -> list[tuple[int, int, list[str]]] | None:
        """The spans of a Latin-letter message to read as Persian, or None: not Finglish.

        Finglish phrases are matched longest first. The message is Finglish when they cover at
        least one word, more words than our other languages' examples use (as many, in a message
        of up to three words), and no fewer than the unknown words (role names do not count).
        """
        table = self.lexicons.finglish
        if not table or has_arabic_script(" ".join(norm)):
            return None
        # The ezafe written with a hyphen ("masir-e shoghli-e") is its own word once normalised:
        # read the words without it, and let a span swallow the ezafe after its last word.
        kept = [k for k, word in enumerate(norm)
                if not (word in FINGLISH_EZAFE and k and norm[k - 1].isascii()
                        and norm[k - 1].isalpha() and k - 1 not in in_role)]
        if len(kept) < len(norm):
            view = self._finglish([norm[k] for k in kept],
                                  {v for v, k in enumerate(kept) if k in in_role})
            if view is None:
                return None
            after = [*kept[1:], len(norm)]  # the original index where each view word's run ends
            return [(kept[start], after[end - 1], persian) for start, end, persian in view]
        spans: list[tuple[int, int, list[str]]] = []
        known = other = unknown = 0
        short = len(norm) <= 3  # "bye felan": one Persian word against one English is Persian
        i = 0
        while i < len(norm):
            # Each word left can add at most one to ``known``: once that cannot pass ``other``
            # (the test at the end), the message is no Finglish whatever the rest holds.
            most = known + len(norm) - i
            if most < other or (most == other and not short):
                return None
            if i in in_role:
                i += 1
                continue
            if norm[i] in FINGLISH_CLITICS and spans and spans[-1][1] == i:
                # "hoghoogh-esh", "moghayese-sh": a pronoun suffix after a hyphen, which
                # Persian script writes joined to the word: part of the word before it.
                spans.append((i, i + 1, []))
                known += 1
                i += 1
                continue
            if not norm[i].isascii():  # "māki", "lønn": Latin letters Finglish never uses
                other += any(c.isalpha() for c in norm[i]) and not has_arabic_script(norm[i])
                i += 1
                continue
            # Only a word that starts a phrase of the table can start a match.
            for size in range(min(FINGLISH_MAX_WORDS, len(norm) - i)
                              if norm[i] in self._finglish_starts else 0, 0, -1):
                if any(j in in_role for j in range(i, i + size)):
                    continue
                phrase = " ".join(norm[i:i + size])
                persian = table.get(phrase)
                if persian is not None:
                    spans.append((i, i + size, normalize(persian).split()))
                    # Currency names are written so in English too: read as Persian in a
                    # Finglish message, but no evidence that "toman or rial?" is one.
                    known += 0 if phrase in FINGLISH_SHARED else size
                    i += size
                    break
            else:
                word = norm[i]
                persian = _ezafe_stem(word, table)
                if persian is not None:  # "farghe", "shoghl-e": the word with its ezafe
                    spans.append((i, i + 1, normalize(persian).split()))
                    known += 1
                elif self.vocabulary.get(word, frozenset()) - {"fa"}:
                    other += 1
                elif (loose := loose_lookup(word, self.lexicons.finglish_loose)) is not None:
                    # A spelling the lexicon does not list ("hoghoogesh" for "hoghooghesh").
                    spans.append((i, i + 1, normalize(loose).split()))
                    known += 1
                elif any(c.isalpha() for c in word):
                    unknown += 1
                i += 1
        if not known or known < other or (known == other and not short) or known < unknown:
            return None
        return spans

    @cached_property
    def _finglish_starts(self) -> frozenset[str]:
        """The first word of every phrase of the Finglish table."""
        return frozenset(phrase.split(" ", 1)[0] for phrase in self.lexicons.finglish)

    def _mentions(self, w: _Words) -> tuple[list[RoleMatch], Hit | None, str | None]:
        """Role mentions, and a job we do not cover (the hit and its words as written).

        A job title wins over a role alias it contains, or matches only loosely; a title with
        no IT word next to a trade that is not IT is another job too.
        """
        matches = self._steps_named(w, w.roles if w.roles is not None
                                    else self.matcher.find(w.folded))
        # What "a degree in", "bachelor i", "رشته‌م" introduces is a field of study: not a job
        # ("رشته‌م مهندسی کامپیوتره", my major is computer engineering), nor a second role
        # beside the one asked about ("en bachelor i IKT, kan jeg bli IT-prosjektleder?").
        studied = [h.end for h in w.of("study")]

        def field(start: int) -> bool:
            return any(0 <= start - end <= STUDY_GAP for end in studied)

        # Two roles offered together ("studying the X and Y pages, which pays better?") stay.
        if studied and len(distinct_roles(matches)) >= 2 and not w.of("compare", "choice") \
                and not _between_roles(w.folded, matches, AND_WORDS | ALTERNATIVE_WORDS):
            rest = [m for m in matches if not field(m.start)]
            matches = rest if rest else matches
        jobs = longest([j for j in w.of("occupation", "related")
                        if not self._ordinary_word(j, w.folded) and not field(j.start)]
                       + [j for j in self._compound_jobs(w.folded) if not field(j.start)])
        asking = _asking_sentence(w)
        if asking is not None and any(asking[0] <= h.start and h.end <= asking[1]
                                      for h in w.of("all_roles")):
            # "I'm a school counsellor. Of your jobs, which one ...?": the job the user has is
            # context; the question is about our roles ("Is a data scientist one of them?
            # What do they earn?" still asks about the data scientist).
            jobs = [j for j in jobs if asking[0] <= j.start and j.end <= asking[1]]
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
        if occupation is not None:
            return kept, occupation, " ".join(w.norm[occupation.start:occupation.end])
        kept, job = self._titles_in_other_fields(w, kept)
        return kept, None, job

    def _steps_named(self, w: _Words, matches: list[RoleMatch]) -> list[RoleMatch]:
        """A career step's name is its ladder's role: "user services manager" (the top of the
        helpdesk ladder) is not the IT service manager its words resemble, and "support team
        supervisor" alone is a step of the helpdesk specialist's career. A step whose words are
        a detail's phrase ("دوره کارآموزی", the internship) is left to the detail."""
        cues = [h for h in w.of("detail") if h.size > 1]
        steps = [s for s in longest(self.steps.find(w.folded))
                 # "دوره کارآموزی": the internship; but a step's name may hold a detail's
                 # whole phrase ("atbalsta nodaļas vadītājs" holds "nodaļas vadītājs"), and a
                 # phrase that only overlaps it leaves it ("become senior" support technician).
                 if not any(h.start <= s.start and s.end <= h.end for h in cues)
                 and (matches == [] or any(m.start < s.end and s.start < m.end
                                           for m in matches))]
        if not steps:
            return matches
        # The step keeps the languages of the role names it covers: they still tell the reply
        # language ("kurs for helpdesk-spesialist" is Norwegian).
        out = []
        for step in steps:
            role, key = _step(step.term.value)
            out.append(RoleMatch(role, step.start, step.end, 100.0, STEP + STEP_KEY + key,
                                 frozenset().union(*(m.langs for m in matches
                                                     if m.start < step.end
                                                     and step.start < m.end))))
        covered = {i for m in out for i in range(m.start, m.end)}
        out += [m for m in matches if not set(range(m.start, m.end)) & covered]
        return sorted(out, key=lambda m: m.start)

    def _titles_in_other_fields(
        self, w: _Words, matches: list[RoleMatch]
    ) -> tuple[list[RoleMatch], str | None]:
        """"prosjektleder i byggebransjen", "service manager at a car garage", "servicetekniker
        på heis": a title with no IT word in it, right next to a trade that is not IT, is
        another job. The title is one of our role names, or a generic title word ("tekniker");
        a trade mentioned elsewhere ("I used to work in a shop") changes nothing."""
        fields = w.of("field")
        if not fields:
            return matches, None

        def it_title(start: int, end: int) -> bool:
            return any(_is_it_word(x) for x in w.folded[start:end])

        spans = [(m.start, m.end) for m in matches if not it_title(m.start, m.end)]
        spans += [(h.start, h.end) for h in w.of("generic")]
        spans += [(i, i + 1) for i, x in enumerate(w.folded) if self._ends_with_title(x)]
        def sentence(at: int) -> int:
            return next((k for k, (start, end, _) in enumerate(w.sentences)
                         if start <= at < end), -1)

        # Near each other, and in one sentence: "strādāju veikalā. cik pelna atbalsta
        # speciālists?" (I work in a shop. What does a support specialist earn?) is no job.
        pairs = [(sp, f) for sp in spans if not it_title(*sp) for f in fields
                 if (-FIELD_NEAR <= f.start - sp[1] <= FIELD_NEAR
                     or -FIELD_NEAR <= sp[0] - f.end <= FIELD_NEAR)
                 and sentence(f.start) == sentence(sp[0])]
        if not pairs:
            return matches, None
        (title, near) = min(pairs, key=lambda pair: pair[0])
        start, end = min(title[0], near.start), max(title[1], near.end)
        job = " ".join(w.norm[start:end])
        kept = [m for m in matches if it_title(m.start, m.end)
                or not (m.start < end and start < m.end)]
        return kept, job

    def _ends_with_title(self, word: str) -> bool:
        """A compound ending in a generic title word: "servicetekniker", "heismontør", or in an
        inflected one ("serviceteknikar" of "teknikar*")."""
        generic = self.lexicons.generic
        if any(word.endswith(head) and len(word) > len(head) + 2
               for head in generic.exact if len(head) >= GENERIC_HEAD):
            return True
        for stem in generic.stems:
            at = word.rfind(stem)
            if len(stem) >= GENERIC_HEAD and at > 2 and len(word) - at - len(stem) <= 3:
                return True
        return False

    def _corrected(self, w: _Words, matches: list[RoleMatch]) -> list[RoleMatch]:
        """"What tools does a helpdesk specialist use? Sorry, I meant IT service manager": of
        two roles in one message, the one named after the correction is meant."""
        if len(distinct_roles(matches)) < 2:
            return matches
        fixes = [h for h in w.of("correction") if h.start > matches[0].start]
        if not fixes:
            return matches
        after = [m for m in matches if m.start > fixes[0].start]
        return after or matches

    def _ordinary_word(self, job: Hit, words: list[str]) -> bool:
        """A one-word job of one language that our examples use as an ordinary word of
        another: Norwegian "programmer" are programs, not programmers."""
        if job.size != 1:
            return False
        langs = self.vocabulary.get(words[job.start], frozenset())
        return bool(langs) and job.term.lang not in langs

    def _compared_on(self, whole: np.ndarray, signals: _Signals) -> str | None:
        """The topic a comparison is about ("how do their duties compare?"), if it names one;
        ``whole``: the classifier's probabilities for the whole masked message."""
        labels = self.classifier.labels
        if (signals.pay or signals.both) and \
                whole[labels.index("salary")] >= whole[labels.index("workplace")]:
            # "who earns more part-time, X or Y?": "part-time" also names working hours, but
            # with pay words the comparison is of pay when that is the likelier reading.
            return "salary"
        if signals.aspects:
            return signals.aspects[0].split(".", 1)[0]
        # The whole message, then the words besides the roles and the comparison itself
        # ("compare X and Y on education": "education"), which the word "compare" outweighs.
        ranked = [(name, p) for name, p in sorted(
            zip(labels, whole.tolist(), strict=True), key=lambda pair: -pair[1])
            if name in TOPIC_INTENTS and name != "overview"]
        # A topic clearly ahead of the others ("compare their workplaces"), not noise.
        (best, p1), (_, p2) = ranked[0], ranked[1]
        if p1 >= COMPARE_TOPIC_MIN or (p1 >= 2 * p2 and p1 >= 0.05):
            return best
        sure = self._sure_topic(signals.compare_rest)
        return sure[0] if sure else None

    def _reading(self, words: tuple[str, ...]) -> tuple[str, float]:
        """The classifier's likeliest reading of ``words`` alone, and how sure it is."""
        probs = self.classifier.probabilities(" ".join(words))
        top = int(probs.argmax())
        return self.classifier.labels[top], float(probs[top])

    def _names_other_topic(self, words: tuple[str, ...], topic: str) -> bool:
        """Whether the words besides a detail clearly ask about another topic: "interview tips
        for night shift jobs?" is about interviews, though it names night shifts."""
        if len(words) < 2:
            return False
        label, p = self._reading(words)
        return label in TOPIC_INTENTS and label != topic and p >= OTHER_TOPIC

    def _sure_topic(self, words: tuple[str, ...]) -> tuple[str, float] | None:
        """The topic (not the overview) that ``words`` alone clearly name, and how surely;
        None if none: what a marker such as "compare" or "tell me about" would outweigh."""
        if not words:
            return None
        label, p = self._reading(words)
        return (label, p) if label in TOPIC_INTENTS and label != "overview" \
            and p >= REST_TOPIC_MIN else None

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
        self, text: str, w: _Words, matches: list[RoleMatch], in_role: set[int],
        hints: LangHints | None
    ) -> tuple[str, bool, str | None, str | None]:
        """Reply language, whether the text itself decided it, a foreign language's code, and
        the code of a neighbour language answered in Bokmål (Swedish, Danish)."""
        arabic_script = has_arabic_script(" ".join(w.norm))
        if arabic_script and not w.finglish and is_arabic(text) \
                and not (hints and hints.chat == "fa"):
            # Arabic letters, none of Persian's own (a Persian chat keeps its language)
            return reply_language(UNDETECTED, hints)[0], False, "ar", None
        if w.finglish or arabic_script:
            # Only Persian among our languages uses Arabic script, also in a role name:
            # "skills مدیر خدمات IT" is a Persian user's question.
            return "fa", True, None, None
        rest = [x for i, x in enumerate(w.norm) if i not in in_role]
        if w.courtesy is not None and not in_role:
            # "Guten Tag", "kiitos paljon": too short for the detector
            return reply_language(UNDETECTED, hints)[0], False, w.courtesy, None
        alias_langs = frozenset().union(*(m.langs for m in matches)) if matches else frozenset()
        prior = (hints.chat, map_telegram_language(hints.telegram)) if hints else ()
        vocab = [self._word_languages(x) for i, x in enumerate(w.folded) if i not in in_role]
        named = " ".join(x for i, x in enumerate(w.norm) if i in in_role)
        detection = detect(
            " ".join(rest), alias_langs=alias_langs, variant=self.variant, prior=prior,
            vocab=vocab, role_text=named,
        )
        foreign = foreign_language(" ".join(rest), detection, vocab)
        if foreign in NEIGHBOURS:
            # Swedes and Danes read Norwegian: answer in Bokmål.
            return "nb", True, None, foreign
        if foreign is not None:
            return reply_language(UNDETECTED, hints)[0], False, foreign, None
        lang, confident = reply_language(detection, hints)
        return lang, confident, None, None

    def _read_as_bokmal(self, w: _Words, neighbour: str) -> _Words:
        """A Swedish or Danish message read word for word as Bokmål ("vad tjänar" -> "hva
        tjener"), so that the model and the lexicons understand it; the words keep their
        places, so role mentions and sentences stay where they are."""
        table = self.lexicons.neighbours.get(neighbour, {})
        norm = [table.get(x, x) for x in w.norm]
        if norm == w.norm:
            return w
        folded_words = [fold(x) or x for x in norm]
        return replace(w, norm=norm, folded=folded_words, hits=self.lexicons.find(folded_words),
                       courtesy=None)

    def _word_languages(self, word: str) -> frozenset[str]:
        """The languages whose examples use ``word``; for a compound none of them uses
        ("intervjutips", "arbeidsstad"), the languages both its parts share (with a linking
        "s" or "e" left out), which is how Norwegian and Latvian make new words."""
        langs = self.vocabulary.get(word)
        if langs is not None or len(word) < 2 * COMPOUND_PART + 1 or not word.isalpha():
            return langs or frozenset()
        for cut in range(COMPOUND_PART, len(word) - COMPOUND_PART + 1):
            head, tail = word[:cut], word[cut:]
            first = self.vocabulary.get(head) or (
                self.vocabulary.get(head[:-1]) if head[-1] in "se" else None)
            second = self.vocabulary.get(tail)
            if first and second and first & second:
                return first & second
        return frozenset()

    def _support_role(self, generic: set[int], matches: list[RoleMatch], country: str | None,
                      lang: str | None) -> str | None:
        """The role meant by support work named generically ("IT support", "atbalsta
        speciālists", "شغل پشتیبانی"): the support role of the country named, or else of the
        message's language's country. None when a role is named by its own words."""
        if not generic or not self.support_roles:
            return None
        if any(not set(range(m.start, m.end)) <= generic for m in matches):
            return None
        return self._support_place(country, lang, beside_named=False)

    def _support_place(self, country: str | None, lang: str | None, *, beside_named: bool
                       ) -> str | None:
        """The support role of the country named, else of the message's language's country.
        Norwegian counts only beside a role named by its own words: alone, Norwegian "IT-
        support" may mean any support job."""
        countries = SUPPORT_COUNTRY if beside_named else COUNTRY_OF_LANGUAGE
        return self.support_roles.get(country or countries.get(lang or "") or "")

    def _generic_support(self, generic: set[int], matches: list[RoleMatch],
                         country: str | None, lang: str | None) -> list[RoleMatch]:
        """Beside a role named by its own words, support work named generically ("IT-support,
        altså IKT-servicemedarbeider"; "I was a support specialist ... in Norway there is a
        job called ...") is the support role of the country named or of the message's
        language, not a second role by the alias it happens to share. ``generic``: the
        positions of the words that name support work."""
        inside = [generic.issuperset(range(m.start, m.end)) for m in matches]
        place = self._support_place(country, lang, beside_named=True)
        if place is None or all(inside) or not any(inside):
            return matches
        return [replace(m, role=place) if generic_one else m
                for m, generic_one in zip(matches, inside, strict=True)]

    def _signals(self, w: _Words, in_role: set[int], lang: str | None,
                 two_roles: bool = False) -> _Signals:
        """Pay dimensions, country, detail and dialogue markers named outside role mentions
        (``two_roles``: the message names two, which "the first" may point at anywhere)."""
        langs = _lexicon_languages(lang)
        # English phrases are read in every language, except in this language's own words.
        own = {i for h in w.of(FALSE_FRIENDS, langs=tuple(x for x in langs if x != "en"))
               for i in range(h.start, h.end)}

        def found(*categories: str) -> list[Hit]:
            return [h for h in w.of(*categories, langs=langs) if h.term.lang != "en"
                    or not own.intersection(range(h.start, h.end))]

        # Markers and pay words are resolved apart ("the lowest paid" is both a question about
        # all roles and a statistic), except that a dialogue marker's words are not pay words
        # ("I mean" is no "mean").
        marker_hits = longest(found(*MARKERS), in_role)
        # A question word that only continues as the last word ("مدیر خدمات IT چطور؟": how
        # about the IT service manager?) opens questions of its own anywhere else.
        marker_hits = [h for h in marker_hits if h.term.category != "follow_up_end"
                       or h.end == len(w.folded)]
        spoken = {i for h in marker_hits
                  if h.term.category in ("correction", "follow_up", "follow_up_end")
                  for i in range(h.start, h.end)}
        # "i norske kroner" names a currency, not the country to ask about.
        money = _spans([h for h in found("detail") if h.term.value == "salary.currency"])
        # A follow-up opener counts at the start (after filler words: "ok so and for ..."),
        # or as the last word ("برای مدیر پروژه چطور؟": "and for the project manager?").
        lead = next((i for i, x in enumerate(w.folded) if x not in FILLER and i not in in_role),
                    len(w.folded))
        chosen = [h for h in longest(found(*SLOT_VALUES), in_role | spoken)
                  if (h.term.category != "country"
                      or not money.issuperset(range(h.start, h.end)))
                  and (h.term.category != "pick" or two_roles
                       or _picks(h, lead, len(w.folded)))]
        slots: dict[str, str] = {}
        others: dict[str, list[str]] = defaultdict(list)  # "state or private": more values
        markers: dict[str, list[Hit]] = defaultdict(list)
        for hit in marker_hits:
            markers[hit.term.category].append(hit)
        for hit in chosen:
            category, value = hit.term.category, hit.term.value
            if category not in slots:
                slots[category] = value
            elif value != slots[category] and value not in others[category]:
                others[category].append(value)
        asking = _asking_sentence(w)
        if others["country"] and asking is not None:
            # "I counsel pupils in Førde ... one wants to move back to Latvia ... what does
            # support work need there?": the country of the sentence that asks, else the one
            # named last (which "there" points back at), not the context's first.
            places = [h for h in chosen if h.term.category == "country"]
            inside = [h for h in places if asking[0] <= h.start and h.end <= asking[1]]
            slots["country"] = inside[0].term.value if inside else places[-1].term.value
        sectors = [h for h in chosen if h.term.category == "sector"]
        if len(sectors) == 2 and sectors[0].term.value == "all" != sectors[1].term.value \
                and sectors[1].start == sectors[0].end:
            # "the overall state figure": "overall" right before the sector named qualifies
            # its figure ("all sectors and the private sector" asks for both).
            slots["sector"] = others["sector"].pop(0)
        overtime = slots.get("overtime")
        pay = PaySlice(
            sector=slots.get("sector"), hours=slots.get("hours"), gender=slots.get("gender"),
            stat=slots.get("stat"), period=slots.get("period"),
            overtime=None if overtime is None else overtime == "with",
        )
        pay_more = tuple(
            pay.merged(PaySlice.from_json(
                {category: (value == "with") if category == "overtime" else value}))
            for category, values in others.items()
            if category not in ("country", "role_head", "currency", "ladder", "pick")
            for value in values)
        # "the mean for them when overtime is counted?" continues too, wherever it points back.
        follow_up = any(h.start <= lead or h.end == len(w.folded) for h in markers["follow_up"]) \
            or bool(markers["follow_up_end"]) \
            or (bool(w.folded) and w.folded[0] in OPENING_FILLER
                and len(w.folded) <= OPENING_SHORT) or bool(markers["same_group"])
        correction = any(h.start <= 3 for h in markers["correction"])
        dialogue = {i for h in markers["follow_up"] + markers["follow_up_end"]
                    + markers["correction"] if
                    h.start <= lead or h.end == len(w.folded) or h.term.category == "correction"
                    for i in range(h.start, h.end)}
        # A country named does not make a role's follow-up a question of its own:
        # "kva med helpdesk-spesialisten i Iran?" still only names the role.
        dialogue |= {i for h in chosen if h.term.category == "country"
                     for i in range(h.start, h.end)}
        # "with bonuses included, what is the median?": the words of a pay figure's overtime
        # ("with bonuses") name no detail of their own.
        aspects = longest(found("detail"), in_role | _spans(
            [h for h in chosen if h.term.category == "overtime"]))
        if asking is not None:
            # In a long message the context ("I was at home for five years...") names details
            # too; only the sentence that asks says which one the question is about.
            aspects = [h for h in aspects if asking[0] <= h.start and h.end <= asking[1]]
        detail_words = {i for h in aspects for i in range(h.start, h.end)}
        # "which job titles ...": "which job" is part of the detail, not a question about all.
        for scope in ("all_roles", "which_of"):
            markers[scope] = [h for h in markers[scope]
                              if not set(range(h.start, h.end)) & detail_words]
        genders = {h.term.value for h in chosen if h.term.category == "gender"}
        if len(genders) == 1:
            # "what do women earn?" asks for a cell, not the gap between women and men.
            gender_words = {i for h in chosen if h.term.category == "gender"
                            for i in range(h.start, h.end)}
            aspects = [h for h in aspects if h.term.value != "salary.gender_gap"
                       or not set(range(h.start, h.end)) & gender_words]
        counts = longest(found("headcount", "amount"), in_role)
        head_hits = [h for h in chosen if h.term.category == "role_head"]
        return _Signals(
            pay=pay,
            pay_more=pay_more,
            country=slots.get("country"),
            currency=slots.get("currency"),
            ladder=slots.get("ladder"), pick=slots.get("pick"),
            follow_up=follow_up,
            correction=correction,
            all_roles=bool(markers["all_roles"] or markers["which_of"]),
            which_of=bool(markers["which_of"]) and not markers["all_roles"],
            language_change=bool(markers["language_change"]),
            questions=tuple(h.start for h in markers["question"]),
            aspects=tuple(h.term.value for h in sorted(aspects, key=lambda h: -h.size)),
            strong_aspects=frozenset(h.term.value for h in aspects if _strong_cue(h, w)),
            sure_aspects=_sure_aspects(aspects, w),
            aspect_rest=_rest(w, in_role, aspects),
            asks=any(asks for _, _, asks in w.sentences),
            dialogue_words=frozenset(dialogue),
            scope_words=frozenset(i for h in markers["all_roles"] + markers["which_of"]
                                  for i in range(h.start, h.end)),
            broad=bool(markers["broad"]),
            compare=bool(markers["compare"]),
            compare_rest=_rest(w, in_role, markers["compare"]),
            broad_rest=_rest(w, in_role, markers["broad"]),
            # Asking for a number is seen apart from the other markers ("kor mange" is also
            # a question word); a head-count is "how many" not part of a longer amount ("how
            # many years").
            headcount=any(h.term.category == "headcount" for h in counts),
            amount=bool(counts),
            both=bool(markers["both"]),
            # "this one or the helpdesk job?": the role talked about as one of two offered.
            this_or=any(_this_or(w, h, in_role | _spans(head_hits), markers["choice"])
                        for h in markers["this_one"]),
            role_head=slots.get("role_head"),
        )

    @functools.cached_property
    def speller(self) -> Speller:
        """Typo correction over our examples' words (made at the first use, not saved)."""
        return Speller(self.vocabulary, keep=self.name_words)

    def _probabilities(
        self, w: _Words, masked: list[str], matches: list[RoleMatch]
    ) -> np.ndarray:
        """Intent probabilities; a long message leans on its (last) question sentence."""
        probs = self.classifier.probabilities(" ".join(masked))
        asking = _asking_sentence(w)
        if asking is None:
            return probs
        start, end = asking
        part = self.classifier.probabilities(" ".join(_mask_span(w.folded, matches, start, end)))
        if self.classifier.labels[int(part.argmax())] not in TOPIC_INTENTS:
            # "Can you explain it in simple words?": the question names no topic, the context
            # around it does.
            return probs
        # The question sentence leans less where the whole message is surer of its reading
        # (of whichever intent) than the sentence is of its own ("I have an interview next
        # week ... What should I highlight?").
        weight = QUESTION_WEIGHT if part.max() >= probs.max() else QUESTION_WEIGHT_UNSURE
        out: np.ndarray = weight * part + (1 - weight) * probs
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
        if intent == "language" and not signals.language_change and not base.named_language \
                and (confidence < LANGUAGE_SURE or base.country):
            # "and in Latvia?" names a country, not a language to answer in.
            intent = OUT_OF_SCOPE
        if intent == "language" and not signals.language_change \
                and WHY_WORDS.intersection(base.masked.split()):
            # "why English?", "why is English needed?": a question about the language (the
            # skills' English, in a conversation about a role), not a request to switch.
            intent, confidence = OUT_OF_SCOPE, max(prob.get(OUT_OF_SCOPE, 0.0), 1.0 - confidence)
        if intent in ("greeting", "thanks", "goodbye") and (named_role or signals.aspects) \
                and (len(base.masked.split()) >= GREETING_AND_QUESTION or signals.asks):
            # "hi, I wanted to know where an IT project manager works", "salam, modir proje IT
            # chi kar mikone?" (a question mark after the greeting): the question counts.
            intent, confidence = next(((n, p) for n, p in ranked if n in TOPIC_INTENTS),
                                      (intent, confidence))
        if intent == "language" and not signals.language_change and (
                named_role or (signals.aspects and len(base.masked.split()) >= LONG_LANGUAGE)):
            # "I don't speak English well - is that a problem for this job?" asks about the job.
            intent, confidence = next(((n, p) for n, p in ranked if n in TOPIC_INTENTS),
                                      (intent, confidence))
        if intent == "compare" and not named_role:
            # "in toman or rial?" sounds like a choice between two, but compares no roles.
            intent, confidence = next(((n, p) for n, p in ranked if n in TOPIC_INTENTS),
                                      (intent, confidence))
        if signals.all_roles and intent not in TOPIC_INTENTS and not (
                intent == "roles" and confidence >= ROLES_SURE):
            # "which of these jobs pays best?": a topic across all roles, not the role list.
            # (An overview of every role is the role list itself.)
            topic = next((n for n, p in ranked if n in TOPIC_INTENTS and n != "overview"
                          and p >= 0.05), "salary" if base.pay else None)
            if topic is not None:
                intent, confidence = topic, prob.get(topic, confidence)
        settled = False
        if signals.broad and intent == "overview":
            # "tell me about the pay of ...": the marker itself reads as an overview; the
            # words besides it name the page.
            sure = self._sure_topic(signals.broad_rest)
            if sure is not None:
                (intent, confidence), settled = sure, True
        elif signals.broad and decision.ambiguous and ranked[1][0] == "overview" \
                and intent in TOPIC_INTENTS:
            settled = True  # the runner-up is the marker's own reading, not a rival topic
        aspect = None
        # The pay table's head-counts are the only counts of people the sources give: "how many
        # work part-time in the private sector?", "how many people is it based on?" ("based on"
        # asks no pay factor there), "how many people work as ICT service technicians?" (no
        # other detail named).
        counted = signals.headcount and bool(
            base.pay or any(a.startswith("salary.") for a in signals.aspects)
            or (intent == "workplace" and not signals.aspects))
        if counted:
            signals = replace(signals, aspects=())
        # A detail of the topic the message reads as comes first: in "which university subjects
        # help you get in?" the longer cue ("get in") names another topic's detail.
        for candidate in sorted(signals.aspects, key=lambda a: a.split(".", 1)[0] != intent):
            topic = candidate.split(".", 1)[0]
            if intent == "salary" and base.pay and topic != "salary":
                continue  # "what would I earn per month working full-time?" asks the pay
            if intent == topic or intent in ("help", "roles") or (intent in TOPIC_INTENTS and (
                    prob.get(topic, 0.0) >= ASPECT_MIN_PROB
                    or (candidate in signals.strong_aspects and confidence < ASPECT_OVERRULE)
                    or (candidate in signals.sure_aspects
                        and not self._names_other_topic(signals.aspect_rest, topic))
            )) or (intent == OUT_OF_SCOPE and (named_role or prob.get(OUT_OF_SCOPE, 0.0) < 0.5)) \
                    or (intent == "compare" and not signals.compare and not signals.both):
                # "and the Iranian helpdesk - which majors help?": one role and a detail, no
                # comparison word: the detail of that role, however much it sounds like one.
                aspect, intent = candidate, topic
                confidence = max(confidence, prob.get(topic, 0.0))
                break
        if aspect is None and (counted or (base.pay and intent == OUT_OF_SCOPE and (
                named_role or prob.get(OUT_OF_SCOPE, 0.0) < 0.5))):
            # "how many work part-time?" reads the pay table's head-counts.
            intent, confidence = "salary", prob.get("salary", confidence)
        if aspect is None and intent == OUT_OF_SCOPE and signals.aspects:
            # Out of scope on its own, but it names a detail: in a conversation about a role
            # the dialogue may take it as a question about that detail ("how often is it
            # updated?"), so the detail is reported with the refusal.
            aspect = signals.aspects[0]
        alternatives = tuple(islice(  # only the first few are made
            (Alternative(name, base.role, p) for name, p in ranked if name != intent),
            N_ALTERNATIVES))
        ambiguous = decision.ambiguous and intent == decision.intent and aspect is None \
            and not settled
        return _replace(base, intent=intent, confidence=confidence, alternatives=alternatives,
                        ambiguous=ambiguous, aspect=aspect)


@dataclass(frozen=True)
class _Signals:
    pay: PaySlice
    pay_more: tuple[PaySlice, ...]
    country: str | None
    currency: str | None  # a currency named ("what is that in dollars?")
    ladder: str | None  # a career step by its place: first, next, previous, last
    pick: str | None  # one of two roles by its place: first, second
    follow_up: bool
    correction: bool
    all_roles: bool
    language_change: bool
    questions: tuple[int, ...]
    aspects: tuple[str, ...]  # best first
    strong_aspects: frozenset[str]  # found by a phrase of several words ("before tax")
    sure_aspects: frozenset[str]  # what a short message is all about ("brutto eller netto?")
    aspect_rest: tuple[str, ...]  # the words besides the details named, roles and filler
    asks: bool  # a sentence ends with a question mark
    dialogue_words: frozenset[int]  # words of follow-up / correction markers
    scope_words: frozenset[int]  # words of all-roles markers ("which of them")
    which_of: bool  # all_roles only by "which of them": may point at a role's listed items
    compare_rest: tuple[str, ...]  # words besides roles, filler and comparison markers
    broad_rest: tuple[str, ...]  # words besides roles, filler and "tell me about" markers
    broad: bool  # "tell me about ...": the whole page
    compare: bool  # "compared with", "vs"
    headcount: bool  # "how many people"
    amount: bool  # "what share", "how long": asks for a number
    role_head: str | None  # a generic title word outside role names ("the manager")
    both: bool  # "which of the two"
    this_or: bool  # "this one or X": the role talked about offered beside the one named


EZAFE_ENDINGS = ("-ye", "-e", "'ye", "'e", "ye", "e")  # longest first


def _ezafe_stem(word: str, table: dict[str, str]) -> str | None:
    """The Persian of a Finglish word written with the ezafe ("fargh-e" = فرقِ, "kare" = کارِ),
    which Persian script leaves unwritten, when its stem is in ``table``."""
    for ending in EZAFE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            found = table.get(word[: -len(ending)])
            if found is not None:
                return found
    # The suffix "-i" ("tahsilati": تحصیلاتی, "what kind of education"), which is written.
    if word.endswith("i") and len(word) >= 5:
        found = table.get(word[:-1])
        if found is not None and " " not in found:
            return found + "ی"
    return None


_PARSE_FIELDS = frozenset(Parse.__dataclass_fields__)


def _replace(parse: Parse, **changes: object) -> Parse:
    """``dataclasses.replace`` without its per-field look-ups: a Parse's ``__init__`` only sets
    its 30 fields (no ``__post_init__``), one frozen ``__setattr__`` each, so the copy takes
    the fields at once instead."""
    if not changes.keys() <= _PARSE_FIELDS:
        raise TypeError(f"Parse has no field {sorted(changes.keys() - _PARSE_FIELDS)}")
    out = object.__new__(Parse)
    out.__dict__.update(parse.__dict__, **changes)
    return out


def _best_topic(labels: list[str], probs: np.ndarray) -> float:
    """The probability of the likeliest topic intent (but overview: of every role, that is the
    role list)."""
    return max(float(p) for label, p in zip(labels, probs, strict=True)
               if label in TOPIC_INTENTS and label != "overview")


def _sure_aspects(aspects: list[Hit], w: _Words) -> frozenset[str]:
    """Details a short message is plainly about: named by a phrase ("before or after tax")
    or twice ("brutto eller netto?"). The classifier, which never saw those words as a topic,
    does not overrule them."""
    # Filler and figures do not make a message longer ("er dei 35 millionane i rial eller
    # toman?" is as plain as "rial eller toman?").
    if sum(1 for x in w.folded if x not in FILLER and not x.isdigit()) > SURE_ASPECT_WORDS:
        return frozenset()
    count = Counter(h.term.value for h in aspects)
    return frozenset(h.term.value for h in aspects if h.size > 1 or count[h.term.value] > 1)


def _strong_cue(hit: Hit, w: _Words) -> bool:
    """A specific detail cue: several words, or one long word ("internship", "کارآموزی"); any
    lexicon may hold the word that matched."""
    if hit.size > 1:
        return True
    word = w.folded[hit.start]
    return len(word) >= (STRONG_CUE_PERSIAN if has_arabic_script(word) else STRONG_CUE_LETTERS)


def _rest(w: _Words, in_role: set[int], hits: list[Hit]) -> tuple[str, ...]:
    """The folded words of ``w`` besides role mentions, filler and the ``hits``' words."""
    skip = in_role | {i for h in hits for i in range(h.start, h.end)}
    return tuple(x for i, x in enumerate(w.folded) if i not in skip and x not in FILLER)


WHY_WORDS = frozenset(["why", "hvorfor", "kvifor", "korfor", "kapec", "kadel", "چرا"])
THIS_OR_GAP = 4
ALTERNATIVE_WORDS = frozenset(["or", "eller", "vai", "یا", "vs", "versus", "against"])
AND_WORDS = frozenset(["and", "og", "un", "و", "&"])
# Comparatives: "does an IT project manager earn more?" after naming another role compares.
COMPARATIVE_WORDS = frozenset(["more", "better", "less", "higher", "lower", "mer", "meir", "bedre",
                               "betre", "mindre", "hoyere", "hogare", "lavere", "vairak",
                               "labak", "mazak", "augstak", "بیشتر", "بهتر", "کمتر"])


def _career_move(labels: list[str], whole: np.ndarray) -> float:
    """How surely a message naming two roles asks about moving from one to the other: the
    career probability when career is the likeliest reading and at least twice as likely as a
    comparison, else 0."""
    career = float(whole[labels.index("career")])
    compare = float(whole[labels.index("compare")])
    return career if career >= CAREER_MOVE and career == float(whole.max()) \
        and career >= 2 * compare else 0.0


def _this_or(w: _Words, this: Hit, in_role: set[int], choice: list[Hit]) -> bool:
    """"which suits me, this one or the helpdesk job?", "helpdesk-jobben i Iran eller denne":
    in one sentence that asks to choose, the marker and a role mention on either side of one
    alternative word ("or"), the mention at most THIS_OR_GAP words from it. ("Vai šis darbs ir
    stresains?" opens a yes/no question with "vai", and "dette eller lignende" chooses
    nothing.)"""
    words = w.folded
    start, end = next(((s, e) for s, e, _ in w.sentences if s <= this.start < e),
                      (0, len(words)))
    if not any(start <= h.start and h.end <= end for h in choice):
        return False
    mentions = {i for i in in_role if start <= i < end}
    after, before = this.end, this.start - 1
    return (after < end and words[after] in ALTERNATIVE_WORDS
            and bool(mentions.intersection(range(after + 1, after + 1 + THIS_OR_GAP)))) \
        or (before > start and words[before] in ALTERNATIVE_WORDS
            and bool(mentions.intersection(range(before - THIS_OR_GAP, before))))


def _one_sentence(w: _Words, matches: list[RoleMatch]) -> bool:
    """All role mentions stand in one sentence."""
    return any(start <= min(m.start for m in matches) and max(m.end for m in matches) <= end
               for start, end, _ in w.sentences)


def _alternatives(words: list[str], matches: list[RoleMatch]) -> bool:
    """The two roles named are offered as alternatives ("X or Y, which ...?"): a word such as
    "or" stands between the first mention and the next."""
    return _between_roles(words, matches, ALTERNATIVE_WORDS)


def _between_roles(words: list[str], matches: list[RoleMatch], wanted: frozenset[str]) -> bool:
    """One of ``wanted`` stands between the first role mention and the next other role's:
    "X or Y" offers alternatives, "the career paths of X and Y" names two roles alike (no move
    from one to the other)."""
    first = min(matches, key=lambda m: m.start)
    nxt = [m.start for m in matches if m.role != first.role and m.start >= first.end]
    return bool(nxt) and any(x in wanted for x in words[first.end:min(nxt)])


def _asked_roles(w: _Words, matches: list[RoleMatch]) -> tuple[str, ...] | None:
    """The roles of the sentence that asks, when a long message names others only in its
    context sentences (no comparison asked); None when every role named is asked about."""
    asking = _asking_sentence(w)
    if asking is None:
        return None
    inside = distinct_roles([m for m in matches if asking[0] <= m.start and m.end <= asking[1]])
    return tuple(inside) if inside and len(inside) < len(distinct_roles(matches)) else None


def _picks(hit: Hit, lead: int, size: int) -> bool:
    """Whether a pick phrase points at one of two roles: "the first one", "the latter"
    anywhere; a bare ordinal ("the first", "den andre", "اولی") only opening or closing the
    message ("and the second?", "اولی چه ویژگی‌هایی ..."): "in the first year" is no pick."""
    words = hit.term.words
    return bool(PICK_WORDS.intersection(words)) or words[-1] in PICK_ENDS \
        or hit.start <= lead or hit.end == size


def _asking_sentence(w: _Words) -> tuple[int, int] | None:
    """The words of the (last) sentence that asks, in a long message of several sentences;
    None for a short or one-sentence message."""
    if len(w.sentences) < 2 or len(w.folded) < LONG_MESSAGE_WORDS:
        return None
    start, end, _ = ([s for s in w.sentences if s[2]] or [w.sentences[-1]])[-1]
    return None if end - start == len(w.folded) else (start, end)


def _mask_span(words: list[str], matches: list[RoleMatch], start: int, end: int) -> list[str]:
    """The masked words of words ``start``..``end`` (a sentence of the message)."""
    inner = [replace(m, start=m.start - start, end=m.end - start)
             for m in matches if start <= m.start and m.end <= end]
    return mask(words[start:end], inner)


def _spans(hits: list[Hit]) -> set[int]:
    """The word positions the hits cover."""
    return {i for h in hits for i in range(h.start, h.end)}


def _named_language(words: list[str]) -> str | None:
    """The language a message names; of two, the one not negated or replaced ("switch to
    English, I don't read Norwegian", "på norsk istedenfor engelsk", "فارسی جواب بدی؟ انگلیسی
    بلد نیستم")."""
    padded = f" {' '.join(words)} "
    named = [(lang, name) for name, lang in _NAMES_PADDED if name in padded]
    if not named:
        return None
    places = {name: [i for i in range(len(words)) if words[i:i + len(name.split())]
                     == name.split()] for _, name in named}
    named = [(lang, name) for lang, name in named  # "the Latvian job" names no language
             if any(i + len(name.split()) >= len(words)
                    or words[i + len(name.split())] not in JOB_AFTER for i in places[name])]
    if len({lang for lang, _ in named}) < 2:
        return named[0][0] if named else None
    spoken = [lang for lang, name in named
              if not any(_negated(words, i, i + len(name.split())) for i in places[name])]
    return spoken[0] if len(set(spoken)) == 1 else named[0][0]


def _negated(words: list[str], start: int, end: int) -> bool:
    """A negation or "instead of" just before the words, or (in Persian, whose verb comes
    last) just after: "I don't read Norwegian", "انگلیسی بلد نیستم"."""
    return bool(NOT_THIS_LANGUAGE.intersection(words[max(0, start - 3):start])
                or NOT_AFTER.intersection(words[end:end + 2]))


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
# The matcher of the last aliases, and what it made of each training example (masked text,
# text without role words, the words of that text vocabulary_of counts): an edit of one intent
# file re-reads only the examples it changed.
_LAST_MATCHER: tuple[str, RoleMatcher, dict[str, tuple[str, str, tuple[str, ...]]]] | None = None
_LAST_MODEL: tuple[str, IntentClassifier, VariantModel, dict[str, frozenset[str]]] | None = None
# The Bokmål/Nynorsk model and the Norwegian examples it was made from.
_LAST_VARIANT: tuple[list[tuple[str, str]], VariantModel] | None = None
# The classifier's n-grams of each masked example (they do not depend on the aliases).
_LAST_FEATURES: FeatureMemo | None = None
# What the lexicons make of the role names: (aliases and countries, lexicons, support roles,
# role heads); the lexicons object is the one cached_lexicons keeps while its files are the same.
_LAST_ROLE_WORDS: tuple[str, Lexicons, dict[str, str], dict[str, tuple[str, ...]]] | None = None


def has_build_memos() -> bool:
    """Whether a build in this process left its memos (none yet: it started from a saved
    engine, and a reload may read those saved with it, see bot.nlu.memos)."""
    return _LAST_MATCHER is not None


def clear_build_cache() -> None:
    """Forget the previous build (benchmarks use it to time a build from scratch)."""
    global _LAST_MATCHER, _LAST_MODEL, _LAST_FEATURES, _LAST_ROLE_WORDS, _LAST_VARIANT
    _LAST_MATCHER = _LAST_MODEL = _LAST_FEATURES = _LAST_ROLE_WORDS = _LAST_VARIANT = None
    forget_lexicons()


def _lexicons(intents_dir: Path, detail_ids: frozenset[str]) -> Lexicons:
    """The lexicons of ``intents_dir`` (the same object while none of their files changed)."""
    lexicons, problems = cached_lexicons(intents_dir, detail_ids)
    if problems:
        raise ContentError(problems)
    return lexicons


def _digest(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


VOCABULARY_SHARE = 0.15  # a language using a word less often than this is noise (a loanword)


def counted_words(raw: Sequence[str], folded_words: Sequence[str]) -> tuple[str, ...]:
    """The words of one example that :func:`vocabulary_of` counts, from its words as written
    (normalised) and folded: each distinct written word once, folded (so "Lønn lønn" counts
    twice, as it always did), leaving out numbers and single letters."""
    once = dict(zip(raw, folded_words, strict=True))
    return tuple(word for word in once.values() if not word.isdigit() and len(word) >= 2)


def vocabulary_of(samples: Sequence[tuple[Sequence[str], str]]) -> dict[str, frozenset[str]]:
    """Folded word -> the languages whose examples use it, leaving out languages that account
    for less than VOCABULARY_SHARE of its uses ("hei" is Norwegian though a Latvian example
    has it once). ``samples``: each example's :func:`counted_words` and language (kept from
    one build to the next: an edit re-reads only the examples it changed)."""
    # (word, language) -> how many examples use it, counted by Counter in one pass.
    each_lang = itertools.chain.from_iterable(itertools.repeat(lang, len(words))
                                              for words, lang in samples)
    uses = Counter(zip(itertools.chain.from_iterable(words for words, _ in samples), each_lang,
                       strict=True))
    seen: dict[str, dict[str, int]] = defaultdict(dict)
    for (word, lang), n in uses.items():
        seen[word][lang] = n
    out: dict[str, frozenset[str]] = {}
    shared: dict[frozenset[str], frozenset[str]] = {}  # a dozen sets for 13k words: one each
    for word, langs in seen.items():
        if len(langs) == 1:  # most words: one language, which has every use
            found = frozenset(langs)
        else:
            total = sum(langs.values())
            found = frozenset(lang for lang, n in langs.items()
                              if n >= VOCABULARY_SHARE * total)
        out[word] = shared.setdefault(found, found)
    return out


def train_engine(
    examples: Sequence[Example], catalog: AliasSource, lexicons: Lexicons | None = None
) -> Engine:
    """Engine from examples already in memory (tests and benchmarks use this)."""
    return _train(examples, catalog, lexicons, None)[0]


def train_engine_staged(
    examples: Sequence[Example], catalog: AliasSource, lexicons: Lexicons | None,
    interim: Calibration, previous: Engine | None = None,
) -> tuple[Engine, Callable[[], Engine] | None]:
    """:func:`train_engine` in two steps: an engine that knows the new examples but scales
    its confidences with ``interim`` (the calibration of the engine it replaces), and a
    function returning the engine :func:`train_engine` would (the final fit and the held-out
    pass, the slow part of a rebuild). None instead of that function when the engine is the
    last build's, fully calibrated already. ``previous``: the engine it replaces; the first
    engine's classifier is then that one's updated for the changed intents (see
    :meth:`IntentClassifier.train_staged`)."""
    return _train(examples, catalog, lexicons, interim, previous)


def _train(
    examples: Sequence[Example], catalog: AliasSource, lexicons: Lexicons | None,
    interim: Calibration | None, previous: Engine | None = None,
) -> tuple[Engine, Callable[[], Engine] | None]:
    with memos.BUILD_LOCK:  # the memos below change in place; a save must not see them half
        return _train_locked(examples, catalog, lexicons, interim, previous)


def _train_locked(
    examples: Sequence[Example], catalog: AliasSource, lexicons: Lexicons | None,
    interim: Calibration | None, previous: Engine | None = None,
) -> tuple[Engine, Callable[[], Engine] | None]:
    global _LAST_MATCHER, _LAST_MODEL, _LAST_FEATURES, _LAST_VARIANT
    aliases = catalog.aliases()
    alias_key = _digest(aliases)
    if _LAST_MATCHER is not None and _LAST_MATCHER[0] == alias_key:
        _, matcher, seen = _LAST_MATCHER
    else:
        matcher, seen = RoleMatcher(aliases), {}
        _LAST_MATCHER = (alias_key, matcher, seen)
    steps, role_words = _steps(catalog), _role_words(catalog, lexicons)
    name_words = _name_words(catalog)

    def make(classifier: IntentClassifier, variant: VariantModel,
             vocabulary: dict[str, frozenset[str]]) -> Engine:
        return Engine(classifier, matcher, variant, lexicons, vocabulary, steps, *role_words,
                      name_words=name_words)

    model_key = _digest([alias_key, [(ex.text, ex.intent, ex.lang) for ex in examples]])
    last = _LAST_MODEL  # read once: a background calibration may replace it meanwhile
    if last is not None and last[0] == model_key:
        return make(*last[1:]), None
    current = {ex.text for ex in examples}
    for gone in seen.keys() - current:  # only today's examples are kept
        del seen[gone]
    new = sorted(current - seen.keys())
    norm = [normalize(text).split() for text in new]
    folded_words = [[fold(w) or w for w in words] for words in norm]
    found = matcher.find_many(folded_words, remember=False)
    for text, norm_words, words, matches in zip(new, norm, folded_words, found, strict=True):
        in_role = {i for m in matches for i in range(m.start, m.end)}
        kept = [i for i in range(len(norm_words)) if i not in in_role]
        seen[text] = (" ".join(mask(words, matches)), " ".join(norm_words[i] for i in kept),
                      counted_words([norm_words[i] for i in kept], [words[i] for i in kept]))
    texts = [seen[ex.text][0] for ex in examples]
    samples = [(seen[ex.text][1], ex.lang) for ex in examples]
    vocabulary = vocabulary_of([(seen[ex.text][2], ex.lang) for ex in examples])
    # The variant model reads the Norwegian examples only: an edit elsewhere keeps it.
    norwegian = [s for s in samples if s[1] in VARIANTS]
    if _LAST_VARIANT is not None and _LAST_VARIANT[0] == norwegian:
        variant = _LAST_VARIANT[1]
    else:
        variant = VariantModel(norwegian)
        _LAST_VARIANT = (norwegian, variant)
    if _LAST_FEATURES is None:
        _LAST_FEATURES = FeatureMemo()
    labels = [ex.intent for ex in examples]
    # The shipped intents have a real out_of_scope class; the threshold is only a second guard,
    # so it may cost at most 3% of in-scope questions on the held-out split.
    if interim is None:
        classifier = IntentClassifier.train(texts, labels, max_false_fallback=0.03,
                                            tol=ENGINE_SVM_TOL, memo=_LAST_FEATURES)
        _LAST_MODEL = (model_key, classifier, variant, vocabulary)
        return make(classifier, variant, vocabulary), None
    first, calibrated = IntentClassifier.train_staged(
        texts, labels, interim, previous=previous.classifier if previous else None,
        max_false_fallback=0.03, tol=ENGINE_SVM_TOL, memo=_LAST_FEATURES)
    served = make(first, variant, vocabulary)

    def finish() -> Engine:
        global _LAST_MODEL
        classifier = calibrated()
        _LAST_MODEL = (model_key, classifier, variant, vocabulary)
        engine = make(classifier, variant, vocabulary)
        engine.adopt_speller(served)
        engine.prepare()
        return engine

    return served, finish


def _name_words(catalog: AliasSource) -> frozenset[str]:
    """The folded words of every role name in every language."""
    return frozenset(word for by_lang in catalog.aliases().values() for names in by_lang.values()
                     for name in names for word in folded(name).split())


def _role_words(catalog: AliasSource, lexicons: Lexicons | None
                ) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """:func:`_support_roles` and :func:`_role_heads` (every role name through the lexicons),
    reused while the aliases, the countries and the lexicons are the same."""
    global _LAST_ROLE_WORDS
    if lexicons is None:
        return {}, {}
    key = _digest([catalog.aliases(), sorted(catalog.countries().items(), key=str)])
    last = _LAST_ROLE_WORDS
    if last is not None and last[0] == key and last[1] is lexicons:
        return last[2], last[3]
    support, heads = _support_roles(catalog, lexicons), _role_heads(catalog, lexicons)
    _LAST_ROLE_WORDS = (key, lexicons, support, heads)
    return support, heads


def _role_heads(catalog: AliasSource, lexicons: Lexicons | None) -> dict[str, tuple[str, ...]]:
    """Generic title word -> the roles whose names hold it ("manager": the project and the
    service manager), from the ``role_head`` lexicon and the roles' names."""
    if lexicons is None:
        return {}
    found: dict[str, set[str]] = defaultdict(set)
    for role, by_lang in catalog.aliases().items():
        for name in (n for names in by_lang.values() for n in names):
            words = [fold(x) or x for x in normalize(name).split()]
            for hit in lexicons.find(words):
                if hit.term.category == "role_head":
                    found[hit.term.value].add(role)
    return {head: tuple(sorted(roles)) for head, roles in found.items()}


def _support_roles(catalog: AliasSource, lexicons: Lexicons | None) -> dict[str, str]:
    """country -> the one role of that country whose names include support work."""
    if lexicons is None:
        return {}
    countries = catalog.countries()
    found: dict[str, set[str]] = defaultdict(set)
    for role, by_lang in catalog.aliases().items():
        country = countries.get(role)
        for name in (n for names in by_lang.values() for n in names):
            words = [fold(x) or x for x in normalize(name).split()]
            if country and any(h.term.category in ROLE_HINTS for h in lexicons.find(words)):
                found[country].add(role)
    return {country: next(iter(roles)) for country, roles in found.items() if len(roles) == 1}


def _steps(catalog: AliasSource) -> PhraseIndex:
    """The career steps' names of every role, as phrases (only those of two words or more: a
    one-word step such as "CIO" is a job of its own). The last word matches its inflected forms
    too: "par atbalsta nodaļas vadītāju", "supervisors", "leiaren"."""
    own = {role: {" ".join(folded(name).split()) for names in by_lang.values() for name in names}
           for role, by_lang in catalog.aliases().items()}
    aliases = set().union(*own.values())
    alias_words = {w for alias in aliases for w in alias.split()}
    terms = []
    short: dict[tuple[str, ...], set[str]] = defaultdict(set)  # short form -> step values
    for role, steps in catalog.step_names().items():
        for key, names in steps.items():
            for name in names:
                words = tuple(folded(name).split())
                if len(words) >= 2:
                    # A step named as the role itself ("helpdesk specialist") is no step of
                    # its own: its key is left out.
                    step = "" if " ".join(words) in own.get(role, set()) else key
                    value = f"{role}{STEP_KEY}{step}"
                    terms.append(Term((*words[:-1], _stem(words[-1])), "step", value, ""))
                    # People leave out the field: "تکنسین ارشد" for "تکنسین ارشد پشتیبانی",
                    # "senior technician" for "senior support technician".
                    # Not when a function word is left ("teamleder for") or only words of
                    # role names ("technical specialist" is no step of its own).
                    rest = tuple(w for w in words if w not in STEP_FIELD_WORDS)
                    if step and len(words) >= 3 and len(rest) >= 2 \
                            and not FILLER.intersection(rest) \
                            and not alias_words.issuperset(rest):
                        short[rest].add(value)
    for words, values in short.items():
        if len(values) == 1:  # a short form two steps share names neither
            terms.append(Term((*words[:-1], _stem(words[-1])), "step", next(iter(values)), ""))
    return PhraseIndex(terms)


def _step(term_value: str) -> tuple[str, str]:
    """A step term's role and step key ("" when the step is the role itself)."""
    role, _, key = term_value.partition(STEP_KEY)
    return role, key


STEM_ENDINGS = "aeiousy"  # inflection endings cut from a step name's last word (up to two)
STEM_KEEP = 5  # ... as long as this many letters are left


# Words that name the field of a career step, which people leave out of its name.
STEP_FIELD_WORDS = frozenset(["support", "پشتیبانی", "atbalsta", "brukerstotte", "brukarstotte"])


def _stem(word: str) -> str:
    """``word`` as a prefix term ("vadītājs" -> "vadītāj*"); short or non-letter words stay."""
    if not word.isalpha() or len(word) <= STEM_KEEP:
        return word
    stem = word
    for _ in range(2):
        if stem[-1] in STEM_ENDINGS and len(stem) > STEM_KEEP:
            stem = stem[:-1]
    return stem + "*"


def build_engine(
    intents_dir: Path, catalog: AliasSource, cache_dir: Path | None = None,
    learned_dir: Path | None = None,
) -> Engine:
    """Load ``intents_dir`` (examples and lexicons, and the taught examples of a separate
    ``learned_dir``) and train; raises ContentError when the files cannot be read. With
    ``cache_dir``, the trained engine is saved there and loaded instead of retrained while the
    intents, the aliases and the code are the same."""
    started = time.perf_counter()
    preload(cache_dir)

    def train() -> Engine:
        lexicons = _lexicons(intents_dir, frozenset(catalog.details))
        return train_engine(load_intents(intents_dir, learned_dir), catalog, lexicons)

    key = _saved_key(cache_dir, intents_dir, catalog, learned_dir)
    if cache_dir is None or key is None:
        engine = train()
    else:
        found = load_saved(cache_dir, "engine", key, Engine)
        if found is None:
            found = train()
            save_model(cache_dir, "engine", key, found)
            # its build's memos, for the first reload of a bot that loads it
            memos.save(cache_dir, key, found)
        engine = found
        engine.saved_key = key
    engine.prepare()
    release_free_memory()  # training temporaries: keep the bot's RSS small
    engine.build_seconds = time.perf_counter() - started
    return engine


def _saved_key(cache_dir: Path | None, intents_dir: Path, catalog: AliasSource,
               learned_dir: Path | None) -> str | None:
    """The key of the saved engine for these files, or None: no cache, or a file that cannot
    be read (training then reports it with its name)."""
    if cache_dir is None:
        return None
    try:
        return engine_key(intents_dir, catalog, learned_dir)
    except OSError:
        return None


@dataclass
class StagedBuild:
    """What :func:`build_engine_staged` made: an engine to serve now and what is left."""

    engine: Engine
    # The fully calibrated engine (the slow half: run it in the background), then saving it;
    # None when ``engine`` is fully calibrated already (and saved, when there is a cache).
    calibrate: Callable[[], Engine] | None = None
    save: Callable[[Engine], None] | None = None


def build_engine_staged(
    intents_dir: Path, catalog: AliasSource, cache_dir: Path | None, learned_dir: Path | None,
    interim: Calibration, previous: Engine | None = None,
) -> StagedBuild:
    """:func:`build_engine` for a reload: unless a saved or the last engine fits the files, the
    engine comes back with ``interim`` calibration (see :func:`train_engine_staged`), and
    ``calibrate`` then ``save`` make and keep the one :func:`build_engine` would. Nothing is
    saved before that: a saved engine is always fully calibrated. ``previous``: the engine being
    replaced, so that the first engine refits only the changed intents (and keeps its speller
    when the words are the same)."""
    started = time.perf_counter()
    preload(cache_dir)
    key = _saved_key(cache_dir, intents_dir, catalog, learned_dir)
    if cache_dir is not None and key is not None:
        found = load_saved(cache_dir, "engine", key, Engine)
        if found is not None:
            found.saved_key = key
            found.prepare()
            found.build_seconds = time.perf_counter() - started
            return StagedBuild(found)
    lexicons = _lexicons(intents_dir, frozenset(catalog.details))
    engine, calibrate = train_engine_staged(load_intents(intents_dir, learned_dir), catalog,
                                            lexicons, interim, previous)
    if previous is not None:
        engine.adopt_speller(previous)
    engine.prepare()
    release_free_memory()
    engine.build_seconds = time.perf_counter() - started
    if cache_dir is None or key is None:
        return StagedBuild(engine, calibrate)
    folder, saved_key = cache_dir, key

    def save(done: Engine) -> None:
        save_model(folder, "engine", saved_key, done)
        done.saved_key = saved_key
        memos.save(folder, saved_key, done)

    if calibrate is None:  # the last build's engine (calibrated), not saved under these files
        save(engine)
        return StagedBuild(engine)
    return StagedBuild(engine, calibrate, save)


def engine_key(intents_dir: Path, catalog: AliasSource, learned_dir: Path | None = None
               ) -> str:
    """What a trained engine depends on: every intents file (taught ones included), the role
    aliases, the career steps' names, the detail ids (and, through :class:`Key`, the code and
    library versions)."""
    files = example_files(intents_dir) + lexicon_files(intents_dir)  # exactly what is read
    learned = learned_files(intents_dir, learned_dir)
    return (Key("engine").add_files(files, intents_dir)
            .add(f"learned {len(learned)}").add_files(learned, learned_dir or intents_dir)
            .add(_digest([catalog.aliases(), catalog.step_names(), sorted(catalog.details),
                          sorted(catalog.countries().items(), key=str)]))
            .hexdigest())


__all__ = ["FILLER", "INTENTS", "Engine", "PhraseIndex", "StagedBuild", "build_engine",
           "build_engine_staged", "train_engine", "train_engine_staged"]
