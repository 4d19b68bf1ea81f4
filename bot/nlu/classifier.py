"""Intent classifier: word + character n-gram TF-IDF, linear SVM, temperature-calibrated softmax.

Optionally (``blend=True``, the default of ``helpdesk-bot classify``) an early-stopped logistic
regression is folded into the SVM's weights; the bot's engine uses the SVM alone so that a
content reload retrains in well under a second.

Training uses scikit-learn and scipy, imported only then (a reload's interim refit needs only
scipy.sparse: see bot.nlu.linear_svm); answering one message uses a hand-rolled sparse dot
product over a dense weight matrix, because sklearn's per-call overhead (~0.3 ms) would
dominate the budget, and so that a saved model answers without importing either.
Calibration holds out part of the data (and a few whole intents as pseudo out-of-scope) to fit a
softmax temperature and the out-of-scope threshold, then refits on everything.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bot.nlu.normalize import folded

if TYPE_CHECKING:  # scipy and scikit-learn are for training: a saved model answers without them
    import scipy.sparse as sp

OUT_OF_SCOPE = "out_of_scope"
SVM_TOL = 1e-4  # liblinear's stopping tolerance (its default)
CHAR_CACHE_WORDS = 50_000  # words whose character n-gram ids are kept (then start afresh)
BLEND_EPOCHS = 8
# liblinear seeds one process-wide random generator at each fit: two fits at once (a reload's
# recalibration in the background and the next reload) would change each other's results.
_FIT_LOCK = threading.Lock()


def word_features(text: str) -> list[str]:
    """Word unigrams, bigrams and 4-letter prefixes of prepared (normalised, folded) text.

    The prefix is a poor man's stemmer that works in every language we have: Latvian and
    Norwegian inflect ("tehniķim", "lønna"), and it gained ~0.6 points of cross-validated
    accuracy (and out-of-scope recall) on the shipped intents.
    """
    words = text.split()
    feats = list(words)
    feats.extend(a + " " + b for a, b in itertools.pairwise(words))
    feats.extend("^" + w[:4] for w in words if len(w) > 4)
    return feats


def char_features(text: str, lo: int = 2, hi: int = 5) -> list[str]:
    """Character n-grams inside word boundaries, like sklearn's ``char_wb``."""
    feats: list[str] = []
    append = feats.append
    for w in text.split():
        w = " " + w + " "
        size = len(w)
        for n in range(lo, hi + 1):
            if size < n:
                if n == lo:
                    append(w)
                break
            for i in range(size - n + 1):
                append(w[i : i + n])
    return feats


