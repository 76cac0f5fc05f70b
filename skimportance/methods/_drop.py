"""Drop-and-retrain (leave one covariate out): refit without each input in turn."""

import math
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight

from ..network import NotAnMLPError, final_step, is_mlp, with_fitted_names, probe_affine, unfreeze
from .._parallel import delayed, run
from .._validation import validated_X
from ._base import sample_weight_params
from ._registry import register
from ._ablation import _typical_value
from ._column_engine import _columns_per_entry
from ._score import ScoreMethod, _score

__all__ = ["DropRetrain"]

_STOCHASTIC = ("sgd", "adam")
# The default budget of a warm refit, max(_FLOOR, ceil(_FRACTION * n_iter_)) of the full
# fit: benchmarks/bench_drop.py measured 0.05, 0.1 and 0.2; 0.1 keeps the ranking of
# cold refits (to their noise floor) and is still several times faster than them.
_FRACTION = 0.1
_FLOOR = 10


def _last(estimator):
    """The final step of a (nested, possibly frozen) Pipeline, or the estimator itself."""
    return final_step(estimator)[1]


def _warm_start(new, fitted, column):
    """Start ``new`` (an unfitted MLP) from ``fitted``'s weights without input ``column``
    (with all of them when ``column`` is None).

    Everything a first fit initialises is set as a first fit would, except the weights:
    the optimiser and the convergence bookkeeping start afresh with the same settings.
    """
    new.set_params(warm_start=True)
    W1 = fitted.coefs_[0] if column is None else np.delete(fitted.coefs_[0], column, axis=0)
    new.coefs_ = [W1.copy()] + [W.copy() for W in fitted.coefs_[1:]]
    new.intercepts_ = [b.copy() for b in fitted.intercepts_]
    new.n_features_in_ = W1.shape[0]
    new.n_layers_ = fitted.n_layers_
    new.n_outputs_ = fitted.n_outputs_
    new.out_activation_ = fitted.out_activation_
    new.n_iter_ = 0
    new.t_ = 0
    new._best_coefs = [W.copy() for W in new.coefs_]
    new._best_intercepts = [b.copy() for b in new.intercepts_]
    if new.solver in _STOCHASTIC:
        new.loss_curve_ = []
        new._no_improvement_count = 0
        if new.early_stopping:
            new.validation_scores_, new.best_validation_score_ = [], -np.inf
            new.best_loss_ = None
        else:
            new.best_loss_ = np.inf
            new.validation_scores_ = new.best_validation_score_ = None


def _can_warm_start(estimator):
    fitted = _last(estimator)
    return is_mlp(fitted) and hasattr(fitted, "coefs_") and hasattr(fitted, "warm_start")


def _default_budget(fitted):
    """``max_iter`` of a warm refit of the fitted MLP ``fitted``: a tenth of its own
    iterations, at least ten, at most its ``max_iter`` (a cold fit's budget)."""
    budget = max(_FLOOR, math.ceil(_FRACTION * fitted.n_iter_))
    return int(min(budget, fitted.max_iter))


def _refit_budget(estimator, warm_start, max_iter):
    """The ``max_iter`` a refit gets, an int, or None for the estimator's own.

    ``"auto"`` is the default budget for a warm-started MLP; a cold refit cannot start
    near an optimum, so it keeps the estimator's own ``max_iter``.
    """
    if not (isinstance(max_iter, str) and max_iter == "auto"):
        return max_iter
    if warm_start and _can_warm_start(estimator) and hasattr(_last(estimator), "n_iter_"):
        return _default_budget(_last(estimator))
    return None


def _reduced_model(estimator, column, warm_start, max_iter):
    """An unfitted copy of ``estimator`` to refit without the columns ``column`` (an
    index or a list of them; None keeps all), warm-started from its weights with
    ``warm_start`` when it is an MLP, with ``max_iter`` resolved by ``_refit_budget``."""
    model = clone(unfreeze(estimator))
    final = _last(model)
    max_iter = _refit_budget(estimator, warm_start, max_iter)
    if max_iter is not None and "max_iter" in final.get_params():
        final.set_params(max_iter=max_iter)
    if warm_start and _can_warm_start(estimator):
        _warm_start(final, _last(estimator), column)
    return model


