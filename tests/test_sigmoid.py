"""The compiled sigmoid (skbackprop/_sigmoid.c) against scipy.special.expit.

The compiled module is optional: a machine without a C compiler falls back to
``expit``. CI builds it, and there its absence is an error, not a skip.
"""

import os
import threading

import numpy as np
import pytest
from scipy.special import expit

import skbackprop._network as network

if os.environ.get("CI"):
    import skbackprop._sigmoid  # noqa: F401 - must be built in CI

compiled = pytest.importorskip("skbackprop._sigmoid")

# glibc's vector exp is accurate to a few units in the last place; the
# largest difference measured (benchmarks/sigmoid.py) is 4.
MAX_ULP = 8

SPECIAL = [-np.inf, -1e4, -745.2, -709.0, -88.8, -30.0, -1e-300, 0.0, 1e-300]
SPECIAL += [1e-8, 1.0, 36.8, 88.8, 709.0, 1e4, np.inf]


def ulp_difference(got, expected):
    return np.abs(got - expected) / np.spacing(expected.astype(got.dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [0.1, 3.0, 40.0])
def test_equals_expit_to_a_few_ulp(dtype, scale):
    b = (np.random.RandomState(0).normal(scale=scale, size=100_003)).astype(dtype)
    expected = expit(b)
    got = b.copy()
    compiled.sigmoid_inplace(got)
    assert got.dtype == dtype
    assert ulp_difference(got, expected).max() <= MAX_ULP


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_special_values(dtype):
    b = np.array(SPECIAL + [np.nan], dtype=dtype)
    got = b.copy()
    compiled.sigmoid_inplace(got)
    expected = expit(b)
    assert np.isnan(got[-1])
    assert got[0] == 0.0 and got[-2] == 1.0  # h(-inf) = 0, h(inf) = 1
    assert ((got[:-1] >= 0) & (got[:-1] <= 1)).all()
    assert ulp_difference(got[:-1], expected[:-1]).max() <= MAX_ULP


def test_every_length_and_offset():
    # The vector loop handles whole vectors, then a remainder: check both.
    b = np.random.RandomState(1).normal(size=40)
    for start in range(5):
        for stop in range(start, 40, 3):
            got = b[start:stop].copy()
            compiled.sigmoid_inplace(got)
            np.testing.assert_array_max_ulp(got, expit(b[start:stop]), MAX_ULP)


def test_two_dimensional_arrays_are_done_whole():
    B = np.random.RandomState(2).normal(size=(37, 11))
    Z = B.copy()
    compiled.sigmoid_inplace(Z)
    np.testing.assert_array_max_ulp(Z, expit(B), MAX_ULP)


@pytest.mark.parametrize(
    "array, error",
    [
        (np.zeros(3, dtype=np.int64), TypeError),
        (np.zeros(3, dtype=np.complex128), TypeError),
        (np.zeros(3, dtype=">f8"), TypeError),
        (np.zeros((4, 4))[:, 1], ValueError),  # not contiguous
    ],
)
def test_refuses_what_it_cannot_do_in_place(array, error):
    with pytest.raises(error):
        compiled.sigmoid_inplace(array)


def test_read_only_arrays_are_refused():
    b = np.zeros(3)
    b.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        compiled.sigmoid_inplace(b)


def test_network_sigmoid_falls_back_to_expit_for_strided_arrays():
    B = np.random.RandomState(3).normal(size=(50, 8))
    strided = B.copy()[:, ::2]
    assert not strided.flags.c_contiguous
    np.testing.assert_array_equal(network.sigmoid(strided), expit(B[:, ::2]))


def test_network_sigmoid_uses_expit_when_not_compiled(monkeypatch):
    monkeypatch.setattr(network, "_compiled_sigmoid", None)
    B = np.random.RandomState(4).normal(size=1000)
    np.testing.assert_array_equal(network.sigmoid(B.copy()), expit(B))


def test_runs_on_many_threads_at_once():
    # The loop releases the GIL; concurrent calls on separate arrays must
    # each give the serial result.
    arrays = [np.random.RandomState(i).normal(size=200_000) for i in range(4)]
    expected = [expit(b) for b in arrays]
    work = [b.copy() for b in arrays]
    threads = [
        threading.Thread(target=compiled.sigmoid_inplace, args=(b,)) for b in work
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for got, want in zip(work, expected, strict=True):
        np.testing.assert_array_max_ulp(got, want, MAX_ULP)
