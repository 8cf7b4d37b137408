"""The compiled kernels (skbackprop/_kernels.c) against their references.

The sigmoid against scipy.special.expit; the sigmoid slope and the softmax
cross entropy against the NumPy code that ``skbackprop._network`` runs when the
module is not built. The compiled module is optional: a machine without a C
compiler uses the NumPy code. CI builds it, and there its absence is an error,
not a skip.
"""

import os
import threading
import warnings

import numpy as np
import pytest
from scipy.special import expit

import skbackprop._network as network
import skbackprop._numpy_ops as numpy_ops

if os.environ.get("CI") and not os.environ.get("SKBACKPROP_DISABLE_KERNELS"):
    import skbackprop._kernels  # noqa: F401 - must be built in CI

compiled = pytest.importorskip("skbackprop._kernels")

# The kernels' own exp (_vector_exp.h) is within 1 ulp of NumPy's exp over
# the whole range; the sigmoid adds a rounding or two.
MAX_ULP = 4

SPECIAL = [-np.inf, -1e4, -745.2, -709.0, -88.8, -30.0, -1e-300, 0.0, 1e-300]
SPECIAL += [1e-8, 1.0, 36.8, 88.8, 709.0, 1e4, np.inf]


def reference_sigmoid(b):
    """expit, for float32 through float64: expit in float32 flushes results
    below 1e-38 to zero, where the subnormal floats still hold them."""
    return expit(b.astype(np.float64)).astype(b.dtype)


def ulps_apart(got, expected):
    """Distance in units of the last place; equal infinities are 0 apart."""
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    with np.errstate(invalid="ignore"):
        apart = np.abs(got - expected) / np.spacing(np.abs(expected))
    return np.where(same, 0.0, apart)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [0.1, 3.0, 40.0])
def test_equals_expit_to_a_few_ulp(dtype, scale):
    b = (np.random.RandomState(0).normal(scale=scale, size=100_003)).astype(dtype)
    expected = reference_sigmoid(b)
    got = b.copy()
    compiled.sigmoid_inplace(got)
    assert got.dtype == dtype
    assert ulps_apart(got, expected).max() <= MAX_ULP


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_special_values(dtype):
    b = np.array(SPECIAL + [np.nan], dtype=dtype)
    got = b.copy()
    compiled.sigmoid_inplace(got)
    expected = reference_sigmoid(b)
    assert np.isnan(got[-1])
    assert got[0] == 0.0 and got[-2] == 1.0  # h(-inf) = 0, h(inf) = 1
    assert ((got[:-1] >= 0) & (got[:-1] <= 1)).all()
    assert ulps_apart(got[:-1], expected[:-1]).max() <= MAX_ULP


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
    np.testing.assert_array_equal(numpy_ops.sigmoid(strided), expit(B[:, ::2]))


def test_network_sigmoid_uses_expit_when_not_compiled(monkeypatch):
    monkeypatch.setattr(numpy_ops, "_kernels", None)
    B = np.random.RandomState(4).normal(size=1000)
    np.testing.assert_array_equal(numpy_ops.sigmoid(B.copy()), expit(B))


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


def softmax_problem(dtype, n=57, K=4, scale=1.0, seed=0):
    rng = np.random.RandomState(seed)
    A = (rng.normal(size=(n, K)) * scale).astype(dtype)
    s = rng.uniform(0, 2, size=n)
    p = (s / s.sum()).astype(dtype)
    T = np.eye(K, dtype=dtype)[rng.randint(K, size=n)]
    return A, T * p[:, None], p


