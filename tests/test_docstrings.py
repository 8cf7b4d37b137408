"""numpydoc validation of every public docstring."""

import inspect
import re

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

PUBLIC = [
    "skbackprop.BackpropClassifier",
    "skbackprop.BackpropClassifier.fit",
    "skbackprop.BackpropClassifier.partial_fit",
    "skbackprop.BackpropClassifier.predict",
    "skbackprop.BackpropClassifier.predict_proba",
    "skbackprop.BackpropClassifier.predict_log_proba",
    "skbackprop.BackpropClassifier.transform",
    "skbackprop.callbacks.WeightHistory",
    "skbackprop.callbacks.WeightHistory.on_fit_task_end",
    "skbackprop.make_textbook_data",
    "skbackprop.backprop_gradient",
    "skbackprop.numerical_gradient",
    "skbackprop.incremental.fit_chunks",
]
try:
    import distributed  # noqa: F401

    PUBLIC += [
        f"skbackprop.dask.DaskBackpropClassifier{method}"
        for method in (
            "",
            ".fit",
            ".partial_fit",
            ".predict",
            ".predict_proba",
            ".predict_log_proba",
            ".transform",
            ".score",
            ".to_local",
        )
    ]
except ImportError:  # the dask extra is not installed
    pass
try:
    import skl2onnx  # noqa: F401

    PUBLIC.append("skbackprop.onnx.convert_backprop_classifier")
except ImportError:  # the onnx extra is not installed
    pass

# Checks we do not hold every docstring to: a "See Also" and an "Examples"
# section on every method, an extended summary on short docstrings, and
# unnamed single return values (we name them, as scikit-learn does).
IGNORED = {"SA01", "EX01", "ES01", "RT02"}


@pytest.mark.parametrize("name", PUBLIC)
def test_docstring_is_valid_numpydoc(name):
    result = numpydoc_validate.validate(name)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in IGNORED
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", PUBLIC)
def test_parameter_lines_render_in_one_piece(name):
    # a backslash continuation inside a docstring left help() showing
    # "(n_val, n_features),                 default=None"
    doc = inspect.getdoc(numpydoc_validate.Validator._load_obj(name))
    headers = [line for line in doc.splitlines() if re.match(r"^\w+ : ", line)]
    gaps = [line for line in headers if "  " in line.strip()]
    assert not gaps, gaps
