import os

# SciPy reads this once, at import: scikit-learn's array API dispatch (the
# tests of tests/test_array_api.py) needs it set before SciPy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture
def iris():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y
