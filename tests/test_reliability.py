"""Bad input refused clearly, inputs never modified, numerics that never break,
results that never drift."""

import io
import pickle
import subprocess
import sys
import threading
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import quiet_fit
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skbackprop import BackpropClassifier


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=90,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        random_state=0,
    )
    return X, y


@pytest.fixture
def fitted(data):
    X, y = data
    return BackpropClassifier(n_hidden=3, random_state=0).fit(X, y)


def snapshot(clf):
    return clf._theta.copy(), clf.n_iter_, list(clf.loss_curve_), clf.n_features_in_


def assert_unchanged(clf, before):
    theta, n_iter, curve, n_features = before
    np.testing.assert_array_equal(clf._theta, theta)
    assert (clf.n_iter_, clf.loss_curve_, clf.n_features_in_) == (
        n_iter,
        curve,
        n_features,
    )


X_OK = np.random.RandomState(1).normal(size=(6, 4))
Y_OK = np.array([0, 1, 2, 0, 1, 2])
with_nan = X_OK.copy()
with_nan[0, 0] = np.nan
with_inf = X_OK.copy()
with_inf[1, 1] = np.inf

BAD_FITS = [
    ("NaN in X", dict(X=with_nan), "Input X contains NaN"),
    ("inf in X", dict(X=with_inf), "Input X contains infinity"),
    ("NaN in y", dict(y=np.r_[0.0, 1, np.nan, 0, 1, 2]), "Input y contains NaN"),
    ("empty X", dict(X=np.zeros((0, 4)), y=np.array([])), "0 sample"),
    ("one sample", dict(X=X_OK[:1], y=Y_OK[:1]), "only one class"),
    ("one class", dict(y=np.zeros(6)), "only one class"),
    (
        "one class, other width",
        dict(X=np.zeros((5, 3)), y=np.zeros(5)),
        "only one class",
    ),
    ("3-D X", dict(X=X_OK[:, :, None]), "dim 3"),
    ("2-D y", dict(y=np.c_[Y_OK, Y_OK]), "1d array"),
    ("complex X", dict(X=X_OK + 1j), "Complex data not supported"),
    ("strings in X", dict(X=np.full((6, 4), "a")), "could not convert string"),
    ("continuous y", dict(y=np.linspace(0, 1, 6)), "Unknown label type"),
    ("X and y lengths", dict(y=Y_OK[:5]), "inconsistent numbers of samples"),
    ("sample_weight length", dict(sample_weight=np.ones(5)), "sample_weight.shape"),
    (
        "NaN in sample_weight",
        dict(sample_weight=np.r_[np.nan, np.ones(5)]),
        "Input sample_weight contains NaN",
    ),
    ("negative sample_weight", dict(sample_weight=-np.ones(6)), "Negative values"),
    ("all-zero sample_weight", dict(sample_weight=np.zeros(6)), "zero"),
    ("NaN in X_val", dict(X_val=with_nan, y_val=Y_OK), "Input X_val contains NaN"),
    (
        "NaN in y_val",
        dict(X_val=X_OK, y_val=np.r_[0.0, 1, np.nan, 0, 1, 2]),
        "Input y_val contains NaN",
    ),
    ("X_val features", dict(X_val=X_OK[:, :3], y_val=Y_OK), "X_val has 3 features"),
    ("y_val length", dict(X_val=X_OK, y_val=Y_OK[:4]), "y_val must be 1-D"),
    ("y_val unknown label", dict(X_val=X_OK, y_val=Y_OK + 5), "not in classes_"),
    ("only X_val", dict(X_val=X_OK), "X_val and y_val must be given together"),
    ("only y_val", dict(y_val=Y_OK), "X_val and y_val must be given together"),
    ("wrong feature count", dict(X=X_OK[:, :3], warm_start=True), "3 features"),
]


