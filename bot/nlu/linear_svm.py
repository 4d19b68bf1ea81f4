"""One binary linear SVM fitted without scikit-learn: a reload's interim refit.

The first ``/reload`` after a start refits the intents whose examples changed (see
``IntentClassifier._refitted``); importing scikit-learn for that took 0.9-1.8 s, more than
the whole 1 s budget of a reload, and importing it at start costs ~74 MiB. This solves
the problem ``LinearSVC(C=c, class_weight=...)`` solves (squared hinge, L2, liblinear's
intercept: a constant feature of 1 whose weight is regularised too) in its primal form,

    min over [w, b] of  0.5 * ||[w, b]||^2 + sum_i cost_i * max(0, 1 - y_i * (w.x_i + b))^2,

by Newton's method with preconditioned conjugate gradients and a backtracking line search
(liblinear's own primal solver, ``-s 2``), in numpy on the caller's scipy.sparse matrix. The
objective is 1-strongly convex, so the answer's (Euclidean) distance to the optimum is at
most its gradient's norm, the stopping test: at ``GRADIENT_TOL`` the weights are closer to
the optimum than liblinear's dual solver gets at the engine's tolerance (3e-3 off, measured
on the shipped intents). The final, calibrated fit stays liblinear's.

Vector products go through ``np.einsum``, not BLAS: on a loaded two-core machine a threaded
BLAS dot of 65,000 numbers took milliseconds instead of microseconds (a fit, seconds).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

GRADIENT_TOL = 1e-3  # the answer's (Euclidean) distance to the optimum is below this
MAX_NEWTON = 100
MAX_CG = 500
CG_FORCING = 0.1  # each Newton step is solved until the residual is this share of the gradient
ARMIJO = 0.01  # sufficient decrease in the line search (liblinear's)
PRECONDITIONING = 0.01  # the share of the Hessian's diagonal in the preconditioner


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.einsum("i,i", a, b))


def fit_binary_svm(
    matrix: sp.csr_matrix, positive: np.ndarray, cost: np.ndarray,
    start: tuple[np.ndarray, float] | None = None, tol: float = GRADIENT_TOL,
) -> tuple[np.ndarray, float]:
    """Weights and bias of the squared-hinge L2 SVM separating the rows where ``positive``
    (bool) is true, each row's loss weighted by ``cost`` (``C`` times its class weight).

    ``start``: weights and bias to begin from (the label's previous ones: a few examples
    more move them little, so fewer Newton steps are needed); the optimum is the same.
    """
    n = matrix.shape[1]
    sign = np.where(positive, 1.0, -1.0)
    w = np.zeros(n + 1)  # the bias last: the constant feature's weight
    if start is not None:
        w[:n] = start[0]
        w[n] = start[1]
    z = matrix @ w[:n] + w[n]
    for _ in range(MAX_NEWTON):
        slack = 1.0 - sign * z
        active = np.flatnonzero(slack > 0)  # only these rows' losses count (and curve)
        weight = cost[active]
        pull = weight * sign[active] * slack[active]
        # The features of those rows, renumbered: elsewhere the Hessian is the identity.
        rows = matrix[active]
        used = np.flatnonzero(np.bincount(rows.indices, minlength=n))
        number = np.zeros(n, dtype=rows.indices.dtype)
        number[used] = np.arange(len(used), dtype=number.dtype)
        part = sp.csr_matrix((rows.data, number[rows.indices], rows.indptr),
                             shape=(len(active), len(used)))
        part_t = part.T
        grad = w.copy()
        grad[used] -= 2.0 * (part_t @ pull)
        grad[n] -= 2.0 * float(pull.sum())
        gnorm = _dot(grad, grad) ** 0.5
        if gnorm <= tol:
            break
        step = -grad  # the exact Newton step where the Hessian is the identity
        inner = np.append(used, n)
        step[inner] = _newton_step(_hessian(part, part_t, weight), _preconditioner(part, weight),
                                   grad[inner], CG_FORCING * gnorm)
        # Backtracking along the step: the scores move by X_aug @ step, computed once.
        moved = matrix @ step[:n] + step[n]
        ww, ws, ss = _dot(w, w), _dot(w, step), _dot(step, step)
        objective = 0.5 * ww + _dot(weight, slack[active] ** 2)
        slope = _dot(grad, step)
        alpha = 1.0
        while alpha > 1e-10:
            hinge = np.maximum(1.0 - sign * (z + alpha * moved), 0.0)
            value = 0.5 * (ww + alpha * (2.0 * ws + alpha * ss)) + _dot(cost, hinge * hinge)
            if value - objective <= ARMIJO * alpha * slope:
                break
            alpha /= 2
        w += alpha * step
        z += alpha * moved
    return w[:n], float(w[n])


def _hessian(part: sp.csr_matrix, part_t: sp.csc_matrix, weight: np.ndarray
             ) -> Callable[[np.ndarray], np.ndarray]:
    """v -> H v, H = I + 2 X' D X over the active rows ``part`` (the bias last)."""
    m = part.shape[1]

    def product(v: np.ndarray) -> np.ndarray:
        u = weight * (part @ v[:m] + v[m])
        out = v.copy()
        out[:m] += 2.0 * (part_t @ u)
        out[m] += 2.0 * float(u.sum())
        return out

    return product


def _preconditioner(part: sp.csr_matrix, weight: np.ndarray) -> np.ndarray:
    """liblinear's: the identity with a hundredth of the Hessian's diagonal, which took half
    the conjugate-gradient steps the diagonal alone did."""
    squared = part.copy()
    squared.data **= 2
    diagonal = np.empty(part.shape[1] + 1)
    diagonal[:-1] = squared.T @ weight
    diagonal[-1] = float(weight.sum())
    return 1.0 + PRECONDITIONING * 2.0 * diagonal


def _newton_step(hessian: Callable[[np.ndarray], np.ndarray], diagonal: np.ndarray,
                 grad: np.ndarray, enough: float) -> np.ndarray:
    """Solve ``hessian(step) = -grad`` by conjugate gradients preconditioned with
    ``diagonal``, until the residual's norm is at most ``enough``."""
    step = np.zeros_like(grad)
    residual = -grad
    pre = residual / diagonal
    direction = pre.copy()
    rho = _dot(residual, pre)
    for _ in range(MAX_CG):
        if _dot(residual, residual) <= enough * enough:
            break
        curved = hessian(direction)
        alpha = rho / _dot(direction, curved)
        step += alpha * direction
        residual -= alpha * curved
        pre = residual / diagonal
        rho, previous = _dot(residual, pre), rho
        direction = pre + (rho / previous) * direction
    return step
