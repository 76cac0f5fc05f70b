"""The modelling policy of the command line tool: the folds (or the split), early
stopping, the fitted pipelines, the linear model they are compared with, and the
importances of every method on the held-out folds (or on the training part)."""

import warnings

import numpy as np

from ._data import CLIError

__all__ = ["EARLY_STOPPING_MIN_ROWS", "N_ITER_NO_CHANGE", "VALIDATION_FRACTION",
           "compute", "cross_fit", "fit", "linear_model", "network_model", "splits"]

TEST_SIZE = 0.25
# Early stopping holds out this fraction of the training rows; it needs enough rows.
EARLY_STOPPING_MIN_ROWS = 50
VALIDATION_FRACTION = 0.2
N_ITER_NO_CHANGE = 20


def _split(data, random_state):
    from sklearn.model_selection import train_test_split

    if data.task == "classification":
        try:
            return train_test_split(data.X, data.y, test_size=TEST_SIZE,
                                    random_state=random_state, stratify=data.y)
        except ValueError:
            pass  # a class too small to stratify: split without stratification
    return train_test_split(data.X, data.y, test_size=TEST_SIZE, random_state=random_state)


def _use_early_stopping(task, y_train):
    n = y_train.shape[0]
    if n < EARLY_STOPPING_MIN_ROWS:
        return False
    if task == "classification":
        # The validation rows are drawn stratified: every class needs a few rows.
        _, counts = np.unique(y_train, return_counts=True)
        return counts.min() >= 5 and VALIDATION_FRACTION * n >= counts.size
    return True


def _check_training_part(data, X_train, y_train):
    if np.all(X_train == X_train[0]):
        raise CLIError(f"all feature columns are constant in the training part "
                       f"({len(y_train)} rows): nothing can be ranked; more rows are needed")
    if data.task == "classification" and np.unique(y_train).size < 2:
        raise CLIError(f"the training part ({len(y_train)} rows) of target "
                       f"{data.target_name!r} has a single class; more rows are needed")


def _model(task, y_train, hidden, max_iter, random_state):
    """The unfitted pipeline: StandardScaler, then the MLP of the task."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    early = _use_early_stopping(task, y_train)
    params = dict(hidden_layer_sizes=hidden, max_iter=max_iter, random_state=random_state,
                  early_stopping=early)
    if early:
        params.update(validation_fraction=VALIDATION_FRACTION,
                      n_iter_no_change=N_ITER_NO_CHANGE)
    network = MLPRegressor(**params) if task == "regression" else MLPClassifier(**params)
    return make_pipeline(StandardScaler(), network)


def _standardised(data, y, y_test=None):
    """The regression target standardised on ``y``: the MLP converges far better, and every
    importance of a given fit is multiplied by the same factor 1/std(y), which the
    normalisation removes. Classification targets are returned as they are."""
    if data.task != "regression":
        return y, y_test
    center, spread = y.mean(), y.std()
    if spread == 0:
        raise CLIError(f"target {data.target_name!r} is constant")
    return (y - center) / spread, None if y_test is None else (y_test - center) / spread


def linear_model(task):
    """The plain model the network is compared with: least squares or logistic regression."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    plain = LinearRegression() if task == "regression" else LogisticRegression(max_iter=1000)
    return make_pipeline(StandardScaler(), plain)


def _noting_convergence(func):
    """Run ``func()``; (its value, whether no fit warned of non-convergence)."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        value = func()
    converged = True
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        else:  # not ours to silence
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    return value, converged


def fit(data, hidden, max_iter, random_state):
    """Fit the pipeline on a random 75% (``--cv 0``): (model, X_train, y_train as fitted,
    held-out scores of the network and of the linear model, converged, epochs)."""
    X_train, X_test, y_train, y_test = _split(data, random_state)
    _check_training_part(data, X_train, y_train)
    y_train, y_test = _standardised(data, y_train, y_test)
    model = _model(data.task, y_train, hidden, max_iter, random_state)
    _, converged = _noting_convergence(lambda: model.fit(X_train, y_train))
    linear = linear_model(data.task).fit(X_train, y_train)
    scores = (np.array([model.score(X_test, y_test)]),
              np.array([linear.score(X_test, y_test)]))
    return model, X_train, y_train, scores, converged, model[-1].n_iter_


def splits(data, y, cv, random_state):
    """The ``cv`` folds of the rows, shuffled with ``random_state`` (stratified for
    classification)."""
    from sklearn.model_selection import KFold, StratifiedKFold

    n = len(y)
    if cv > n // 2:
        raise CLIError(f"--cv {cv} needs at least 2 rows per fold; the data has {n} rows")
    if data.task == "classification":
        _, counts = np.unique(y, return_counts=True)
        if counts.min() < cv:
            raise CLIError(f"--cv {cv}: the smallest class of {data.target_name!r} has "
                           f"{counts.min()} rows, fewer than the folds; use a smaller --cv "
                           "(or --cv 0)")
        splitter = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    else:
        splitter = KFold(cv, shuffle=True, random_state=random_state)
    return list(splitter.split(data.X, y))


def cross_fit(data, hidden, max_iter, random_state, cv, refits, methods):
    """Held-out importances of every method, on ``cv`` folds, for ``refits`` seeds of the
    network: (comparisons, one per refit; the folds; the target as fitted; the linear
    model's held-out scores; converged)."""
    from sklearn.model_selection import cross_val_score

    from .._compare import compare_methods

    _check_training_part(data, data.X, data.y)
    y, _ = _standardised(data, data.y)
    folds = splits(data, y, cv, random_state)
    comparisons, converged = [], True
    for refit in range(refits):
        # Refit r is the same network with seed random_state + r; the folds stay the same.
        model = _model(data.task, y[folds[0][0]], hidden, max_iter, random_state + refit)
        comparison, ok = _noting_convergence(lambda: compare_methods(
            model, data.X, y, methods, random_state=random_state, cv=folds))
        comparisons.append(comparison)
        converged &= ok
    linear = cross_val_score(linear_model(data.task), data.X, y, cv=folds)
    return comparisons, folds, y, linear, converged


def network_model(data, y, hidden, max_iter, random_state):
    """The unfitted pipeline for all of (X, y)."""
    return _model(data.task, y, hidden, max_iter, random_state)


def compute(model, X_train, y_train, methods, random_state):
    """Every method on the training part (``--cv 0``): the comparison."""
    from .._compare import compare_methods

    # Methods that draw random numbers (shuffles, k-means) follow --random-state too,
    # so the same command prints the same table.
    return compare_methods(model, X_train, y_train, methods, random_state=random_state)
