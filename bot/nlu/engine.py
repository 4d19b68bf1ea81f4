"""The understanding engine: text (+ language hints) -> :class:`~bot.nlu.result.Parse`.

Pipeline: normalise -> find role mentions on the folded words -> language of the words that are
not role names -> intent of the text with role mentions masked. Two roles mean ``compare``; a
bare role name means ``overview``. The engine is immutable; a content reload builds a new one.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

from bot.nlu.classifier import OUT_OF_SCOPE, IntentClassifier
from bot.nlu.data import AliasSource, Example, load_intents
from bot.nlu.langid import (
    VariantModel,
    detect,
    map_language_code,
    preload,
    release_free_memory,
    reply_language,
)
from bot.nlu.normalize import fold, normalize
from bot.nlu.result import Alternative, LangHints, Parse
from bot.nlu.roles import MASK, RoleMatcher, distinct_roles, mask

N_ALTERNATIVES = 3
# Words that carry no request on their own: "the it project manager?" is still a bare role name.
_FILLER = frozenset(
    ["a", "an", "the", "about", "on", "om", "en", "ein", "ei", "et", "eit", "par", "to", "is"]
)


class Engine:
    """Parses messages; build one with :func:`build_engine`."""

    def __init__(
        self, classifier: IntentClassifier, matcher: RoleMatcher, variant: VariantModel
    ) -> None:
        self.classifier = classifier
        self.matcher = matcher
        self.variant = variant
        self.build_seconds = 0.0

    def mask_text(self, text: str) -> str:
        """The folded text with role mentions replaced by a placeholder (what the model sees)."""
        words = fold(normalize(text)).split()
        return " ".join(mask(words, self.matcher.find(words)))

    def parse(self, text: str, hints: LangHints | None = None) -> Parse:
        """Language, intent, role(s) and calibrated confidence of one message."""
        norm_words = normalize(text).split()
        words = [fold(w) or w for w in norm_words]
        matches = self.matcher.find(words)
        roles = distinct_roles(matches)
        role = roles[0] if roles else None
        in_role = {i for m in matches for i in range(m.start, m.end)}
        rest = [w for i, w in enumerate(norm_words) if i not in in_role]
        alias_langs = frozenset().union(*(m.langs for m in matches)) if matches else frozenset()
        prior = (hints.chat, map_language_code(hints.telegram)) if hints else ()
        detection = detect(
            " ".join(rest), alias_langs=alias_langs, variant=self.variant, prior=prior
        )
        lang, confident = reply_language(detection, hints)
        masked = mask(words, matches)
        content = [w for w in masked if w != MASK and w not in _FILLER]

        def rule(intent: str) -> Parse:
            return Parse(text, lang, confident, intent, role, roles, 1.0, (), False)

        if len(roles) >= 2:
            return rule("compare")
        if roles and not content:
            return rule("overview")
        if not words:
            return rule(OUT_OF_SCOPE)
        decision = self.classifier.decide(" ".join(masked))
        intent, confidence = decision.intent, decision.score
        if intent == OUT_OF_SCOPE:
            if roles and decision.ranked[0][0] != OUT_OF_SCOPE:
                # A named role puts the question in scope: only the out_of_scope class itself
                # (e.g. "fix my printer, I am a helpdesk specialist") may refuse it.
                intent = decision.top_intent
            else:
                confidence = max(dict(decision.ranked).get(OUT_OF_SCOPE, 0.0), 1.0 - confidence)
        alternatives = tuple(
            Alternative(name, role, p)
            for name, p in decision.ranked
            if name not in (intent, OUT_OF_SCOPE)
        )[:N_ALTERNATIVES]
        ambiguous = decision.ambiguous and intent != OUT_OF_SCOPE
        return Parse(
            text, lang, confident, intent, role, roles, confidence, alternatives, ambiguous
        )


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


def train_engine(examples: Sequence[Example], catalog: AliasSource) -> Engine:
    """Engine from examples already in memory (tests and benchmarks use this)."""
    global _LAST_MATCHER, _LAST_MODEL
    aliases = catalog.aliases()
    alias_key = _digest(aliases)
    if _LAST_MATCHER is not None and _LAST_MATCHER[0] == alias_key:
        matcher = _LAST_MATCHER[1]
    else:
        matcher = RoleMatcher(aliases)
        _LAST_MATCHER = (alias_key, matcher)
    model_key = _digest([alias_key, [(ex.text, ex.intent, ex.lang) for ex in examples]])
    if _LAST_MODEL is not None and _LAST_MODEL[0] == model_key:
        return Engine(_LAST_MODEL[1], matcher, _LAST_MODEL[2])
    texts = []
    samples = []
    norm = [normalize(ex.text).split() for ex in examples]
    folded_words = [[fold(w) or w for w in words] for words in norm]
    found = matcher.find_many(folded_words)
    for ex, norm_words, words, matches in zip(examples, norm, folded_words, found, strict=True):
        texts.append(" ".join(mask(words, matches)))
        in_role = {i for m in matches for i in range(m.start, m.end)}
        samples.append((" ".join(w for i, w in enumerate(norm_words) if i not in in_role), ex.lang))
    # The shipped intents have a real out_of_scope class; the threshold is only a second guard,
    # so it may cost at most 3% of in-scope questions on the held-out split.
    classifier = IntentClassifier.train(
        texts, [ex.intent for ex in examples], max_false_fallback=0.03
    )
    variant = VariantModel(samples)
    _LAST_MODEL = (model_key, classifier, variant)
    return Engine(classifier, matcher, variant)


def build_engine(intents_dir: Path, catalog: AliasSource) -> Engine:
    """Load ``intents_dir`` and train; raises ContentError when the files cannot be read."""
    started = time.perf_counter()
    preload()
    engine = train_engine(load_intents(intents_dir), catalog)
    release_free_memory()  # training temporaries: keep the bot's RSS small
    engine.build_seconds = time.perf_counter() - started
    return engine
