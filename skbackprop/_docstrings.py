"""The Parameters sections of BackpropClassifier and DaskBackpropClassifier
(numpydoc entries, indented for a class docstring).

The two estimators share every entry but the defaults that differ: the
cluster trains with full-batch steps (``CLUSTER_ENTRIES``).
"""

ENTRIES = {
    "n_hidden": """\
    n_hidden : int, default=64
        M, the number of sigmoid hidden units. On ``benchmarks/tabular.py``
        (43 real tables; the docs' "Accuracy on real tables", "Why these
        defaults") 64 units scored half a point higher than 32; 128 scored
        0.3 point higher than 64 in 1.3 times the fit time.""",
    "learning_rate": """\
    learning_rate : float or "auto", default="auto"
        The book's alpha, the step size of the first-order solvers
        (``"adam"``, ``"gd"``, ``"sgd"``). A float steps in the weights of
        the features as given; it suits standardised features. ``"auto"``
        steps in the coordinates of standardised inputs, the scaling folded
        into W after every step (the network and its objective stay the
        book's), with a step of 0.01 for ``"adam"`` and the book's 1.0 for
        ``"gd"`` and ``"sgd"``, and halves a step that raises the loss: raw
        features then score what a float step scores after a
        ``StandardScaler`` (User guide, "Step size"). ``"lbfgs"`` takes no
        step; with ``"auto"`` it works in the same standardised coordinates.""",
    "solver": """\
    solver : {"adam", "gd", "sgd", "lbfgs"}, default="adam"
        ``"adam"``: Adam's adaptive steps on mini-batches of ``batch_size``,
        reshuffled every epoch when ``shuffle`` (MLPClassifier's default),
        which cross the plateaus of the sigmoid network where full-batch
        steps stall. ``"gd"``: full-batch steepest descent, the book's
        method. ``"sgd"``: steepest descent on mini-batches.
        ``"lbfgs"``: SciPy's L-BFGS-B driven by the same back-propagated
        gradient.""",
    "max_iter": """\
    max_iter : int, default=1000
        Epochs for the first-order solvers, iterations for ``"lbfgs"``.
        On the benchmark MLPClassifier's 200 scored 0.8552 against 0.8561
        (4 sets worse, 1 better): on tables of a few hundred rows an epoch
        is a few steps, and 27 of its 215 default fits run more than 200
        epochs.""",
    "batch_size": """\
    batch_size : int, default=200
        Mini-batch size for ``"adam"`` and ``"sgd"``, clipped to the number
        of samples (MLPClassifier's ``"auto"`` is the same
        ``min(200, n_samples)``). On the benchmark 64 scored 0.8549 and
        500 scored 0.8555, against 0.8561.""",
    "momentum": """\
    momentum : float, default=0.0
        Heavy-ball momentum for ``"gd"`` and ``"sgd"``:
        ``u <- momentum * u - learning_rate * grad; theta <- theta + u``.
        0 is the book. ``"adam"`` keeps its own running means instead.""",
    "l2": """\
    l2 : float, default=0.0
        L2 penalty: ``(l2 / 2) * ||w||^2`` over every weight except the
        biases is added to the loss. 0 is the book. scikit-learn's
        ``MLPClassifier`` calls its penalty ``alpha``; here alpha is the
        book's learning rate, so the penalty is ``l2``. The penalty is on
        the raw weights, so it pulls hardest on the features of smallest
        scale; on the benchmark's raw columns 1e-4 scored 0.8562 against
        0.8561 (4 sets better, 6 worse) in 1.34 times the fit time, and
        1e-3 scored 0.8496.""",
    "init": """\
    init : {"sigmoid", "glorot", "normal"}, default="sigmoid"
        ``"sigmoid"``: hidden weights normal with variance 4 / D (LeCun's
        1 / D for tanh, doubled in scale for the sigmoid, which bends half
        as fast), their biases normal with variance 1, output weights as
        ``"glorot"``: the hidden units start on the curved part of the
        sigmoid rather than its nearly linear middle. ``"glorot"``: weights
        uniform in Glorot and Bengio's range for each layer, biases zero.
        ``"normal"``: all weights, biases included, drawn as one vector
        ``RandomState(random_state).normal(0, init_scale, size)`` in the
        book's order, so ``random_state=1, init_scale=0.01`` gives the
        book's initial weights. With ``learning_rate="auto"`` the weights
        are drawn for standardised inputs.""",
    "init_scale": """\
    init_scale : float, default=0.01
        Standard deviation for ``init="normal"``.""",
    "tol": """\
    tol : float or "auto", default="auto"
        Least improvement of the monitored loss that counts (first-order
        solvers); the gradient tolerance for ``"lbfgs"``. ``"auto"`` is
        1e-3 for the mini-batch solvers on training data of more than 1,000
        rows, where an epoch is more than five steps, and 1e-4
        (MLPClassifier's) otherwise: on the benchmark 1e-3 there moved no
        data set by half a point under three seeds, in 0.76 to 0.89 of the fit
        time, and took the grid search on digits from about 0.3 to 0.18 of
        MLPClassifier's time; 1e-3 on the smaller data too lost 0.1 to 0.2
        point of mean accuracy, and 3e-3 on the larger lost 1.3 points on
        phoneme.""",
    "n_iter_no_change": """\
    n_iter_no_change : int, np.inf or "auto", default="auto"
        Stop once the monitored loss has not improved by ``tol`` for more
        than this many epochs (counted as in ``MLPClassifier``). ``"auto"``
        waits 20 epochs on training data of at most 1,000 rows, where an
        epoch is at most five mini-batch steps, and 10 on larger data: on
        the benchmark it scored 0.8561 against 0.8538 for 10 everywhere and
        0.8562 for 20 everywhere, which took 1.2 times its fit time.
        ``tol=0`` with a large ``n_iter_no_change`` runs all ``max_iter``
        epochs.""",
    "early_stopping": """\
    early_stopping : bool or "auto", default="auto"
        Monitor the validation loss instead of the training loss and keep
        the weights where it was lowest. The validation data are ``X_val,
        y_val`` when given to :meth:`fit` (the training data are then not
        split), otherwise a stratified ``validation_fraction`` of the
        training data. ``"auto"`` does so when the validation data have at
        least 20 rows and the solver can be watched (not ``"lbfgs"``, nor
        ``partial_fit``); on smaller data a validation loss is the noise of
        a few samples, and the fit watches its training loss. When
        ``"auto"`` held rows out of training data of at most 1,000 rows, it
        then trains again from the same start on all the rows, for the
        number of epochs whose validation loss was lowest, and keeps that
        second fit: the held-out rows are learnt from too (``n_iter_`` and
        ``loss_curve_`` are the second fit's, ``validation_loss_curve_`` and
        ``best_loss_`` the first's), unless its loss on the held-out rows
        ended above the first fit's best by more than half of what the
        first learnt there; then it keeps the first fit, as ``True`` does.
        ``True`` is not available with ``"lbfgs"``.""",
    "validation_fraction": """\
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` and no
        ``X_val`` is given. On the benchmark 0.2 scored 0.8525 against
        0.8561.""",
    "scoring": """\
    scoring : "loss", str, callable or None, default="loss"
        What early stopping watches on the validation data, as in
        ``HistGradientBoostingClassifier``: ``"loss"`` the mean cross
        entropy; the name of a scikit-learn scorer (``"accuracy"``,
        ``"balanced_accuracy"``, ``"roc_auc"``, ...) or a callable
        ``scorer(estimator, X, y)`` its score, the weights of the epoch of
        the highest score kept (the first such epoch), and ``tol`` the least
        rise of the score that counts; None the estimator's ``score``, the
        accuracy. The validation rows' sample weights (``class_weight``
        included) are passed to the scorer as ``sample_weight`` when they
        are not all equal. ``validation_scores_`` records the score after
        every epoch, ``best_validation_score_`` the highest. A score needs
        NumPy or SciPy sparse data.""",
    "shuffle": """\
    shuffle : bool, default=True
        Reshuffle the samples every epoch for ``"adam"`` and ``"sgd"``.""",
    "class_weight": """\
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into the sample weights.""",
    "warm_start": """\
    warm_start : bool, default=False
        Continue from the current weights (and the solver's state: momentum's
        velocity, Adam's running means) on the next fit, as in
        ``MLPClassifier``: each fit runs up to ``max_iter`` epochs, ``y``
        must have the classes of the first fit, and ``n_hidden`` and the
        features must be unchanged (else ``ValueError``).""",
    "random_state": """\
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, then the hold-out split and the
        shuffling.""",
    "verbose": """\
    verbose : int, default=0
        0 is silent; 1 prints one line per epoch with the losses.""",
}