def _refit_and_score(estimator, scorer, column, warm_start, max_iter, X_train, y_train,
                     fit_params, X, y, sample_weight, constants=None):
    """Score of a refit without the columns ``column`` (with every column when None).

    With ``constants`` the columns are not deleted but held at a constant, in training
    and scoring alike (for Pipelines that select columns by name or position); a
    constant input carries no information, so the refit cannot use it.
    """
    # Resolved here, so that the warnings below know whether the cap is ours.
    max_iter = _refit_budget(estimator, warm_start and constants is None, max_iter)
    if constants is not None:
        if column is not None:
            X_train, X = X_train.copy(), X.copy()
            X_train[:, column] = constants[column]
            X[:, column] = constants[column]
        model = _reduced_model(estimator, None, False, max_iter)
        X_train = with_fitted_names(estimator, X_train)
    else:
        keep = np.arange(X.shape[1])
        if column is not None:
            keep = np.delete(keep, column)
        model = _reduced_model(estimator, column, warm_start, max_iter)
        X_train, X = X_train[:, keep], X[:, keep]
    with warnings.catch_warnings():
        if max_iter is not None:
            # A capped refit (the default budget or the caller's): reaching the cap is
            # what was asked for, not a failure to converge.
            warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train, **fit_params)
    return _score(scorer, model, X, y, sample_weight)


def _keeps_columns(estimator, X):
    """Whether the steps before the final estimator treat each column alone (so they can
    be refitted on fewer columns); a ColumnTransformer or an encoder does not."""
    steps, _ = final_step(estimator)
    if not steps:
        return True
    if X.dtype == object:  # text categories: some step encodes them
        return False
    try:
        probe_affine(steps, X.shape[1], X)
    except NotAnMLPError:
        return False
    return True


