"""Array API: training and prediction in the namespace and on the device of X.

With scikit-learn's dispatch on, a PyTorch tensor or an array-api-strict
array trains the same network as NumPy input, in its own namespace. Here it
runs on the CPU (PyTorch's, and array-api-strict's real and simulated
devices); the CUDA and CuPy cases are the same tests, skipped where no GPU
is (scikit-learn's ``_array_api_for_tests`` says why).

Without the ``array-api`` extra these tests skip (an error where
SKBACKPROP_REQUIRE_EXTRAS is set, as in CI's run with every extra).
"""

import os
import pickle
import threading

import numpy as np
import pytest
from _helpers import QUIET, import_extra, quiet_fit

import_extra("array_api_strict", "array-api")
import_extra("torch", "array-api")
if os.environ.get("SCIPY_ARRAY_API") != "1":  # set by conftest.py
    pytest.skip("SciPy was imported without SCIPY_ARRAY_API=1", allow_module_level=True)

import sklearn  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.utils._array_api import (  # noqa: E402
    yield_namespace_device_dtype_combinations,
)
from sklearn.utils.estimator_checks import check_array_api_input  # noqa: E402

try:  # scikit-learn >= 1.8
    from sklearn.utils._testing import _array_api_for_tests
except ImportError:
    from sklearn.utils._array_api import _array_api_for_tests

from skbackprop import BackpropClassifier  # noqa: E402
from skbackprop._namespace import to_numpy  # noqa: E402

# Every namespace, device and dtype scikit-learn tests (NumPy, array-api-strict
# on its two devices, PyTorch on cpu, cuda, mps and xpu, CuPy, dpnp): those
# whose library or device is missing skip.
COMBINATIONS = list(yield_namespace_device_dtype_combinations())
# The same, for the comparisons below: every namespace but NumPy itself.
NON_NUMPY = [combination for combination in COMBINATIONS if combination[0] != "numpy"]

SETTINGS = {
    "the defaults (adam)": {},
    "gd auto": dict(solver="gd"),
    "gd float step, momentum, l2": dict(
        solver="gd", learning_rate=0.5, momentum=0.9, l2=0.01
    ),
    "sgd": dict(solver="sgd", batch_size=32),
    "early stopping": dict(early_stopping=True),
    "lbfgs": dict(solver="lbfgs"),
}


def _iris(dtype_name):
    X, y = load_iris(return_X_y=True)
    return X.astype(dtype_name), y


def _classifier(**settings):
    return BackpropClassifier(
        n_hidden=8, max_iter=20, tol=0, random_state=0, **settings
    )