class FeatureMemo:
    """Each prepared text's word and character n-grams as numbers, kept from one fit to the
    next (an engine rebuild after editing one intents file re-reads only the edited texts).

    Numbers are this memo's own (``names`` turns them back into n-grams); a fit renumbers the
    features it uses. ``retain`` forgets the texts no longer trained on, and everything once
    the memo holds far more n-grams than those texts use.
    """

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.in_use = 0  # features of the last fit
        self.ids: tuple[dict[str, int], dict[str, int]] = ({}, {})
        self.names: tuple[list[str], list[str]] = ([], [])
        self._docs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._word_grams: dict[str, list[int]] = {}
        self._prepared: dict[str, str] = {}

    def __getstate__(self) -> dict[str, object]:
        """Saved (with the reload memos) with every text's n-gram numbers in two arrays, not
        two small arrays a text: pickling 10,000 small arrays took 0.17 s, these 0.03 s."""
        state = dict(self.__dict__)
        docs: dict[str, tuple[np.ndarray, np.ndarray]] = state.pop("_docs")
        blocks = [[doc[b] for doc in docs.values()] for b in range(2)]
        state["_packed"] = (list(docs), [np.array([len(x) for x in block], dtype=np.intp)
                                         for block in blocks],
                            [np.concatenate(block) if block else np.zeros(0, np.int32)
                             for block in blocks])
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        packed: tuple[list[str], list[np.ndarray], list[np.ndarray]] = \
            state.pop("_packed")  # type: ignore[assignment]
        texts, sizes, joined = packed
        self.__dict__.update(state)
        words, chars = ([ids[start:end] for start, end in itertools.pairwise(
            [0, *np.cumsum(size).tolist()])] for ids, size in zip(joined, sizes, strict=True))
        self._docs = dict(zip(texts, zip(words, chars, strict=True), strict=True))

    def prepared(self, texts: Sequence[str]) -> list[str]:
        """``folded`` of each text, remembered."""
        known = self._prepared
        out = []
        for text in texts:
            ready = known.get(text)
            if ready is None:
                ready = known[text] = folded(text)
            out.append(ready)
        return out

    def _number(self, b: int, feats: list[str]) -> list[int]:
        ids, names = self.ids[b], self.names[b]
        out = []
        for feat in feats:
            i = ids.get(feat)
            if i is None:
                i = ids[feat] = len(names)
                names.append(feat)
            out.append(i)
        return out

    def docs(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each prepared text's (word n-gram numbers, character n-gram numbers), in the order
        ``word_features`` and ``char_features`` give them (repeats kept: they are counts)."""
        out = []
        for text in texts:
            doc = self._docs.get(text)
            if doc is None:
                chars: list[int] = []
                for word in text.split():
                    grams = self._word_grams.get(word)
                    if grams is None:
                        grams = self._word_grams[word] = self._number(1, char_features(word))
                    chars.extend(grams)
                doc = self._docs[text] = (
                    np.asarray(self._number(0, word_features(text)), dtype=np.int32),
                    np.asarray(chars, dtype=np.int32))
            out.append(doc)
        return out

    def retain(self, texts: Sequence[str], prepared: Sequence[str]) -> None:
        """Keep only what ``texts`` (raw) and ``prepared`` (their folded forms) need."""
        keep_raw, keep = set(texts), set(prepared)
        self._prepared = {t: f for t, f in self._prepared.items() if t in keep_raw}
        self._docs = {t: d for t, d in self._docs.items() if t in keep}
        used = {w for t in keep for w in t.split()}
        self._word_grams = {w: g for w, g in self._word_grams.items() if w in used}
        if sum(map(len, self.names)) > 2 * self.in_use:  # mostly n-grams of forgotten texts
            self._clear()


@dataclass
class Featurizer:
    """Sublinear TF-IDF over two blocks (words, characters), each L2-normalised then weighted."""

    weights: tuple[float, float] = (1.0, 1.0)
    vocab: tuple[dict[str, int], dict[str, int]] = field(default_factory=lambda: ({}, {}))
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    _char_ids: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict[str, object]:
        """Saved without the per-word cache (words users typed; filled while a reload saves)."""
        state = dict(self.__dict__)
        state["_char_ids"] = {}
        return state

    @property
    def size(self) -> int:
        return len(self.vocab[0]) + len(self.vocab[1])

    @staticmethod
    def _blocks(text: str) -> tuple[list[str], list[str]]:
        return word_features(text), char_features(text)

    @staticmethod
    def _blocks_many(texts: Sequence[str]) -> list[tuple[list[str], list[str]]]:
        """``_blocks`` of many texts; a word's character n-grams are made once for all."""
        grams: dict[str, list[str]] = {}
        docs = []
        for text in texts:
            chars: list[str] = []
            for word in text.split():
                known = grams.get(word)
                if known is None:
                    known = grams[word] = char_features(word)
                chars.extend(known)
            docs.append((word_features(text), chars))
        return docs

    def fit(self, texts: Sequence[str], memo: FeatureMemo | None = None) -> sp.csr_matrix:
        """Learn vocabulary and IDF from prepared texts; return their feature matrix.

        ``memo`` keeps each text's n-grams between fits, so that a rebuild after an edit only
        featurises the texts it has not seen. The vocabulary numbers features in the order
        they first occur, text by text, whatever the memo held before: the matrix is the same.
        """
        memo = memo if memo is not None else FeatureMemo()
        docs = memo.docs(texts)
        import scipy.sparse as sp

        vocab: tuple[dict[str, int], dict[str, int]] = ({}, {})
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        offset = 0
        for b in range(2):
            lengths = np.fromiter((len(doc[b]) for doc in docs), dtype=np.intp, count=len(docs))
            found = (np.concatenate([doc[b] for doc in docs]) if docs
                     else np.zeros(0, dtype=np.int32))
            unique, first = np.unique(found, return_index=True)
            order = unique[np.argsort(first, kind="stable")]  # in order of first occurrence
            column = np.zeros(len(memo.names[b]), dtype=np.intp)
            column[order] = np.arange(offset, offset + len(order))
            names = memo.names[b]
            vocab[b].update(zip([names[i] for i in order.tolist()],
                                range(offset, offset + len(order)), strict=True))
            rows.append(np.repeat(np.arange(len(docs)), lengths))
            cols.append(column[found])
            offset += len(order)
        self.vocab = vocab
        memo.in_use = offset
        all_cols = np.concatenate(cols)
        data = np.ones(len(all_cols), dtype=np.float64)
        counts = sp.csr_matrix((data, (np.concatenate(rows), all_cols)),
                               shape=(len(docs), self.size))
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=self.size).astype(np.float64)
        self.idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
        return self._weigh(counts)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Feature matrix of prepared texts (unknown n-grams are ignored)."""
        return self._weigh(self._counts(self._blocks_many(texts)))

    def _counts(self, docs: list[tuple[list[str], list[str]]]) -> sp.csr_matrix:
        """Raw n-gram counts, one row per document (vectorised: this is the training hot path)."""
        rows: list[int] = []
        cols: list[int] = []
        for b in range(2):
            get = self.vocab[b].get
            for d, doc in enumerate(docs):
                ids = [i for i in map(get, doc[b]) if i is not None]
                cols.extend(ids)
                rows.extend([d] * len(ids))
        import scipy.sparse as sp

        data = np.ones(len(cols), dtype=np.float64)
        matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(docs), self.size))
        matrix.sum_duplicates()
        return matrix

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Sublinear TF times IDF, each block L2-normalised and scaled by its weight."""
        out = counts.astype(np.float64)
        out.data = (1.0 + np.log(out.data)) * self.idf[out.indices]
        split = len(self.vocab[0])
        in_words = out.indices < split
        squares = out.data**2
        row_of = np.repeat(np.arange(out.shape[0]), np.diff(out.indptr))
        norms = np.zeros((2, out.shape[0]))
        np.add.at(norms[0], row_of[in_words], squares[in_words])
        np.add.at(norms[1], row_of[~in_words], squares[~in_words])
        norms = np.sqrt(norms)
        norms[norms == 0] = 1.0
        scale = np.where(
            in_words,
            self.weights[0] / norms[0][row_of],
            self.weights[1] / norms[1][row_of],
        )
        out.data *= scale
        return out

    def _vector(self, doc: tuple[list[str], list[str]]) -> tuple[list[int], list[float]]:
        indices: list[int] = []
        data: list[float] = []
        idf = self.idf
        for b in range(2):
            get = self.vocab[b].get
            counts: Counter[int] = Counter()
            for feat in doc[b]:
                i = get(feat)
                if i is not None:
                    counts[i] += 1
            if not counts:
                continue
            vals = [(1.0 + math.log(c)) * idf[i] for i, c in counts.items()]
            norm = math.sqrt(sum(v * v for v in vals))
            scale = self.weights[b] / norm
            indices.extend(counts)
            data.extend(v * scale for v in vals)
        return indices, data

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse feature vector of one prepared text as (indices, values).

        Character n-grams stay inside words, so each word's known n-gram ids are looked up once
        and kept (the same words come back in message after message); only the word block is
        built per text. Same result as ``self._vector(self._blocks(text))``.
        """
        words = text.split()
        chars: list[int] = []
        cache = self._char_ids
        for word in words:
            ids = cache.get(word)
            if ids is None:
                if len(cache) > CHAR_CACHE_WORDS:
                    cache.clear()
                get = self.vocab[1].get
                ids = [i for i in map(get, char_features(word)) if i is not None]
                cache[word] = ids
            chars.extend(ids)
        get = self.vocab[0].get
        word_ids = [i for i in map(get, word_features(text)) if i is not None]
        return self._weighted((word_ids, chars))

    def _weighted(self, blocks: tuple[list[int], list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Sublinear TF-IDF of each block, L2-normalised and weighted (as ``_weigh``).

        Both blocks are counted in one sort (character ids all come after word ids), without
        ``np.unique``, whose overhead was a third of a message's parse time.
        """
        ids = np.array(blocks[0] + blocks[1], dtype=np.intp)
        if not len(ids):
            return np.zeros(0, np.intp), np.zeros(0)
        ids.sort()
        first = np.empty(len(ids), dtype=bool)  # where a new id starts
        first[0] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        starts = first.nonzero()[0]
        unique = ids[starts]
        counts = np.empty(len(starts), dtype=np.intp)
        np.subtract(starts[1:], starts[:-1], out=counts[:-1])
        counts[-1] = len(ids) - starts[-1]
        vals = (1.0 + np.log(counts)) * self.idf[unique]
        split = len(set(blocks[0]))  # distinct word ids: the word block's length
        for b, part in enumerate((vals[:split], vals[split:])):
            if len(part):
                part *= self.weights[b] / math.sqrt(float(part @ part))
        return unique, vals