@pytest.mark.parametrize("case", BAD_FITS, ids=[c[0] for c in BAD_FITS])
def test_bad_fit_input_is_named_and_leaves_the_model_unchanged(fitted, case):
    _, arguments, message = case
    arguments = dict(arguments)
    X = arguments.pop("X", X_OK)
    y = arguments.pop("y", Y_OK)
    if arguments.pop("warm_start", False):
        fitted.set_params(warm_start=True)
    before = snapshot(fitted)
    with pytest.raises(ValueError, match=message):
        fitted.fit(X, y, **arguments)
    assert_unchanged(fitted, before)


def test_class_weight_naming_an_absent_class_leaves_the_model_unchanged(fitted, data):
    X, y = data
    before = snapshot(fitted)
    fitted.set_params(class_weight={0: 1.0, 9: 2.0})
    with pytest.raises(ValueError, match="class_weight names classes not in the data"):
        fitted.fit(X, y)
    assert_unchanged(fitted, before)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(X=X_OK[:, :3]), "3 features"),
        (dict(y=np.r_[Y_OK[:5], 7]), "labels not in classes_"),
        (dict(X=with_nan), "Input X contains NaN"),
        (dict(sample_weight=-np.ones(6)), "Negative values"),
        (dict(classes=[0, 1]), "differs from the classes"),
    ],
)
def test_failing_partial_fit_leaves_the_weights(fitted, arguments, message):
    before = snapshot(fitted)
    X = arguments.pop("X", X_OK)
    y = arguments.pop("y", Y_OK)
    with pytest.raises(ValueError, match=message):
        fitted.partial_fit(X, y, **arguments)
    assert_unchanged(fitted, before)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_wrong_feature_count_at_prediction(fitted, method):
    with pytest.raises(ValueError, match="3 features"):
        getattr(fitted, method)(X_OK[:, :3])


def input_variants(X):
    return {
        "dense": X.copy(),
        "float32": X.astype(np.float32),
        "fortran": np.asfortranarray(X),
        "csr": sp.csr_matrix(X),
        "csc": sp.csc_matrix(X),
    }


def copies(value):
    return value.copy()


@pytest.mark.parametrize("kind", ["dense", "float32", "fortran", "csr", "csc"])
@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_inputs_are_never_modified(data, kind, solver):
    X, y = data
    X = input_variants(X)[kind]
    X_val = input_variants(data[0][:30])[kind]
    sample_weight = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    originals = [copies(v) for v in (X, y, sample_weight, X_val)]
    clf = BackpropClassifier(
        n_hidden=3, solver=solver, max_iter=5, random_state=0, class_weight="balanced"
    )
    quiet_fit(clf, X, y, sample_weight=sample_weight, X_val=X_val, y_val=y[:30])
    clf.set_params(class_weight=None)
    clf.partial_fit(X, y, sample_weight=sample_weight)
    clf.predict_proba(X)
    clf.predict(X)
    for original, now in zip(originals, (X, y, sample_weight, X_val), strict=True):
        if sp.issparse(original):
            assert (original != now).nnz == 0
            assert original.format == now.format
        else:
            np.testing.assert_array_equal(original, now)
            assert original.dtype == now.dtype


