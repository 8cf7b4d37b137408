"""skbackprop: the textbook's back-propagation network as a scikit-learn classifier."""

from ._classifier import BackpropClassifier
from ._data import make_textbook_data
from ._gradient_check import backprop_gradient, numerical_gradient

__all__ = [
    "BackpropClassifier",
    "backprop_gradient",
    "make_textbook_data",
    "numerical_gradient",
]

__version__ = "0.1.0"
