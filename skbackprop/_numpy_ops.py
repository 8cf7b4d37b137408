"""The NumPy route below the seam: the primitives of the network's passes.

:mod:`skbackprop._network` writes the book's equations once; what they
compute with comes from the kind of X (``_network.ops_for``): for NumPy
and SciPy sparse arrays, :data:`NUMPY`, the functions here. They are the
compiled kernels of :mod:`skbackprop._kernels` where they were built (each
a single pass where NumPy needs several calls), NumPy and SciPy otherwise
(a ``KernelsWarning`` says so once), ``out=`` buffers and per-thread scratch
arrays instead of fresh temporaries, and the row blocks of
:mod:`skbackprop._row_blocks` on every core. Any other array API namespace
gets :class:`skbackprop._array_ops.ArrayOps`, with the same methods.
"""

import numpy as np
from scipy.special import expit

from ._compiled import load_kernels
from ._row_blocks import (
    map_over_blocks,
    scratch,
    sum_over_blocks,
    take_rows,
)

# Built from _kernels.c at install time where a C compiler is found; where
# not (or broken), a KernelsWarning says so once and NumPy computes the same.
_kernels, _kernels_missing = load_kernels()


def _kernels_take(*arrays):
    """Whether the compiled kernels are built and can take these arrays.

    They need C-contiguous arrays (every work array of the passes is).
    """
    if _kernels is None:
        return False
    for array in arrays:
        if not array.flags.c_contiguous:
            return False
    return True


def kernels_for(*arrays):
    """The compiled module where it takes these arrays, else None.

    For the solver's updates (:class:`skbackprop._solvers.Adam`, the maps of
    :class:`skbackprop._coordinates.StandardisedInputs`), whose NumPy
    versions work on any array API namespace: the kernels take NumPy arrays
    only, C-contiguous, all of one float dtype.
    """
    dtype = arrays[0].dtype if isinstance(arrays[0], np.ndarray) else None
    if dtype not in (np.float32, np.float64):
        return None
    for array in arrays:
        if not isinstance(array, np.ndarray) or array.dtype != dtype:
            return None
    return _kernels if _kernels_take(*arrays) else None


def sigmoid(B):
    """h(b) = 1 / (1 + exp(-b)), elementwise and in place.

    The compiled, vectorised sigmoid of :mod:`skbackprop._kernels` when it
    was built and ``B`` is C-contiguous (every array of the training and
    prediction passes is); :func:`scipy.special.expit` otherwise. Both give
    the same values to a few units in the last place.

    Parameters
    ----------
    B : ndarray of float32 or float64
        Hidden inputs b; overwritten with z = h(b).

    Returns
    -------
    Z : ndarray
        ``B`` itself, now holding h(b).
    """
    if _kernels_take(B):
        _kernels.sigmoid_inplace(B)
        return B
    return expit(B, out=B)


def times_sigmoid_slope(delta, Z, column_sums):
    """delta <- delta h'(b), h'(b) = z (1 - z), in place; and its column sums.

    Parameters
    ----------
    delta : ndarray of shape (n, M)
        Overwritten with ``delta * Z * (1 - Z)``.

    Z : ndarray of shape (n, M)
        Sigmoid outputs z = h(b); unchanged.

    column_sums : ndarray of shape (M,)
        Receives the sums over n of the new ``delta`` (may be strided).

    Returns
    -------
    delta : ndarray of shape (n, M)
        ``delta`` itself.
    """
    if _kernels_take(delta, Z):
        _kernels.times_sigmoid_slope(delta, Z, column_sums)
        return delta
    delta *= Z
    delta *= 1.0 - Z
    np.matmul(ones(delta.shape[0], delta.dtype), delta, out=column_sums)
    return delta


def softmax_cross_entropy(A, pT, p, column_sums):
    """The loss of some samples and their output errors delta2, in place.

    With S_n = sum_l exp(a_nl) and y_nk = exp(a_nk) / S_n, returns

        E = -sum_n p_n sum_k t_nk log y_nk = sum_n p_n (log S_n - sum_k t_nk a_nk)

    (eq. 7-18, never ``log 0``) and overwrites ``A`` with
    delta2_nk = p_n (y_nk - t_nk). For softmax outputs with cross entropy the
    output error is simply y - t: the softmax Jacobian and the derivative of
    -log y cancel. Each row carries its sample's weight p_n, which makes the
    products of the backward pass the (weighted) means over n of the book.
    Each row of ``A`` is first shifted by its maximum, which changes neither
    y nor E and keeps every exp finite (as in :func:`softmax_outputs`).

    One compiled pass over A when :mod:`skbackprop._kernels` is built; the
    same equations in NumPy otherwise.

    Parameters
    ----------
    A : ndarray of shape (n, K)
        Output inputs a; overwritten with delta2.

    pT : ndarray of shape (n, K)
        p_n t_nk: one-hot targets times the normalised sample weights.

    p : ndarray of shape (n,)
        Normalised sample weights p_n.

    column_sums : ndarray of shape (K,)
        Receives the sums over n of delta2 (may be strided).

    Returns
    -------
    loss : float
        These samples' share of E.
    """
    if _kernels_take(A, pT, p):
        return _kernels.softmax_cross_entropy(A, pT, p, column_sums)
    A -= A.max(axis=1, keepdims=True)  # a_k - max_l a_l
    loss = -float(np.vdot(pT, A))  # -sum_n p_n sum_k t_nk a_nk
    expA = np.exp(A, out=A)
    S = expA @ ones(A.shape[1], A.dtype)  # S_n = sum_l exp(a_nl)
    loss += float(p @ np.log(S))  # + sum_n p_n log S_n
    delta2 = np.multiply(expA, (p / S)[:, None], out=expA)  # p_n y_nk
    delta2 -= pT  # p_n (y_nk - t_nk)
    np.matmul(ones(A.shape[0], A.dtype), delta2, out=column_sums)
    return loss


