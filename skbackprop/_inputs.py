"""Checks of the data given to fit and partial_fit, with messages that name
the problem."""

import numpy as np
from sklearn import get_config
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import _check_sample_weight, check_array, validate_data

from ._namespace import (
    host_dtype,
    is_numpy,
    is_other_namespace,
    namespace_and_device,
    rows_of,
    to_numpy,
)

FLOAT_DTYPES = (np.float64, np.float32)


def float_dtypes(X):
    """The float dtypes that X may keep when validated.

    NumPy's float64 and float32, unless scikit-learn's array API dispatch is
    on and X is of another namespace: then that namespace's, float32 alone on
    a device without float64 (Apple's MPS), so that such a device trains in
    float32.
    """
    if not get_config()["array_api_dispatch"]:
        return FLOAT_DTYPES
    from sklearn.utils._array_api import (
        _is_numpy_namespace,
        _max_precision_float_dtype,
        get_namespace_and_device,
    )

    xp, _, device = get_namespace_and_device(X)
    if _is_numpy_namespace(xp):
        return FLOAT_DTYPES
    if _max_precision_float_dtype(xp, device) == xp.float32:
        return (xp.float32,)
    return (xp.float64, xp.float32)


def with_float_width(X, dtype):
    """X (any namespace) cast to the float width of the NumPy ``dtype``."""
    if is_numpy(X):
        return X.astype(dtype, copy=False)
    if host_dtype(X) == dtype:
        return X
    xp, _ = namespace_and_device(X)
    return xp.astype(X, xp.float32 if dtype == np.float32 else xp.float64)


def host_labels(y):
    """Labels or weights ``y`` as NumPy on the host when they are an array of
    another namespace (a tensor, say); anything else unchanged."""
    return to_numpy(y) if is_other_namespace(y) else y


def encode_labels(classes, y, name):
    """Indices of the labels ``y`` in the sorted ``classes``.

    A label not among the classes is a ``ValueError`` naming it and ``name``.
    """
    labels = np.searchsorted(classes, y)
    labels = np.minimum(labels, classes.shape[0] - 1)
    unknown = classes[labels] != y
    if np.any(unknown):
        raise ValueError(
            f"{name} contains labels not in classes_ "
            f"{classes.tolist()!r}: {np.unique(y[unknown]).tolist()!r}."
        )
    return labels


def checked_classes(y):
    """The sorted classes of ``y`` (labels or the ``classes`` argument), >= 2."""
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(
            "BackpropClassifier needs samples of at least 2 classes in the data, "
            "but the data contains only one class: "
            f"{classes.tolist()!r}."
        )
    return classes


def check_same_network(estimator, X, y, classes=None, incremental=False):
    """A warm fit or later partial_fit must train the network it has.

    The classes must be those of the first call (for a warm-started fit,
    exactly the classes of ``y``, as in ``MLPClassifier``; a partial_fit
    chunk may hold some of them only), and ``n_hidden`` that of the trained
    weights. The feature count is checked by ``validate_data``.
    """
    D, K = X.shape[1], estimator.classes_.shape[0]
    known = to_numpy(estimator.classes_)
    trained_M = (estimator._theta.shape[0] - K) // (D + K + 1)
    if estimator.n_hidden != trained_M:
        raise ValueError(
            f"n_hidden={estimator.n_hidden} differs from the {trained_M} hidden "
            "units of the trained weights; set warm_start=False (or make a new "
            "estimator) to train a network of another size."
        )
    if classes is not None:
        if not np.array_equal(np.unique(classes), known):
            raise ValueError(
                f"classes={np.unique(classes).tolist()!r} differs from the "
                f"classes of the earlier calls, {known.tolist()!r}."
            )
        return
    if not incremental and not np.array_equal(np.unique(y), known):
        raise ValueError(
            "warm_start can only be used where y has the same classes as in the "
            f"previous call to fit: previously {known.tolist()!r}, "
            f"y has {np.unique(y).tolist()!r}. Set warm_start=False to train "
            "anew."
        )


def check_validation_pair(X_val, y_val):
    """``X_val`` and ``y_val`` come together or not at all."""
    if (X_val is None) != (y_val is None):
        raise ValueError(
            "X_val and y_val must be given together; got only "
            + ("X_val." if y_val is None else "y_val.")
        )


def explicitly_on(setting):
    """Whether a switch that may be "auto" was set on (True, not "auto")."""
    return not isinstance(setting, str) and bool(setting)


