"""The book's gradient check: back-propagation against central differences."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._inputs import combined_sample_weight, encode_labels, host_labels
from ._namespace import is_numpy
from ._network import objective, unpack
from ._objective import loss_and_gradient
from ._training import one_hot


def _problem(clf, X, y, sample_weight):
    """The fitted classifier's weights and its objective's data on (X, y).

    In NumPy, on the host: a model fitted in another namespace (a GPU's)
    is checked through :meth:`~skbackprop.BackpropClassifier.to_numpy`.
    """
    check_is_fitted(clf)
    if not is_numpy(clf._theta):
        clf = clf.to_numpy()
    X, y = host_labels(X), host_labels(y)
    X, _ = clf._validate_prediction_input(X, "backprop_gradient")
    y = np.asarray(y)
    labels = encode_labels(clf.classes_, y, "y")
    sample_weight = combined_sample_weight(
        X, y, sample_weight, clf.class_weight, clf.classes_
    )
    T = one_hot(labels, clf.classes_.shape[0], X.dtype)
    p = sample_weight / sample_weight.sum()
    return clf._theta, X, T, p


def _as_book_layout(flat, clf):
    dW, dV = unpack(flat, clf.n_features_in_, clf.n_hidden, clf.classes_.shape[0])
    return dW.copy(), dV.copy()


def backprop_gradient(clf, X, y, sample_weight=None):
    """Gradient of the training objective by back-propagation (the book's dCE_FNN).

    Evaluated at the weights of a fitted classifier, with its ``l2`` and
    ``class_weight``; it is the very function the solvers step along.

    Parameters
    ----------
    clf : BackpropClassifier
        A fitted classifier.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Inputs.

    y : array-like of shape (n_samples,)
        Labels, all in ``clf.classes_``.

    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights.

    Returns
    -------
    dW : ndarray of shape (M, D + 1)
        The derivatives dE/dw_ji, bias last.

    dV : ndarray of shape (K, M + 1)
        The derivatives dE/dv_kj, bias last.

    Examples
    --------
    >>> from skbackprop import BackpropClassifier, backprop_gradient
    >>> from skbackprop import make_textbook_data
    >>> import numpy as np
    >>> from skbackprop import numerical_gradient
    >>> X, y = make_textbook_data()
    >>> clf = BackpropClassifier(n_hidden=2, init="normal", init_scale=1.0,
    ...                          max_iter=1, random_state=0)
    >>> clf = clf.fit(X, y)  # one step: a ConvergenceWarning, by design
    >>> dW, dV = backprop_gradient(clf, X, y)
    >>> dW.shape, dV.shape
    ((2, 3), (3, 3))
    >>> nW, nV = numerical_gradient(clf, X, y)
    >>> bool(np.allclose(dW, nW, atol=1e-6) and np.allclose(dV, nV, atol=1e-6))
    True
    """
    theta, X, T, p = _problem(clf, X, y, sample_weight)
    _, gradient = loss_and_gradient(theta, X, T, p, clf.l2, clf.n_hidden)
    return _as_book_layout(gradient, clf)


def numerical_gradient(clf, X, y, sample_weight=None, eps=1e-3):
    """Gradient of the training objective by central differences (dCE_FNN_num).

    Each weight in turn is moved by ``+eps`` and ``-eps`` and the gradient
    entry is ``(E(w + eps) - E(w - eps)) / (2 eps)``, the book's check of the
    back-propagated gradient. Computed in float64.

    Parameters
    ----------
    clf : BackpropClassifier
        A fitted classifier.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Inputs.

    y : array-like of shape (n_samples,)
        Labels, all in ``clf.classes_``.

    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights.

    eps : float, default=1e-3
        Half the difference step; the book uses 0.001.

    Returns
    -------
    dW : ndarray of shape (M, D + 1)
        Approximate dE/dw_ji, bias last.

    dV : ndarray of shape (K, M + 1)
        Approximate dE/dv_kj, bias last.
    """
    theta, X, T, p = _problem(clf, X, y, sample_weight)
    theta = theta.astype(np.float64)
    X, T, p = X.astype(np.float64), T.astype(np.float64), p.astype(np.float64)
    gradient = np.empty_like(theta)
    for i in range(theta.shape[0]):
        saved = theta[i]
        theta[i] = saved + eps
        upper = objective(theta, X, T, p, clf.l2, clf.n_hidden)
        theta[i] = saved - eps
        lower = objective(theta, X, T, p, clf.l2, clf.n_hidden)
        theta[i] = saved
        gradient[i] = (upper - lower) / (2 * eps)
    return _as_book_layout(gradient, clf)
