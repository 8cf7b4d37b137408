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