_ones = {}


def ones(n, dtype):
    """A read-only vector of n ones: ``ones @ A`` sums the rows of A.

    On the small arrays of the book's network a product with a vector of ones
    takes about half the time of ``A.sum(axis=0)`` (NumPy reductions carry
    more fixed cost than a BLAS call), and it is as quick on large ones.
    """
    vector = _ones.get(dtype)
    if vector is None or vector.shape[0] < n:
        vector = np.ones(max(n, 64), dtype=dtype)
        vector.flags.writeable = False
        _ones[dtype] = vector
    return vector[:n]


def product_into(A, B, out):
    """out = A @ B, with no temporary when both are dense."""
    if isinstance(A, np.ndarray) and isinstance(B, np.ndarray):
        np.matmul(A, B, out=out)
    elif isinstance(B, np.ndarray):  # sparse X on the left
        out[...] = A @ B
    else:  # sparse X on the right: (X.T @ A.T).T
        out[...] = (B.T @ A.T).T


# The one-call pass (below) ran faster than the blocked NumPy pass up to about
# this much work, N M (D + K) multiply-adds a product, and slower beyond (the
# figures: benchmarks/README.md).
SMALL_NETWORK_WORK = 32_768


def small_network_takes(X, pT, p, M):
    """Whether :func:`small_network_pass` runs for this data.

    It needs the compiled kernels, dense C-contiguous arrays of one dtype,
    and a network small enough that NumPy's per-call cost would dominate.
    """
    if not isinstance(X, np.ndarray) or not _kernels_take(X, pT, p):
        return False
    N, D = X.shape
    K = pT.shape[1]
    return X.dtype == pT.dtype == p.dtype and N * M * (D + K) <= SMALL_NETWORK_WORK


def small_network_pass(theta, X, pT, p, gradient):
    """:func:`backpropagate` over all samples, as one compiled call.

    The same equations in the same order (the products written as loops),
    for networks where the calls of the NumPy pass cost more than their
    arithmetic: the book's, and others of a few thousand weights-times-rows.
    Only where :func:`small_network_takes` says so.

    Parameters
    ----------
    theta : ndarray of shape (M * (D + 1) + K * (M + 1),)
        Flat weights in the book's order, C-contiguous.

    X, pT, p
        As for :func:`backpropagate`, over all N samples.

    gradient : ndarray, shape and dtype of ``theta``
        Receives dE/dtheta of the cross entropy (overwritten).

    Returns
    -------
    loss : float
        -sum_n p_n sum_k t_nk log y_nk.
    """
    return _kernels.small_network_pass(gradient, theta, X, pT, p)


def softmax_rows(A, log=False):
    """Each row of A turned into y = softmax(a), or log y, in place.

    Each row is first shifted by its maximum, which changes no y_k and keeps
    every exp finite; log y is a - log S (never ``log 0``).
    """
    A -= A.max(axis=1, keepdims=True)  # a_k - max_l a_l: changes no y_k
    if log:  # log y_k = a_k - log S, S = sum_l exp(a_l)
        A -= np.log(np.add.reduce(np.exp(A), axis=1))[:, None]
    else:  # y_k = exp(a_k) / S
        expA = np.exp(A, out=A)
        expA /= np.add.reduce(expA, axis=1)[:, None]
    return A


class NumPyOps:
    """The primitives of :mod:`skbackprop._network` for NumPy and sparse X.

    Each method calls this module's function of its name (looked up at the
    call, so that the kernels can be switched off in tests);
    :class:`skbackprop._array_ops.ArrayOps` has the same methods for any
    other array API namespace.
    """

    def matmul(self, A, B, out=None):
        """A @ B, into ``out`` when given; sparse A or B allowed."""
        if out is None:
            return A @ B
        product_into(A, B, out)
        return out

    def sigmoid(self, B):
        return sigmoid(B)

    def times_sigmoid_slope(self, delta, Z, column_sums):
        return times_sigmoid_slope(delta, Z, column_sums)

    def softmax_cross_entropy(self, A, pT, p, column_sums):
        return softmax_cross_entropy(A, pT, p, column_sums)

    def softmax_rows(self, A, log=False):
        return softmax_rows(A, log)

    def scratch(self, name, shape, dtype):
        return scratch(name, shape, dtype)

    def take_rows(self, X, rows):
        return take_rows(X, rows)

    def map_over_blocks(self, block_function, n_rows, width, out):
        return map_over_blocks(block_function, n_rows, width, out)

    def sum_over_blocks(self, block_function, n_rows, width, out):
        return sum_over_blocks(block_function, n_rows, width, out)

    def empty(self, shape, dtype):
        return np.empty(shape, dtype=dtype)

    def reshape(self, a, shape):
        return a.reshape(shape)

    def sum(self, a, axis=None):
        return np.sum(a, axis=axis)

    def argmax(self, a, axis):
        return a.argmax(axis=axis)

    def astype(self, a, dtype):
        return a.astype(dtype)

    def small_network_takes(self, X, pT, p, M):
        return small_network_takes(X, pT, p, M)

    def small_network_pass(self, theta, X, pT, p, gradient):
        return small_network_pass(theta, X, pT, p, gradient)


NUMPY = NumPyOps()
