"""BackpropClassifier: the estimator shell around the chapter 7 network."""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn import get_config
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._docstrings import PARAMETERS
from ._driver import fit_in_memory
from ._inputs import (
    FLOAT_DTYPES,
    check_solver_allows,
    check_validation_pair,
    explicitly_on,
    float_dtypes,
    solvers_allowing,
    with_float_width,
)
from ._namespace import (
    copy_of,
    host_dtype,
    is_numpy,
    moved_like,
    namespace_and_device,
    to_numpy,
)
from ._network import hidden_outputs, log_probabilities, softmax_outputs, unpack
from ._solvers import SOLVER_NAMES, moved_state, solver_of

# The most values of X that predictions check without ``validate_data``:
# serving a few rows at a time (see BackpropClassifier._small_dense_input).
SMALL_INPUT_ELEMENTS = 1 << 16

try:  # scikit-learn >= 1.9: predictions refuse X of another namespace
    from sklearn.utils._array_api import check_same_namespace
except ImportError:  # older scikit-learn: the weights move to X's namespace
    check_same_namespace = None

try:  # scikit-learn >= 1.9: fit callbacks, set with set_callbacks
    from sklearn.callback import CallbackSupportMixin

    _CALLBACK_SUPPORT = (CallbackSupportMixin,)
except ImportError:  # older scikit-learn: no set_callbacks, all else the same
    _CALLBACK_SUPPORT = ()


