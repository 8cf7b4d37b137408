"""The pieces of a training call that the driver puts together.

The estimator shell (:mod:`skbackprop._classifier`) checks the parameters;
:mod:`skbackprop._driver` runs the training. These functions check the
training data, set up fresh or continued weights, the solver's run in its
coordinates, the validation data and the curves, and keep the result.
"""

from contextlib import contextmanager

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._coordinates import InCoordinates, RawInputs, StandardisedInputs
from ._initialization import initial_weights
from ._inputs import (
    check_same_network,
    check_validation_data,
    checked_classes,
    combined_sample_weight,
    encode_labels,
    float_dtypes,
    host_labels,
    stratified_hold_out,
    with_float_width,
)
from ._namespace import (
    host_dtype,
    is_numpy,
    is_other_namespace,
    moved_like,
    rows_of,
    to_numpy,
)
from ._objective import Objective, loss_and_gradient
from ._solvers import FullBatchEpoch, MiniBatchEpoch, moved_state, solver_of
from ._training import (
    DivergenceCheck,
    History,
    TrainingRun,
    ValidationSet,
    one_hot_like,
    step_size_advice,
)


def training_data(
    estimator, X, y, sample_weight, first_call, classes=None, incremental=False
):
    """Checked X (in the weights' dtype), class indices and sample weights.

    On the first call the classes are set (from ``classes`` for
    partial_fit, else from y); later calls must agree with them, and the
    network must still have ``n_hidden`` units.

    X keeps its namespace and device (with scikit-learn's array API
    dispatch on), and so do the weights, moved there if an earlier call
    left them elsewhere; ``classes_`` is in y's namespace, as in
    ``LogisticRegression``. The class indices and sample weights returned
    are NumPy arrays on the host (:mod:`skbackprop._namespace`).
    """
    X, y = validate_data(
        estimator, X, y, accept_sparse="csr", dtype=float_dtypes(X), reset=first_call
    )
    y_namespace = y
    y = host_labels(y)
    check_classification_targets(y)
    if first_call:
        if incremental and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        classes = checked_classes(y if classes is None else host_labels(classes))
        estimator.classes_ = classes_like(classes, y_namespace)
    else:
        X = with_float_width(X, host_dtype(estimator._theta))
        check_same_network(estimator, X, y, host_labels(classes), incremental)
        move_state_like(estimator, X)
    labels = encode_labels(to_numpy(estimator.classes_), y, "y")
    sample_weight = combined_sample_weight(
        _host_stand_in(X),
        y,
        host_labels(sample_weight),
        estimator.class_weight,
        to_numpy(estimator.classes_),
    )
    return X, labels, sample_weight


def classes_like(classes, y):
    """The sorted ``classes`` (NumPy) in the namespace and device of y."""
    return moved_like(classes, y) if is_other_namespace(y) else classes


def _host_stand_in(X):
    # What the checks of the sample weights read of X, its length and float
    # width, for X on a device: they run on the host.
    if is_numpy(X):
        return X
    return np.empty((X.shape[0], 0), dtype=host_dtype(X))


def move_state_like(estimator, X):
    """Move the weights, velocity and coordinates to X's namespace and device.

    A model trained on one device continues (warm start, partial_fit) on the
    data of another; the weights are small, so they follow the data.
    """
    estimator._theta = moved_like(estimator._theta, X)
    estimator._velocity = moved_state(estimator._velocity, X)
    coordinates = getattr(estimator, "_coordinates", None)
    if coordinates is not None and coordinates.standardised:
        estimator._coordinates = coordinates.moved_like(X)


def initialize(estimator, X, sample_weight, rng):
    """Fresh weights, coordinates and history, for in-memory data."""
    standardised = standardisation(estimator, X, sample_weight)
    start_afresh(estimator, X.shape[1], host_dtype(X), standardised, rng, like=X)


