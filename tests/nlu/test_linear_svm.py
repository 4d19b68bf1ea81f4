"""The numpy SVM of a reload's interim refit solves liblinear's problem: on a real one (the
shipped English examples, one intent against the rest, weighted as the refit weighs them) its
weights and bias are LinearSVC's, run to convergence, within the tolerance asked for."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from bot.config import PROJECT_ROOT
from bot.nlu.classifier import Featurizer
from bot.nlu.data import load_intents
from bot.nlu.linear_svm import fit_binary_svm
from bot.nlu.normalize import folded

C = 0.5  # the engine's


@pytest.fixture(scope="module")
def problem() -> tuple[sp.csr_matrix, np.ndarray, float]:
    """The English examples' features, which of them are salary's, and its class weight
    (``class_weight='balanced'`` of the full fit, as ``IntentClassifier._refitted`` sets it)."""
    examples = [ex for ex in load_intents(PROJECT_ROOT / "intents") if ex.lang == "en"]
    matrix = Featurizer().fit([folded(ex.text) for ex in examples])
    labels = [ex.intent for ex in examples]
    positive = np.array([label == "salary" for label in labels])
    balanced = len(labels) / (len(set(labels)) * int(positive.sum()))
    return matrix, positive, balanced


def test_weights_are_liblinears(problem: tuple[sp.csr_matrix, np.ndarray, float]) -> None:
    matrix, positive, balanced = problem
    reference = LinearSVC(C=C, class_weight={True: balanced, False: 1.0}, tol=1e-9,
                          max_iter=100_000, random_state=0).fit(matrix, positive)
    cost = C * np.where(positive, balanced, 1.0)
    weights, bias = fit_binary_svm(matrix, positive, cost, tol=1e-6)
    assert np.abs(weights - reference.coef_[0]).max() < 1e-5
    assert abs(bias - reference.intercept_[0]) < 1e-5
    # from another start (a refit begins at the label's previous weights): the same optimum
    rng = np.random.default_rng(0)
    moved, moved_bias = fit_binary_svm(
        matrix, positive, cost, tol=1e-6,
        start=(weights + rng.normal(0, 0.1, len(weights)), bias - 0.5))
    assert np.abs(moved - reference.coef_[0]).max() < 1e-5
    assert abs(moved_bias - reference.intercept_[0]) < 1e-5
