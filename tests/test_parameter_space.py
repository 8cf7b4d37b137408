"""Every valid setting, on every kind of data: a result or a clear error.

Settings are drawn from the estimator's own ``_parameter_constraints``: for
each interval its edges (the closed edge itself, or the nearest value inside
an open one) and a value inside, every string option, ``np.inf`` and
``None`` where allowed. Open-ended intervals stop at a large value of each
parameter (``LARGE``), so that no draw trains for long. The data are drawn
from: dense float64 or float32, CSR, two or five classes, integer or string
labels, one row per class or several, a constant column, duplicated rows,
sample weights with zeros.

Each draw must either fit, predict finite probabilities that sum to one,
transform and score (and ``partial_fit`` where it applies), or raise a
``ValueError`` whose message names the parameter or the input at fault.
Never a ``TypeError``, ``IndexError``, ``ZeroDivisionError``, ``KeyError``,
or NaN. Hypothesis runs derandomised here, so CI sees the same draws on
every run; ``HYPOTHESIS_PROFILE=search`` draws many more at random, as was
done to find the regressions tested at the end of this module.
"""

import os
import re
import warnings
from datetime import timedelta
from numbers import Integral, Real

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import import_extra
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.utils._param_validation import (
    Interval,
    Options,
    StrOptions,
    _Booleans,
    _Callables,
    _InstancesOf,
    _NoneConstraint,
    _RandomStates,
    _VerboseHelper,
    make_constraint,
)

from skbackprop import BackpropClassifier

settings.register_profile(
    "ci",
    max_examples=600,
    derandomize=True,
    deadline=timedelta(seconds=30),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "search",
    max_examples=3000,
    deadline=timedelta(seconds=30),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The large end of each open-ended interval: big enough to reach the
# failures a large value causes (a step or scale that diverges, a batch
# larger than the data), small enough that a fit stays short.
LARGE = {
    "n_hidden": 40,
    "max_iter": 25,
    "batch_size": 10**6,
    "learning_rate": 1e6,
    "l2": 1e6,
    "init_scale": 1e6,
    "tol": 1e6,
    "n_iter_no_change": 10**6,
}
# A value inside each interval.
INSIDE = {
    "n_hidden": 3,
    "max_iter": 8,
    "batch_size": 7,
    "learning_rate": 0.5,
    "l2": 0.01,
    "init_scale": 0.1,
    "tol": 1e-4,
    "n_iter_no_change": 3,
    "momentum": 0.5,
    "validation_fraction": 0.3,
}
# Values of the parameters that take any string or callable: scorers.
STRINGS = {"scoring": ["loss", "accuracy", "neg_log_loss", "roc_auc"]}
CALLABLES = {"scoring": [lambda estimator, X, y: estimator.score(X, y)]}
INPUTS = ("X", "y", "sample_weight", "classes", "X_val", "y_val", "class_weight")


def interval_values(name, interval):
    """The edges of ``interval`` (or the nearest values inside) and one inside."""
    integral = interval.type is not Real and issubclass(interval.type, Integral)
    values = [INSIDE[name]]
    for edge, closed, inwards in (
        (interval.left, interval.closed in ("left", "both"), np.inf),
        (interval.right, interval.closed in ("right", "both"), -np.inf),
    ):
        if edge is None:
            if inwards == -np.inf:  # open-ended to the right
                values.append(LARGE[name])
            continue
        if closed:
            values.append(edge)
        elif integral:
            values.append(edge + (1 if inwards > 0 else -1))
        else:
            values.append(float(np.nextafter(edge, inwards)))
    return values


def values_of(name, constraint, classes):
    """Every valid value of one constraint worth trying."""
    constraint = make_constraint(constraint)
    if isinstance(constraint, Interval):
        return interval_values(name, constraint)
    if isinstance(constraint, (StrOptions, Options)):
        return sorted(constraint.options - constraint.deprecated, key=str)
    if isinstance(constraint, _Booleans):
        return [False, True]
    if isinstance(constraint, _NoneConstraint):
        return [None]
    if isinstance(constraint, _RandomStates):
        return [0, None, np.random.RandomState(1)]
    if isinstance(constraint, _VerboseHelper):
        return [0, 1]
    if isinstance(constraint, _InstancesOf) and constraint.type is str:
        return STRINGS[name]
    if isinstance(constraint, _Callables):
        return CALLABLES[name]
    if isinstance(constraint, _InstancesOf) and constraint.type is dict:
        return [{classes[0]: 3.0}, {classes[-1]: 0.0, classes[0]: 0.5}]
    raise AssertionError(f"no values for {name}'s constraint {constraint!r}")


@st.composite
def settings_for(draw, estimator_class, classes, skip=()):
    """One value for every parameter, each from its own constraints."""
    params = {}
    for name, constraints in estimator_class._parameter_constraints.items():
        if name in skip:
            continue
        values = [v for c in constraints for v in values_of(name, c, classes)]
        params[name] = draw(st.sampled_from(values))
    return params


@st.composite
def datasets(draw, sparse=True):
    """A small classification problem of one of the kinds users bring."""
    n_classes = draw(st.sampled_from([2, 5]))
    per_class = draw(st.sampled_from([1, 8]))
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    labels = np.repeat(np.arange(n_classes), per_class)
    X = rng.normal(size=(labels.shape[0], 3)) + labels[:, None]
    if draw(st.booleans()):
        X[:, 1] = 2.5  # a constant column
    if draw(st.booleans()):  # duplicated rows
        X, labels = np.vstack([X, X]), np.r_[labels, labels]
    y = labels
    if draw(st.booleans()):
        y = np.array(["ant", "bee", "cat", "dog", "eel"])[labels]
    sample_weight = None
    if draw(st.booleans()):
        sample_weight = rng.uniform(0.5, 2.0, labels.shape[0])
        sample_weight[::3] = 0.0  # some weights zero, never a whole class
    kinds = ["float64", "float32"] + (["csr"] if sparse else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "float32":
        X = X.astype(np.float32)
    elif kind == "csr":
        X = sp.csr_matrix(X)
    return X, y, sample_weight


def names_the_fault(error, params):
    """Whether a ValueError's message names a parameter or an input."""
    message = str(error)
    if any(name in message for name in params if name not in ("X", "y")):
        return True
    return any(re.search(rf"\b{re.escape(name)}\b", message) for name in INPUTS)


def check_fitted_model(clf, X, y):
    """Predictions of a fitted model: finite, summing to one, in shape."""
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], len(clf.classes_))
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert np.isfinite(clf.predict_log_proba(X)).all()
    assert set(np.asarray(clf.predict(X)).tolist()) <= set(clf.classes_.tolist())
    Z = clf.transform(X)
    assert Z.shape == (X.shape[0], clf.n_hidden) and np.isfinite(Z).all()
    assert 0.0 <= clf.score(X, y) <= 1.0