@pytest.mark.parametrize("scale", [1e8, 1e-8])
@pytest.mark.parametrize("solver", ["gd", "sgd", "lbfgs"])
def test_extreme_feature_scales_give_finite_probabilities(data, scale, solver):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            clf = BackpropClassifier(
                n_hidden=3, solver=solver, max_iter=20, random_state=0
            ).fit(X * scale, y)
        except ValueError as error:  # divergence is allowed, silently NaN is not
            assert "learning_rate" in str(error)
            return
        proba = clf.predict_proba(X * scale)
        log_proba = clf.predict_log_proba(X * scale)
    assert np.isfinite(proba).all() and np.isfinite(log_proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_logits_that_would_overflow_exp(fitted, data):
    X, _ = data
    fitted._theta *= 1e3  # logits of order 1e3 to 1e4: exp overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        proba = fitted.predict_proba(X)
        log_proba = fitted.predict_log_proba(X)
    assert np.isfinite(proba).all() and np.isfinite(log_proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (log_proba < -700).any()  # kept in log space where exp underflows


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_a_learning_rate_that_blows_up_is_named(data, solver):
    X, y = data
    clf = BackpropClassifier(solver=solver, learning_rate=1e6, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"learning_rate=1000000\.0"):
            clf.fit(X * 100, y)


def test_lbfgs_needs_no_learning_rate_and_stays_finite(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = BackpropClassifier(solver="lbfgs", learning_rate=1e6, random_state=0)
        clf.fit(X * 1e4, y)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_same_seed_same_bits(data):
    X, y = data
    fits = [
        BackpropClassifier(solver="sgd", batch_size=16, random_state=3).fit(X, y)._theta
        for _ in range(2)
    ]
    assert fits[0].tobytes() == fits[1].tobytes()


def test_same_bits_in_a_fresh_process(data):
    X, y = data
    theta = BackpropClassifier(solver="sgd", batch_size=16, random_state=3).fit(X, y)
    code = (
        "import sys, numpy as np\n"
        "from sklearn.datasets import make_classification\n"
        "from skbackprop import BackpropClassifier\n"
        "X, y = make_classification(n_samples=90, n_features=4, n_informative=3,\n"
        "    n_redundant=0, n_classes=3, random_state=0)\n"
        "clf = BackpropClassifier(solver='sgd', batch_size=16, random_state=3)\n"
        "sys.stdout.write(clf.fit(X, y)._theta.tobytes().hex())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == theta._theta.tobytes().hex()


def test_same_results_under_n_jobs(data):
    # n_jobs=2 fits in worker processes that joblib holds to one BLAS thread
    # each: another thread count, so compared with a tolerance
    X, y = data
    grid = {"n_hidden": [2, 4], "learning_rate": [0.5, 1.0]}
    results = []
    for n_jobs in (1, 2):
        search = GridSearchCV(
            BackpropClassifier(random_state=0), grid, cv=3, n_jobs=n_jobs
        ).fit(X, y)
        results.append(
            (search.cv_results_["mean_test_score"], search.best_estimator_._theta)
        )
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12, atol=1e-15)


def round_trips():
    def by_pickle(clf):
        return pickle.loads(pickle.dumps(clf))

    def by_joblib(clf):
        buffer = io.BytesIO()
        joblib.dump(clf, buffer)
        buffer.seek(0)
        return joblib.load(buffer)

    def by_skops(clf):
        skops_io = pytest.importorskip("skops.io")
        blob = skops_io.dumps(clf)
        return skops_io.loads(blob, trusted=skops_io.get_untrusted_types(data=blob))

    return {"pickle": by_pickle, "joblib": by_joblib, "skops": by_skops}


@pytest.mark.parametrize("name", ["pickle", "joblib", "skops"])
def test_round_trips_predict_the_same_and_keep_training(fitted, data, name):
    X, y = data
    fitted.set_params(momentum=0.5)
    fitted.partial_fit(X, y)  # some momentum state to carry over
    loaded = round_trips()[name](fitted)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    loaded.partial_fit(X, y)
    fitted.partial_fit(X, y)
    np.testing.assert_array_equal(loaded._theta, fitted._theta)


def test_threads_predicting_at_once_get_the_serial_result():
    X, y = make_classification(n_samples=3000, n_features=20, random_state=0)
    clf = BackpropClassifier(n_hidden=64, max_iter=5, random_state=0)
    quiet_fit(clf, X, y)
    serial = clf.predict_proba(X)
    results = [None] * 8
    errors = []

    def work(i):
        try:
            for _ in range(5):
                results[i] = clf.predict_proba(X)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for result in results:
        # OpenBLAS may round the last bit differently when threads share it
        np.testing.assert_allclose(result, serial, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(result.argmax(axis=1), serial.argmax(axis=1))
    # the BLAS thread limit was put back once all of them had finished
    from threadpoolctl import threadpool_info

    before = {info["filepath"]: info["num_threads"] for info in threadpool_info()}
    clf.predict_proba(X)
    after = {info["filepath"]: info["num_threads"] for info in threadpool_info()}
    assert before == after and max(after.values()) >= 1