class BackpropClassifier(
    ClassifierMixin,
    *_CALLBACK_SUPPORT,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
):
    __doc__ = f"""The textbook's two-layer network trained by error back-propagation.

    D inputs, one layer of M sigmoid hidden units, K softmax outputs (K = 2
    for binary problems), trained on the mean cross entropy with the
    gradients of the textbook's chapter 7: ``delta2 = y - t`` at the outputs
    and ``delta1 = h'(b) * V^T delta2`` at the hidden units.

    Parameters
    ----------
{PARAMETERS}

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
        Class labels.

    n_features_in_ : int
        D, the number of input features.

    feature_names_in_ : ndarray of shape (D,)
        Feature names, when X has string column names.

    W_ : ndarray of shape (M, D + 1)
        The book's hidden-layer weights w_ji, bias last (a new array).

    V_ : ndarray of shape (K, M + 1)
        The book's output-layer weights v_kj, bias last (a new array).

    coefs_ : list of two ndarrays
        The same weights in ``MLPClassifier``'s layout: shapes (D, M) and
        (M, K).

    intercepts_ : list of two ndarrays
        The biases, shapes (M,) and (K,).

    loss_curve_ : list of float
        The training objective after each epoch (for ``"gd"`` after each
        update: the book's ``err_train``) or L-BFGS iteration.

    validation_loss_curve_ : list of float
        Mean cross entropy on the validation data after each epoch (the
        book's ``err_test``); only when validation data are used.

    validation_scores_ : list of float
        Accuracy on the validation data after each epoch (the ``scoring``'s
        score when it is not ``"loss"``); only when validation data are
        used.

    best_loss_ : float
        Lowest monitored loss (validation loss with ``early_stopping``; with
        a ``scoring``, the lowest validation loss of the fit).

    best_validation_score_ : float
        Highest validation score, when ``early_stopping`` watched a
        ``scoring`` other than ``"loss"``.

    n_iter_ : int
        Epochs or iterations of the latest fit (as in ``MLPClassifier``);
        ``partial_fit`` adds one per call. ``loss_curve_`` keeps growing
        over warm-started fits.

    t_ : int
        Training samples seen.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : Deeper networks, more activations.

    Notes
    -----
    The defaults were chosen on ``benchmarks/tabular.py``: 5-fold
    cross-validated accuracy on the 43 classification tables of the KEEL
    repository against the defaults of ``MLPClassifier``,
    ``LogisticRegression`` and ``HistGradientBoostingClassifier``, with each
    default of ours changed in turn (the docs' page "Accuracy on real
    tables" has every row). The book's run spells out the settings it needs
    (``solver="gd"``, ``init="normal"``, ``early_stopping=False``, ...).

    With scikit-learn's array API dispatch on
    (``sklearn.set_config(array_api_dispatch=True)``, SciPy imported with
    ``SCIPY_ARRAY_API=1``), PyTorch tensors, CuPy arrays and other array API
    arrays train and predict in their own namespace, on their own device (a
    GPU's), and the fitted arrays live there; :meth:`to_numpy` brings a model
    to NumPy. NumPy input keeps the NumPy and compiled path.

    A fit that did not learn says so with a ``ConvergenceWarning`` that
    names ``learning_rate`` and feature scaling: its training loss ended
    above where it started, the no-improvement rule stopped it while the
    loss oscillated, or it stopped on a plateau within 3% of the loss of
    predicting the class frequencies.

    Examples
    --------
    >>> from skbackprop import BackpropClassifier, make_textbook_data
    >>> X, y = make_textbook_data()
    >>> clf = BackpropClassifier(n_hidden=2, random_state=0).fit(X[:100], y[:100])
    >>> clf.predict_proba(X[100:102]).shape
    (2, 3)
    """

    _parameter_constraints: dict = {
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "solver": [StrOptions(SOLVER_NAMES)],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "l2": [Interval(Real, 0, None, closed="left")],
        "init": [StrOptions({"sigmoid", "glorot", "normal"})],
        "init_scale": [Interval(Real, 0, None, closed="neither")],
        "tol": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
            StrOptions({"auto"}),
        ],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "scoring": [str, callable, None],
        "shuffle": ["boolean"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_hidden=64,
        *,
        learning_rate="auto",
        solver="adam",
        max_iter=1000,
        batch_size=200,
        momentum=0.0,
        l2=0.0,
        init="sigmoid",
        init_scale=0.01,
        tol="auto",
        n_iter_no_change="auto",
        early_stopping="auto",
        validation_fraction=0.1,
        scoring="loss",
        shuffle=True,
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.n_hidden = n_hidden
        self.learning_rate = learning_rate
        self.solver = solver
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.momentum = momentum
        self.l2 = l2
        self.init = init
        self.init_scale = init_scale
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.shuffle = shuffle
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------
    # Training: fit and partial_fit share every step but the loop

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None):
        """Train the network on (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs; float32 input trains in float32.

        y : array-like of shape (n_samples,)
            Class labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero; the loss is their weighted
            mean.

        X_val : {array-like, sparse matrix} of shape (n_val, n_features), default=None
            Validation inputs, scored after every epoch (with ``y_val``).

        y_val : array-like of shape (n_val,), default=None
            Validation labels.

        Returns
        -------
        self : BackpropClassifier
            The fitted classifier.
        """
        check_validation_pair(X_val, y_val)
        check_solver_allows(self, solver_of(self))
        return fit_in_memory(self, X, y, sample_weight, X_val=X_val, y_val=y_val)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on (X, y).

        One full-batch step for ``solver="gd"``, one pass of mini-batches for
        ``solver="sgd"``: the epoch that :meth:`fit` repeats. ``"lbfgs"`` and
        ``early_stopping`` are not available. On error the weights stay as
        they were.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs of this chunk.

        y : array-like of shape (n_samples,)
            Labels of this chunk, all among ``classes``.

        classes : array-like of shape (n_classes,), default=None
            Every class of the problem; required on the first call.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.

        Returns
        -------
        self : BackpropClassifier
            The updated classifier.
        """
        for refused, name in (
            (
                not solver_of(self).incremental,
                f"solver={self.solver!r}; use one of the solvers "
                f"{solvers_allowing('incremental')}",
            ),
            (
                explicitly_on(self.early_stopping),
                "early_stopping=True; set early_stopping=False or 'auto'",
            ),
            (
                self.class_weight == "balanced",
                "class_weight='balanced', since one chunk does not show the "
                "class frequencies; pass a dict of class weights instead",
            ),
        ):
            if refused:
                raise ValueError(f"partial_fit is not available with {name}.")
        return fit_in_memory(
            self, X, y, sample_weight, classes=classes, incremental=True
        )

    # ------------------------------------------------------------------
    # Prediction

    def _small_dense_input(self, X):
        """X, checked, when it is a few rows that the general checks need not see.

        Serving one request at a time calls a prediction method on one row,
        where scikit-learn's ``validate_data`` (dataframe detection, dtype
        dispatch, the finiteness check) costs several times the arithmetic
        (``benchmarks/latency.py``). A C-contiguous NumPy array of float64
        or float32, at most ``SMALL_INPUT_ELEMENTS`` values of the fitted
        width, given to a NumPy model fitted without feature names, needs
        only its values checked: finite, unless scikit-learn's
        ``assume_finite`` is set. Anything else, or anything wrong, returns
        None and takes the general checks, which say what is wrong.
        """
        theta = self.__dict__.get("_theta")
        if (
            type(X) is not np.ndarray
            or type(theta) is not np.ndarray
            or X.ndim != 2
            or X.size > SMALL_INPUT_ELEMENTS
            or X.shape[0] == 0
            or X.shape[1] != self.n_features_in_
            or X.dtype.type not in FLOAT_DTYPES
            or not X.flags.c_contiguous
            or "feature_names_in_" in self.__dict__
        ):
            return None
        if not get_config()["assume_finite"] and not np.isfinite(X).all():
            return None
        return X.astype(theta.dtype, copy=False)

    def _validate_prediction_input(self, X, method):
        """X checked and in the weights' dtype, and the weights beside it.

        With the array API dispatch on, X must be in the namespace and on
        the device of the fitted weights (``check_same_namespace``, as for
        scikit-learn's own estimators; :meth:`to_numpy` brings a model back
        to NumPy). With it off, X is NumPy, and weights fitted elsewhere
        come to the host for the call.
        """
        small = self._small_dense_input(X)
        if small is not None:
            return small, self._theta
        check_is_fitted(self)
        if check_same_namespace is not None:
            check_same_namespace(X, self, attribute="_theta", method=method)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=float_dtypes(X), reset=False
        )
        X = with_float_width(X, host_dtype(self._theta))
        return X, moved_like(self._theta, X)

    def predict_log_proba(self, X):
        """Log of the class probabilities, computed as a - log S (never ``log(0)``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log probability log y_k of each class, in the order of
            ``classes_``.
        """
        X, theta = self._validate_prediction_input(X, "predict_log_proba")
        K = self.classes_.shape[0]
        return log_probabilities(theta, X, self.n_hidden, K)

    def predict_proba(self, X):
        """Class probabilities, the softmax outputs y_k.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to one.
        """
        X, theta = self._validate_prediction_input(X, "predict_proba")
        K = self.classes_.shape[0]
        return softmax_outputs(theta, X, self.n_hidden, K)

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels from ``classes_``.
        """
        X, theta = self._validate_prediction_input(X, "predict")
        K = self.classes_.shape[0]
        log_Y = log_probabilities(theta, X, self.n_hidden, K)
        if is_numpy(log_Y):
            return to_numpy(self.classes_)[log_Y.argmax(axis=1)]
        xp, _ = namespace_and_device(log_Y)
        most_probable = xp.argmax(log_Y, axis=1)
        if is_numpy(self.classes_):  # labels NumPy holds, strings among them
            return self.classes_[to_numpy(most_probable)]
        return xp.take(moved_like(self.classes_, log_Y), most_probable)

    def transform(self, X):
        """The hidden layer's outputs z = h(W x): M learned features.

        With ``fit_transform`` and ``get_feature_names_out`` this makes the
        fitted network a feature extractor in a ``Pipeline``, as
        ``LinearDiscriminantAnalysis`` is both a classifier and a
        transformer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_hidden)
            The sigmoid outputs of the M hidden units, in (0, 1).
        """
        X, theta = self._validate_prediction_input(X, "transform")
        K = self.classes_.shape[0]
        return hidden_outputs(theta, X, self.n_hidden, K)

    @property
    def _n_features_out(self):
        """M, for ``get_feature_names_out`` (names backpropclassifier0, ...)."""
        return self.n_hidden

    # ------------------------------------------------------------------
    # Weights, derived from the flat vector

    def _weights(self):
        if not hasattr(self, "_theta"):
            raise NotFittedError(
                "This BackpropClassifier instance is not fitted yet; call 'fit' first."
            )
        return unpack(
            self._theta, self.n_features_in_, self.n_hidden, self.classes_.shape[0]
        )

    @property
    def W_(self):
        """The book's w_ji, shape (M, D + 1), bias last; a new array."""
        return copy_of(self._weights()[0])

    @property
    def V_(self):
        """The book's v_kj, shape (K, M + 1), bias last; a new array."""
        return copy_of(self._weights()[1])

    @property
    def coefs_(self):
        """Weight matrices in MLPClassifier's layout, shapes (D, M), (M, K)."""
        W, V = self._weights()
        return [copy_of(W[:, :-1].T), copy_of(V[:, :-1].T)]

    @property
    def intercepts_(self):
        """Bias vectors in MLPClassifier's layout, shapes (M,), (K,)."""
        W, V = self._weights()
        return [copy_of(W[:, -1]), copy_of(V[:, -1])]

    def to_numpy(self):
        """A copy of this classifier with every array in NumPy, on the host.

        For a model trained on a GPU (or in any array API namespace) that is
        to predict on a machine without one: the copy holds the same weights,
        classes and state as NumPy arrays, predicts NumPy input on the NumPy
        path, and pickles without the GPU library. A model already in NumPy
        comes back as a copy.

        Returns
        -------
        clf : BackpropClassifier
            The copy, fitted.
        """
        check_is_fitted(self)
        clf = copy.copy(self)
        clf.classes_ = to_numpy(self.classes_)
        clf._theta = to_numpy(self._theta).copy()
        clf._velocity = moved_state(self._velocity, clf._theta)
        coordinates = getattr(self, "_coordinates", None)
        if coordinates is not None and coordinates.standardised:
            clf._coordinates = coordinates.moved_like(clf._theta)
        clf.loss_curve_ = list(self.loss_curve_)
        return clf

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.array_api_support = True
        return tags
