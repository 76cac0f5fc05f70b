"""How faithful is each method's ranking? Remove (or keep) its top inputs, retrain, score.

ROAR and KAR (Hooker et al. 2019) on the user's own data: inside each training fold,
each method ranks the inputs; the model is retrained without (or with only) the top
``k`` of them, warm-started from the fold's network where it is an MLP, and scored on
the held-out fold. A random ranking is always evaluated alongside, as the baseline.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.validation import check_consistent_length

from ._dispatch import run_method
from ._faithfulness_result import RANDOM, Faithfulness
from ._parallel import delayed, run
from ._validation import validated_X
from .methods import DropRetrain, ImportanceMethod, get_method
from .methods._ablation import _typical_value
from .methods._drop import _keeps_columns, _reduced_model
from .network import final_step, is_frozen, is_mlp, single_threaded_blas, with_fitted_names

__all__ = ["Faithfulness", "evaluate_methods"]

_MAX_SEED = np.iinfo(np.int32).max
_NETWORK_DEFAULT = ("olden", "garson", "gradient", "permutation")
_ANY_DEFAULT = ("permutation", "ablation")
_STRATEGIES = {"remove": "remove and retrain (ROAR)", "keep": "keep and retrain (KAR)"}



def _resolve_methods(methods, estimator, meta_method):
    """(names, method objects), in the caller's order; the caller's objects are cloned."""
    if methods is None:
        _, final = final_step(estimator)
        names = list(_NETWORK_DEFAULT if is_mlp(final) else _ANY_DEFAULT)
        if meta_method is not None:
            meta = get_method(meta_method)
            if meta.name not in names:
                return [meta.name] + names, [meta] + [get_method(n) for n in names]
        return names, [get_method(name) for name in names]
    if isinstance(methods, (str, ImportanceMethod)) or (
            callable(methods) and not isinstance(methods, dict)):
        methods = [methods]
    if isinstance(methods, dict):
        names, objects = [str(name) for name in methods], [get_method(m)
                                                            for m in methods.values()]
    else:
        objects = [get_method(method) for method in methods]
        names = [method.name for method in objects]
    if not objects:
        raise ValueError("methods is empty; give at least one importance method (or None "
                         "for the default set).")
    if RANDOM in names:
        raise ValueError(f"methods has an entry named {RANDOM!r}, the name of the random "
                         "baseline that is always evaluated; name it otherwise (methods "
                         "as a dict {name: method}).")
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ValueError(f"methods has several entries named {duplicated[0]!r}; give them "
                         "distinct names with a dict {name: method}.")
    return names, objects


def _check_fractions(fractions, n_features):
    """The distinct numbers of inputs k, in increasing order, that ``fractions`` give."""
    values = np.atleast_1d(np.asarray(fractions, dtype=object))
    try:
        values = values.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"fractions must be numbers between 0 and 1; got {fractions!r}.") \
            from None
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"fractions must be a non-empty list of numbers between 0 and 1; "
                         f"got {fractions!r}.")
    if not np.all((values > 0) & (values < 1)):
        raise ValueError("fractions must lie strictly between 0 and 1 (fractions of the "
                         f"inputs to remove or keep); got {fractions!r}.")
    if n_features < 2:
        raise ValueError(f"X has n_features={n_features}; evaluate_methods removes or keeps "
                         "some inputs and retrains on the others, so it needs at least 2.")
    # Half up, not numpy's half to even: 0.5 of 5 inputs is 3, as one would say.
    k = np.clip(np.floor(values * n_features + 0.5).astype(int), 1, n_features - 1)
    return np.unique(k)


def _scorer(estimator, scoring):
    if isinstance(scoring, str) and scoring not in get_scorer_names():
        raise ValueError(
            f"Unknown scoring={scoring!r}: use a name from "
            "sklearn.metrics.get_scorer_names() (e.g. 'r2', 'accuracy', 'neg_log_loss'), "
            "a scorer from sklearn.metrics.make_scorer, or None for the estimator's score.")
    try:
        return check_scoring(estimator, scoring=scoring)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"scoring={scoring!r}: {exc}") from exc


def _score(scorer, model, X, y):
    """The score of a refit on an array X, named as its training data was."""
    return float(scorer(model, with_fitted_names(model, X), y))


def _seed(estimator, methods, random_state):
    """The generator of the random orderings; seeds the estimator's and the methods'
    ``random_state`` parameters left at None, as the meta-estimators do, so that one
    ``random_state`` fixes every number.

    Three streams, each from its own seed: adding a method changes neither the
    estimator's seeds nor the baseline's orderings, so results of calls with other
    methods share them.
    """
    from ._estimators import _random_state_keys

    rng = check_random_state(random_state)
    if random_state is None:
        return rng
    streams = [np.random.RandomState(seed) for seed in rng.randint(_MAX_SEED, size=3)]
    params = estimator.get_params(deep=True)
    keys = sorted(_random_state_keys(estimator))
    seeds = streams[0].randint(_MAX_SEED, size=len(keys))
    estimator.set_params(**{key: int(seed) for key, seed in zip(keys, seeds)
                            if params[key] is None})
    for method in methods:
        seed = int(streams[1].randint(_MAX_SEED))  # one per method: the next keep theirs
        if method.random and method.get_params(deep=False)["random_state"] is None:
            method.set_params(random_state=seed)
    return streams[2]


def _fit_fold(estimator, methods, X, y, train, test, scale, scorer):
    """Fit on the training rows; the held-out score and every method's importances,
    computed on the training rows only."""
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    # Many small fits run side by side: BLAS's own threads would only contend.
    with single_threaded_blas():
        estimator.fit(X_train, y_train)
        full = float(scorer(estimator, _safe_indexing(X, test), _safe_indexing(y, test)))
        importances = [
            np.asarray(run_method(method, estimator, X_train, y_train, scale=scale,
                                  training=(X_train, y_train, {})).importances_mean,
                       dtype=float)
            for method in methods]
    return estimator, full, importances


def _ordering(importances, random_order):
    """Columns by decreasing importance; ties broken by their places in the random
    ordering, so that a method which cannot tell inputs apart scores as random does."""
    place = np.empty_like(random_order)
    place[random_order] = np.arange(random_order.size)
    return np.lexsort((place, -importances))


def _refit_and_score(fitted, scorer, removed, max_iter, X_train, y_train, X_test, y_test,
                     constants):
    """Held-out score of ``fitted`` retrained without the columns ``removed``.

    With ``constants`` (Pipelines that select or encode columns) the columns are held at
    a constant in training and scoring instead of deleted, and the refit is cold.
    """
    if constants is not None:
        X_train, X_test = X_train.copy(), X_test.copy()
        X_train[:, removed] = constants[removed]
        X_test[:, removed] = constants[removed]
        model = _reduced_model(fitted, None, False, max_iter)
        X_train = with_fitted_names(fitted, X_train)
    else:
        keep = np.setdiff1d(np.arange(X_train.shape[1]), removed)
        model = _reduced_model(fitted, list(removed), True, max_iter)
        X_train, X_test = X_train[:, keep], X_test[:, keep]
    # Counted, not shown: dozens of refits would repeat one warning dozens of times (and
    # a worker process's warnings never reach the caller).
    with warnings.catch_warnings(record=True) as caught, single_threaded_blas():
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X_train, y_train)
        score = _score(scorer, model, X_test, y_test)
    others = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    for w in others:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return score, len(others) < len(caught)


def _unwrapped(estimator):
    """(estimator to refit, scale, the meta-estimator's method or None)."""
    from ._estimators import _BaseImportance

    if isinstance(estimator, _BaseImportance):
        return estimator._make_estimator(), estimator.scale, estimator.method
    if is_frozen(estimator):
        raise ValueError("evaluate_methods refits the estimator on each training fold; a "
                         "FrozenEstimator cannot be refitted (and, fitted on all rows, "
                         "would have seen the held-out folds). Pass the estimator it wraps.")
    return clone(estimator), True, None


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "X": ["array-like"],
        "y": ["array-like"],
        "methods": [list, tuple, dict, str, HasMethods(["compute"]), callable, None],
        "cv": ["cv_object"],
        "strategy": [StrOptions(set(_STRATEGIES))],
        "fractions": ["array-like", Real],
        "scoring": [str, callable, None],
        "n_random": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=False,
)
def evaluate_methods(estimator, X, y, *, methods=None, cv=5, strategy="remove",
                     fractions=(0.1, 0.3, 0.5, 0.7, 0.9), scoring=None, n_random=1,
                     random_state=None, n_jobs=None, verbose=0):
    """How faithful is each method's ranking of the inputs? ROAR and KAR on your data.

    Remove-and-retrain (ROAR) and keep-and-retrain (KAR), after Hooker et al. (2019),
    for tabular data. For each fold of ``cv``:

    1. a clone of ``estimator`` is fitted on the training rows and scored on the
       held-out rows (``full_scores``);
    2. each method computes its importances of that fitted model **on the training
       rows only** (through the same path as
       :func:`~skimportance.feature_importances`; methods that refit are given the
       training rows as their training data), and its ``importances_mean`` ranks the
       inputs, most important first (ties broken by the fold's first random
       ordering). ``n_random`` random permutations of the inputs per fold, drawn from
       ``random_state``, are the rankings of the baseline ``"random"``, always
       evaluated (its scores are their mean);
    3. for each ``k``, the model is retrained on the training rows without the top
       ``k`` inputs of each ranking (``strategy="remove"``) or with only those
       (``strategy="keep"``), and scored on the held-out rows (``scores``).

    A faithful ranking puts first the inputs the model needs: removing them makes the
    held-out score fall faster than removing random ones, and keeping only them keeps
    it higher. The faithfulness of method :math:`m` on fold :math:`f` is the mean over
    the evaluated :math:`k` of

    - ``"remove"``: :math:`s_{\\mathrm{random}}(k, f) - s_m(k, f)`,
    - ``"keep"``: :math:`s_m(k, f) - s_{\\mathrm{random}}(k, f)`,

    in the units of the score; ``faithfulness`` is its mean over the folds and
    ``faithfulness_std`` its spread. Higher is more faithful, 0 is no better than
    chance, and it is 0 exactly for ``"random"``.

    Retraining: an MLP (or a Pipeline ending in one whose steps treat each column alone,
    such as a StandardScaler) is warm-started from the fold's fitted network with the
    rows of the removed inputs deleted from its first layer, as
    :class:`~skimportance.methods.DropRetrain` does, with its default refit budget
    (``DropRetrain().max_iter``). Steps that select or encode columns (a
    ``ColumnTransformer``, a ``OneHotEncoder``) need every column: the removed ones are
    then held at their median on the training rows (their most frequent category), in
    training and scoring, and the refits are cold clones. Other estimators are refitted
    cold. Refits of the same fold without the same set of columns are run once and
    shared between the rankings that give it.

    Cost: one fit per fold, the methods' own cost on each training fold, and at most
    ``(n_methods + n_random) * n_k * n_folds`` refits, run in parallel over ``n_jobs``.

    Parameters
    ----------
    estimator : estimator
        An ``MLPRegressor`` or ``MLPClassifier``, a ``Pipeline`` ending in one (any
        estimator for methods that do not read weights), or an
        :class:`~skimportance.ImportanceRegressor` /
        :class:`~skimportance.ImportanceClassifier`, whose ``estimator`` and ``scale``
        are then used (and its ``method`` added to the default set). Cloned, never
        modified; fitted or not, it is refitted on each fold.
    X : array-like of shape (n_samples, n_features)
        Inputs.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    methods : list, dict, str, ImportanceMethod or callable, default=None
        The methods to evaluate: names (see :data:`skimportance.methods.METHODS`),
        method objects (cloned) or callables ``func(fitted_estimator, X, y) ->
        importances``, in a list, or a dict ``{name: method}`` that names them. None
        means ``["olden", "garson", "gradient", "permutation"]`` for an MLP (or a
        Pipeline ending in one) and ``["permutation", "ablation"]`` for any other
        estimator. ``"drop"`` is not in the default set because it costs
        ``n_features + 1`` refits per fold on top of the evaluation's own; give it to
        evaluate it. The name ``"random"`` is reserved for the baseline.
    cv : int, cross-validation generator or iterable, default=5
        As in :func:`sklearn.model_selection.cross_val_score`: an int gives
        ``KFold`` (``StratifiedKFold`` for classifiers), without shuffling.
    strategy : {"remove", "keep"}, default="remove"
        ``"remove"``: retrain without the top ``k`` inputs (ROAR; a faithful ranking
        makes the score fall fast). ``"keep"``: retrain with only the top ``k``
        (KAR; a faithful ranking keeps the score high).
    fractions : float or array-like of float, default=(0.1, 0.3, 0.5, 0.7, 0.9)
        Fractions of the inputs to remove or keep, each strictly between 0 and 1. Each
        becomes ``k = floor(fraction * n_features + 0.5)``, clipped to ``[1,
        n_features - 1]`` (so that something is removed and something is left);
        fractions that give the same ``k`` are evaluated once. The result holds ``k``
        and ``fractions = k / n_features``.
    scoring : str, callable or None, default=None
        A name from :func:`sklearn.metrics.get_scorer_names`, a scorer
        ``scorer(estimator, X, y)``, or None for the estimator's ``score`` (R² for
        regressors, accuracy for classifiers). Greater must be better.
    n_random : int, default=1
        Random orderings per fold; the baseline's scores are their mean. One (as in
        Hooker et al.) is the cheapest, but its draw moves every faithfulness number
        by the same amount on each fold; more give a steadier baseline, at
        ``n_random * n_k * n_folds`` refits.
    random_state : int, RandomState instance or None, default=None
        Draws the random rankings of the baseline and, as in the meta-estimators, a
        seed for every ``random_state`` parameter of the estimator and of the methods
        that is left at None (those already set are kept). An int gives the same
        numbers on every call, whatever ``n_jobs``; None leaves the estimator's and
        methods' own and draws the baseline from numpy's global generator.
    n_jobs : int, default=None
        The per-fold fits and the refits run in parallel through joblib (any backend).
        The numbers do not depend on it.
    verbose : int, default=0
        Show a progress bar over the refits (tqdm, if installed).

    Returns
    -------
    result : Faithfulness
        ``scores`` (method x k x fold), ``full_scores``, ``faithfulness`` and
        ``faithfulness_std`` (one per method, ``"random"`` last), ``k``,
        ``fractions``, ``orderings``, ``ranking()`` and ``to_frame()``.
        :func:`~skimportance.plotting.plot_faithfulness` draws the curves.

    See Also
    --------
    skimportance.plotting.plot_faithfulness : The score curves.
    skimportance.methods.DropRetrain : Retrain without one input at a time.

    Notes
    -----
    Retraining is what makes the comparison fair: a model evaluated on inputs it was
    trained with but which are now missing or shuffled leaves its training
    distribution, and its drop of score mixes the information lost with that shift.
    Retraining asks instead whether the information in the removed inputs is needed
    (or, for KAR, sufficient). Correlated inputs soften ROAR: a retrained model can
    recover a removed input from its correlates, so the curves fall slowly for every
    method; KAR is less affected.

    References
    ----------
    Hooker, S., Erhan, D., Kindermans, P.-J. and Kim, B. (2019). A benchmark for
    interpretability methods in deep neural networks. NeurIPS 32.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import evaluate_methods
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(120, 4))
    >>> y = 3 * X[:, 0] + 2 * X[:, 1] + 0.1 * rng.normal(size=120)  # x2, x3 are noise
    >>> mlp = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=300,
    ...                    random_state=0)
    >>> truth = lambda est, X, y: [3.0, 2.0, 0.0, 0.0]
    >>> result = evaluate_methods(mlp, X, y, methods={"truth": truth, "olden": "olden"},
    ...                           cv=3, fractions=[0.25, 0.5], random_state=0)
    >>> result.methods, result.k.tolist(), result.scores.shape
    (['truth', 'olden', 'random'], [1, 2], (3, 2, 3))
    >>> bool(result.faithfulness[0] > 0)  # removing x0, x1 hurts more than random ones
    True
    """
    estimator, scale, meta_method = _unwrapped(estimator)
    names, method_objects = _resolve_methods(methods, estimator, meta_method)
    for method in method_objects:
        method.check(estimator, single_result=True)  # before any fit
    check_consistent_length(X, y)
    X_array = validated_X(X, estimator)
    n_features = X_array.shape[1]
    k = _check_fractions(fractions, n_features)
    scorer = _scorer(estimator, scoring)
    scoring_name = scoring if isinstance(scoring, str) else "score"
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    splits = list(splitter.split(X_array, y))

    rng = _seed(estimator, method_objects, random_state)
    random_orders = np.array([[rng.permutation(n_features) for _ in range(n_random)]
                              for _ in splits]).reshape(len(splits), n_random, n_features)

    tasks = (delayed(_fit_fold)(clone(estimator), method_objects, X, y, train, test,
                                scale, scorer) for train, test in splits)
    folds = run(tasks, n_jobs=n_jobs, desc="folds")

    orderings = np.empty((len(names) + 1, len(splits), n_features), dtype=int)
    for f, ((_, _, importances), orders) in enumerate(zip(folds, random_orders)):
        for m, values in enumerate(importances):
            orderings[m, f] = _ordering(values, orders[0])
        orderings[-1, f] = orders[0]

    max_iter = DropRetrain().max_iter  # DropRetrain's default refit budget, whatever it is
    # Rankings: the methods', then the n_random random ones, averaged into "random".
    n_rankings = len(names) + n_random
    keys, tasks, index = {}, [], np.empty((n_rankings, k.size, len(splits)), dtype=int)
    for f, ((fitted, _, _), (train, test)) in enumerate(zip(folds, splits)):
        X_train, X_test = X_array[train], X_array[test]
        y_train, y_test = _safe_indexing(y, train), _safe_indexing(y, test)
        constants = None
        if not _keeps_columns(fitted, X_train):
            constants = np.array([_typical_value(X_train[:, j], "median")
                                  for j in range(n_features)], dtype=object)
        for m in range(n_rankings):
            order = orderings[m, f] if m < len(names) else \
                random_orders[f, m - len(names)]
            for j, top in enumerate(k):
                removed = np.sort(order[:top] if strategy == "remove" else order[top:])
                key = (f, tuple(removed))
                if key not in keys:  # the same refit for every ranking that gives it
                    keys[key] = len(tasks)
                    tasks.append(delayed(_refit_and_score)(
                        fitted, scorer, removed, max_iter, X_train, y_train, X_test,
                        y_test, constants))
                index[m, j, f] = keys[key]
    refits = run(tasks, n_jobs=n_jobs, verbose=verbose, desc="retrain")
    refit_scores = np.array([score for score, _ in refits], dtype=float)
    unconverged = sum(stopped for _, stopped in refits)
    if unconverged and max_iter is None:  # a budget that was asked for is no news
        warnings.warn(
            f"{unconverged} of {len(refits)} refits of evaluate_methods stopped before "
            "converging (ConvergenceWarning); raise the estimator's max_iter for scores "
            "of converged models.", ConvergenceWarning, stacklevel=3)
    feature_names = getattr(X, "columns", None)
    if feature_names is None:
        feature_names = [f"x{i}" for i in range(n_features)]
    scores = refit_scores[index]
    scores = np.concatenate([scores[:len(names)],
                             scores[len(names):].mean(axis=0, keepdims=True)])
    return Faithfulness(names + [RANDOM], k, n_features, scores,
                        [full for _, full, _ in folds], orderings, strategy, scoring_name,
                        np.asarray(feature_names, dtype=object), random_orders)