def check_solver_allows(estimator, solver):
    """``early_stopping=True`` only with a solver that can be watched."""
    if explicitly_on(estimator.early_stopping) and not solver.early_stopping:
        raise ValueError(
            f"early_stopping=True is not available with solver={solver.name!r}; "
            f"use one of the solvers {solvers_allowing('early_stopping')}, or "
            "pass X_val, y_val to watch the validation loss."
        )


def solvers_allowing(flag):
    """The registered solvers whose ``flag`` (a :class:`Solver` attribute,
    such as ``"early_stopping"`` or ``"incremental"``) is true, for
    messages."""
    from ._solvers import SOLVERS

    return ", ".join(repr(s.name) for s in SOLVERS.values() if getattr(s, flag))


def refuse_negative_weights(least):
    """Sample weights must be >= 0; ``least`` is the smallest given."""
    if least < 0:
        raise ValueError(
            "Negative values in data passed to `sample_weight`: the weights must "
            f"be >= 0; got {least:.6g} at the least."
        )


def refuse_zero_total(total, after_class_weight=False):
    """Sample weights that sum to zero leave nothing to train on."""
    if total == 0:
        raise ValueError(
            "The sample weights "
            + ("times class_weight " if after_class_weight else "")
            + "sum to zero; no sample is left to train on."
        )


def check_class_weight_classes(class_weight, classes):
    """A dict of class weights may name only classes of the data."""
    unknown = set(class_weight) - set(classes.tolist())
    if unknown:
        raise ValueError(
            f"class_weight names classes not in the data: "
            f"{sorted(unknown, key=str)!r}; the classes are {classes.tolist()!r}."
        )


def combined_sample_weight(X, y, sample_weight, class_weight, classes):
    """Sample weights times class weights: validated, a new array, X's dtype.

    Negative weights and weights that sum to zero are refused here, so that
    every supported scikit-learn version refuses them alike.
    """
    sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype, copy=True)
    if sample_weight.size:
        refuse_negative_weights(float(sample_weight.min()))
    refuse_zero_total(sample_weight.sum())
    if class_weight is None:
        return sample_weight
    if isinstance(class_weight, dict):
        check_class_weight_classes(class_weight, classes)
    sample_weight *= compute_sample_weight(class_weight, y).astype(X.dtype, copy=False)
    refuse_zero_total(sample_weight.sum(), after_class_weight=True)
    return sample_weight


def check_validation_data(estimator, X_val, y_val):
    """X_val and y_val checked as X and y are, with errors that name them."""
    checked = check_array(
        X_val, accept_sparse="csr", dtype=float_dtypes(X_val), input_name="X_val"
    )
    if checked.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X_val has {checked.shape[1]} features, but "
            f"{type(estimator).__name__} is expecting {estimator.n_features_in_} "
            "features as input."
        )
    validate_data(estimator, X_val, reset=False, skip_check_array=True)  # names
    y_val = check_array(y_val, ensure_2d=False, dtype=None, input_name="y_val")
    y_val = host_labels(y_val)
    if y_val.ndim != 1 or y_val.shape[0] != checked.shape[0]:
        raise ValueError(
            f"y_val must be 1-D with one label per row of X_val "
            f"({checked.shape[0]}); got shape {y_val.shape}."
        )
    return checked, y_val


def stratified_hold_out(X, labels, sample_weight, fraction, rng):
    """Split off a stratified share of the training data for early stopping.

    The split is drawn on the row indices (the same split for any X): the
    rows of X are then taken in X's own namespace.

    Returns
    -------
    X, labels, sample_weight : the rest, to train on.
    X_val, labels_val, p_val : the held-out share, with normalised weights.
    """
    try:
        train, held_out = train_test_split(
            np.arange(labels.shape[0]),
            test_size=fraction,
            stratify=labels,
            random_state=rng,
        )
    except ValueError as error:  # too few rows, or of a class, to split
        raise ValueError(
            f"early_stopping=True cannot hold out validation_fraction={fraction} "
            f"of the {labels.shape[0]} training samples, stratified by class: "
            f"{error} Pass X_val, y_val, or change validation_fraction."
        ) from error
    X, X_val = rows_of(X, train), rows_of(X, held_out)
    labels, labels_val = labels[train], labels[held_out]
    sample_weight, weight_val = sample_weight[train], sample_weight[held_out]
    for share, weight in (("held-out", weight_val), ("training", sample_weight)):
        if weight.sum() == 0:
            raise ValueError(
                f"The {share} rows of the split that early_stopping=True made "
                f"(validation_fraction={fraction}) has zero total sample "
                "weight; pass X_val, y_val or change validation_fraction."
            )
    return X, labels, sample_weight, X_val, labels_val, weight_val / weight_val.sum()
