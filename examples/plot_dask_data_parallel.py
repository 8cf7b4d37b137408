"""
=========================================================
Training where the data live: a million rows on a cluster
=========================================================

:class:`skbackprop.dask.DaskBackpropClassifier` trains the book's network on a
dask array without bringing the rows to one place. The loss of the book,
``E = sum_n p_n E_n``, is a sum over samples, so every worker sums the loss
and gradient of the rows it holds, and one epoch of gd is one round trip: the
weights out, one gradient back from each worker. The result is the in-memory
fit's, up to the rounding of those sums.

Here the cluster is a local one with two workers and the data are a million
rows made by dask on it; with ``Client("tcp://scheduler:8786")`` the same code
trains on a real cluster.
"""

# %%
import time
import warnings

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning

from skbackprop import BackpropClassifier
from skbackprop.dask import DaskBackpropClassifier

cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
)
client = Client(cluster)

# %%
# A million rows, made and kept on the workers
# --------------------------------------------
# Twenty features, three classes from a random linear rule with noise, in
# chunks of 100,000 rows: ten row partitions, five on each worker.
rng = da.random.default_rng(0)
X = rng.standard_normal((1_000_000, 20), chunks=(100_000, 20))
rule = np.random.default_rng(1).standard_normal((20, 3))
noise = rng.standard_normal((1_000_000, 3), chunks=(100_000, 3))
y = (X @ rule + noise).argmax(axis=1)
X, y = client.persist([X, y])

# %%
# The same fit on the cluster and in memory
# -----------------------------------------
# The cluster's default solver is the full-batch "gd" (with "glorot" weights):
# spelled out, the in-memory estimator, whose defaults step on mini-batches,
# takes the same steps.
params = dict(
    n_hidden=16, solver="gd", init="glorot", max_iter=40, tol=0, random_state=0
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 40 epochs only
    start = time.perf_counter()
    on_cluster = DaskBackpropClassifier(client=client, **params).fit(X, y)
    cluster_seconds = time.perf_counter() - start

    X_memory, y_memory = X.compute(), y.compute()
    start = time.perf_counter()
    in_memory = BackpropClassifier(**params).fit(X_memory, y_memory)
    memory_seconds = time.perf_counter() - start

difference = np.max(np.abs(np.subtract(on_cluster.loss_curve_, in_memory.loss_curve_)))
print(f"cluster fit {cluster_seconds:.1f} s, in-memory fit {memory_seconds:.1f} s")
print(f"largest difference of the loss curves: {difference:.1e}")
print(f"accuracy on the training data: {on_cluster.score(X, y):.3f}")

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(in_memory.loss_curve_, lw=4, alpha=0.4, label="BackpropClassifier, in memory")
ax.plot(on_cluster.loss_curve_, "k--", label="DaskBackpropClassifier, 2 workers")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss E")
ax.set_title("1,000,000 rows: one curve, two places")
ax.legend()
fig.tight_layout()

# %%
# Predictions stay lazy
# ---------------------
# On a dask array the predictions are dask arrays, computed chunk by chunk on
# the workers; :meth:`~skbackprop.dask.DaskBackpropClassifier.to_local`
# returns the fitted :class:`~skbackprop.BackpropClassifier` to pickle or to
# serve without a cluster.
proba = on_cluster.predict_proba(X)
print(proba)
local = on_cluster.to_local()
same = np.array_equal(
    local.predict(X_memory[:1000]), on_cluster.predict(X[:1000]).compute()
)
print(f"the local model predicts as the cluster's: {same}")

# %%
client.close()
cluster.close()
