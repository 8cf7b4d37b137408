from sklearn.utils.estimator_checks import parametrize_with_checks

from skbackprop import BackpropClassifier


@parametrize_with_checks([BackpropClassifier()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
