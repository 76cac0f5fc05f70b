"""The modelling policy of the command line tool: the split, early stopping, the fitted
pipeline and the importances of every method on its training part."""

import warnings

import numpy as np

from ._data import CLIError

__all__ = ["EARLY_STOPPING_MIN_ROWS", "N_ITER_NO_CHANGE", "VALIDATION_FRACTION",
           "compute", "fit"]

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


def _fit_noting_convergence(model, X_train, y_train):
    """Fit ``model``; return whether it converged. Other warnings are passed on."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X_train, y_train)
    converged = True
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        else:  # not ours to silence
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    return converged


def fit(data, hidden, max_iter, random_state):
    """Fit the pipeline: (model, X_train, y_train as fitted, score text, converged, epochs)."""
    X_train, X_test, y_train, y_test = _split(data, random_state)
    _check_training_part(data, X_train, y_train)
    if data.task == "regression":
        # Standardised target: the MLP converges far better, and every importance is
        # multiplied by the same factor 1/std(y), which the normalisation removes.
        center, spread = y_train.mean(), y_train.std()
        if spread == 0:
            raise CLIError(f"target {data.target_name!r} is constant in the training part")
        y_train = (y_train - center) / spread
        y_test = (y_test - center) / spread
    model = _model(data.task, y_train, hidden, max_iter, random_state)
    converged = _fit_noting_convergence(model, X_train, y_train)
    score = model.score(X_test, y_test)
    metric = "R^2" if data.task == "regression" else "accuracy"
    score_text = f"held-out {metric} = {score:.2f} on {len(y_test)} rows"
    return model, X_train, y_train, score_text, converged, model[-1].n_iter_


def compute(model, X_train, y_train, methods, random_state):
    """(n_methods, n_features) normalised importances and ranks."""
    from .._compare import compare_methods

    # Methods that draw random numbers (shuffles, k-means) follow --random-state too,
    # so the same command prints the same table.
    comparison = compare_methods(model, X_train, y_train, methods,
                                 random_state=random_state)
    return comparison.normalized, comparison.ranks