def numpy_reference(function, *arrays, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(numpy_ops, "_kernels", None)
        return function(*arrays)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 2e-5)])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_softmax_cross_entropy_equals_the_numpy_code(dtype, rtol, scale, monkeypatch):
    A, pT, p = softmax_problem(dtype, scale=scale)
    sums, expected_sums = np.empty(4, dtype), np.empty(4, dtype)
    expected_A = A.copy()
    expected = numpy_reference(
        numpy_ops.softmax_cross_entropy,
        expected_A,
        pT,
        p,
        expected_sums,
        monkeypatch=monkeypatch,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, even at scale 1e4
        loss = numpy_ops.softmax_cross_entropy(A, pT, p, sums)
    assert np.isfinite(loss) and loss == pytest.approx(expected, rel=rtol)
    np.testing.assert_allclose(A, expected_A, rtol=rtol, atol=rtol * p.max())
    np.testing.assert_allclose(sums, expected_sums, rtol=rtol, atol=rtol * p.max())
    assert A.dtype == dtype


def test_softmax_cross_entropy_is_the_books_formula():
    # E = -sum_n p_n log y_{n, t_n} and delta2 = p_n (y - t), from SciPy.
    from scipy.special import softmax

    A, pT, p = softmax_problem(np.float64, n=9, K=3)
    Y = softmax(A, axis=1)
    T = (pT > 0).astype(float)
    expected_loss = -np.sum(p * np.log(Y[T == 1]))
    sums = np.empty(3)
    loss = compiled.softmax_cross_entropy(A, pT, p, sums)
    assert loss == pytest.approx(expected_loss, rel=1e-13)
    np.testing.assert_allclose(A, p[:, None] * (Y - T), atol=1e-16)
    np.testing.assert_allclose(sums, (p[:, None] * (Y - T)).sum(axis=0), atol=1e-16)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_times_sigmoid_slope_equals_the_numpy_code(dtype, monkeypatch):
    rng = np.random.RandomState(8)
    delta = rng.normal(size=(33, 7)).astype(dtype)
    Z = rng.uniform(size=(33, 7)).astype(dtype)
    expected_delta, expected_sums = delta.copy(), np.empty(7, dtype)
    numpy_reference(
        numpy_ops.times_sigmoid_slope,
        expected_delta,
        Z,
        expected_sums,
        monkeypatch=monkeypatch,
    )
    # The sums land in a strided view, as in the gradient vector.
    gradient_rows = np.full((7, 3), -1.0, dtype=dtype)
    Z_before = Z.copy()
    numpy_ops.times_sigmoid_slope(delta, Z, gradient_rows[:, -1])
    np.testing.assert_array_equal(delta, expected_delta)  # same operations
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(gradient_rows[:, -1], expected_sums, rtol=rtol)
    np.testing.assert_array_equal(gradient_rows[:, :-1], -1.0)  # untouched
    np.testing.assert_array_equal(Z, Z_before)


@pytest.mark.parametrize(
    "call, error",
    [
        (
            lambda: compiled.softmax_cross_entropy(
                np.zeros((3, 2)), np.zeros((3, 3)), np.zeros(3), np.zeros(2)
            ),
            ValueError,
        ),
        (
            lambda: compiled.softmax_cross_entropy(
                np.zeros((3, 2)), np.zeros((3, 2)), np.zeros(4), np.zeros(2)
            ),
            ValueError,
        ),
        (
            lambda: compiled.softmax_cross_entropy(
                np.zeros((3, 2)), np.zeros((3, 2)), np.zeros(3), np.zeros(3)
            ),
            ValueError,
        ),
        (
            lambda: compiled.softmax_cross_entropy(
                np.zeros((3, 2), np.float32), np.zeros((3, 2)), np.zeros(3), np.zeros(2)
            ),
            TypeError,
        ),
        (
            lambda: compiled.softmax_cross_entropy(
                np.zeros((3, 0)), np.zeros((3, 0)), np.zeros(3), np.zeros(0)
            ),
            ValueError,
        ),
        (
            lambda: compiled.times_sigmoid_slope(
                np.zeros((3, 2)), np.zeros((2, 3)), np.zeros(2)
            ),
            ValueError,
        ),
        (
            lambda: compiled.times_sigmoid_slope(
                np.zeros((3, 2)), np.zeros((3, 2)), np.zeros(2, np.float32)
            ),
            ValueError,
        ),
        (
            lambda: compiled.times_sigmoid_slope(np.zeros((3, 2)), np.zeros((3, 2))),
            TypeError,
        ),
    ],
)
def test_kernels_refuse_mismatched_arrays(call, error):
    with pytest.raises(error):
        call()


def test_training_uses_the_numpy_code_equally(monkeypatch):
    # A whole fit without the compiled module gives the same model.
    from skbackprop import BackpropClassifier, make_textbook_data

    X, y = make_textbook_data()
    params = dict(n_hidden=3, max_iter=50, random_state=0, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled_fit = BackpropClassifier(**params).fit(X, y)
        monkeypatch.setattr(numpy_ops, "_kernels", None)
        numpy_fit = BackpropClassifier(**params).fit(X, y)
    np.testing.assert_allclose(
        compiled_fit.loss_curve_, numpy_fit.loss_curve_, rtol=1e-12
    )
    np.testing.assert_allclose(compiled_fit._theta, numpy_fit._theta, rtol=1e-10)


# ---- the kernels' own exp (_vector_exp.h) ---------------------------------


def reference_exp(x):
    """exp in long double where it is wider, rounded to x's dtype."""
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(x.astype(np.longdouble)).astype(x.dtype)


@pytest.mark.parametrize(
    "dtype, low, high, max_ulp",
    [
        (np.float64, -760.0, 720.0, 2),  # 0 .. subnormals .. inf
        (np.float64, -1.0, 1.0, 1),
        (np.float32, -110.0, 95.0, 1),
        (np.float32, -1.0, 1.0, 1),
    ],
)
def test_exp_is_within_an_ulp_or_two_over_the_whole_range(dtype, low, high, max_ulp):
    x = np.linspace(low, high, 1_000_003).astype(dtype)
    got = x.copy()
    compiled.exp_inplace(got)
    assert got.dtype == dtype
    assert ulps_apart(got, reference_exp(x)).max() <= max_ulp


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exp_special_values(dtype):
    info = np.finfo(dtype)
    x = np.array(
        [np.nan, np.inf, -np.inf, 0.0, -0.0, info.tiny, -info.tiny]
        + [info.smallest_subnormal, -info.smallest_subnormal, info.max, info.min]
        + [np.log(info.max), np.log(info.max) * 1.0001, -745.13, -745.14, -708.4]
        + [-103.97, -103.98, 88.72, 88.73],
        dtype=dtype,
    )
    got = x.copy()
    compiled.exp_inplace(got)
    expected = reference_exp(x)
    assert np.isnan(got[0])
    assert got[1] == np.inf and got[2] == 0.0 and got[3] == 1.0 and got[4] == 1.0
    assert not np.signbit(got[2])  # exp(-inf) is +0
    assert ulps_apart(got, expected).max() <= 2, (x, got, expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exp_and_sigmoid_on_every_length_and_alignment(dtype):
    # The vector loops have a head, a body and a tail; every split of them.
    rng = np.random.RandomState(1)
    storage = rng.normal(scale=30, size=80).astype(dtype)
    for offset in range(4):
        for n in range(0, 70):
            x = storage[offset : offset + n]
            for kernel, reference in (
                (compiled.exp_inplace, reference_exp),
                (compiled.sigmoid_inplace, reference_sigmoid),
            ):
                # `offset` values past NumPy's aligned allocation
                got = np.empty(n + offset, dtype=dtype)[offset:]
                got[...] = x
                kernel(got)
                assert ulps_apart(got, reference(x)).max(initial=0) <= MAX_ULP


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_of_subnormal_and_huge_inputs(dtype):
    info = np.finfo(dtype)
    b = np.array(
        [info.smallest_subnormal, -info.smallest_subnormal, info.max, info.min]
        + [-745.0, -104.0, -88.0, 37.0, 17.0],
        dtype=dtype,
    )
    got = b.copy()
    compiled.sigmoid_inplace(got)
    assert ulps_apart(got, reference_sigmoid(b)).max() <= MAX_ULP


# ---- the one-call pass of a small network ----------------------------------


@pytest.fixture
def kernels_on(monkeypatch):
    """The compiled path in skbackprop._numpy_ops, even where the suite runs
    with SKBACKPROP_DISABLE_KERNELS=1 (the module is built, only unused)."""
    monkeypatch.setattr(numpy_ops, "_kernels", compiled)


def small_problem(dtype, N, D, M, K, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N, D)).astype(dtype)
    T = np.eye(K, dtype=dtype)[rng.randint(K, size=N)]
    p = rng.uniform(0.5, 1.5, size=N).astype(dtype)
    p /= p.sum()
    theta = rng.uniform(-1, 1, network.n_weights(D, M, K)).astype(dtype)
    return theta, X, T * p[:, None], p


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, D, M, K", [(100, 2, 2, 3), (37, 5, 9, 4), (1, 1, 1, 1)])
def test_small_network_pass_equals_backpropagate(dtype, rtol, N, D, M, K, kernels_on):
    theta, X, pT, p = small_problem(dtype, N, D, M, K)
    gradient = np.full_like(theta, np.nan)  # every value must be written
    loss = numpy_ops.small_network_pass(theta, X, pT, p, gradient)
    expected_gradient = np.empty_like(theta)
    expected = network.backpropagate(
        numpy_ops.NUMPY,
        network.Layers(theta, D, M, K),
        X,
        pT,
        p,
        network.Layers(expected_gradient, D, M, K),
    )
    assert loss == pytest.approx(expected, rel=rtol)
    scale = np.abs(expected_gradient).max()
    np.testing.assert_allclose(
        gradient, expected_gradient, rtol=rtol, atol=rtol * scale
    )
    assert gradient.dtype == dtype


def test_objective_takes_one_call_for_small_networks_only(kernels_on):
    from skbackprop._objective import Objective

    theta, X, pT, p = small_problem(np.float64, 100, 2, 2, 3)
    assert Objective(X, pT / p[:, None], p, 0.0, 2)._one_call
    big = small_problem(np.float64, 2000, 20, 16, 3)[1:]
    assert not Objective(big[0], big[1] / big[2][:, None], big[2], 0.0, 16)._one_call
    # Sparse or strided X goes through the row blocks.
    assert not Objective(X[:, ::-1], pT / p[:, None], p, 0.0, 2)._one_call


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_objective_gives_the_same_gradient_either_way(l2, kernels_on):
    from skbackprop._objective import Objective

    theta, X, pT, p = small_problem(np.float64, 60, 3, 4, 3, seed=5)
    T = pT / p[:, None]
    one_call = Objective(X, T, p, l2, 4)
    blocked = Objective(X, T, p, l2, 4)
    blocked._one_call = False
    loss, gradient = one_call.loss_and_gradient(theta)
    gradient = gradient.copy()
    expected_loss, expected_gradient = blocked.loss_and_gradient(theta)
    assert loss == pytest.approx(expected_loss, rel=1e-13)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-12, atol=1e-15)


def small_network_arguments(**replaced):
    """Arguments of small_network_pass for N=4, D=2, M=2, K=3 (15 weights),
    some of them replaced."""
    arguments = dict(
        gradient=np.zeros(15),
        theta=np.zeros(15),
        X=np.zeros((4, 2)),
        pT=np.zeros((4, 3)),
        p=np.zeros(4),
    )
    arguments.update(replaced)
    return list(arguments.values())


def test_small_network_pass_takes_matching_arrays():
    loss = compiled.small_network_pass(*small_network_arguments())
    assert loss == 0.0  # p is all zeros


@pytest.mark.parametrize(
    "replaced, error",
    [
        # theta's length fits no M for these D and K.
        ({"gradient": np.zeros(10), "theta": np.zeros(10)}, ValueError),
        # pT and p of other lengths than X's rows.
        ({"pT": np.zeros((5, 3))}, ValueError),
        ({"p": np.zeros(3)}, ValueError),
        # gradient not theta's length; a one-dimensional X; mixed dtypes.
        ({"gradient": np.zeros(14)}, ValueError),
        ({"X": np.zeros(8)}, ValueError),
        ({"theta": np.zeros(15, np.float32)}, TypeError),
    ],
)
def test_small_network_pass_refuses_mismatched_arrays(replaced, error):
    with pytest.raises(error):
        compiled.small_network_pass(*small_network_arguments(**replaced))


def test_small_network_pass_from_two_threads_at_once(kernels_on):
    # The pass releases the GIL and keeps its scratch per call: two threads
    # computing at once each get what one thread alone gets.
    problems = [small_problem(np.float64, 200, 3, 5, 4, seed=seed) for seed in (1, 2)]
    expected = []
    for theta, X, pT, p in problems:
        gradient = np.empty_like(theta)
        expected.append(
            (numpy_ops.small_network_pass(theta, X, pT, p, gradient), gradient)
        )
    results = [[], []]

    def work(i):
        theta, X, pT, p = problems[i]
        for _ in range(300):
            gradient = np.empty_like(theta)
            results[i].append(
                (numpy_ops.small_network_pass(theta, X, pT, p, gradient), gradient)
            )

    threads = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i in (0, 1):
        assert len(results[i]) == 300
        for loss, gradient in results[i]:
            assert loss == expected[i][0]
            np.testing.assert_array_equal(gradient, expected[i][1])


# ---- the solver's updates: Adam and the standardised coordinates -----------


def adam_problem(dtype, n=1000, seed=3):
    rng = np.random.RandomState(seed)
    theta = rng.normal(size=n).astype(dtype)
    first = (rng.normal(size=n) * 0.1).astype(dtype)
    second = (rng.uniform(size=n) * 0.01).astype(dtype)
    gradient = (rng.normal(size=n) * 10.0 ** rng.randint(-4, 3, size=n)).astype(dtype)
    return theta, first, second, gradient


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-15), (np.float32, 1e-6)])
def test_adam_step_equals_the_numpy_code(dtype, rtol, monkeypatch):
    from skbackprop._solvers import Adam

    arrays = adam_problem(dtype)
    results = []
    for kernels in (compiled, None):
        monkeypatch.setattr(numpy_ops, "_kernels", kernels)
        theta, first, second, gradient = (a.copy() for a in arrays)
        rule = Adam(learning_rate=0.01)
        rule.first, rule.second, rule._buffer = first, second, np.empty_like(theta)
        rule.n_steps = 6
        for _ in range(3):  # at steps 7 to 9, bias corrections included
            rule.step(theta, gradient)
        results.append((theta, rule.first, rule.second))
    for got, expected in zip(*results, strict=True):
        # the same operations in the same order: equal but for a fused
        # multiply-add that a compiler may form on other CPUs
        np.testing.assert_allclose(got, expected, rtol=rtol)
        assert got.dtype == dtype


