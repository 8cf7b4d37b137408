"""skbackprop: the textbook's back-propagation network as a scikit-learn classifier."""

from ._classifier import BackpropClassifier
from ._compiled import KernelsWarning
from ._data import make_textbook_data
from ._gradient_check import backprop_gradient, numerical_gradient

__all__ = [
    "BackpropClassifier",
    "KernelsWarning",
    "backprop_gradient",
    "make_textbook_data",
    "numerical_gradient",
    "show_config",
]


def show_config():
    """Print which paths skbackprop runs on this machine.

    Whether the elementwise work (sigmoid, its slope, softmax) runs in the
    compiled kernels (and which compiler built them, with which vector
    clones) or in NumPy and SciPy (and why), the BLAS library and its
    threads, and the cores the row blocks may use.

    Examples
    --------
    >>> import skbackprop
    >>> skbackprop.show_config()  # doctest: +ELLIPSIS
    elementwise: ...
    """
    from . import _numpy_ops
    from ._compiled import configuration

    info = configuration(_numpy_ops._kernels, _numpy_ops._kernels_missing)
    for name, value in info.items():
        if isinstance(value, list):
            value = "; ".join(value) or "none found"
        print(f"{name}: {value}")


__version__ = "0.3.0.dev0"