def _digests(texts: Sequence[str], labels: Sequence[str]) -> dict[str, str]:
    """Label -> a hash of its training texts (order aside, repeats counted)."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(texts, labels, strict=True):
        by_label[label].append(text)
    return {label: hashlib.sha256("\n".join(sorted(group)).encode()).hexdigest()
            for label, group in by_label.items()}


def _blend_logistic(
    matrix: sp.csr_matrix, labels: Sequence[str], coef: np.ndarray, bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Add a multinomial logistic regression to the SVM, each scaled to unit score spread.

    Both are linear in the same features, so the blend is one weight matrix: answering costs
    nothing more. The logistic model is stopped early (8 SAGA epochs): it is a blend partner
    that brings a different loss, worth ~0.6 points on Banking77 (91.5 -> 92.1%) for ~60% more
    training time. (Trained to convergence alone it reaches ~92.0% in 20-30 s.)
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        logistic = LogisticRegression(
            solver="saga", C=20.0, max_iter=BLEND_EPOCHS, tol=1e-4, random_state=0
        )
        logistic.fit(matrix, list(labels))
    l_coef = np.asarray(logistic.coef_, dtype=np.float32)
    l_bias = np.asarray(logistic.intercept_, dtype=np.float32)
    svm_spread = float(np.std(np.asarray(matrix @ coef.T) + bias)) or 1.0
    lr_spread = float(np.std(np.asarray(matrix @ l_coef.T) + l_bias)) or 1.0
    blended = coef / svm_spread + l_coef / lr_spread
    return blended.astype(np.float32), (bias / svm_spread + l_bias / lr_spread).astype(np.float32)


@dataclass(frozen=True)
class Decision:
    """The classifier's verdict on one text."""

    intent: str  # top_intent, or OUT_OF_SCOPE when below threshold / out-of-scope class wins
    top_intent: str  # the best in-scope intent
    score: float  # calibrated confidence of top_intent
    ranked: tuple[tuple[str, float], ...]  # every intent, best first (calibrated)
    ambiguous: bool