def test_adam_step_is_the_rule():
    theta, first, second, gradient = adam_problem(np.float64, n=7)
    expected_m = 0.9 * first + 0.1 * gradient
    expected_s = 0.999 * second + 0.001 * gradient**2
    expected = theta - 0.05 * expected_m / (np.sqrt(expected_s) + 1e-8)
    compiled.adam_step(theta, first, second, gradient, 0.05, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(first, expected_m, rtol=1e-14)
    np.testing.assert_allclose(second, expected_s, rtol=1e-14)
    np.testing.assert_allclose(theta, expected, rtol=1e-14)


def standardised_problem(dtype, D=5, M=4, K=3, seed=4):
    from skbackprop._coordinates import StandardisedInputs

    rng = np.random.RandomState(seed)
    mean = rng.normal(size=D) * 100
    scale = rng.uniform(0.001, 50, size=D)
    coordinates = StandardisedInputs(mean.astype(dtype), scale.astype(dtype), D, M, K)
    theta = rng.normal(size=network.n_weights(D, M, K)).astype(dtype)
    return coordinates, theta


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-4)])
@pytest.mark.parametrize("name", ["to_raw", "gradient"])
def test_coordinate_maps_equal_the_numpy_code(dtype, rtol, name, monkeypatch):
    coordinates, theta = standardised_problem(dtype)
    results = []
    for kernels in (compiled, None):
        monkeypatch.setattr(numpy_ops, "_kernels", kernels)
        out = np.full_like(theta, np.nan)  # every value must be written
        results.append(getattr(coordinates, name)(theta, out=out))
        assert results[-1] is out
    # to_raw sums w m in order where NumPy asks BLAS: equal to rounding
    scale = np.abs(results[1]).max()
    np.testing.assert_allclose(*results, rtol=rtol, atol=rtol * scale)
    assert results[0].dtype == dtype


