"""ONNX export through skl2onnx: onnxruntime predicts what the model predicts.

Without the ``onnx`` extra these tests skip (an error where
SKBACKPROP_REQUIRE_EXTRAS is set, as in CI's run with every extra).
"""

import numpy as np
import pytest
from _helpers import QUIET, import_extra

ort = import_extra("onnxruntime", "onnx")
skl2onnx = import_extra("skl2onnx", "onnx")

from sklearn.datasets import load_iris  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import skbackprop.onnx  # noqa: E402, F401 - registers the converter
from skbackprop import BackpropClassifier  # noqa: E402

pytestmark = QUIET

X, Y = load_iris(return_X_y=True)
LABELS = {
    "multiclass": Y,
    "binary": (Y == 2).astype(int),
    "strings": np.array(["setosa", "versicolor", "virginica"])[Y],
    "binary strings": np.array(["no", "yes"])[(Y == 2).astype(int)],
}


def run(onnx_model, X):
    session = ort.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})


def fitted(model, y):
    return model.fit(X, y)


@pytest.mark.parametrize("kind", LABELS)
def test_a_pipeline_converts_and_onnxruntime_agrees(kind):
    y = LABELS[kind]
    pipeline = fitted(
        make_pipeline(StandardScaler(), BackpropClassifier(random_state=0)), y
    )
    onnx_model = skl2onnx.to_onnx(
        pipeline,
        X[:1].astype(np.float32),
        options={id(pipeline[-1]): {"zipmap": False}},
    )
    labels, probabilities = run(onnx_model, X)
    np.testing.assert_allclose(probabilities, pipeline.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(labels, pipeline.predict(X))


def test_the_default_zipmap_output_names_the_classes():
    y = LABELS["strings"]
    clf = fitted(BackpropClassifier(n_hidden=4, random_state=0), y)
    labels, probabilities = run(skl2onnx.to_onnx(clf, X[:1].astype(np.float32)), X)
    assert set(probabilities[0]) == {"setosa", "versicolor", "virginica"}
    for row, expected in zip(probabilities, clf.predict_proba(X), strict=True):
        np.testing.assert_allclose([row[c] for c in clf.classes_], expected, atol=1e-5)


def test_a_float32_model_converts():
    clf32 = BackpropClassifier(n_hidden=8, random_state=0).fit(X.astype(np.float32), Y)
    _, probabilities = run(
        skl2onnx.to_onnx(clf32, X[:1].astype(np.float32), options={"zipmap": False}),
        X,
    )
    np.testing.assert_allclose(
        probabilities, clf32.predict_proba(X.astype(np.float32)), atol=1e-5
    )
