"""Data-parallel training on a Dask cluster: :class:`DaskBackpropClassifier`.

The book's objective is a mean over the samples, so its loss and gradient are
sums over row partitions, and full-batch gd and L-BFGS train on a cluster
exactly as in memory: the data stay on the workers, and each epoch (gd) or
evaluation (L-BFGS) sends the weights there once and gets one loss and one
gradient back from each worker. Install the extra with
``pip install "skbackprop[dask]"``.
"""

import copy

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

try:
    import dask
    import distributed
except ImportError as error:
    raise ImportError(
        "skbackprop.dask needs dask and distributed: pip install 'skbackprop[dask]'"
    ) from error

from ._classifier import BackpropClassifier
from ._cluster import (
    ClusterObjective,
    ClusterValidation,
    OnWorkers,
    ValidationPartition,
)
from ._cluster_data import (
    TrainingData,
    as_dask_array,
    check_same_rows,
    described,
    row_chunks,
)
from ._diagnosis import held_out_frequency_loss
from ._docstrings import CLUSTER_PARAMETERS
from ._driver import report_convergence, train
from ._fitting import (
    finish,
    full_batch_run,
    restored_on_error,
    solver_coordinates,
    start_afresh,
    start_history,
    validation_set,
)
from ._inputs import (
    check_solver_allows,
    check_validation_pair,
    explicitly_on,
)
from ._network import hidden_outputs, log_probabilities, softmax_outputs
from ._solvers import solver_of
from ._stopping import watches_validation
from ._tasks import fit_tasks

__all__ = ["DaskBackpropClassifier"]


