"""Export to ONNX: a converter for skl2onnx (``pip install "skbackprop[onnx]"``).

Importing this module registers the converter, so that ``skl2onnx.to_onnx``
converts a fitted :class:`~skbackprop.BackpropClassifier`, alone or inside a
``Pipeline``. The graph is the book's network in standard ONNX operators::

    z = Sigmoid(X W^T + w_bias)       hidden layer
    y = Softmax(z V^T + v_bias)       class probabilities
    label = classes_[ArgMax(y)]

Example::

    import skbackprop.onnx  # registers the converter
    from skl2onnx import to_onnx

    model = to_onnx(pipeline, X[:1].astype("float32"))
"""

import numpy as np

try:
    from skl2onnx import update_registered_converter
    from skl2onnx.algebra.onnx_ops import (
        OnnxAdd,
        OnnxArgMax,
        OnnxArrayFeatureExtractor,
        OnnxMatMul,
        OnnxReshape,
        OnnxSigmoid,
        OnnxSoftmax,
    )
    from skl2onnx.common.data_types import guess_numpy_type
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
    )
except ImportError as error:
    raise ImportError(
        "skbackprop.onnx needs skl2onnx: pip install 'skbackprop[onnx]'"
    ) from error

from ._classifier import BackpropClassifier

__all__ = ["convert_backprop_classifier"]


def convert_backprop_classifier(scope, operator, container):
    """Write a fitted BackpropClassifier as ONNX operators (skl2onnx converter).

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        Names in use in the graph.

    operator : skl2onnx.common._topology.Operator
        The operator to convert; ``operator.raw_operator`` is the fitted
        classifier.

    container : skl2onnx.common._container.ModelComponentContainer
        Receives the nodes.
    """
    clf = operator.raw_operator
    opset = container.target_opset
    X = operator.inputs[0]
    dtype = guess_numpy_type(X.type)
    (W, V), (w_bias, v_bias) = clf.coefs_, clf.intercepts_
    hidden = OnnxSigmoid(  # z_j = h(sum_i w_ji x_i + w_j,bias)
        OnnxAdd(
            OnnxMatMul(X, W.astype(dtype), op_version=opset),
            w_bias.astype(dtype),
            op_version=opset,
        ),
        op_version=opset,
    )
    logits = OnnxAdd(  # a_k = sum_j v_kj z_j + v_k,bias
        OnnxMatMul(hidden, V.astype(dtype), op_version=opset),
        v_bias.astype(dtype),
        op_version=opset,
    )
    probabilities = OnnxSoftmax(  # y_k = exp(a_k) / sum_l exp(a_l)
        logits, axis=1, op_version=opset, output_names=operator.outputs[1:]
    )
    most_probable = OnnxArgMax(probabilities, axis=1, keepdims=0, op_version=opset)
    classes = clf.classes_
    classes = (
        classes.astype(np.int64)
        if np.issubdtype(classes.dtype, np.integer)
        else classes.astype(str)
    )
    label = OnnxReshape(
        OnnxArrayFeatureExtractor(classes, most_probable, op_version=opset),
        np.array([-1], dtype=np.int64),
        op_version=opset,
        output_names=operator.outputs[:1],
    )
    label.add_to(scope, container)
    probabilities.add_to(scope, container)


update_registered_converter(
    BackpropClassifier,
    "SkbackpropBackpropClassifier",
    calculate_linear_classifier_output_shapes,
    convert_backprop_classifier,
    options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
)
