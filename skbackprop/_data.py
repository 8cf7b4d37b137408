"""The synthetic data of the textbook's chapter 7."""

import numpy as np
from sklearn.utils import check_random_state

# Class centres (mu), spreads (sigma) and cumulative class probabilities (pi)
# exactly as the book sets them.
_CENTRES = np.array([[-0.5, -0.5], [0.5, 1.0], [1.0, -0.5]])
_SPREADS = np.array([[0.7, 0.7], [0.8, 0.3], [0.3, 0.8]])
_CUMULATIVE_PROBABILITIES = np.array([0.4, 0.8, 1.0])


def make_textbook_data(n_samples=200, random_state=1):
    """Draw the three-class 2-D Gaussian data of the textbook's chapter 7.

    Each point is drawn in turn from ``RandomState(random_state)``: one
    ``rand()`` picks the class through the cumulative probabilities
    ``[0.4, 0.8, 1]``, then one ``randn()`` per coordinate places the point
    around its class centre. With the defaults the result is bit for bit the
    book's ``X`` and ``T`` (``T`` as integer labels): the first 100 points are
    the book's training set and the last 100 its test set.

    Parameters
    ----------
    n_samples : int, default=200
        Number of points N.

    random_state : int, RandomState instance or None, default=1
        Seed of NumPy's legacy generator; the book seeds it with 1.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The points.

    y : ndarray of shape (n_samples,)
        The class of each point, 0, 1 or 2.

    Examples
    --------
    >>> from skbackprop import make_textbook_data
    >>> X, y = make_textbook_data()
    >>> X.shape
    (200, 2)
    >>> X[0].round(8).tolist()
    [-0.14173827, 0.86533666]
    >>> y[:100].tolist().count(0)
    30
    """
    rng = check_random_state(random_state)
    X = np.empty((n_samples, 2))
    y = np.empty(n_samples, dtype=np.intp)
    for n in range(n_samples):
        k = int(np.searchsorted(_CUMULATIVE_PROBABILITIES, rng.rand(), side="right"))
        y[n] = k
        for i in range(2):
            X[n, i] = rng.randn() * _SPREADS[k, i] + _CENTRES[k, i]
    return X, y