@pytest.mark.parametrize("name", ["to_raw", "gradient"])
def test_coordinate_maps_work_in_place(name, kernels_on):
    coordinates, theta = standardised_problem(np.float64)
    expected = getattr(coordinates, name)(theta)
    in_place = theta.copy()
    assert getattr(coordinates, name)(in_place, out=in_place) is in_place
    np.testing.assert_array_equal(in_place, expected)


def test_training_in_standardised_coordinates_uses_the_kernels(monkeypatch):
    # The default fit (Adam, learning_rate="auto") through the compiled
    # updates ends where the NumPy updates end, to rounding.
    from skbackprop import BackpropClassifier, make_textbook_data

    X, y = make_textbook_data()
    X = X * [100.0, 0.01] + [5.0, -3.0]
    calls = []

    class Counting:  # the compiled module, noting which functions are taken
        def __getattr__(self, name):
            calls.append(name)
            return getattr(compiled, name)

    fits = []
    for kernels in (Counting(), None):
        monkeypatch.setattr(numpy_ops, "_kernels", kernels)
        params = dict(n_hidden=3, max_iter=30, tol=0, early_stopping=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits.append(BackpropClassifier(random_state=0, **params).fit(X, y))
    assert {"adam_step", "standardised_to_raw", "raw_to_standardised_gradient"} <= set(
        calls
    )
    np.testing.assert_allclose(fits[0].loss_curve_, fits[1].loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(fits[0]._theta, fits[1]._theta, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(
    "call, error",
    [
        (
            lambda: compiled.adam_step(
                *adam_problem(np.float64)[:3], np.zeros(3), 0.1, 0.9, 0.999, 1e-8
            ),
            ValueError,
        ),
        (
            lambda: compiled.adam_step(
                *adam_problem(np.float64), "a", 0.9, 0.999, 1e-8
            ),
            TypeError,
        ),
        (lambda: compiled.adam_step(*adam_problem(np.float64)), TypeError),
        # mean and scale of other lengths; out and theta of other lengths
        (
            lambda: compiled.standardised_to_raw(
                np.zeros(20), np.zeros(20), np.zeros(3), np.ones(2), 2
            ),
            ValueError,
        ),
        (
            lambda: compiled.raw_to_standardised_gradient(
                np.zeros(20), np.zeros(19), np.zeros(3), np.ones(3), 2
            ),
            ValueError,
        ),
        # theta too short for M hidden units
        (
            lambda: compiled.standardised_to_raw(
                np.zeros(5), np.zeros(5), np.zeros(3), np.ones(3), 2
            ),
            ValueError,
        ),
        (
            lambda: compiled.standardised_to_raw(
                np.zeros(20), np.zeros(20, np.float32), np.zeros(3), np.ones(3), 2
            ),
            TypeError,
        ),
    ],
)
def test_update_kernels_refuse_mismatched_arrays(call, error):
    with pytest.raises(error):
        call()