# The cluster's defaults where they differ: its steps are full-batch, the
# sum of the partitions' gradients (benchmarks/defaults.py chose them).
CLUSTER_ENTRIES = {
    "scoring": """\
    scoring : "loss", default="loss"
        Early stopping watches the validation loss; the scores of
        :class:`~skbackprop.BackpropClassifier`'s ``scoring`` are not
        computed on a cluster.""",
    "n_hidden": """\
    n_hidden : int, default=32
        M, the number of sigmoid hidden units.""",
    "solver": """\
    solver : {"gd", "lbfgs"}, default="gd"
        ``"gd"``: full-batch steepest descent, the book's method, exact on
        the partitions. ``"lbfgs"``: SciPy's L-BFGS-B driven by the same
        back-propagated gradient. The mini-batch solvers of
        :class:`~skbackprop.BackpropClassifier` (its default ``"adam"``,
        and ``"sgd"``) step one batch after another, which partitions
        cannot do at once.""",
    "init": """\
    init : {"sigmoid", "glorot", "normal"}, default="glorot"
        As for :class:`~skbackprop.BackpropClassifier`, whose default is
        ``"sigmoid"``.""",
    "early_stopping": """\
    early_stopping : bool or "auto", default=False
        Monitor the loss on ``X_val, y_val`` (required: no rows are held
        out of a cluster's data) and keep the best weights. ``"auto"``
        does so when ``X_val`` has at least 20 rows.""",
}


def parameters(cluster=False):
    """The Parameters entries, those of the cluster's defaults if asked."""
    entries = dict(ENTRIES)
    if cluster:
        entries.update(CLUSTER_ENTRIES)
    return "\n\n".join(entries.values())


PARAMETERS = parameters()
CLUSTER_PARAMETERS = parameters(cluster=True)