def fit_or_refuse(call, params):
    """Run ``call``; True if it succeeded, False if it was refused well."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except ValueError as error:
        assert names_the_fault(error, params), f"unclear error: {error}"
        event("refused")
        return False
    event("fitted")
    return True


def incremental_applies(params):
    return (
        params["solver"] != "lbfgs"
        and not params["early_stopping"]
        and params["class_weight"] != "balanced"
    )


@st.composite
def problems(draw, estimator_class, sparse=True, skip=()):
    X, y, sample_weight = draw(datasets(sparse=sparse))
    params = draw(settings_for(estimator_class, np.unique(y).tolist(), skip))
    return X, y, sample_weight, params


@PROFILE
@given(problems(BackpropClassifier))
def test_every_valid_setting_fits_or_refuses_clearly(problem):
    X, y, sample_weight, params = problem
    clf = BackpropClassifier(**params)
    if fit_or_refuse(lambda: clf.fit(X, y, sample_weight=sample_weight), params):
        check_fitted_model(clf, X, y)
    if not incremental_applies(params):
        return
    incremental = clone(clf)

    def two_chunks():
        classes = np.unique(y)
        incremental.partial_fit(X, y, classes=classes, sample_weight=sample_weight)
        incremental.partial_fit(X, y, sample_weight=sample_weight)

    if fit_or_refuse(two_chunks, params):
        check_fitted_model(incremental, X, y)


@settings(PROFILE, max_examples=int(PROFILE.max_examples / 6))
@given(problems(BackpropClassifier, sparse=False))
def test_every_valid_setting_fits_on_a_cluster_or_refuses_clearly(client, problem):
    da = import_extra("dask.array", "dask")
    from skbackprop.dask import DaskBackpropClassifier

    X, y, sample_weight, params = problem
    clf = DaskBackpropClassifier(**params, client=client)
    rows = max(1, X.shape[0] // 3)  # three partitions
    X_d, y_d = da.from_array(X, chunks=rows), da.from_array(y, chunks=rows)
    weights = None if sample_weight is None else da.from_array(sample_weight, rows)
    if fit_or_refuse(lambda: clf.fit(X_d, y_d, sample_weight=weights), params):
        check_fitted_model(clf.to_local(), X, y)
        proba = clf.predict_proba(X_d).compute()
        assert np.isfinite(proba).all()
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


# Regressions the search profile found, each kept as a plain test (the
# crash of lbfgs with n_iter_no_change=np.inf, found by hand, is in
# test_diagnosis.py).


@pytest.mark.parametrize("fraction", [np.nextafter(0.0, 1.0), np.nextafter(1.0, 0.0)])
def test_a_hold_out_too_small_to_stratify_names_validation_fraction(fraction):
    # scikit-learn's train_test_split refused the split in its own words,
    # naming test_size, which is no parameter of ours
    X, y = np.arange(16.0).reshape(8, 2), np.repeat([0, 1], 4)
    clf = BackpropClassifier(early_stopping=True, validation_fraction=fraction)
    with pytest.raises(ValueError, match="validation_fraction"):
        clf.fit(X, y)


def test_a_hold_out_leaving_no_training_weight_names_validation_fraction():
    # the rows left to train on all had weight zero: ZeroDivisionError in
    # the sgd epoch
    X, y = np.arange(8.0).reshape(4, 2), np.array([0, 1, 0, 1])
    weights = np.array([0.0, 1.8, 1.9, 0.0])
    clf = BackpropClassifier(
        n_hidden=32,
        solver="sgd",
        init="glorot",  # the draw of the weights before the split, as found
        early_stopping=True,
        validation_fraction=0.3,
        random_state=6,
    )
    with pytest.raises(ValueError, match="training rows .* zero total sample weight"):
        clf.fit(X, y, sample_weight=weights)
