"""Soak: thousands of alternating partial_fit / predict_proba calls."""

import os
import tracemalloc

import numpy as np
import pytest

from skbackprop import BackpropClassifier

N_CALLS = int(os.environ.get("SKBACKPROP_SOAK_CALLS", "10000"))


@pytest.mark.soak
def test_memory_stays_flat_and_results_finite():
    rng = np.random.RandomState(0)
    clf = BackpropClassifier(n_hidden=8, solver="sgd", batch_size=16, random_state=0)
    classes = np.arange(3)

    def chunk():
        X = rng.normal(size=(32, 5))
        return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)

    def round_trip():
        X, y = chunk()
        clf.partial_fit(X, y, classes=classes)
        proba = clf.predict_proba(chunk()[0])
        assert np.isfinite(proba).all()

    warm_up = N_CALLS // 10 // 2
    for _ in range(warm_up):
        round_trip()
    clf.loss_curve_.clear()  # the curve grows by design; measure everything else
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    for i in range(N_CALLS // 2 - warm_up):
        round_trip()
        if i % 500 == 0:
            clf.loss_curve_.clear()
    clf.loss_curve_.clear()
    end, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert end - start < 256 * 1024  # bytes: flat, not growing with the calls
    assert np.isfinite(clf._theta).all()
