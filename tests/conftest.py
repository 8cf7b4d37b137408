import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture
def iris():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y