@QUIET
@pytest.mark.parametrize("solver", ["gd", "sgd", "lbfgs"])
@pytest.mark.parametrize("array_namespace, device, dtype_name", COMBINATIONS)
def test_check_array_api_input(solver, array_namespace, device, dtype_name):
    # scikit-learn's own check: the fitted arrays in X's namespace and on its
    # device, every method's output too, and values equal to the NumPy fit's.
    # L-BFGS in float32 only compares namespaces, shapes and dtypes: its line
    # searches take float32 rounding along other paths (the loss is compared
    # in test_lbfgs_in_float32_reaches_the_numpy_loss).
    check_values = solver != "lbfgs" or dtype_name != "float32"
    check_array_api_input(
        "BackpropClassifier",
        # the settings the check was written for; the defaults are compared
        # with NumPy's fit in test_same_fit_as_numpy
        BackpropClassifier(
            n_hidden=4,
            max_iter=20,
            tol=0,
            solver=solver,
            init="glorot",
            early_stopping=False,
        ),
        array_namespace,
        device,
        dtype_name,
        check_values=check_values,
    )


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("array_namespace, device, dtype_name", NON_NUMPY)
def test_same_fit_as_numpy(setting, array_namespace, device, dtype_name):
    # W_, V_, the curves and the probabilities of the NumPy fit, to 1e-10 in
    # float64 and 1e-4 in float32 (L-BFGS in float64 to 1e-8: its line
    # search magnifies the last bits of the two paths).
    xp, device = _array_api_for_tests(array_namespace, device, dtype_name)
    if setting == "lbfgs" and dtype_name == "float32":
        pytest.skip("compared by its loss: test_lbfgs_in_float32_reaches_...")
    rtol = {"float64": 1e-8 if setting == "lbfgs" else 1e-10, "float32": 1e-4}
    rtol = rtol[dtype_name]
    X, y = _iris(dtype_name)
    X_val, y_val = X[::3], y[::3]
    reference = quiet_fit(
        _classifier(**SETTINGS[setting]), X, y, X_val=X_val, y_val=y_val
    )
    with sklearn.config_context(array_api_dispatch=True):
        X_xp = xp.asarray(X, device=device)
        y_xp = xp.asarray(y, device=device)
        clf = quiet_fit(
            _classifier(**SETTINGS[setting]),
            X_xp,
            y_xp,
            X_val=xp.asarray(X_val, device=device),
            y_val=xp.asarray(y_val, device=device),
        )
        proba = clf.predict_proba(X_xp)
        assert clf.W_.device == X_xp.device
        assert str(clf.V_.dtype).endswith(dtype_name)
    np.testing.assert_allclose(to_numpy(clf.W_), reference.W_, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(to_numpy(clf.V_), reference.V_, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(clf.loss_curve_, reference.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(
        clf.validation_loss_curve_, reference.validation_loss_curve_, rtol=rtol
    )
    np.testing.assert_allclose(
        to_numpy(proba), reference.predict_proba(X), rtol=rtol, atol=rtol
    )
    assert clf.n_iter_ == reference.n_iter_ and clf.t_ == reference.t_


@pytest.mark.parametrize("array_namespace, device, dtype_name", NON_NUMPY)
def test_lbfgs_in_float32_reaches_the_numpy_loss(array_namespace, device, dtype_name):
    xp, device = _array_api_for_tests(array_namespace, device, dtype_name)
    X, y = _iris("float32")
    reference = quiet_fit(_classifier(solver="lbfgs"), X, y)
    with sklearn.config_context(array_api_dispatch=True):
        clf = quiet_fit(
            _classifier(solver="lbfgs"),
            xp.asarray(X, device=device),
            xp.asarray(y, device=device),
        )
    assert clf.loss_curve_[-1] == pytest.approx(reference.loss_curve_[-1], rel=1e-2)
    np.testing.assert_allclose(
        clf.loss_curve_[:3], reference.loss_curve_[:3], rtol=1e-4
    )


def _torch_or_skip(device="cpu"):
    return _array_api_for_tests("torch", device, "float64")[0]


def test_string_labels_stay_numpy_and_numeric_labels_follow_y():
    # classes_ lives where y does, as in LogisticRegression: NumPy strings
    # beside a tensor X predict NumPy strings; tensor labels predict tensors.
    torch = _torch_or_skip()
    X, y = _iris("float64")
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    reference = quiet_fit(_classifier(), X, names)
    with sklearn.config_context(array_api_dispatch=True):
        X_t = torch.asarray(X)
        by_name = quiet_fit(_classifier(), X_t, names)
        by_index = quiet_fit(_classifier(), X_t, torch.asarray(y))
        predicted_names = by_name.predict(X_t)
        predicted_indices = by_index.predict(X_t)
    assert isinstance(by_name.classes_, np.ndarray)
    assert isinstance(predicted_names, np.ndarray)
    np.testing.assert_array_equal(predicted_names, reference.predict(X))
    assert isinstance(by_index.classes_, torch.Tensor)
    assert isinstance(predicted_indices, torch.Tensor)
    expected_indices = np.searchsorted(reference.classes_, reference.predict(X))
    np.testing.assert_array_equal(predicted_indices.numpy(), expected_indices)


def test_a_model_moves_between_numpy_and_torch():
    # With dispatch on, a model predicts only the namespace and device it was
    # fitted on (scikit-learn's rule); to_numpy() gives the same model in
    # NumPy, which pickles and predicts NumPy input; partial_fit continues on
    # whichever data it gets.
    torch = _torch_or_skip()
    X, y = _iris("float64")
    on_numpy = quiet_fit(_classifier(), X, y)
    with sklearn.config_context(array_api_dispatch=True):
        X_t, y_t = torch.asarray(X), torch.asarray(y)
        for method in ("predict", "predict_proba", "predict_log_proba", "transform"):
            with pytest.raises(ValueError, match=rf"\.{method}\(\) must use the same"):
                getattr(on_numpy, method)(X_t)
        on_torch = quiet_fit(_classifier(), X_t, y_t)

    served = pickle.loads(pickle.dumps(on_torch.to_numpy()))
    assert isinstance(served._theta, np.ndarray)
    assert isinstance(served.classes_, np.ndarray)
    np.testing.assert_allclose(served.W_, on_numpy.W_, rtol=1e-10)
    np.testing.assert_array_equal(served.predict(X), on_numpy.predict(X))
    assert isinstance(on_torch._theta, torch.Tensor)  # the original is untouched

    unpickled = pickle.loads(pickle.dumps(on_torch))
    with sklearn.config_context(array_api_dispatch=True):
        np.testing.assert_array_equal(
            unpickled.predict_proba(X_t).numpy(), on_torch.predict_proba(X_t).numpy()
        )

    # One more epoch on tensors from the NumPy model, or on NumPy from the
    # tensor model: the same weights either way.
    classes = np.unique(y)
    continued_numpy = _classifier(solver="sgd").partial_fit(X, y, classes=classes)
    continued_numpy.partial_fit(X, y)
    continued_torch = _classifier(solver="sgd").partial_fit(X, y, classes=classes)
    with sklearn.config_context(array_api_dispatch=True):
        continued_torch.partial_fit(X_t, y_t)
    assert isinstance(continued_torch._theta, torch.Tensor)
    np.testing.assert_allclose(
        continued_torch._theta.numpy(), continued_numpy._theta, rtol=1e-10
    )


def test_divergence_on_a_device_names_the_learning_rate():
    torch = _torch_or_skip()
    X, y = _iris("float64")
    with sklearn.config_context(array_api_dispatch=True):
        clf = _classifier(learning_rate=1e6, init="normal", init_scale=1.0)
        with pytest.raises(ValueError, match="learning_rate=1000000"):
            clf.fit(torch.asarray(X * 100), torch.asarray(y))
        assert not hasattr(clf, "_theta")


def test_a_score_for_early_stopping_needs_numpy():
    torch = _torch_or_skip()
    X, y = _iris("float64")
    with sklearn.config_context(array_api_dispatch=True):
        clf = _classifier(scoring="accuracy", early_stopping=True)
        with pytest.raises(ValueError, match="scoring='accuracy' scores NumPy"):
            clf.fit(torch.asarray(X), torch.asarray(y))
        assert not hasattr(clf, "_theta")


def test_two_threads_fit_tensors_at_once():
    # The array path has no row blocks, but its fits may still run side by
    # side (a GridSearchCV with threads): each gets its own weights.
    torch = _torch_or_skip()
    X, y = _iris("float64")
    expected = quiet_fit(_classifier(), X, y).W_
    results = [None, None]

    def fit(i):
        with sklearn.config_context(array_api_dispatch=True):
            clf = quiet_fit(_classifier(), torch.asarray(X), torch.asarray(y))
        results[i] = clf.W_.numpy()

    threads = [threading.Thread(target=fit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for W in results:
        np.testing.assert_allclose(W, expected, rtol=1e-10)


def test_tags_declare_array_api_support():
    assert BackpropClassifier().__sklearn_tags__().array_api_support


def test_gradient_check_of_a_model_fitted_on_tensors():
    # backprop_gradient and numerical_gradient work on the host: a model
    # fitted on tensors gives the gradients of the same model fitted on NumPy.
    from skbackprop import backprop_gradient, numerical_gradient

    torch = _torch_or_skip()
    X, y = _iris("float64")
    on_numpy = quiet_fit(_classifier(), X, y)
    with sklearn.config_context(array_api_dispatch=True):
        on_torch = quiet_fit(_classifier(), torch.asarray(X), torch.asarray(y))
        dW, dV = backprop_gradient(on_torch, torch.asarray(X), torch.asarray(y))
    expected_dW, expected_dV = backprop_gradient(on_numpy, X, y)
    np.testing.assert_allclose(dW, expected_dW, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(dV, expected_dV, rtol=1e-8, atol=1e-12)
    numerical_dW, _ = numerical_gradient(on_torch, X, y, eps=1e-5)
    np.testing.assert_allclose(numerical_dW, expected_dW, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("array_namespace", ["torch", "array_api_strict"])
def test_many_row_blocks_give_the_one_block_fit(array_namespace, monkeypatch):
    # On a CPU device the passes go in blocks of rows: 8-row blocks here (19
    # of them for 150 rows, the last one short) fit, predict and transform
    # as the NumPy path does.
    from skbackprop import _array_ops

    xp, device = _array_api_for_tests(array_namespace, None, "float64")
    monkeypatch.setattr(_array_ops, "CPU_BLOCK_ELEMENTS", 64)
    X, y = _iris("float64")
    reference = quiet_fit(_classifier(solver="sgd", batch_size=50), X, y)
    with sklearn.config_context(array_api_dispatch=True):
        X_xp = xp.asarray(X, device=device)
        assert len(_array_ops.array_ops_for(X_xp).blocks(X_xp.shape[0], 8)) == 19
        clf = quiet_fit(
            _classifier(solver="sgd", batch_size=50), X_xp, xp.asarray(y, device=device)
        )
        proba, hidden = clf.predict_proba(X_xp), clf.transform(X_xp)
    np.testing.assert_allclose(to_numpy(clf._theta), reference._theta, rtol=1e-10)
    np.testing.assert_allclose(clf.loss_curve_, reference.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(to_numpy(proba), reference.predict_proba(X), rtol=1e-10)
    np.testing.assert_allclose(to_numpy(hidden), reference.transform(X), rtol=1e-10)


@pytest.mark.parametrize("array_namespace", ["torch", "array_api_strict"])
def test_sample_and_class_weights_as_in_numpy(array_namespace):
    # Sample weights given in the namespace, and class weights, are used on
    # the host as for NumPy input: the same weighted fit.
    xp, device = _array_api_for_tests(array_namespace, None, "float64")
    X, y = _iris("float64")
    weights = np.random.RandomState(0).uniform(0, 2, size=y.shape[0])
    settings = dict(class_weight={0: 2.0, 2: 0.5}, solver="sgd", batch_size=40)
    reference = quiet_fit(_classifier(**settings), X, y, sample_weight=weights)
    with sklearn.config_context(array_api_dispatch=True):
        clf = quiet_fit(
            _classifier(**settings),
            xp.asarray(X, device=device),
            xp.asarray(y, device=device),
            sample_weight=xp.asarray(weights, device=device),
        )
    np.testing.assert_allclose(to_numpy(clf._theta), reference._theta, rtol=1e-10)
    np.testing.assert_allclose(clf.loss_curve_, reference.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize(
    "change, message",
    [
        ("nan", "Input X contains NaN"),
        ("one class", "at least 2 classes"),
        ("short y", "inconsistent numbers of samples"),
    ],
)
def test_bad_tensors_are_named(change, message):
    # Bad input on a device gets the same messages as NumPy input.
    torch = _torch_or_skip()
    X, y = _iris("float64")
    X_t, y_t = torch.asarray(X.copy()), torch.asarray(y)  # X_t is changed below
    if change == "nan":
        X_t[3, 1] = float("nan")
    elif change == "one class":
        y_t = torch.zeros_like(y_t)
    else:
        y_t = y_t[:5]
    with sklearn.config_context(array_api_dispatch=True):
        with pytest.raises(ValueError, match=message):
            _classifier().fit(X_t, y_t)
        clf = quiet_fit(_classifier(), torch.asarray(X), torch.asarray(y))
        with pytest.raises(ValueError, match="X has 3 features"):
            clf.predict(torch.asarray(X[:, :3]))


def test_the_held_out_diagnosis_of_a_fit_on_tensors():
    torch = _torch_or_skip()

    # the weak-signal table of test_diagnosis.py: the default network fits
    # the noise of its 270 training rows from the first epoch
    rng = np.random.RandomState(1)
    X = rng.normal(size=(300, 10))
    y = (X[:, 0] + 3 * rng.normal(size=300) > 0).astype(int)
    messages = {}
    for name, (X_in, y_in) in {
        "numpy": (X, y),
        "torch": (torch.asarray(X), torch.asarray(y)),
    }.items():
        with sklearn.config_context(array_api_dispatch=True):
            with pytest.warns(Warning) as caught:
                BackpropClassifier(random_state=0).fit(X_in, y_in)
        (messages[name],) = [
            str(w.message) for w in caught if "did not" in str(w.message)
        ]
    for message in messages.values():  # the verdict of NumPy input, in words
        assert "held-out rows rose" in message and "after epoch 1 " in message
