"""The coordinates a solver moves the weights in.

The network and its objective are always those of the book, on the raw
inputs x. What a solver may choose is the coordinates of its steps:

* :class:`RawInputs`: the book's. The solver moves ``theta`` itself.
* :class:`StandardisedInputs`: the solver moves weights ``theta_s`` of the
  same network fed standardised inputs ``(x_i - m_i) / s_i``. Since
  ``b_j = sum_i ws_ji (x_i - m_i) / s_i + ws_j,bias`` is again linear in x,
  those are the raw weights

      w_ji = ws_ji / s_i,      w_j,bias = ws_j,bias - sum_i w_ji m_i,

  with V unchanged: ``theta = A theta_s`` for a linear map A. The loss is
  evaluated on the raw inputs at ``A theta_s``, and its gradient with respect
  to ``theta_s`` is ``A^T dE/dtheta``. Steepest descent in these coordinates
  is steepest descent preconditioned by the scale of each feature: the same
  objective, the same minima, but one step size suits every feature, which
  is what lets default settings train on features that span 0.001 to 4,000
  (``learning_rate="auto"``). Nothing is copied: X stays as given, sparse or
  not.
"""

import numpy as np
from sklearn.utils.sparsefuncs import mean_variance_axis

from . import _numpy_ops as numpy_ops
from ._namespace import (
    empty_like,
    host_dtype,
    is_numpy,
    moved_like,
    namespace_and_device,
    to_numpy,
)
from ._network import ops_for, unpack


class RawInputs:
    """The book's coordinates: the solver moves the raw weights."""

    standardised = False

    def to_raw(self, theta, out=None):
        """The raw weights: ``theta`` itself."""
        return theta

    from_raw = to_raw

    def gradient(self, gradient, out=None):
        """The gradient in these coordinates: the raw one."""
        return gradient


class StandardisedInputs:
    """Coordinates of standardised inputs, ``theta = A theta_s``.

    Parameters
    ----------
    mean : ndarray of shape (D,)
        m_i, the features' means.

    scale : ndarray of shape (D,)
        s_i, the features' standard deviations (1 where a feature is
        constant).

    D, M, K : int
        Inputs, hidden units and outputs.
    """

    standardised = True

    def __init__(self, mean, scale, D, M, K):
        self.mean, self.scale = mean, scale
        self.D, self.M, self.K = D, M, K

    @classmethod
    def of(cls, X, sample_weight, M, K):
        """The coordinates standardising the features of X (dense or CSR).

        The means and standard deviations are weighted by ``sample_weight``,
        so that a weight of 2 acts as a repeated row here too.
        """
        weights = np.asarray(sample_weight, dtype=np.float64)
        if hasattr(X, "toarray"):  # sparse: scikit-learn's weighted moments
            mean, variance = mean_variance_axis(
                X.astype(np.float64), axis=0, weights=weights
            )
        else:
            mean, variance = _weighted_mean_and_variance(X, weights)
        coordinates = cls.from_moments(mean, variance, host_dtype(X), M, K)
        return coordinates if is_numpy(X) else coordinates.moved_like(X)

    @classmethod
    def from_moments(cls, mean, variance, dtype, M, K):
        """The coordinates for features of this mean and variance.

        A constant feature (variance zero, or rounding-level against its
        mean) keeps a scale of 1, as in ``StandardScaler``.
        """
        scale = np.sqrt(variance)
        scale[~(scale > 10 * np.finfo(np.float64).eps * np.abs(mean))] = 1.0
        return cls(mean.astype(dtype), scale.astype(dtype), mean.shape[0], M, K)

    def moved_like(self, array):
        """These coordinates with the mean and scale in ``array``'s namespace,
        on its device and of its dtype (itself where they are already)."""
        mean, scale = moved_like(self.mean, array), moved_like(self.scale, array)
        if mean is self.mean and scale is self.scale:
            return self
        return type(self)(mean, scale, self.D, self.M, self.K)

    def _layers(self, theta):
        W, V = unpack(theta, self.D, self.M, self.K)
        return W[:, :-1], W[:, -1], V

    # The three maps assign into views of ``out`` (NumPy, PyTorch, CuPy and
    # array-api-strict write them through to ``out``); the weights are small,
    # so their temporaries cost nothing next to a pass over the data.

    def to_raw(self, theta_s, out=None):
        """theta = A theta_s: w = ws / s, w_bias = ws_bias - w m."""
        out = empty_like(theta_s) if out is None else out
        kernels = numpy_ops.kernels_for(out, theta_s, self.mean, self.scale)
        if kernels is not None:  # one compiled pass, w m summed in order
            kernels.standardised_to_raw(out, theta_s, self.mean, self.scale, self.M)
            return out
        Ws, Ws_bias, Vs = self._layers(theta_s)
        W, W_bias, V = self._layers(out)
        W[...] = Ws / self.scale
        W_bias[...] = Ws_bias - W @ self.mean
        V[...] = Vs
        return out

    def from_raw(self, theta, out=None):
        """theta_s = A^-1 theta: ws = w s, ws_bias = w_bias + w m."""
        out = empty_like(theta) if out is None else out
        W, W_bias, V = self._layers(theta)
        Ws, Ws_bias, Vs = self._layers(out)
        Ws_bias[...] = W_bias + W @ self.mean
        Ws[...] = W * self.scale
        Vs[...] = V
        return out

    def gradient(self, gradient, out=None):
        """dE/dtheta_s = A^T dE/dtheta: (dE/dw - dE/dw_bias m^T) / s."""
        out = empty_like(gradient) if out is None else out
        kernels = numpy_ops.kernels_for(out, gradient, self.mean, self.scale)
        if kernels is not None:  # the same operations, one compiled pass
            kernels.raw_to_standardised_gradient(
                out, gradient, self.mean, self.scale, self.M
            )
            return out
        gW, gW_bias, gV = self._layers(gradient)
        gWs, gWs_bias, gVs = self._layers(out)
        gWs[...] = (gW - gW_bias[:, None] * self.mean) / self.scale
        gWs_bias[...] = gW_bias
        gVs[...] = gV
        return out