def standardisation(estimator, X, sample_weight):
    """``() -> StandardisedInputs`` of in-memory X, made when called."""
    M, K = estimator.n_hidden, estimator.classes_.shape[0]
    return lambda: StandardisedInputs.of(X, sample_weight, M, K)


def start_afresh(estimator, D, dtype, standardised, rng, like=None):
    """Draw the starting weights, set the coordinates, empty the history.

    Parameters
    ----------
    estimator : BackpropClassifier
        Its ``classes_`` set.

    D : int
        Number of inputs.

    dtype : numpy dtype
        The weights' dtype.

    standardised : callable
        ``() -> StandardisedInputs`` of the training data (in memory or on a
        cluster), called for ``learning_rate="auto"`` only.

    rng : numpy.random.RandomState
        The generator the weights are drawn from.

    like : array, default=None
        The training data X: the weights, drawn on the host (the same draw
        for any X), move to its namespace and device.
    """
    M, K = estimator.n_hidden, estimator.classes_.shape[0]
    coordinates = standardised() if estimator.learning_rate == "auto" else RawInputs()
    estimator._coordinates = coordinates
    theta = initial_weights(estimator.init, estimator.init_scale, D, M, K, rng, dtype)
    if like is not None:
        theta = moved_like(theta, like)
    estimator._theta = coordinates.to_raw(theta)  # drawn for its inputs
    estimator._velocity = None
    estimator._auto_step = {}  # solver name -> where the safeguard left it
    estimator.loss_curve_ = []
    estimator.best_loss_ = np.inf
    estimator.n_iter_ = 0
    estimator.t_ = 0


def training_run(estimator, X, labels, sample_weight, rng):
    """The weights, the solver's coordinates and epoch, and the checks."""
    K = estimator.classes_.shape[0]
    standardised = standardisation(estimator, X, sample_weight)
    coordinates = solver_coordinates(estimator, standardised)
    T = one_hot_like(labels, K, X)
    if not solver_of(estimator).mini_batches:
        p = moved_like(sample_weight / sample_weight.sum(), X)
        objective = Objective(X, T, p, estimator.l2, estimator.n_hidden)
        return full_batch_run(estimator, objective, coordinates)
    epoch = mini_batch_epoch(estimator, X, T, sample_weight, rng, coordinates)
    return _training_run(estimator, epoch, coordinates)


def full_batch_run(estimator, objective, coordinates):
    """The run of gd or lbfgs on an objective of the raw weights.

    Parameters
    ----------
    estimator : BackpropClassifier
        Its weights and settings.

    objective : Objective
        ``loss`` and ``loss_and_gradient`` of the raw weights, on all the
        training data (in memory or on a cluster).

    coordinates : RawInputs or StandardisedInputs
        The solver's coordinates.
    """
    if coordinates.standardised:
        objective = InCoordinates(objective, coordinates)
    epoch = None
    if solver_of(estimator).first_order:
        epoch = FullBatchEpoch(
            objective.loss_and_gradient,
            objective.loss,
            optimizer(estimator),
            safeguarded=estimator.learning_rate == "auto",
        )
    return _training_run(estimator, epoch, coordinates, objective)


def _training_run(estimator, epoch, coordinates, objective=None):
    """The run from the estimator's weights and velocity, with its checks."""
    check = DivergenceCheck(
        step_size_advice(solver_of(estimator), estimator.learning_rate),
        estimator.classes_.shape[0],
    )
    return TrainingRun(
        epoch, estimator._theta, coordinates, check, estimator._velocity, objective
    )


def solver_coordinates(estimator, standardised):
    """Standardised coordinates for learning_rate="auto", else raw.

    Kept from the first fit (or partial_fit) so that warm starts and
    chunks continue in the same coordinates; made by ``standardised()``
    (from the training data) when missing.
    """
    if estimator.learning_rate != "auto":
        return RawInputs()
    if not getattr(getattr(estimator, "_coordinates", None), "standardised", False):
        estimator._coordinates = standardised()
    return estimator._coordinates


