"""Helpers shared by the test modules."""

import importlib
import os
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

# Set by .ci/run for the run with every extra installed: there a missing
# extra is an error, not a skip.
EXTRAS_REQUIRED = bool(os.environ.get("SKBACKPROP_REQUIRE_EXTRAS"))


def import_extra(module, extra):
    """Import ``module``, which the optional ``extra`` installs.

    Without it the calling test (or module, at module level) is skipped with
    a reason that says what to install; where SKBACKPROP_REQUIRE_EXTRAS is
    set, the ImportError is raised instead.
    """
    if EXTRAS_REQUIRED:
        return importlib.import_module(module)
    return pytest.importorskip(
        module,
        reason=f"{module} is not installed: pip install -e '.[{extra}]'",
    )


def quietly(function, *args, **kwargs):
    """``function(...)`` with ConvergenceWarning silenced (runs end at max_iter).

    The one place the tests silence it; a module whose every test would
    uses ``pytestmark = QUIET`` instead.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return function(*args, **kwargs)


def quiet_fit(clf, *args, **kwargs):
    """``clf.fit(...)`` with ConvergenceWarning silenced."""
    return quietly(clf.fit, *args, **kwargs)


# For modules whose tests all fit short runs that end at max_iter.
QUIET = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def naive_loss_and_gradient(theta, X, T, s, l2, M):
    """The oracle of the gradient: the book's rules, one sample at a time.

    Deliberately naive (no blocks, no buffers, no kernels), with the sample
    weights ``s`` (not normalised) and the L2 penalty; for s all ones and
    l2 = 0 it is the book's dCE_FNN and CE_FNN.
    """
    N, D = X.shape
    K = T.shape[1]
    W = theta[: M * (D + 1)].reshape(M, D + 1)
    V = theta[M * (D + 1) :].reshape(K, M + 1)
    dW, dV = np.zeros_like(W), np.zeros_like(V)
    loss = 0.0
    for n in range(N):
        x = np.r_[X[n], 1.0]
        z = np.r_[1 / (1 + np.exp(-(W @ x))), 1.0]
        a = V @ z
        y = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
        loss -= s[n] * np.dot(T[n], np.log(y))
        delta2 = y - T[n]
        delta1 = z[:M] * (1 - z[:M]) * (V[:, :M].T @ delta2)
        dV += s[n] * np.outer(delta2, z)
        dW += s[n] * np.outer(delta1, x)
    total = s.sum()
    loss, dW, dV = loss / total, dW / total, dV / total
    loss += 0.5 * l2 * (np.sum(W[:, :-1] ** 2) + np.sum(V[:, :-1] ** 2))
    dW[:, :-1] += l2 * W[:, :-1]
    dV[:, :-1] += l2 * V[:, :-1]
    return loss, np.r_[dW.ravel(), dV.ravel()]


def central_differences(loss, theta, eps=1e-6):
    """(loss(theta + eps e_i) - loss(theta - eps e_i)) / 2 eps for every i."""
    numerical = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = eps
        numerical[i] = (loss(theta + step) - loss(theta - step)) / (2 * eps)
    return numerical


def local_cluster(**settings):
    """A quiet ``distributed.LocalCluster`` on 127.0.0.1 without a dashboard:
    two worker processes of one thread each unless ``settings`` say else."""
    import distributed

    options = dict(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=50,
    )
    return distributed.LocalCluster(**{**options, **settings})
