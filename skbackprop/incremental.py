"""Training on data larger than memory, one chunk of a dask array at a time.

This module imports dask only when its functions are called; the rest of
skbackprop never does. Install it with ``pip install "skbackprop[dask]"``.
"""

from sklearn.utils import check_random_state


def fit_chunks(clf, X, y, *, classes, n_epochs=1, shuffle=True, random_state=None):
    """Train a classifier with ``partial_fit`` on the chunks of dask arrays.

    Each epoch visits every row-chunk of ``X`` once, computing one chunk at a
    time (on the dask scheduler in use, a ``distributed`` cluster included)
    and calling ``clf.partial_fit`` on it, so only one chunk needs to fit in
    memory. With ``shuffle``, the order of the chunks is drawn afresh every
    epoch from ``random_state``; the rows inside a chunk keep their order (an
    ``"sgd"`` classifier shuffles those itself).

    Unlike dask-ml's ``Incremental``, which makes one pass, this runs several
    epochs and reshuffles the chunk order between them; for one pass in a
    fixed order the two train identically.

    Parameters
    ----------
    clf : BackpropClassifier
        The classifier to train (or any estimator with ``partial_fit``); it
        is trained in place and returned.

    X : dask.array.Array of shape (n_samples, n_features)
        Inputs, chunked along the rows only.

    y : dask.array.Array of shape (n_samples,)
        Labels; rechunked to the row-chunks of ``X`` when they differ.

    classes : array-like of shape (n_classes,)
        Every class of the problem.

    n_epochs : int, default=1
        Passes over the chunks.

    shuffle : bool, default=True
        Draw a new chunk order every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the chunk orders.

    Returns
    -------
    clf : BackpropClassifier
        The trained classifier.
    """
    import dask
    import dask.array as da

    if not isinstance(X, da.Array) or not isinstance(y, da.Array):
        raise TypeError(
            "fit_chunks trains on dask arrays; got "
            f"X of type {type(X).__name__} and y of type {type(y).__name__}. "
            "For in-memory data call fit or partial_fit."
        )
    if X.ndim != 2 or X.numblocks[1] != 1:
        raise ValueError(
            f"X must be a 2-D dask array chunked along the rows only; got "
            f"{X.ndim} dimensions and {X.numblocks} blocks."
        )
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows; got {X.shape[0]} and "
            f"{y.shape[0]}."
        )
    if y.chunks[0] != X.chunks[0]:
        y = y.rechunk((X.chunks[0],))
    rng = check_random_state(random_state)
    n_chunks = X.numblocks[0]
    for _ in range(n_epochs):
        order = rng.permutation(n_chunks) if shuffle else range(n_chunks)
        for i in order:
            X_chunk, y_chunk = dask.compute(X.blocks[i], y.blocks[i])
            clf.partial_fit(X_chunk, y_chunk, classes=classes)
    return clf