def optimizer(estimator):
    """The solver's update rule at the estimator's step size."""
    solver = solver_of(estimator)
    step = estimator.learning_rate
    if step == "auto":  # where the safeguard left it, for warm starts
        step = getattr(estimator, "_auto_step", {}).get(solver.name, solver.auto_step)
    return solver.update_rule(step, estimator.momentum)


def mini_batch_epoch(estimator, X, T, sample_weight, rng, coordinates):
    """The sgd epoch, each batch's gradient taken in the run's coordinates.

    The batches are drawn on the host (NumPy indices and weights) and their
    rows taken in X's namespace, on its device.
    """
    l2, M, N = estimator.l2, estimator.n_hidden, X.shape[0]
    raw = None

    def batch(theta, rows, p):
        nonlocal raw
        raw = coordinates.to_raw(theta, out=raw)
        loss, gradient = loss_and_gradient(
            raw, rows_of(X, rows), rows_of(T, rows), moved_like(p, X), l2, M
        )
        return loss, coordinates.gradient(gradient, out=gradient)

    def order():
        return rng.permutation(N) if estimator.shuffle else None

    return MiniBatchEpoch(
        batch,
        sample_weight,
        min(estimator.batch_size, N),
        order,
        optimizer(estimator),
        safeguarded=estimator.learning_rate == "auto",
    )


def finish(estimator, run, n_samples):
    """Keep the run's raw weights and velocity; count what it saw."""
    estimator._theta = run.raw
    if run.epoch is not None:
        estimator._velocity = run.velocity()
        if estimator.learning_rate == "auto":
            steps = dict(getattr(estimator, "_auto_step", {}))
            steps[estimator.solver] = run.epoch.optimizer.learning_rate
            estimator._auto_step = steps
    estimator.t_ += run.n_steps * n_samples


def validation_set(estimator, X_val, y_val):
    X_val, y_val = check_validation_data(estimator, X_val, y_val)
    X_val = with_float_width(X_val, host_dtype(estimator._theta))
    if not is_numpy(estimator._theta):  # scored where the weights are
        X_val = moved_like(X_val, estimator._theta)
    labels = encode_labels(to_numpy(estimator.classes_), y_val, "y_val")
    p = np.full(X_val.shape[0], 1.0 / X_val.shape[0], dtype=host_dtype(X_val))
    return ValidationSet(
        X_val, labels, p, estimator.n_hidden, estimator.classes_.shape[0]
    )


def hold_out(estimator, X, labels, sample_weight, rng):
    X, labels, sample_weight, X_val, labels_val, p_val = stratified_hold_out(
        X, labels, sample_weight, estimator.validation_fraction, rng
    )
    validation = ValidationSet(
        X_val, labels_val, p_val, estimator.n_hidden, estimator.classes_.shape[0]
    )
    return X, labels, sample_weight, validation


def start_history(estimator, validation):
    """Start this fit's curves: training curve continues, validation anew."""
    estimator.__dict__.pop("best_validation_score_", None)  # a score's fit sets it
    if validation is None:
        for name in ("validation_loss_curve_", "validation_scores_"):
            estimator.__dict__.pop(name, None)
        return History(estimator.loss_curve_, [], [])
    estimator.validation_loss_curve_ = []
    estimator.validation_scores_ = []
    return History(
        estimator.loss_curve_,
        estimator.validation_loss_curve_,
        estimator.validation_scores_,
    )


@contextmanager
def restored_on_error(estimator):
    """Put the estimator's state back as it was if the block raises.

    Training works on a copy of the weights and appends to copies of the
    curves, so a shallow copy of the attributes is enough.
    """
    saved = dict(estimator.__dict__)
    for name in ("loss_curve_",):
        if name in estimator.__dict__:
            estimator.__dict__[name] = list(estimator.__dict__[name])
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        raise