@register
class DropRetrain(ScoreMethod):
    """Drop-and-retrain: the drop of the held-out score when the model is refitted without
    one input (leave one covariate out).

    The refits are trained on ``X_train, y_train`` and scored on ``X, y``, against the
    score of the given fitted model there (of warm starts: against the full network
    warm-started the same way, so that their extra epochs are not credited to the
    dropped input). The meta-estimators pass the training data of
    each fold (``cv``); :func:`~skimportance.feature_importances` has only X and y, so
    it refits and scores on them (optimistic). Works for any estimator (cold refits of
    a clone). Selected by ``"drop"``.

    With ``warm_start=True`` an MLP's refit starts from the full network's weights with
    row i of ``W1`` removed, and the same optimiser settings (a fresh optimiser state):
    it needs only a few epochs to adapt. By default (``max_iter="auto"``) each warm
    refit gets ``max(10, ceil(0.1 * n_iter_))`` iterations, ``n_iter_`` being the full
    fit's (at most the estimator's ``max_iter``): in ``benchmarks/bench_drop.py`` that
    is several times faster than cold refits, with their ranking, on networks that
    converged and on networks that stopped at ``max_iter``. Without a cap, a warm refit
    of a network that stopped at ``max_iter`` runs as long as a cold one (its optimiser
    starts afresh). Pipeline steps before the network are refitted on the remaining columns; per-feature scalers give the same
    scaling there, so the remaining rows of ``W1`` still apply. Steps that select or
    encode columns (a ``ColumnTransformer``, a ``OneHotEncoder``) need all of them: then
    the dropped column is held at its median (its most frequent category) in training
    and scoring, which removes its information just the same, and the refits are cold.
    Set the estimator's ``random_state`` for reproducible refits.

    Extra memory, per refit running at a time (one per worker): copies of ``X_train`` and
    X without the dropped column (or with it held constant), what the estimator's ``fit``
    holds (an MLP: its mini-batches, or with ``solver="lbfgs"`` the activations of all
    training rows) and its prediction on X (an MLP: n_rows x its widest layer), plus a
    few vectors of one value per row: 2.5 times the size of X for X (10000, 10) and an
    MLP (4,), 3.7 times for X (20000, 10) and an MLP (16,).

    Bias: two strongly correlated inputs can each look unimportant, because the refit
    uses the other one instead: drop-and-retrain deflates correlated inputs (the
    opposite of :class:`Permutation`).

    Parameters
    ----------
    scoring : str, callable or None, default=None
        A name from :func:`sklearn.metrics.get_scorer_names`, a scorer
        ``scorer(estimator, X, y)``, or None for the estimator's ``score``.
    warm_start : bool, default=True
        Start each MLP refit from the full network's weights; False refits a fresh
        clone. Estimators other than MLPs are always refitted cold.
    max_iter : int, "auto" or None, default="auto"
        ``max_iter`` of each refit. ``"auto"``: for a warm-started MLP, a tenth of the
        full fit's ``n_iter_``, at least 10 and at most the estimator's ``max_iter``;
        a cold refit (``warm_start=False``, or an estimator that cannot warm start)
        keeps the estimator's own ``max_iter``. An int caps every refit; None keeps the
        estimator's own. Capped refits (an int, or ``"auto"`` on warm refits) raise no
        ConvergenceWarning when they reach the cap, which was asked for; refits with
        the estimator's own ``max_iter`` keep their warnings.
    n_jobs : int, default=None
        Refits run in parallel with joblib (any backend, dask included); the numbers do
        not depend on it.
    verbose : int, default=0
        Show a progress bar over the refits (tqdm, if installed).

    See Also
    --------
    Permutation : No refit; inflates correlated inputs.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.methods import DropRetrain
    >>> X, y = make_regression(n_samples=200, n_features=3, n_informative=2, random_state=0)
    >>> X_train, y_train, X_test, y_test = X[:150], y[:150], X[150:], y[150:]
    >>> mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
    >>> mlp = mlp.fit(X_train, y_train)
    >>> method = DropRetrain()  # warm refits of max(10, ceil(0.1 * mlp.n_iter_)) epochs
    >>> result = method.compute(mlp, X_test, y_test, X_train=X_train, y_train=y_train)
    >>> result.importances.shape  # one refit per column
    (3, 1)
    """

    name = "drop"
    needs_training_data = True
    _parameter_constraints = {
        "scoring": [str, callable, None],
        "warm_start": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}),
                     None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, scoring=None, warm_start=True, max_iter="auto", *, n_jobs=None,
                 verbose=0):
        self.scoring = scoring
        self.warm_start = warm_start
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _training_data(self, inputs):
        """X_train, y_train and the refits' fit parameters: X and y unless given."""
        X, estimator = inputs.X, inputs.estimator
        X_train, y_train, fit_params = inputs.X_train, inputs.y_train, inputs.fit_params
        if X_train is None:
            X_train, y_train = X, inputs.y
            if fit_params is None:
                weights = (None if inputs.sample_weight is None
                           else _check_sample_weight(inputs.sample_weight, X))
                fit_params = sample_weight_params(unfreeze(estimator), weights)
        elif y_train is None:
            raise ValueError("X_train was given without y_train.")
        X_train = validated_X(X_train, estimator, input_name="X_train")
        if X_train.shape[1] != X.shape[1]:
            raise ValueError(
                f"X_train has {X_train.shape[1]} features but X has {X.shape[1]}.")
        return X_train, np.asarray(y_train), fit_params or {}

    def _compute(self, inputs):
        estimator, X, y, sample_weight = (inputs.estimator, inputs.X, inputs.y,
                                          inputs.sample_weight)
        entries = _columns_per_entry(inputs.feature_groups, X.shape[1])
        if any(len(np.unique(cols)) >= X.shape[1] for cols in entries):
            raise ValueError(f"X has n_features={X.shape[1]}; method {self.name!r} "
                             "needs at least one column left after dropping a column or "
                             "group.")
        scorer = self.check_scorer(estimator)
        baseline = self._baseline(scorer, estimator, X, y, sample_weight)
        X_train, y_train, fit_params = self._training_data(inputs)
        # Warm refits train further than the given network did; the reference is the
        # full network refitted the same way, so those epochs are not credited to an input.
        constants = None
        if not _keeps_columns(estimator, X):
            constants = np.array([_typical_value(X_train[:, j], "median")
                                  for j in range(X.shape[1])], dtype=object)
        warm = self.warm_start and _can_warm_start(estimator) and constants is None
        columns = list(entries) + ([None] if warm else [])
        tasks = (delayed(_refit_and_score)(
            estimator, scorer, column, self.warm_start, self.max_iter, X_train, y_train,
            fit_params, X, y, sample_weight, constants) for column in columns)
        scores = run(tasks, n_jobs=self.n_jobs, verbose=self.verbose, desc="drop-and-retrain")
        if warm:
            baseline = scores.pop()
        return self._result(baseline - np.asarray(scores)[:, None, :],
                            inputs.feature_names, scorer)
