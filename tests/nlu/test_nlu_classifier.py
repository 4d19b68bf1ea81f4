"""The generic intent classifier behind ``helpdesk-bot classify`` (small synthetic data)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.classifier import (
    OUT_OF_SCOPE,
    FeatureMemo,
    Featurizer,
    IntentClassifier,
    char_features,
)

TOPICS = {
    "balance": ["what is my balance", "how much money do i have", "show account balance"],
    "card_lost": ["i lost my card", "my card was stolen", "block my lost card"],
    "transfer": ["send money to a friend", "make a bank transfer", "transfer funds abroad"],
    "exchange": ["what is the exchange rate", "convert euros to dollars", "currency rates today"],
}


def dataset() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for intent, seeds in TOPICS.items():
        for seed in seeds:
            for prefix in ("", "please ", "hi, ", "can you tell me ", "quick question: "):
                for suffix in ("", " now", " please", "?"):
                    texts.append(prefix + seed + suffix)
                    labels.append(intent)
    return texts, labels


@pytest.fixture(scope="module")
def model() -> IntentClassifier:
    texts, labels = dataset()
    return IntentClassifier.train(texts, labels)


def test_classifies_unseen_paraphrases(model: IntentClassifier) -> None:
    assert model.decide("my card got stolen yesterday").top_intent == "card_lost"
    assert model.decide("whats the rate for dollars").top_intent == "exchange"
    assert model.decide("Send Money To My Friend!!").top_intent == "transfer"


def test_scores_are_probabilities(model: IntentClassifier) -> None:
    probs = model.probabilities("what is my balance")
    assert probs.shape == (len(TOPICS),)
    assert abs(float(probs.sum()) - 1.0) < 1e-6
    decision = model.decide("what is my balance")
    assert decision.score == pytest.approx(float(probs.max()))
    assert decision.ranked[0] == (decision.top_intent, decision.score)


def test_text_without_known_features_gets_low_confidence(model: IntentClassifier) -> None:
    inside = model.decide("how much money do i have in my account").score
    outside = model.decide("zzz qqq").score
    assert outside < inside


def test_threshold_sends_low_confidence_to_out_of_scope(model: IntentClassifier) -> None:
    probs = np.array([0.5, 0.3, 0.15, 0.05])
    saved = model.calibration.threshold
    try:
        model.calibration.threshold = 0.6
        low = model.decide_probs(probs)
        assert (low.intent, low.top_intent, low.score) == (OUT_OF_SCOPE, model.labels[0], 0.5)
        model.calibration.threshold = 0.4
        assert model.decide_probs(probs).intent == model.labels[0]
    finally:
        model.calibration.threshold = saved


def test_ambiguity_margin(model: IntentClassifier) -> None:
    saved = model.calibration.threshold
    try:
        model.calibration.threshold = 0.0
        assert model.decide_probs(np.array([0.45, 0.40, 0.1, 0.05])).ambiguous
        assert not model.decide_probs(np.array([0.8, 0.1, 0.05, 0.05])).ambiguous
    finally:
        model.calibration.threshold = saved


def test_out_of_scope_class_is_learned() -> None:
    texts, labels = dataset()
    for i, t in enumerate(["tell me a joke", "what is the weather", "play some music"] * 20):
        texts.append(f"{t} {i % 7}")
        labels.append(OUT_OF_SCOPE)
    clf = IntentClassifier.train(texts, labels)
    assert clf.decide("please tell me a joke").intent == OUT_OF_SCOPE
    assert clf.decide("i lost my card").intent == "card_lost"


def test_batch_and_single_paths_agree(model: IntentClassifier) -> None:
    queries = ["i lost my card", "convert euros", "", "zzz qqq"]
    batch = model.decide_many(queries)
    for query, b in zip(queries, batch, strict=True):
        single = model.decide(query)
        assert single.top_intent == b.top_intent
        assert single.score == pytest.approx(b.score, abs=1e-5)


def test_featurizer_matches_sparse_matrix() -> None:
    featurizer = Featurizer()
    matrix = featurizer.fit(["hello world", "hello there"])
    idx, val = featurizer.vector("hello world")
    dense = np.zeros(featurizer.size)
    dense[idx] = val
    assert np.allclose(dense, matrix.toarray()[0])
    # each block (words, characters) is L2-normalised
    assert np.linalg.norm(dense) == pytest.approx(np.sqrt(2))


def test_a_memo_of_earlier_fits_changes_nothing() -> None:
    """A rebuild reuses the n-grams of texts it has seen; the vocabulary (feature numbers) and
    the matrix must be those of a fit from scratch, whatever the memo saw before."""
    texts, _ = dataset()
    memo = FeatureMemo()
    Featurizer().fit(["zebra crossing", *texts[::-1]], memo)  # other texts, another order
    edited = [*texts[5:], "a brand new example", "hello there"]
    with_memo, fresh = Featurizer(), Featurizer()
    reused = with_memo.fit(edited, memo)
    scratch = fresh.fit(edited)
    assert [list(v.items()) for v in with_memo.vocab] == [list(v.items()) for v in fresh.vocab]
    assert np.array_equal(with_memo.idf, fresh.idf)
    assert (reused != scratch).nnz == 0 and np.array_equal(reused.indices, scratch.indices)


def test_char_features_like_char_wb() -> None:
    assert char_features("ab", 2, 3) == [" a", "ab", "b ", " ab", "ab "]
    assert char_features("a", 3, 5) == [" a "]


def test_calibration_is_measured(model: IntentClassifier) -> None:
    cal = model.calibration
    assert cal.temperature > 0
    assert 0.0 <= cal.threshold < 1.0
    assert cal.pseudo_oos_intents


def test_blend_with_logistic_regression_still_classifies() -> None:
    texts, labels = dataset()
    blended = IntentClassifier.train(texts, labels, blend=True)
    assert blended.decide("my card got stolen yesterday").top_intent == "card_lost"
    assert blended.weights.shape == (blended.featurizer.size, len(TOPICS))