# Rows per chunk of the statistics: bounded memory, and sums in a fixed order.
STATISTICS_ROWS = 4096


def _weighted_mean_and_variance(X, weights):
    """Weighted mean and variance of the columns of a dense X, chunk by chunk.

    On X's device (NumPy or another namespace), in float64 where the device
    has it; D numbers each come back to the host. Computed with sums rather
    than BLAS products, whose rounding may depend on the number of threads
    BLAS runs at that moment.
    """
    if is_numpy(X):
        dtype = np.float64
    else:
        from sklearn.utils._array_api import _max_precision_float_dtype

        xp, device = namespace_and_device(X)
        dtype = _max_precision_float_dtype(xp, device)
        weights = xp.asarray(weights, dtype=dtype, device=device)
    total = ops_for(X).sum(weights)
    mean = weighted_column_sums(X, weights, dtype=dtype) / total
    squares = weighted_column_sums(X, weights, mean, dtype=dtype)
    as_host = [to_numpy(moment).astype(np.float64) for moment in (mean, squares)]
    return as_host[0], as_host[1] / float(total)


def weighted_column_sums(X, weights, mean=None, dtype=np.float64):
    """sum_n w_n x_n, or sum_n w_n (x_n - mean)^2 given the mean.

    In chunks of STATISTICS_ROWS rows, in order, in ``dtype``: the two
    passes of a weighted mean and variance, on the rows of a dense X of any
    namespace (``weights`` and ``mean`` in it too).
    """
    ops = ops_for(X)
    sums = 0.0
    for start in range(0, X.shape[0], STATISTICS_ROWS):
        rows = slice(start, min(start + STATISTICS_ROWS, X.shape[0]))
        block = ops.astype(ops.take_rows(X, rows), dtype)
        if mean is not None:
            block = (block - mean) ** 2
        sums = sums + ops.sum(weights[rows, None] * block, axis=0)
    return sums


class InCoordinates:
    """An objective seen from other coordinates: ``theta_s -> E(A theta_s)``.

    Parameters
    ----------
    objective : Objective
        The objective on the raw weights.

    coordinates : RawInputs or StandardisedInputs
        The solver's coordinates.
    """

    def __init__(self, objective, coordinates):
        self.objective = objective
        self.coordinates = coordinates
        self._raw = None
        self._gradient = None

    def loss(self, theta_s):
        """E(A theta_s)."""
        return self.objective.loss(self._to_raw(theta_s))

    def loss_and_gradient(self, theta_s):
        """E(A theta_s) and A^T dE/dtheta; the gradient buffer is reused."""
        loss, gradient = self.objective.loss_and_gradient(self._to_raw(theta_s))
        if self._gradient is None:
            self._gradient = empty_like(gradient)
        return loss, self.coordinates.gradient(gradient, out=self._gradient)

    def _to_raw(self, theta_s):
        if self._raw is None or self._raw.dtype != theta_s.dtype:
            self._raw = empty_like(theta_s)
        return self.coordinates.to_raw(theta_s, out=self._raw)