def _softmax(scores: np.ndarray, temperature: float, *, inplace: bool = False) -> np.ndarray:
    """Softmax at ``temperature`` over the last axis; ``inplace`` overwrites ``scores`` (a
    float64 array the caller owns): the same arithmetic with a third of the numpy calls."""
    if inplace:  # the ufuncs' reduce: what .max() and .sum() call, without their Python layer
        scores /= temperature
        scores -= np.maximum.reduce(scores, axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= np.add.reduce(scores, axis=-1, keepdims=True)
        return scores
    z = scores / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return out


def _fit_temperature(scores: np.ndarray, gold: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of the held-out labels."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(math.log(0.05), math.log(5.0), 60)):
        p = _softmax(scores, float(t))[np.arange(len(gold)), gold]
        nll = float(-np.log(np.maximum(p, 1e-12)).mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def budget_threshold(
    in_conf: np.ndarray, in_to_oos: np.ndarray, out_conf: np.ndarray | None,
    max_false_fallback: float,
) -> float:
    """The confidence threshold that refuses at most ``max_false_fallback`` of the held-out
    in-scope items (``in_conf``; those the out-of-scope class already takes, ``in_to_oos``,
    count against the budget), lowered to just above the most confident out-of-scope item
    (``out_conf``) it still catches: in-scope items are not refused for nothing. Without
    out-of-scope items (None), the budget's own limit."""
    kept = np.sort(in_conf[~in_to_oos])
    allowed = int(max_false_fallback * len(in_conf)) - int(in_to_oos.sum())
    limit = float(kept[allowed]) if 0 <= allowed < len(kept) else 0.0
    if out_conf is None:
        return limit
    caught = out_conf[out_conf < limit]
    return float(caught.max()) + 1e-9 if len(caught) else 0.0


@dataclass
class Calibration:
    """What the held-out pass measured; kept for reports and benchmarks."""

    temperature: float = 1.0
    threshold: float = 0.0
    false_fallback: float = 0.0
    pseudo_oos_recall: float = 0.0
    heldout_accuracy: float = 0.0
    pseudo_oos_intents: tuple[str, ...] = ()


class IntentClassifier:
    """Linear intent model with calibrated confidences and an out-of-scope decision."""

    def __init__(
        self,
        featurizer: Featurizer,
        labels: list[str],
        weights: np.ndarray,
        bias: np.ndarray,
        calibration: Calibration,
        *,
        oos_label: str = OUT_OF_SCOPE,
        margin: float = 0.1,
        digests: dict[str, str] | None = None,
    ) -> None:
        self.featurizer = featurizer
        self.labels = labels
        self.weights = weights  # (n_features, n_labels) float32, row-gather friendly
        self.bias = bias
        self.calibration = calibration
        self.oos_label = oos_label
        self.oos_index = labels.index(oos_label) if oos_label in labels else -1
        self.margin = margin
        # Each label's training texts, hashed: the next reload's interim refits the changed ones.
        self.digests = digests or {}

    # ---- training -------------------------------------------------------------------------
    @staticmethod
    def _fit(
        matrix: sp.csr_matrix, labels: Sequence[str], c: float, blend: bool = False,
        tol: float = SVM_TOL,
    ) -> tuple[list[str], np.ndarray, np.ndarray]:
        names = sorted(set(labels))
        if len(names) == 1:  # degenerate: one intent, nothing to separate
            return names, np.zeros((matrix.shape[1], 1), np.float32), np.ones(1, np.float32)
        from sklearn.svm import LinearSVC  # training only: a saved model answers without sklearn

        model = LinearSVC(C=c, class_weight="balanced", random_state=0, tol=tol)
        with _FIT_LOCK:
            model.fit(matrix, list(labels))
        coef = np.asarray(model.coef_, dtype=np.float32)
        bias = np.asarray(model.intercept_, dtype=np.float32)
        if blend and len(names) > 2:
            coef, bias = _blend_logistic(matrix, labels, coef, bias)
        if len(names) == 2:  # binary SVC has one row: score for names[1]
            coef = (np.vstack([-coef, coef]) / 2).astype(np.float32)
            bias = (np.concatenate([-bias, bias]) / 2).astype(np.float32)
        return [str(n) for n in model.classes_], np.ascontiguousarray(coef.T), bias

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        oos_label: str = OUT_OF_SCOPE,
        c: float = 0.5,
        max_false_fallback: float = 0.05,
        pseudo_oos_share: float = 0.2,
        margin: float = 0.1,
        calibrate: bool = True,
        blend: bool = False,
        seed: int = 0,
        tol: float = SVM_TOL,
        memo: FeatureMemo | None = None,
    ) -> IntentClassifier:
        """Fit on (text, intent) pairs; texts are raw or prepared (preparation is idempotent).

        ``tol`` is liblinear's stopping tolerance: the bot's engine stops earlier (1e-2) to keep
        a reload fast, which changed no prediction on our sets. ``memo``: the n-grams of texts
        seen by an earlier training (see :class:`FeatureMemo`).
        """
        featurizer, matrix = cls._featurised(texts, memo)
        calibration = Calibration()
        if calibrate:
            calibration = cls._calibrate(
                matrix,
                list(labels),
                oos_label,
                c,
                max_false_fallback,
                pseudo_oos_share,
                seed,
                blend,
                tol,
            )
        names, weights, bias = cls._fit(matrix, labels, c, blend, tol)
        return cls(
            featurizer, names, weights, bias, calibration, oos_label=oos_label, margin=margin,
            digests=_digests(texts, labels),
        )

    @staticmethod
    def _featurised(texts: Sequence[str], memo: FeatureMemo | None
                    ) -> tuple[Featurizer, sp.csr_matrix]:
        """The fitted featurizer and the examples' matrix. One vocabulary serves the
        calibration pass and the final fit: featurising is the slow part, and sharing n-gram
        statistics (not labels) does not leak the held-out answers."""
        featurizer = Featurizer()
        memo = memo if memo is not None else FeatureMemo()
        prepared = memo.prepared(texts)
        matrix = featurizer.fit(prepared, memo)
        memo.retain(texts, prepared)
        return featurizer, matrix

    @classmethod
    def train_staged(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        interim: Calibration,
        *,
        previous: IntentClassifier | None = None,
        oos_label: str = OUT_OF_SCOPE,
        c: float = 0.5,
        max_false_fallback: float = 0.05,
        pseudo_oos_share: float = 0.2,
        margin: float = 0.1,
        seed: int = 0,
        tol: float = SVM_TOL,
        memo: FeatureMemo | None = None,
    ) -> tuple[IntentClassifier, Callable[[], IntentClassifier]]:
        """:meth:`train` (calibrated) in two steps: a classifier that knows the new examples,
        with ``interim`` calibration, now; and a function that returns the classifier
        :meth:`train` returns (the final fit and the held-out pass: the slow part).

        With ``previous`` (the classifier being replaced, same labels), the first one is
        ``previous`` brought up to date: its weights carried over to the new features, and
        only the labels whose examples changed refitted (see :meth:`_refitted`), about a
        twentieth of a full fit. Otherwise it is the final fit itself. Either way a reload
        serves it meanwhile: it answers the new examples; its confidences are scaled (and cut
        off) as the previous model's were.
        """
        featurizer, matrix = cls._featurised(texts, memo)
        label_list = list(labels)
        digests = _digests(texts, label_list)
        quick = None if previous is None else cls._refitted(previous, featurizer, matrix,
                                                            label_list, digests, c)
        final = cls._fit(matrix, label_list, c, False, tol) if quick is None else None
        first = final if quick is None else quick

        def calibrated() -> IntentClassifier:
            names, weights, bias = (final if final is not None
                                    else cls._fit(matrix, label_list, c, False, tol))
            calibration = cls._calibrate(matrix, label_list, oos_label, c, max_false_fallback,
                                         pseudo_oos_share, seed, False, tol)
            return cls(featurizer, names, weights, bias, calibration, oos_label=oos_label,
                       margin=margin, digests=digests)

        assert first is not None
        names, weights, bias = first
        return cls(featurizer, names, weights, bias, interim, oos_label=oos_label,
                   margin=margin, digests=digests), calibrated

    @staticmethod
    def _refitted(
        previous: IntentClassifier, featurizer: Featurizer, matrix: sp.csr_matrix,
        labels: list[str], digests: dict[str, str], c: float,
    ) -> tuple[list[str], np.ndarray, np.ndarray] | None:
        """``previous``'s weights on ``featurizer``'s features (a new n-gram weighs nothing),
        each label whose examples changed refitted as its one-vs-rest problem in the full fit
        (liblinear's: all examples, the label's own weighted as ``class_weight='balanced'``
        weighs them), and so is any label that the carried-over weights give one of those
        examples to, so that it lets go of it. None when the labels are not the same or more
        than half of them changed (then a full fit costs about as much).

        The refits are solved in numpy (:mod:`bot.nlu.linear_svm`, from the previous weights),
        not by liblinear: the first reload after a start then does not import scikit-learn
        (~1 s). The weights are the same problem's optimum, to within its tolerance."""
        names = sorted(set(labels))
        changed = {k for k, name in enumerate(names)
                   if previous.digests.get(name) != digests[name]}
        if previous.labels != names or 2 * len(changed) > len(names):
            return None
        weights = np.zeros((featurizer.size, len(names)), dtype=np.float32)
        for new, old in zip(featurizer.vocab, previous.featurizer.vocab, strict=True):
            # each n-gram's old column (-1: new), looked up without a Python-level loop
            was = np.fromiter(map(old.get, new, itertools.repeat(-1)), dtype=np.intp,
                              count=len(new))
            cols = np.fromiter(new.values(), dtype=np.intp, count=len(new))
            known = was >= 0
            weights[cols[known]] = previous.weights[was[known]]
        bias = previous.bias.copy()
        position = {name: k for k, name in enumerate(names)}
        gold = np.array([position[label] for label in labels])
        rows = np.flatnonzero(np.isin(gold, list(changed)))
        if len(rows):
            winners = np.asarray(matrix[rows] @ weights + bias).argmax(axis=1)
            changed |= set(winners[winners != gold[rows]].tolist())
        if 2 * len(changed) > len(names):
            return None
        from bot.nlu.linear_svm import fit_binary_svm  # not sklearn: its import takes ~1 s

        counts = np.bincount(gold, minlength=len(names))
        for k in sorted(changed):
            positive = gold == k
            balanced = len(labels) / (len(names) * counts[k])
            cost = c * np.where(positive, balanced, 1.0)  # C times the class weight, row by row
            coef, intercept = fit_binary_svm(matrix, positive, cost,
                                             start=(weights[:, k], float(bias[k])))
            weights[:, k] = coef
            bias[k] = intercept
        return names, weights, bias

    @classmethod
    def _calibrate(
        cls,
        matrix: sp.csr_matrix,
        labels: list[str],
        oos_label: str,
        c: float,
        max_false_fallback: float,
        pseudo_oos_share: float,
        seed: int,
        blend: bool = False,
        tol: float = SVM_TOL,
    ) -> Calibration:
        """Fit temperature and threshold on a held-out split; see the module docstring."""
        rng = random.Random(seed)
        by_label: dict[str, list[int]] = defaultdict(list)
        for i, label in enumerate(labels):
            by_label[label].append(i)
        in_scope = sorted(lbl for lbl in by_label if lbl != oos_label)
        if len(in_scope) < 3 or len(labels) < 40:
            return Calibration()
        n_pseudo = max(1, round(len(in_scope) * pseudo_oos_share))
        pseudo = set(rng.sample(in_scope, n_pseudo))
        train_idx: list[int] = []
        held_idx: list[int] = []
        pseudo_idx: list[int] = []
        for label, idx in sorted(by_label.items()):
            idx = idx[:]
            rng.shuffle(idx)
            if label in pseudo:
                pseudo_idx.extend(idx)
                continue
            cut = max(1, round(len(idx) * 0.2)) if len(idx) >= 3 else 0
            held_idx.extend(idx[:cut])
            train_idx.extend(idx[cut:])
        names, weights, bias = cls._fit(matrix[train_idx], [labels[i] for i in train_idx], c,
                                        blend, tol)
        if len(names) < 2 or not held_idx:
            return Calibration()
        position = {n: k for k, n in enumerate(names)}
        oos_index = position.get(oos_label, -1)

        def scores(idx: list[int]) -> np.ndarray:
            out: np.ndarray = np.asarray(matrix[idx] @ weights) + bias
            return out

        held = scores(held_idx)
        gold = np.array([position[labels[i]] for i in held_idx])
        temperature = _fit_temperature(held, gold)
        held_p = _softmax(held, temperature)
        pseudo_p = _softmax(scores(pseudo_idx), temperature)

        def top_in_scope(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            q = p.copy()
            if oos_index >= 0:
                q[:, oos_index] = -1.0
            return q.argmax(axis=1), q.max(axis=1)

        held_top, held_conf = top_in_scope(held_p)
        held_says_oos = held_p.argmax(axis=1) == oos_index
        real = gold != oos_index
        _, pseudo_conf = top_in_scope(pseudo_p)
        pseudo_conf = np.where(pseudo_p.argmax(axis=1) == oos_index, 0.0, pseudo_conf)
        threshold = budget_threshold(held_conf[real], held_says_oos[real], pseudo_conf,
                                     max_false_fallback)
        pseudo_oos = (pseudo_p.argmax(axis=1) == oos_index) | (pseudo_conf < threshold)
        fallback = (held_says_oos | (held_conf < threshold))[real]
        correct = (held_top == gold)[real] & ~fallback
        return Calibration(
            temperature=temperature,
            threshold=threshold,
            false_fallback=float(fallback.mean()),
            pseudo_oos_recall=float(pseudo_oos.mean()) if len(pseudo_oos) else 0.0,
            heldout_accuracy=float(correct.mean()),
            pseudo_oos_intents=tuple(sorted(pseudo)),
        )

    # ---- answering ------------------------------------------------------------------------
    def probabilities(self, text: str) -> np.ndarray:
        """Calibrated probability of every label for one text (raw or prepared)."""
        idx, val = self.featurizer.vector(folded(text))
        raw = val.astype(np.float32) @ self.weights[idx] + self.bias if len(idx) else self.bias
        return _softmax(raw.astype(np.float64), self.calibration.temperature, inplace=True)

    def decide(self, text: str) -> Decision:
        """Best intent, out-of-scope decision and ambiguity for one text."""
        return self.decide_probs(self.probabilities(text))

    def decide_probs(self, probs: np.ndarray) -> Decision:
        """Turn calibrated probabilities into a decision (threshold, OOS class, margin)."""
        order = (-probs).argsort()
        values = probs.tolist()  # Python floats at once, not a numpy scalar per label
        ranked = tuple((self.labels[i], values[i]) for i in order.tolist())
        in_scope = [(n, p) for n, p in ranked if n != self.oos_label]
        top, score = in_scope[0] if in_scope else (self.oos_label, 0.0)
        oos = ranked[0][0] == self.oos_label or score < self.calibration.threshold
        second = in_scope[1][1] if len(in_scope) > 1 else 0.0
        ambiguous = not oos and score - second < self.margin
        return Decision(self.oos_label if oos else top, top, score, ranked, ambiguous)

    def decide_many(self, texts: Sequence[str]) -> list[Decision]:
        """Batch version of :meth:`decide` (same results, faster for files)."""
        matrix = self.featurizer.transform([folded(t) for t in texts])
        raw = np.asarray(matrix @ self.weights, dtype=np.float64) + self.bias
        probs = _softmax(raw, self.calibration.temperature)
        return [self.decide_probs(row) for row in probs]
