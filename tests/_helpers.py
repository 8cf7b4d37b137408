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


def quiet_fit(clf, *args, **kwargs):
    """``clf.fit(...)`` with ConvergenceWarning silenced (runs end at max_iter)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(*args, **kwargs)


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
