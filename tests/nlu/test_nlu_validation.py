"""Refusal calibrated on a labelled validation set (``classify --validation``), small data."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.classifier import OUT_OF_SCOPE, IntentClassifier, budget_threshold
from bot.nlu.validation import calibrate_on, joined, train_validated
from tests.nlu.test_nlu_classifier import dataset

VALIDATION = [
    ("how much do i have on my account", "balance"),
    ("is my overdraft big", "balance"),
    ("someone took my card", "card_lost"),
    ("my card is gone", "card_lost"),
    ("wire money to my brother", "transfer"),
    ("move funds to another bank", "transfer"),
    ("how many dollars for a euro", "exchange"),
    ("todays rate for pounds", "exchange"),
    ("show my account balance please", "balance"),
    ("block my card, it was stolen", "card_lost"),
    ("play some jazz", OUT_OF_SCOPE),
    ("tell me a joke", OUT_OF_SCOPE),
    ("book a table for two", OUT_OF_SCOPE),
    ("who won the football game", OUT_OF_SCOPE),
]
VAL_TEXTS = [t for t, _ in VALIDATION]
VAL_LABELS = [label for _, label in VALIDATION]


def test_budget_threshold_refuses_no_more_than_the_budget_and_stops_above_the_last_oos() -> None:
    in_conf = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35, 0.3, 0.2, 0.1])
    none = np.zeros(10, dtype=bool)
    # 20% of ten in-scope items may be refused: the limit is the third lowest (0.3) ...
    assert budget_threshold(in_conf, none, None, 0.2) == 0.3
    # ... lowered to just above the most confident out-of-scope item under it
    assert budget_threshold(in_conf, none, np.array([0.25, 0.05, 0.95]), 0.2) == pytest.approx(
        0.25 + 1e-9)
    # an item the out-of-scope class already refuses uses up the budget
    assert budget_threshold(in_conf, in_conf == 0.9, None, 0.2) == 0.2
    # no out-of-scope item under the limit: no threshold
    assert budget_threshold(in_conf, none, np.array([0.95]), 0.2) == 0.0


@pytest.fixture(scope="module")
def first() -> IntentClassifier:
    return IntentClassifier.train(*dataset(), calibrate=False)


def test_calibration_on_validation_refuses_its_out_of_scope_queries(
    first: IntentClassifier,
) -> None:
    calibration = calibrate_on(first, VAL_TEXTS, VAL_LABELS, max_false_fallback=0.15)
    assert calibration.threshold > 0.0
    assert calibration.false_fallback <= 0.15
    assert calibration.pseudo_oos_recall >= 0.5  # OOS recall on the validation set
    assert calibrate_on(first, VAL_TEXTS, VAL_LABELS, 0.0).pseudo_oos_recall < 0.5
    assert calibration.temperature != 1.0


def test_calibration_needs_a_known_intent(first: IntentClassifier) -> None:
    with pytest.raises(ValueError, match="no validation item"):
        calibrate_on(first, ["tell me a joke"], [OUT_OF_SCOPE], 0.05)


def test_joined_adds_validation_items_of_trained_labels_only() -> None:
    texts, labels = joined(["a", "b"], ["x", "y"], ["c", "d"], ["x", OUT_OF_SCOPE])
    assert (texts, labels) == (["a", "b", "c"], ["x", "y", "x"])


def test_validated_model_refuses_out_of_scope_and_learnt_the_validation_set() -> None:
    model = train_validated(*dataset(), VAL_TEXTS, VAL_LABELS, max_false_fallback=0.15)
    assert model.decide("tell me the weather in bergen").intent == OUT_OF_SCOPE
    assert model.decide("what is my balance").intent == "balance"
    assert model.decide("send money to a friend").intent == "transfer"
    assert model.decide("overdraft").top_intent == "balance"  # a word only validation has
    assert OUT_OF_SCOPE not in model.labels
