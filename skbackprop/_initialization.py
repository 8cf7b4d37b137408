"""Initial weights, drawn as one flat vector in the book's order."""

import numpy as np

from ._network import n_weights, unpack


def initial_weights(init, init_scale, D, M, K, random_state, dtype):
    """Draw the initial flat weight vector ``theta``.

    Parameters
    ----------
    init : {"glorot", "normal"}
        ``"normal"`` draws every entry, biases included, as one vector
        ``random_state.normal(0, init_scale, size)``; with
        ``RandomState(1)`` and ``init_scale=0.01`` that is the book's
        ``WV_init``. ``"glorot"`` draws the weights uniformly in
        ``[-r, r]`` with Glorot and Bengio's bound
        ``r = sqrt(6 / (fan_in + fan_out))`` for each layer (``D + M`` for W,
        ``M + K`` for V) and sets the biases to zero.

    init_scale : float
        Standard deviation for ``init="normal"``.

    D, M, K : int
        Inputs, hidden units and outputs.

    random_state : numpy.random.RandomState
        The generator to draw from.

    dtype : numpy dtype
        float64 or float32.

    Returns
    -------
    theta : ndarray of shape (M * (D + 1) + K * (M + 1),)
        The initial weights.
    """
    size = n_weights(D, M, K)
    if init == "normal":
        return random_state.normal(0.0, init_scale, size).astype(dtype, copy=False)
    theta = np.zeros(size)
    W, V = unpack(theta, D, M, K)
    hidden_bound = np.sqrt(6.0 / (D + M))
    output_bound = np.sqrt(6.0 / (M + K))
    W[:, :-1] = random_state.uniform(-hidden_bound, hidden_bound, (M, D))
    V[:, :-1] = random_state.uniform(-output_bound, output_bound, (K, M))
    return theta.astype(dtype, copy=False)
