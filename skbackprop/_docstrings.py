"""The Parameters section that BackpropClassifier and DaskBackpropClassifier
share (numpydoc entries, indented for a class docstring)."""

PARAMETERS = """\
    n_hidden : int, default=32
        M, the number of sigmoid hidden units. 32 units reach
        ``MLPClassifier``'s accuracy on the four small benchmark sets (see
        Notes); 64 and 128 did no better there and were slower.

    learning_rate : float or "auto", default="auto"
        The book's alpha, the step size of ``"gd"`` and ``"sgd"``. A float
        is the book's steepest descent on the features as given; it suits
        standardised features. ``"auto"`` takes steps of 1.0 in the
        coordinates of standardised inputs, the scaling folded into W after
        every step (the network and its objective stay the book's), and
        halves a step that raises the loss: raw features then score what a
        float step scores after a ``StandardScaler`` (User guide, "Step
        size"). ``"lbfgs"`` takes no step; with ``"auto"`` it works in the
        same standardised coordinates.

    solver : {"gd", "sgd", "lbfgs"}, default="gd"
        ``"gd"``: full-batch steepest descent, the book's method.
        ``"sgd"``: steps on mini-batches of ``batch_size``, reshuffled every
        epoch when ``shuffle``. ``"lbfgs"``: SciPy's L-BFGS-B driven by the
        same back-propagated gradient.

    max_iter : int, default=1000
        Epochs for ``"gd"`` and ``"sgd"``, iterations for ``"lbfgs"``. With
        the default ``tol`` the benchmark fits stop before 1000 epochs;
        2000 gave the same scores.

    batch_size : int, default=200
        Mini-batch size for ``"sgd"``, clipped to the number of samples
        (MLPClassifier's ``"auto"`` is the same ``min(200, n_samples)``).

    momentum : float, default=0.0
        Heavy-ball momentum for ``"gd"`` and ``"sgd"``:
        ``u <- momentum * u - learning_rate * grad; theta <- theta + u``.
        0 is the book.

    l2 : float, default=0.0
        L2 penalty: ``(l2 / 2) * ||w||^2`` over every weight except the
        biases is added to the loss. 0 is the book. scikit-learn's
        ``MLPClassifier`` calls its penalty ``alpha``; here alpha is the
        book's learning rate, so the penalty is ``l2``.

    init : {"glorot", "normal"}, default="glorot"
        ``"glorot"``: weights uniform in Glorot and Bengio's range for each
        layer, biases zero. ``"normal"``: all weights, biases included, drawn
        as one vector ``RandomState(random_state).normal(0, init_scale, size)``
        in the book's order, so ``random_state=1, init_scale=0.01`` gives
        the book's initial weights.

    init_scale : float, default=0.01
        Standard deviation for ``init="normal"``.

    tol : float, default=1e-4
        Least improvement of the monitored loss that counts (``"gd"``,
        ``"sgd"``); the gradient tolerance for ``"lbfgs"``.

    n_iter_no_change : int, default=10
        Stop once the monitored loss has not improved by ``tol`` for more
        than this many epochs (counted as in ``MLPClassifier``).
        ``tol=0`` with a large ``n_iter_no_change`` runs all ``max_iter``
        epochs.

    early_stopping : bool, default=False
        Monitor the validation loss instead of the training loss and keep
        the weights where it was lowest. The validation data are ``X_val,
        y_val`` when given to :meth:`fit` (the training data are then not
        split), otherwise a stratified ``validation_fraction`` of the
        training data. Not available with ``"lbfgs"``.

    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` and no
        ``X_val`` is given.

    shuffle : bool, default=True
        Reshuffle the samples every epoch for ``"sgd"``.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into the sample weights.

    warm_start : bool, default=False
        Continue from the current weights (and momentum) on the next fit,
        as in ``MLPClassifier``: each fit runs up to ``max_iter`` epochs,
        ``y`` must have the classes of the first fit, and ``n_hidden`` and
        the features must be unchanged (else ``ValueError``).

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, then the hold-out split and the
        shuffling.

    verbose : int, default=0
        0 is silent; 1 prints one line per epoch with the losses."""
