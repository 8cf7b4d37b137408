"""Predictions on a few rows: the small-input path of the prediction methods.

A few rows of dense NumPy floats skip scikit-learn's ``validate_data`` and
are checked for what matters (width, dtype, finiteness); everything else,
and anything wrong, takes the general checks. The arithmetic is the same
code on the same single block of rows, so both routes give the same bits.
"""

import numpy as np
import pytest
import sklearn
from _helpers import QUIET

from skbackprop import BackpropClassifier, _classifier

pytestmark = QUIET

METHODS = ["predict", "predict_proba", "predict_log_proba", "transform"]


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int) + (X[:, 2] > 1)
    clf = BackpropClassifier(n_hidden=6, max_iter=50, random_state=0).fit(X, y)
    return clf, X


def refuse_general_checks(monkeypatch):
    """From now on validate_data raises: only the small-input path answers."""

    def refuse(*args, **kwargs):
        raise AssertionError("the general checks ran")

    monkeypatch.setattr(_classifier, "validate_data", refuse)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n_rows", [1, 10])
def test_a_few_rows_skip_the_general_checks_and_give_the_same_bits(
    fitted, method, n_rows, monkeypatch
):
    clf, X = fitted
    rows = np.ascontiguousarray(X[:n_rows])
    general = getattr(clf, method)(rows.tolist())  # a list: the general checks
    refuse_general_checks(monkeypatch)
    small = getattr(clf, method)(rows)
    np.testing.assert_array_equal(small, general)  # same operations, same order


@pytest.mark.parametrize(
    "rows",
    [
        np.zeros((2, 5), dtype=np.float32),
        np.zeros((2, 5), dtype=np.int64),
        np.asfortranarray(np.zeros((2, 5))),
        np.zeros((5, 2)).T,
        np.zeros((1 << 14, 5)),
    ],
    ids=["float32", "int64", "fortran", "strided", "large"],
)
def test_other_arrays_take_the_general_checks_or_convert(fitted, rows):
    clf, _ = fitted
    proba = clf.predict_proba(rows)
    expected = clf.predict_proba(np.ascontiguousarray(rows, dtype=np.float64))
    np.testing.assert_allclose(proba, expected, rtol=1e-6)  # float32 rounds


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "bad, message",
    [
        (np.array([[np.nan, 0, 0, 0, 0]]), "Input X contains NaN"),
        (np.array([[np.inf, 0, 0, 0, 0]]), "Input X contains infinity"),
        (np.zeros((1, 4)), "X has 4 features, but BackpropClassifier is expecting 5"),
        (np.zeros((0, 5)), "0 sample"),
        (np.zeros(5), "Expected 2D array"),
    ],
)
def test_bad_rows_get_the_general_messages(fitted, method, bad, message):
    clf, _ = fitted
    with pytest.raises(ValueError, match=message):
        getattr(clf, method)(bad)


def test_assume_finite_skips_the_finiteness_check(fitted, monkeypatch):
    clf, _ = fitted
    nan_row = np.array([[np.nan, 0, 0, 0, 0]])
    refuse_general_checks(monkeypatch)
    with pytest.raises(AssertionError, match="general checks"):
        clf.predict_proba(nan_row)  # not finite: the general checks say so
    with sklearn.config_context(assume_finite=True), np.errstate(invalid="ignore"):
        clf.predict_proba(nan_row)  # the user vouched for the values


def test_an_unfitted_model_says_so():
    with pytest.raises(sklearn.exceptions.NotFittedError):
        BackpropClassifier().predict_proba(np.zeros((1, 3)))


def test_a_model_fitted_with_feature_names_warns_on_an_array():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    y = (frame["a"] > 0).astype(int)
    clf = BackpropClassifier(n_hidden=2, max_iter=5).fit(frame, y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        clf.predict_proba(frame.to_numpy()[:1])
    clf.predict_proba(frame.iloc[:1])  # names given: no warning (errors here)
