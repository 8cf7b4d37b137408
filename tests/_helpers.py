"""Helpers shared by the test modules."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning


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