class DaskBackpropClassifier(BackpropClassifier):
    __doc__ = f"""The chapter 7 network, trained on data spread over a Dask cluster.

    The parameters, attributes and results of :class:`BackpropClassifier`,
    with the training arithmetic done where the data live: ``fit`` takes dask
    arrays (or dask DataFrames) chunked along the rows, keeps their row
    partitions on the workers, and evaluates the objective there, one round
    trip per gd epoch or L-BFGS evaluation, a few hundred KiB each way
    however many rows there are. The weights, ``loss_curve_`` and
    ``validation_loss_curve_`` equal those of ``BackpropClassifier.fit`` on
    the same data in memory, up to the rounding of the sums.

    The mini-batch solvers (``"adam"``, the default of
    :class:`BackpropClassifier`, and ``"sgd"``) are not available: their
    steps follow each other within an epoch, so they cannot run on the
    partitions at once. Its defaults are therefore the full-batch ones,
    ``solver="gd"`` with ``init="glorot"``, ``n_hidden=32`` and
    ``early_stopping=False``; use ``"gd"`` or
    ``"lbfgs"``, or :func:`skbackprop.incremental.fit_chunks` to stream the
    chunks through ``partial_fit`` with any solver. ``early_stopping`` needs
    ``X_val`` and ``y_val``: no rows are held out of a cluster's data.

    Prediction on dask arrays is lazy: ``predict``, ``predict_proba``,
    ``predict_log_proba`` and ``transform`` return dask arrays, chunk for
    chunk; on NumPy input they compute in memory as
    :class:`BackpropClassifier` does. :meth:`to_local` returns the fitted
    :class:`BackpropClassifier`, to pickle or to serve without a cluster.

    Parameters
    ----------
{CLUSTER_PARAMETERS}

    client : distributed.Client or None, default=None
        The cluster's client; None for the default client (the most recent
        one created).

    Attributes
    ----------
    classes_, n_features_in_, feature_names_in_, W_, V_, coefs_, \
intercepts_, loss_curve_, validation_loss_curve_, validation_scores_, \
best_loss_, n_iter_, t_
        As for :class:`BackpropClassifier`.

    See Also
    --------
    BackpropClassifier : The same network trained in memory.
    skbackprop.incremental.fit_chunks : Train with ``partial_fit``, one
        chunk at a time.

    Examples
    --------
    >>> import dask.array as da
    >>> from distributed import Client, LocalCluster
    >>> from skbackprop import make_textbook_data
    >>> from skbackprop.dask import DaskBackpropClassifier
    >>> X, y = make_textbook_data()
    >>> with LocalCluster(n_workers=2, processes=False) as cluster, \\
    ...         Client(cluster) as client:
    ...     X_d, y_d = da.from_array(X, 50), da.from_array(y, 50)
    ...     clf = DaskBackpropClassifier(n_hidden=2, max_iter=50, client=client)
    ...     clf = clf.fit(X_d, y_d)
    ...     clf.predict(X_d).compute().shape
    (200,)
    """

    _parameter_constraints: dict = {
        **BackpropClassifier._parameter_constraints,
        "scoring": [StrOptions({"loss"})],
        "client": "no_validation",
    }

    def __init__(
        self,
        n_hidden=32,
        *,
        learning_rate="auto",
        solver="gd",
        max_iter=1000,
        batch_size=200,
        momentum=0.0,
        l2=0.0,
        init="glorot",
        init_scale=0.01,
        tol="auto",
        n_iter_no_change="auto",
        early_stopping=False,
        validation_fraction=0.1,
        scoring="loss",
        shuffle=True,
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=0,
        client=None,
    ):
        super().__init__(
            n_hidden,
            learning_rate=learning_rate,
            solver=solver,
            max_iter=max_iter,
            batch_size=batch_size,
            momentum=momentum,
            l2=l2,
            init=init,
            init_scale=init_scale,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            scoring=scoring,
            shuffle=shuffle,
            class_weight=class_weight,
            warm_start=warm_start,
            random_state=random_state,
            verbose=verbose,
        )
        self.client = client

    # ------------------------------------------------------------------
    # Training on the cluster

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None):
        """Train the network on (X, y) where the data live.

        Parameters
        ----------
        X : dask array or dask DataFrame of shape (n_samples, n_features)
            Training inputs, chunked along the rows only. NumPy arrays and
            pandas DataFrames are sent to the cluster, one chunk per worker
            thread. float32 input trains in float32.

        y : dask array or dask Series of shape (n_samples,)
            Class labels, in the row chunks of ``X``.

        sample_weight : dask array of shape (n_samples,), default=None
            Non-negative weights in the row chunks of ``X``, not all zero.

        X_val : array-like of shape (n_val, n_features), default=None
            Validation inputs, scored after every epoch (with ``y_val``): a
            dask array is scored on the cluster, anything else in memory.

        y_val : array-like of shape (n_val,), default=None
            Validation labels.

        Returns
        -------
        self : DaskBackpropClassifier
            The fitted classifier.
        """
        self._check_cluster_settings(X_val, y_val)
        client = self._checked_client()
        warm = self.warm_start and hasattr(self, "_theta")
        with restored_on_error(self):
            X, y, sample_weight = self._cluster_rows(
                client, X, y, sample_weight, reset=not warm
            )
            training = TrainingData(client, X, y, sample_weight, self, warm)
            try:
                run, start, stopped, held_out = self._fit_on(
                    client, training, X, y, X_val, y_val, warm
                )
            finally:
                training.release()
        report_convergence(
            self,
            run,
            start,
            stopped,
            training.baseline(),
            X.shape[0],
            validation_baseline=held_out,
        )
        return self

    def _fit_on(self, client, training, X, y, X_val, y_val, warm):
        D, M, K = X.shape[1], self.n_hidden, self.classes_.shape[0]
        rng = check_random_state(self.random_state)

        def standardised():
            return training.standardised_inputs(M, K)

        if not warm:
            start_afresh(self, D, training.dtype, standardised, rng)
        coordinates = solver_coordinates(self, standardised)
        validation = self._validation(client, X_val, y_val)
        history = start_history(self, validation)
        objective = ClusterObjective(
            training.partitions,
            training.total_weight,
            self.l2,
            D,
            M,
            K,
            training.dtype,
        )
        run = full_batch_run(self, objective, coordinates)
        start = len(self.loss_curve_)
        max_tasks = solver_of(self).callback_tasks(self.max_iter)
        tasks = fit_tasks(self, X, y, None, max_tasks)
        watching = validation is not None and watches_validation(
            self.early_stopping, solver_of(self), validation.n_samples
        )
        stopped = train(
            self,
            run,
            history,
            validation,
            tasks,
            self.max_iter,
            1,
            watching,
            n_rows=X.shape[0],
        )
        finish(self, run, X.shape[0])
        self.n_iter_ = run.n_steps
        tasks.close()
        held_out = None
        if watching:  # the diagnosis's baseline on the validation rows
            held_out = held_out_frequency_loss(
                training.class_totals, validation.class_totals()
            )
        if validation is not None and hasattr(validation, "partitions"):
            validation.partitions.release()
        return run, start, stopped, held_out

    def _check_cluster_settings(self, X_val, y_val):
        if not solver_of(self).data_parallel:
            raise ValueError(
                f"DaskBackpropClassifier does not train with solver={self.solver!r}: "
                "its mini-batch steps follow one another, so the partitions cannot "
                "take them at once. Use solver='gd' or 'lbfgs' (full-batch, "
                "exact on a cluster), or skbackprop.incremental.fit_chunks to "
                "stream the chunks through BackpropClassifier.partial_fit."
            )
        check_validation_pair(X_val, y_val)
        check_solver_allows(self, solver_of(self))
        if explicitly_on(self.early_stopping) and X_val is None:
            raise ValueError(
                "early_stopping=True on a cluster needs X_val and y_val: "
                "DaskBackpropClassifier does not hold rows out of the training "
                "data. Pass them, or set early_stopping=False."
            )

    def _checked_client(self):
        client = self.client
        if client is None:
            try:
                client = distributed.default_client()
            except ValueError as error:
                raise ValueError(
                    "DaskBackpropClassifier trains on a Dask cluster and found "
                    "no client: pass client=Client(...) or create one "
                    "(distributed.Client) before calling fit."
                ) from error
        if client.status != "running":
            raise ValueError(
                f"The Dask client is {client.status!r}, not running: pass an open "
                "client (client=Client(...)) to train on a cluster."
            )
        return client

    def _cluster_rows(self, client, X, y, sample_weight, reset):
        """X, y and the sample weights as dask arrays in the same row chunks."""
        validate_data(self, described(X), skip_check_array=True, reset=reset)
        X = as_dask_array(client, X, "X")
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features); got {X.ndim}-D.")
        if X.numblocks[1] != 1:
            raise ValueError(
                f"X is chunked along its columns as well (column chunks "
                f"{X.chunks[1]}); DaskBackpropClassifier needs whole rows in "
                "each chunk: X.rechunk({1: -1})."
            )
        y = as_dask_array(client, y, "y", rows=X.chunks[0])
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D (n_samples,); got shape {y.shape}.")
        check_same_rows(X, y, "y")
        if sample_weight is not None:
            sample_weight = as_dask_array(
                client, sample_weight, "sample_weight", rows=X.chunks[0]
            )
            check_same_rows(X, sample_weight, "sample_weight")
        return X, y, sample_weight

    def _validation(self, client, X_val, y_val):
        if X_val is None:
            return None
        if not dask.is_dask_collection(X_val):
            return validation_set(self, X_val, y_val)
        validate_data(self, described(X_val), skip_check_array=True, reset=False)
        X_val = as_dask_array(client, X_val, "X_val")
        y_val = as_dask_array(client, y_val, "y_val", rows=X_val.chunks[0])
        check_same_rows(X_val, y_val, "y_val")
        chunks = row_chunks(client, X_val, y_val, None, self._theta.dtype)
        futures = client.map(
            ValidationPartition, chunks, classes=self.classes_, pure=False
        )
        partitions = OnWorkers(client, futures)
        partitions.map("n_rows")  # the labels checked now, not at epoch 1
        return ClusterValidation(
            partitions, X_val.shape[0], self.n_hidden, self.classes_.shape[0]
        )

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on in-memory (X, y), as BackpropClassifier does.

        A dask array is refused: one epoch over a cluster's data is
        ``fit`` with ``max_iter=1`` and ``warm_start=True``, and chunk by
        chunk it is :func:`skbackprop.incremental.fit_chunks`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs of this chunk.

        y : array-like of shape (n_samples,)
            Labels of this chunk, all among ``classes``.

        classes : array-like of shape (n_classes,), default=None
            Every class of the problem; required on the first call.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.

        Returns
        -------
        self : DaskBackpropClassifier
            The updated classifier.
        """
        if dask.is_dask_collection(X):
            raise TypeError(
                "partial_fit trains in memory on one chunk; for dask arrays use "
                "fit (with warm_start=True and max_iter=1 for one epoch) or "
                "skbackprop.incremental.fit_chunks."
            )
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    # ------------------------------------------------------------------
    # Prediction: lazy on dask arrays, in memory otherwise

    def predict_log_proba(self, X):
        """Log of the class probabilities; lazy on dask arrays.

        Parameters
        ----------
        X : dask array or array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        log_proba : dask array or ndarray of shape (n_samples, n_classes)
            The log probability of each class, in the order of ``classes_``.
        """
        if not dask.is_dask_collection(X):
            return super().predict_log_proba(X)
        return self._by_chunks(X, log_probabilities, self.classes_.shape[0])

    def predict_proba(self, X):
        """Class probabilities, the softmax outputs y_k; lazy on dask arrays.

        Parameters
        ----------
        X : dask array or array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : dask array or ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to one.
        """
        if not dask.is_dask_collection(X):
            return super().predict_proba(X)
        return self._by_chunks(X, softmax_outputs, self.classes_.shape[0])

    def predict(self, X):
        """Most probable class of each sample; lazy on dask arrays.

        Parameters
        ----------
        X : dask array or array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y : dask array or ndarray of shape (n_samples,)
            Predicted labels from ``classes_``.
        """
        if not dask.is_dask_collection(X):
            return super().predict(X)
        return self._by_chunks(X, None, None)

    def transform(self, X):
        """The hidden layer's outputs z = h(W x); lazy on dask arrays.

        Parameters
        ----------
        X : dask array or array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        Z : dask array or ndarray of shape (n_samples, n_hidden)
            The sigmoid outputs of the M hidden units.
        """
        if not dask.is_dask_collection(X):
            return super().transform(X)
        return self._by_chunks(X, hidden_outputs, self.n_hidden)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on (X, y), computed on the cluster for dask input.

        Parameters
        ----------
        X : dask array or array-like of shape (n_samples, n_features)
            Inputs.

        y : dask array or array-like of shape (n_samples,)
            True labels.

        sample_weight : dask array or array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The (weighted) share of samples predicted right.
        """
        if not dask.is_dask_collection(X):
            return super().score(X, y, sample_weight=sample_weight)
        predicted = self.predict(X)
        y = as_dask_array(None, y, "y", rows=predicted.chunks[0])
        hits = (predicted == y).astype(np.float64)
        if sample_weight is None:
            return float(hits.mean().compute())
        weight = as_dask_array(None, sample_weight, "sample_weight", hits.chunks[0])
        total, weighted_hits = dask.compute(weight.sum(), (hits * weight).sum())
        return float(weighted_hits / total)

    def _by_chunks(self, X, network_function, n_columns):
        """``network_function`` of ``_network`` mapped lazily over the row
        chunks of X (``n_columns`` wide); the predicted labels for None."""
        check_is_fitted(self)
        validate_data(self, described(X), skip_check_array=True, reset=False)
        X = as_dask_array(None, X, "X")
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features); got {X.ndim}-D.")
        X = X.rechunk({1: -1})
        arguments = (self._theta, self.n_hidden, self.classes_.shape[0])
        if network_function is None:
            return X.map_blocks(
                _predict_chunk,
                *arguments,
                self.classes_,
                drop_axis=1,
                dtype=self.classes_.dtype,
            )
        return X.map_blocks(
            _on_chunk,
            network_function,
            *arguments,
            chunks=(X.chunks[0], (n_columns,)),
            dtype=self._theta.dtype,
        )

    # ------------------------------------------------------------------

    def to_local(self):
        """The fitted model as a :class:`BackpropClassifier`.

        It has the same parameters (but ``client``), weights and fitted
        attributes, predicts identically, and pickles without the cluster.

        Returns
        -------
        local : BackpropClassifier
            A fitted in-memory classifier.
        """
        check_is_fitted(self)
        parameters = self.get_params()
        parameters.pop("client")
        local = BackpropClassifier(**parameters)
        for name, value in self.__dict__.items():
            if name not in parameters and name != "client":
                local.__dict__[name] = copy.deepcopy(value)
        return local

    def __getstate__(self):
        state = super().__getstate__()
        if state.get("client") is not None:
            state = dict(state, client=None)  # a client does not travel
        return state


def _on_chunk(X, network_function, theta, M, K):
    """``network_function(theta, X, M, K)`` on one chunk, in the weights' dtype."""
    return network_function(theta, check_array(X, dtype=theta.dtype), M, K)


def _predict_chunk(X, theta, M, K, classes):
    log_Y = _on_chunk(X, log_probabilities, theta, M, K)
    return classes[log_Y.argmax(axis=1)]
