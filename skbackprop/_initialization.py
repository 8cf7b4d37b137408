"""Initial weights, drawn as one flat vector in the book's order."""

import numpy as np

from ._network import n_weights, unpack

# init="sigmoid": h(b) = (1 + tanh(b / 2)) / 2, so a sigmoid unit needs
# twice the weights of a tanh unit to bend as much; LeCun's N(0, 1 / D) for
# tanh becomes N(0, (2 / sqrt(D))^2). On inputs of unit variance each b_j
# then spreads over about +-2, the sigmoid's curved range, instead of its
# nearly linear middle, where the network starts as a linear model and
# must first leave that saddle (make_moons: 0.87 -> 0.96, benchmarks/tabular.py).
SIGMOID_GAIN = 2.0
# ... and the biases N(0, 1), so that the units' boundaries b_j = 0 cross
# the data at different places rather than all through its mean.
SIGMOID_BIAS_SCALE = 1.0


def initial_weights(init, init_scale, D, M, K, random_state, dtype):
    """Draw the initial flat weight vector ``theta``.

    Parameters
    ----------
    init : {"sigmoid", "glorot", "normal"}
        ``"normal"`` draws every entry, biases included, as one vector
        ``random_state.normal(0, init_scale, size)``; with
        ``RandomState(1)`` and ``init_scale=0.01`` that is the book's
        ``WV_init``. ``"glorot"`` draws the weights uniformly in
        ``[-r, r]`` with Glorot and Bengio's bound
        ``r = sqrt(6 / (fan_in + fan_out))`` for each layer (``D + M`` for W,
        ``M + K`` for V) and sets the biases to zero. ``"sigmoid"`` draws
        the hidden weights w_ji from ``N(0, 4 / D)`` and their biases from
        ``N(0, 1)``, and V as ``"glorot"`` does (see :data:`SIGMOID_GAIN`).

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
    if init == "sigmoid":
        W[:, :-1] = random_state.normal(0.0, SIGMOID_GAIN / np.sqrt(D), (M, D))
        W[:, -1] = random_state.normal(0.0, SIGMOID_BIAS_SCALE, M)
    else:
        W[:, :-1] = random_state.uniform(-hidden_bound, hidden_bound, (M, D))
    V[:, :-1] = random_state.uniform(-output_bound, output_bound, (K, M))
    return theta.astype(dtype, copy=False)
