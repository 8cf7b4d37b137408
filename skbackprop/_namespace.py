"""Which array library holds an array, and moving arrays between libraries.

With scikit-learn's array API dispatch on (``sklearn.set_config(
array_api_dispatch=True)``, SciPy imported with ``SCIPY_ARRAY_API=1``), X may
be a PyTorch tensor, a CuPy array or another array of the array API standard,
on any device. The network then computes in X's namespace and on its device
(:mod:`skbackprop._array_ops`), and NumPy input keeps the NumPy and
compiled path (:mod:`skbackprop._network`).

Only X and what is as large as the weights live on the device. The labels and
sample weights stay on the host, in NumPy, where scikit-learn's checks, the
class weights, the hold-out split and the mini-batch bookkeeping use them;
each fit moves them to the device once, as the targets T and weights p. The
helpers here are what lets the training loop run unchanged on either kind of
array: a copy, zeros, a conversion to NumPy and one back.
"""

import numpy as np
import scipy.sparse as sp


def is_numpy(array):
    """Whether ``array`` is computed on by the NumPy path (NumPy or sparse)."""
    return isinstance(array, np.ndarray) or sp.issparse(array)


def array_api_compat():
    """The array-api-compat package: the copy that recent scikit-learn
    versions ship, or the package itself, or None where neither is there
    (scikit-learn 1.6 without array-api-compat: no array API, only NumPy)."""
    try:
        from sklearn.externals import array_api_compat
    except ImportError:
        try:
            import array_api_compat
        except ImportError:
            return None
    return array_api_compat


def is_other_namespace(array):
    """Whether ``array`` is an array of a namespace other than NumPy's."""
    if array is None or is_numpy(array):
        return False
    compat = array_api_compat()
    return compat is not None and compat.is_array_api_obj(array)


def namespace_and_device(array):
    """The array API namespace of a non-NumPy ``array``, and its device."""
    compat = array_api_compat()
    return compat.array_namespace(array), compat.device(array)


def copy_of(array):
    """A copy of ``array`` in its own namespace and on its own device."""
    if isinstance(array, np.ndarray):
        return array.copy()
    xp, _ = namespace_and_device(array)
    return xp.asarray(array, copy=True)


def zeros_like(array):
    """Zeros of the shape, dtype and device of ``array``."""
    if isinstance(array, np.ndarray):
        return np.zeros_like(array)
    xp, _ = namespace_and_device(array)
    return xp.zeros_like(array)


def empty_like(array):
    """An uninitialised array of the shape, dtype and device of ``array``."""
    if isinstance(array, np.ndarray):
        return np.empty_like(array)
    xp, _ = namespace_and_device(array)
    return xp.empty_like(array)


def to_numpy(array):
    """``array`` as a NumPy array on the host (itself if it is one)."""
    if array is None or isinstance(array, np.ndarray):
        return array
    from sklearn.utils._array_api import _convert_to_numpy

    xp, _ = namespace_and_device(array)
    return _convert_to_numpy(array, xp)


def host_dtype(array):
    """The NumPy float dtype of the same width as a float ``array``'s."""
    if isinstance(array, np.ndarray) or sp.issparse(array):
        return array.dtype
    xp, _ = namespace_and_device(array)
    return np.dtype(np.float32 if xp.finfo(array.dtype).bits == 32 else np.float64)


def moved_like(array, like):
    """``array`` in the namespace and on the device of ``like``.

    A float ``array`` takes the float dtype of ``like`` too; labels and
    indices keep their dtype. ``array`` itself when it is there already;
    otherwise it goes through the host. Meant for arrays the size of the
    weights or of the labels.
    """
    if array is None:
        return None
    if isinstance(like, np.ndarray) or sp.issparse(like):
        array = to_numpy(array)
        if np.issubdtype(array.dtype, np.floating):
            return array.astype(like.dtype, copy=False)
        return array
    xp, device = namespace_and_device(like)
    if not isinstance(array, np.ndarray):
        xp_array, device_array = namespace_and_device(array)
        if xp_array is xp and device_array == device:
            floating = xp.isdtype(array.dtype, "real floating")
            if not floating or array.dtype == like.dtype:
                return array
        array = to_numpy(array)
    if np.issubdtype(array.dtype, np.floating):
        array = array.astype(host_dtype(like), copy=False)
    return xp.asarray(array, device=device)


def rows_of(array, rows):
    """The rows ``rows`` (a slice or NumPy indices) of ``array``, any namespace."""
    if is_numpy(array):
        return array[rows]
    if isinstance(rows, slice):  # the array API asks for every axis
        return array[(rows,) + (slice(None),) * (array.ndim - 1)]
    xp, device = namespace_and_device(array)
    return xp.take(array, xp.asarray(rows, device=device), axis=0)
