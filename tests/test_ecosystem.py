"""Inside the meta-estimators and tools a scikit-learn user reaches for, and
with metadata routing."""

import numpy as np
import pytest
import sklearn
from _helpers import QUIET, import_extra
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import DecisionBoundaryDisplay, permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    KFold,
    TunedThresholdClassifierCV,
    cross_validate,
    learning_curve,
    validation_curve,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier

pytestmark = QUIET


@pytest.fixture(scope="module")
def binary():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def small(**params):
    return BackpropClassifier(n_hidden=4, max_iter=200, random_state=0, **params)


def test_calibrated(iris):
    X, y = iris
    model = CalibratedClassifierCV(small(), cv=3).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    assert model.score(X, y) > 0.9


def test_bagging(iris):
    X, y = iris
    model = BaggingClassifier(small(), n_estimators=3, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9


def test_soft_voting_and_stacking(iris):
    X, y = iris
    voting = VotingClassifier(
        [("net", small()), ("lr", LogisticRegression())], voting="soft"
    ).fit(X, y)
    stacking = StackingClassifier(
        [("net", small()), ("lr", LogisticRegression())], cv=3
    ).fit(X, y)
    assert voting.score(X, y) > 0.9 and stacking.score(X, y) > 0.9


def test_one_vs_rest(iris):
    X, y = iris
    model = OneVsRestClassifier(small()).fit(X, y)
    assert len(model.estimators_) == 3 and model.score(X, y) > 0.9


def test_halving_grid_search(iris):
    X, y = iris
    search = HalvingGridSearchCV(
        small(),
        {"n_hidden": [2, 4], "learning_rate": [0.3, 1.0]},
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert search.best_score_ > 0.8


def test_tuned_threshold_and_frozen(binary):
    X, y = binary
    tuned = TunedThresholdClassifierCV(small(), cv=3).fit(X, y)
    assert 0 < tuned.best_threshold_ < 1 and tuned.score(X, y) > 0.9
    fitted = small().fit(X, y)
    frozen = FrozenEstimator(fitted).fit(X[:10], y[:10])  # fit does nothing
    np.testing.assert_array_equal(frozen.predict_proba(X), fitted.predict_proba(X))


def test_permutation_importance_and_curves(iris):
    X, y = iris
    fitted = small().fit(X, y)
    importance = permutation_importance(fitted, X, y, n_repeats=3, random_state=0)
    assert importance.importances_mean[2:].max() > importance.importances_mean[:2].max()
    sizes, train, test = learning_curve(small(), X, y, cv=3, train_sizes=[0.5, 1.0])
    assert train.shape == test.shape == (2, 3)
    train, test = validation_curve(
        small(), X, y, param_name="n_hidden", param_range=[1, 4], cv=3
    )
    assert test.mean(axis=1)[1] >= test.mean(axis=1)[0]


def test_decision_boundary_display(iris):
    import matplotlib

    matplotlib.use("Agg")
    X, y = iris
    fitted = small().fit(X[:, :2], y)
    display = DecisionBoundaryDisplay.from_estimator(fitted, X[:, :2])
    assert display.response.shape[:2] == display.xx0.shape


def test_dataframes_keep_their_feature_names(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["sepal l", "sepal w", "petal l", "petal w"])
    fitted = small().fit(frame, y)
    assert list(fitted.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="feature names"):
        fitted.predict(X)


def test_polars_dataframes_keep_their_feature_names(iris):
    pl = import_extra("polars", "polars")
    X, y = iris
    frame = pl.DataFrame(X, schema=["sepal l", "sepal w", "petal l", "petal w"])
    fitted = small().fit(frame, y)
    assert list(fitted.feature_names_in_) == frame.columns
    np.testing.assert_allclose(  # polars hands over its columns: another layout
        fitted.predict_proba(frame), small().fit(X, y).predict_proba(X), rtol=1e-10
    )
    features = fitted.set_output(transform="polars").transform(frame)
    assert isinstance(features, pl.DataFrame)
    assert features.columns == [f"backpropclassifier{j}" for j in range(4)]


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_routed_sample_weight_reaches_fit_in_a_search(routing, iris):
    X, y = iris
    weights = np.random.RandomState(0).uniform(0.1, 3.0, len(y))
    search = GridSearchCV(
        small()
        .set_fit_request(sample_weight=True)
        .set_score_request(sample_weight=False),
        {"n_hidden": [2, 4]},
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(X, y, sample_weight=weights)
    best = BackpropClassifier(
        n_hidden=search.best_params_["n_hidden"], max_iter=200, random_state=0
    ).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(search.best_estimator_._theta, best._theta)
    unweighted = BackpropClassifier(
        n_hidden=search.best_params_["n_hidden"], max_iter=200, random_state=0
    ).fit(X, y)
    assert not np.array_equal(search.best_estimator_._theta, unweighted._theta)


def test_routed_sample_weight_and_validation_data_in_cross_validate(routing, iris):
    X, y = iris
    weights = np.random.RandomState(1).uniform(0.1, 3.0, len(y))
    cv = KFold(3, shuffle=True, random_state=0)
    routed = cross_validate(
        small()
        .set_fit_request(sample_weight=True, X_val=True, y_val=True)
        .set_score_request(sample_weight=False),
        X,
        y,
        cv=cv,
        params={"sample_weight": weights, "X_val": X[:30], "y_val": y[:30]},
        return_estimator=True,
    )
    for (train, _), estimator in zip(cv.split(X), routed["estimator"], strict=True):
        direct = small().fit(
            X[train], y[train], sample_weight=weights[train], X_val=X[:30], y_val=y[:30]
        )
        np.testing.assert_array_equal(estimator._theta, direct._theta)
        assert estimator.validation_loss_curve_ == direct.validation_loss_curve_
