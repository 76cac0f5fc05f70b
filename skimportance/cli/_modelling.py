"""The modelling policy of the command line tool: the folds (or the split), early
stopping, the fitted pipelines, the linear model they are compared with, and the
importances of every method on the held-out folds (or on the training part)."""

import warnings

import numpy as np

from ._data import CLIError

__all__ = ["EARLY_STOPPING_MIN_ROWS", "N_ITER_NO_CHANGE", "VALIDATION_FRACTION",
           "compute", "cross_fit", "fit", "linear_model", "network_model",
           "preprocessing", "splits"]

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


def _constant(X):
    """Whether every column of X holds one value (blanks aside)."""
    for column in np.asarray(X, dtype=object).T:
        present = {value for value in column
                   if not (isinstance(value, float) and np.isnan(value))}
        if len(present) > 1:
            return False
    return True


def _check_training_part(data, X_train, y_train):
    if _constant(X_train):
        raise CLIError(f"all feature columns are constant in the training part "
                       f"({len(y_train)} rows): nothing can be ranked; more rows are needed")
    if data.task == "classification" and np.unique(y_train).size < 2:
        raise CLIError(f"the training part ({len(y_train)} rows) of target "
                       f"{data.target_name!r} has a single class; more rows are needed")


def preprocessing(data):
    """The steps before the network: StandardScaler for numbers without blanks; else
    median imputation and scaling of the number columns and most-frequent imputation
    and one-hot encoding of the text columns (a ColumnTransformer), which skimportance
    traces back to the columns of X."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if not data.needs_encoding:
        return [StandardScaler()]
    if not data.text_columns:
        return [SimpleImputer(strategy="median"), StandardScaler()]
    numbers = [k for k in range(data.X.shape[1]) if k not in data.text_columns]
    parts = []
    if numbers:
        parts.append(("numbers", make_pipeline(SimpleImputer(strategy="median"),
                                               StandardScaler()), numbers))
    # A category first seen in a held-out fold encodes as all zeros.
    parts.append(("text", make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False)), data.text_columns))
    return [ColumnTransformer(parts)]


def _model(data, y_train, hidden, max_iter, random_state):
    """The unfitted pipeline: the preprocessing, then the MLP of the task."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline

    task = data.task
    early = _use_early_stopping(task, y_train)
    params = dict(hidden_layer_sizes=hidden, max_iter=max_iter, random_state=random_state,
                  early_stopping=early)
    if early:
        params.update(validation_fraction=VALIDATION_FRACTION,
                      n_iter_no_change=N_ITER_NO_CHANGE)
    network = MLPRegressor(**params) if task == "regression" else MLPClassifier(**params)
    return make_pipeline(*preprocessing(data), network)


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


def linear_model(data):
    """The plain model the network is compared with: least squares or logistic
    regression, after the same preprocessing."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline

    plain = (LinearRegression() if data.task == "regression"
             else LogisticRegression(max_iter=1000))
    return make_pipeline(*preprocessing(data), plain)


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
    model = _model(data, y_train, hidden, max_iter, random_state)
    _, converged = _noting_convergence(lambda: model.fit(X_train, y_train))
    linear = linear_model(data).fit(X_train, y_train)
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


def _fold_comparison(model, X, y, methods, random_state, train, test):
    """One fold: the network fitted on ``train``, every method on ``test`` (the
    comparison of compare_methods with this one fold) and whether the fit converged."""
    from .._compare import compare_methods

    def run():
        with warnings.catch_warnings():
            # All zeros in one fold: compare_methods would say so per fold; the pooled
            # table says it once (see _pool_folds).
            warnings.filterwarnings("ignore", "All importances from method",
                                    UserWarning)
            return compare_methods(model, X, y, methods, random_state=random_state,
                                   cv=[(train, test)])

    return _noting_convergence(run)


def _pool_folds(comparisons, methods, folds):
    """One comparison from the folds' comparisons, as compare_methods makes it with cv:
    normalised values averaged over the folds, their spread, the ranks, each fold's
    score, and each method's results pooled over the folds (raw values)."""
    from sklearn.utils import Bunch

    from .._agreement import rank_descending
    from .._result import combine_folds

    normalized = np.array([c.normalized for c in comparisons])
    mean = normalized.mean(axis=0)
    for method, row in zip(methods, mean):
        if not row.any():
            warnings.warn(f"All importances from method {method!r} are zero or "
                          "negative in every fold: it ranks nothing.", UserWarning,
                          stacklevel=2)
    n_train = [len(train) for train, _ in folds]
    n_test = [len(test) for _, test in folds]
    importances = [combine_folds([c.importances[k] for c in comparisons],
                                 n_train=n_train, n_test=n_test)
                   for k in range(len(methods))]
    raw = np.array([[np.asarray(c.importances[k].importances_mean, dtype=float)
                     for k in range(len(methods))] for c in comparisons])
    return Bunch(method_names=list(methods), importances=importances, normalized=mean,
                 spread=normalized.std(axis=0), raw=raw,
                 ranks=np.vstack([rank_descending(row) for row in mean]),
                 scores=np.concatenate([c.scores for c in comparisons]))


def cross_fit(data, hidden, max_iter, random_state, cv, refits, methods, progress=None):
    """Held-out importances of every method, on ``cv`` folds, for ``refits`` seeds of the
    network: (comparisons, one per refit; the folds; the target as fitted; the linear
    model's held-out scores; how many network fits stopped at max_iter).

    Each comparison also has ``raw``, of shape (n_folds, n_methods, n_features): each
    fold's ``importances_mean``. ``progress(text)`` is called at each fold.
    """
    from sklearn.model_selection import cross_val_score

    _check_training_part(data, data.X, data.y)
    y, _ = _standardised(data, data.y)
    folds = splits(data, y, cv, random_state)
    comparisons, stopped = [], 0
    for refit in range(refits):
        # Refit r is the same network with seed random_state + r; the folds stay the same.
        model = _model(data, y[folds[0][0]], hidden, max_iter, random_state + refit)
        per_fold = []
        for k, (train, test) in enumerate(folds):
            if progress is not None:
                which = f"refit {refit + 1}/{refits}, " if refits > 1 else ""
                progress(f"{which}fold {k + 1}/{cv}: fitting the network and computing "
                         f"{len(methods)} method{'s' if len(methods) > 1 else ''}")
            comparison, converged = _fold_comparison(model, data.X, y, methods,
                                                     random_state, train, test)
            per_fold.append(comparison)
            stopped += not converged
        comparisons.append(_pool_folds(per_fold, methods, folds))
    if progress is not None:
        progress("the linear model on the same folds")
    linear = cross_val_score(linear_model(data), data.X, y, cv=folds)
    return comparisons, folds, y, linear, stopped


def network_model(data, y, hidden, max_iter, random_state):
    """The unfitted pipeline for all of (X, y)."""
    return _model(data, y, hidden, max_iter, random_state)


def compute(model, X_train, y_train, methods, random_state):
    """Every method on the training part (``--cv 0``): the comparison."""
    from .._compare import compare_methods

    # Methods that draw random numbers (shuffles, k-means) follow --random-state too,
    # so the same command prints the same table.
    return compare_methods(model, X_train, y_train, methods, random_state=random_state)
