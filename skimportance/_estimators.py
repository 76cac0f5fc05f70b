"""Meta-estimators: fit a network, then expose ``feature_importances_``."""

import copy
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    _fit_context,
    clone,
    is_classifier,
    is_regressor,
)
from sklearn.ensemble._base import _set_random_states
from sklearn.model_selection import check_cv
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils import _safe_indexing, check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_method_params,
    _num_samples,
    check_is_fitted,
    validate_data,
)

from ._dispatch import run_method, validated_sample_weight
from ._groups import AUTO_THRESHOLD, correlation_groups
from .interactions import combine_interactions, get_interaction_method
from .interactions._dispatch import run_interactions
from .network import is_frozen
from ._parallel import delayed, run
from ._result import combine_folds, combine_refits
from .methods import METHODS, get_method
from .methods._base import sample_weight_params

__all__ = ["ImportanceClassifier", "ImportanceRegressor"]

_MAX_SEED = np.iinfo(np.int32).max


@contextmanager
def _restore_on_error(estimator):
    """Leave no partial state behind when fit fails half-way."""
    state = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(state)
        raise


def _fitted_importances(method, estimator, X, y, sample_weight, options, fit_params,
                        X_train, y_train):
    """Importances on (X, y), and interactions when asked; methods that refit are
    trained on (X_train, y_train).

    ``options``: the meta-estimator's ``scale`` and ``feature_groups``, and its
    interaction method (or None) under ``"interactions"``.
    """
    options = dict(options)
    interactions = options.pop("interactions", None)
    result = run_method(method, estimator, X, y, sample_weight=sample_weight,
                        training=(X_train, y_train, fit_params), **options)
    if isinstance(result, dict):
        raise ValueError(
            f"The scoring of method {method.name!r} gives several scores "
            f"({', '.join(map(str, result))}); a meta-estimator needs one for "
            "feature_importances_: pick one, or call feature_importances for them all.")
    if interactions is None:
        return result, None
    return result, run_interactions(interactions, estimator, X, y,
                                    sample_weight=sample_weight, **options)


def _fold_importances(estimator, method, X, y, sample_weight, params, train, test, options):
    """Fit on the training rows of a fold, then compute the importances on its held-out rows."""
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    train_params = _check_method_params(X, params, indices=train)
    estimator.fit(X_train, y_train, **train_params)
    weights = None if sample_weight is None else _safe_indexing(sample_weight, test)
    return _fitted_importances(method, estimator, _safe_indexing(X, test),
                               _safe_indexing(y, test), weights, options, train_params,
                               X_train, y_train)


def _refit_importances(estimator, method, X, y, sample_weight, params, options):
    """Fit on all of (X, y) and compute the importances there; the fitted estimator too."""
    estimator.fit(X, y, **params)
    return (estimator,) + _fitted_importances(method, estimator, X, y, sample_weight,
                                              options, params, X, y)


def _random_state_keys(estimator):
    """The estimator's ``random_state`` parameters: its own, or every step's in a Pipeline."""
    return [key for key in estimator.get_params(deep=True)
            if key == "random_state" or key.endswith("__random_state")]


def _seeded_refits(estimator, n_refits, rng=None):
    """``n_refits`` unfitted clones: the first as given, the others with derived seeds.

    The seeds are drawn by ``rng`` (from the meta-estimator's ``random_state``) or, when
    it is None, by ``np.random.RandomState(base)`` where ``base`` is the estimator's
    ``random_state`` (for a Pipeline, that of its last step that has one): one int for
    each ``random_state`` parameter of each refit, as scikit-learn's bagging does.
    """
    if n_refits == 1:
        return [estimator]
    params = estimator.get_params(deep=True)
    keys = _random_state_keys(estimator)
    if not keys or is_frozen(estimator):
        raise ValueError(
            f"n_refits={n_refits} refits the network with different seeds, but "
            f"{type(estimator).__name__} has no random_state parameter to set (a "
            "FrozenEstimator is never refitted); use n_refits=1."
        )
    if rng is None:
        base = params["random_state"] if "random_state" in params else params[keys[-1]]
        # A copy: drawing from a RandomState instance must not move the first refit's one.
        rng = copy.deepcopy(base) if isinstance(base, np.random.RandomState) \
            else np.random.RandomState(base)
    refits = [estimator]
    for _ in range(n_refits - 1):
        refit = clone(estimator)
        _set_random_states(refit, rng)  # an int from rng for each, in sorted order
        refits.append(refit)
    return refits


def _seed(estimator, method, random_state, interactions=None):
    """Seed what ``random_state`` controls, as ``BaggingRegressor`` does: an int drawn
    from it for each ``random_state`` parameter of the estimator left at None (the
    default network's), then one for the method's if None. Returns the generator, which
    then draws the seeds of the refits; None leaves everything as it is.

    A RandomState instance is drawn from, not copied, so it moves on between fits.
    """
    if random_state is None:
        return None
    rng = check_random_state(random_state)
    if not is_frozen(estimator):
        params = estimator.get_params(deep=True)
        keys = sorted(_random_state_keys(estimator))
        seeds = rng.randint(_MAX_SEED, size=len(keys))
        estimator.set_params(**{key: int(seed) for key, seed in zip(keys, seeds)
                                if params[key] is None})
    seed = int(rng.randint(_MAX_SEED))
    if method.random and method.get_params(deep=False)["random_state"] is None:
        method.set_params(random_state=seed)
    if interactions is not None:
        # Drawn only then, so that the other seeds do not depend on asking for them.
        seed = int(rng.randint(_MAX_SEED))
        if interactions.random and interactions.get_params(deep=False)["random_state"] \
                is None:
            interactions.set_params(random_state=seed)
    return rng


def _check_two_classes(y):
    values = np.asarray(y)
    if values.ndim == 1 or (values.ndim == 2 and values.shape[1] == 1):
        classes = np.unique(values.ravel())
        if classes.size < 2:
            label = classes[0].item() if hasattr(classes[0], "item") else classes[0]
            raise ValueError(
                f"y has 1 class ({label!r}): a classifier needs at least two classes to "
                "learn from.")


def _estimator_has(attr):
    def check(self):
        est = self.estimator_ if hasattr(self, "estimator_") else self._make_estimator()
        getattr(est, attr)
        return True

    return check


class _BaseImportance(MetaEstimatorMixin, BaseEstimator):
    """Shared machinery of ImportanceRegressor and ImportanceClassifier."""

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        # Checked by get_method, whose errors suggest the closest names.
        "method": [str, HasMethods(["compute"]), callable],
        "interactions": [str, HasMethods(["compute"]), None],
        "scale": ["boolean"],
        "feature_groups": [list, dict, StrOptions({"auto"}), None],
        "group_threshold": [Interval(Real, 0, 1, closed="both")],
        "cv": ["cv_object"],
        "n_refits": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator=None, *, method="permutation", interactions=None, scale=True,
                 feature_groups=None, group_threshold=AUTO_THRESHOLD, cv=None, n_refits=1,
                 random_state=None, n_jobs=None, verbose=0):
        self.estimator = estimator
        self.method = method
        self.interactions = interactions
        self.scale = scale
        self.feature_groups = feature_groups
        self.group_threshold = group_threshold
        self.cv = cv
        self.n_refits = n_refits
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _make_estimator(self):
        if self.estimator is None:
            return self._default_estimator()
        return clone(self.estimator)

    def _inner_fit_params(self, estimator, sample_weight, fit_params):
        if _routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **fit_params)
            return routed.estimator.fit
        return {**fit_params, **sample_weight_params(estimator, sample_weight)}

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the network, then compute its feature importances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. With ``cv=None`` the importances are computed on it too;
            otherwise on the held-out folds.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the estimator's ``fit`` (to the last step of a Pipeline), and used
            to weigh rows in the importances.
        **fit_params : dict
            Passed to the estimator's ``fit``; with metadata routing enabled, routed
            the scikit-learn way.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        with _restore_on_error(self):
            # Values are validated by the wrapped estimator; here shapes and names only,
            # so that a Pipeline still receives X as the caller gave it.
            self._check_y(y)
            validate_data(self, X, y, dtype=None, ensure_all_finite=False,
                          multi_output=True, y_numeric=self._y_numeric)
            if not self._y_numeric:
                check_classification_targets(y)
                _check_two_classes(y)
            if sample_weight is not None:  # before any fit, not after it
                validated_sample_weight(sample_weight, X)
            method = self._hand_down_jobs(get_method(self.method))
            estimator = self._make_estimator()
            self._check_kind(estimator)
            method.check(estimator, single_result=True)  # before any fit
            interactions = None if self.interactions is None else \
                get_interaction_method(self.interactions)
            if interactions is not None:
                interactions.check(estimator)
            params = self._inner_fit_params(estimator, sample_weight, fit_params)
            # "auto" is resolved once, on all the training rows: every fold and refit
            # then reports the same entries, which their pooling needs.
            self.feature_groups_ = (correlation_groups(X, self.group_threshold)
                                    if isinstance(self.feature_groups, str)
                                    else self.feature_groups)
            refits = _seeded_refits(estimator, self.n_refits,
                                    _seed(estimator, method, self.random_state,
                                          interactions))
            options = {**self._method_options(), "interactions": interactions}
            # One path: refits x (a fit on all rows | a cross-fit), then pooled.
            if self.cv is None:
                fitted = self._fit_refits(method, refits, X, y, sample_weight, params,
                                          options)
                estimator = fitted[0][0]  # the first refit, seeded as with n_refits=1
                results = [result for _, result, _ in fitted]
                found = [pairwise for _, _, pairwise in fitted]
            else:
                results, found = self._cross_fit(method, refits, X, y, sample_weight,
                                                 params, options)
                estimator.fit(X, y, **params)
            self.estimator_ = estimator
            self.importances_ = results[0] if len(results) == 1 else combine_refits(results)
            if interactions is not None:
                self.interaction_importances_ = combine_interactions(found)
            elif hasattr(self, "interaction_importances_"):
                del self.interaction_importances_  # from an earlier fit with them
            self.importances_.normalized()  # warns now, at fit, if nothing can be ranked
            self._set_fitted_extra()
        return self

    def _fit_refits(self, method, refits, X, y, sample_weight, params, options):
        """(fitted refit, its importances on all rows, its interactions or None) for
        each refit."""
        many = len(refits) > 1  # one fit runs here, its method taking n_jobs
        tasks = (delayed(_refit_importances)(refit, method, X, y, sample_weight, params,
                                             options)
                 for refit in refits)
        return run(tasks, n_jobs=self.n_jobs if many else None,
                   verbose=self.verbose if many else 0, desc="refits")

    @property
    def feature_importances_(self):
        """``importances_.importances_mean`` clipped at 0 and normalised to sum to 1."""
        return self.importances_.normalized()

    @property
    def neuron_importances_(self):
        """Hidden units' importances, for methods that give them (conductance)."""
        units = self.importances_.neuron_importances
        if units is None:
            raise AttributeError(
                f"neuron_importances_ needs a method with values of hidden units "
                f"(conductance); this {type(self).__name__} was fitted with "
                f"{self.importances_.method!r}.")
        return units

    def _set_fitted_extra(self):
        pass

    def _check_kind(self, estimator):
        """A regressor for ImportanceRegressor, a classifier for ImportanceClassifier."""
        wrong = is_classifier(estimator) if self._y_numeric else is_regressor(estimator)
        if wrong:
            want, got = ("regressor", "classifier") if self._y_numeric else \
                ("classifier", "regressor")
            other = "ImportanceClassifier" if self._y_numeric else "ImportanceRegressor"
            raise ValueError(
                f"estimator={type(estimator).__name__}(...) is a {got}, but "
                f"{type(self).__name__} wraps a {want}; use {other} for it.")

    def _check_y(self, y):
        if not self._y_numeric or y is None:
            return
        values = np.asarray(y)
        if values.dtype.kind in "OUS":
            try:
                values.astype(float)
            except (TypeError, ValueError):
                example = next(v for v in values.ravel() if isinstance(v, str))
                raise ValueError(
                    f"y must be numeric for {type(self).__name__}, but it holds labels "
                    f"such as {example!r}; use ImportanceClassifier for class labels."
                ) from None

    def set_params(self, **params):
        """Set the parameters of this estimator, as every scikit-learn estimator.

        ``method__<param>`` needs ``method`` to be a method object (a string has no
        parameters), and ``estimator__<param>`` an ``estimator`` (None stands for the
        default network).

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : estimator instance
        """
        for key in params:
            head, _, rest = key.partition("__")
            if not rest or head not in ("method", "estimator"):
                continue
            current = params.get(head, getattr(self, head))
            if head == "method" and isinstance(current, str):
                cls = METHODS.get(current)
                example = f"{cls.__name__}({rest}=...)" if cls else "an object"
                raise ValueError(
                    f"Cannot set {key}: method is the string {current!r}, which has no "
                    f"parameters; set method={example} instead, or search over method "
                    "objects.")
            if head == "estimator" and current is None:
                default = type(self._default_estimator()).__name__
                raise ValueError(
                    f"Cannot set {key}: estimator is None (the default {default}()); set "
                    f"estimator={default}({rest}=...) instead"
                    + (", or random_state=..." if rest == "random_state" else "") + ".")
        return super().set_params(**params)

    def _method_options(self):
        return {"scale": self.scale, "feature_groups": self.feature_groups_}

    def _hand_down_jobs(self, method):
        """Hand ``n_jobs`` and ``verbose`` to a method that leaves them at their defaults.

        With ``cv`` or refits the folds or refits are the parallel work, so the method's
        columns are not.
        """
        params = method.get_params(deep=False)
        updates = {}
        if self.cv is None and self.n_refits == 1 and self.n_jobs is not None \
                and "n_jobs" in params \
                and params["n_jobs"] is None:
            updates["n_jobs"] = self.n_jobs
        if self.verbose and params.get("verbose", None) == 0:
            updates["verbose"] = self.verbose
        return method.set_params(**updates) if updates else method

    def _cross_fit(self, method, refits, X, y, sample_weight, params, options):
        """Held-out importances: a clone fitted per fold, aggregated over the folds.

        One pooled result per refit, each cross-fitted on the same splits; and the
        interactions of every refit and fold (None without an interaction method).
        """
        n_samples = _num_samples(X)
        if isinstance(self.cv, Integral) and self.cv > n_samples:
            raise ValueError(
                f"cv={self.cv} asks for {self.cv} folds, but fit got only {n_samples} "
                "samples; use at most one fold per sample."
            )
        cv = check_cv(self.cv, y, classifier=is_classifier(self))
        try:
            splits = list(cv.split(X, y))
        except ValueError as exc:
            raise ValueError(f"cv={self.cv!r} cannot split the data given to fit: {exc}") \
                from exc
        tasks = (delayed(_fold_importances)(clone(refit), method, X, y, sample_weight,
                                            params, train, test, options)
                 for refit in refits for train, test in splits)
        done = run(tasks, n_jobs=self.n_jobs, verbose=self.verbose, desc="cross-fitting")
        results = [result for result, _ in done]
        # The sizes are what Nadeau and Bengio's correction of the folds' interval needs.
        # Index arrays or boolean masks alike.
        rows = np.arange(n_samples)
        sizes = {"n_train": [rows[train].size for train, _ in splits],
                 "n_test": [rows[test].size for _, test in splits]}
        pooled = [combine_folds(results[i:i + len(splits)], **sizes)
                  for i in range(0, len(results), len(splits))]
        return pooled, [pairwise for _, pairwise in done]

    def get_metadata_routing(self):
        """Metadata routing of this object: ``fit`` params go to the estimator's ``fit``.

        Returns
        -------
        routing : MetadataRouter
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(estimator=self._make_estimator(),
                 method_mapping=MethodMapping().add(caller="fit", callee="fit"))
        )

    def _check_X(self, X):
        check_is_fitted(self)
        # As in fit: shape and names here, values in the wrapped estimator.
        validate_data(self, X, reset=False, dtype=None, ensure_all_finite=False)

    @available_if(_estimator_has("predict"))
    def predict(self, X, **params):
        """Predict with the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        **params : dict
            Passed to the estimator's ``predict``.

        Returns
        -------
        y_pred : ndarray
            The estimator's predictions.
        """
        self._check_X(X)
        return self.estimator_.predict(X, **params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._make_estimator())
        tags.input_tags.sparse = False  # X is validated as a dense array
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.string = inner.input_tags.string
        tags.input_tags.categorical = inner.input_tags.categorical
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.target_tags.single_output = inner.target_tags.single_output
        tags.non_deterministic = inner.non_deterministic
        for kind in ("classifier_tags", "regressor_tags"):
            ours, theirs = getattr(tags, kind), getattr(inner, kind)
            if ours is not None and theirs is not None:
                for field in vars(theirs):
                    setattr(ours, field, getattr(theirs, field))
        return tags


# The parameters after ``estimator`` are the same for both meta-estimators: written
# once, put into both docstrings by _shared_parameters.
_SHARED_PARAMETERS = """\
    method : str, ImportanceMethod or callable, default="permutation"
        ``"weights"``, ``"garson"``, ``"olden"``, ``"gradient"``,
        ``"integrated_gradients"``, ``"conductance"``, ``"profile"``,
        ``"permutation"``, ``"conditional"``, ``"ablation"``, ``"drop"``, an object from
        :mod:`skimportance.methods` (whose parameters can be searched as
        ``method__<param>``) or ``func(fitted_estimator, X, y) -> importances``.
        The default is the most accurate method in the project's ground-truth
        benchmark, where importances are computed on the training rows as here with
        ``cv=None`` (mean Spearman correlation with the true importances 0.921 over
        seven simulated problems; ``"gradient"`` 0.909, ``"olden"`` 0.778): see
        :ref:`accuracy`. Its shuffles follow ``random_state``.
    interactions : str, interaction method or None, default=None
        Also compute pairwise interactions at fit time, stored in
        ``interaction_importances_``: ``"hessian"``, ``"differences"``,
        ``"h_statistic"`` or an object from :mod:`skimportance.interactions` (see
        :func:`~skimportance.feature_interactions`). They are computed where the
        importances are (the training rows, or each held-out fold with ``cv``) and
        averaged over folds and refits, their ``spread`` then the standard deviation
        over them. None computes none.
    scale : bool, default=True
        Compute importances as if the inputs had been standardised, with each input's
        standard deviation in the data passed to ``fit``. Set ``False`` for the
        raw-weight numbers of NeuralNetTools and caret.
    feature_groups : list, dict or "auto", default=None
        Columns to rank together (the dummies of a variable one-hot encoded by hand, a
        sensor's channels): a list whose entries are a column (index or name) or a
        list of columns, or a dict ``{name: list of columns}``; see
        :func:`~skimportance.feature_importances`. ``"auto"``: the groups of correlated
        inputs of :func:`~skimportance.correlation_groups`, found on the data passed to
        ``fit`` (all of it, with ``cv`` too) and kept in ``feature_groups_``.
        ``feature_importances_`` then has one value per entry, so it no longer lines
        up with X's columns (for ``SelectFromModel``, leave this None: a Pipeline that
        encodes columns itself is already reported per column of X).
    group_threshold : float in [0, 1], default=0.3
        With ``feature_groups="auto"``, the largest ``1 - |Spearman|`` within a group
        (pairs with ``|Spearman| >= 0.7`` by default; the reason is in
        :func:`~skimportance.correlation_groups`). Ignored otherwise.
    cv : int, cross-validation generator or iterable, default=None
        Where the importances are measured. None: on the data passed to ``fit``, the
        data the network was trained on, which is optimistic (an input the network
        overfits looks important). An int or a splitter (as in ``cross_validate``;
        stratified for classifiers): cross-fitted, a clone is fitted on each training
        fold and its importances are computed on the held-out fold; ``importances_``
        holds their mean and spread over folds (and repeats). ``estimator_`` is then
        refitted on all the data, for prediction.
    n_refits : int, default=1
        Stability over refits: fit the network this many times with different seeds
        and pool the importances. The first refit uses the estimator as given; the
        others set every ``random_state`` parameter of the estimator (every step's, in
        a Pipeline) to ints drawn in turn from ``np.random.RandomState(base)``, one per
        parameter in sorted order (as scikit-learn's bagging does), with ``base`` the
        estimator's ``random_state`` (that of the Pipeline's last step having one).
        So an int ``random_state`` makes the refits reproducible, and
        ``None`` does not. With ``cv`` each refit is cross-fitted on the same splits.
        ``importances_`` then holds every refit's values side by side in
        ``importances`` (shape ``(n_features, n_refits * samples_per_refit)``, refit
        after refit), their mean and std, ``rank_counts`` (how often each input held
        each place) and ``rank_agreement`` (Kendall's W of the refits' rankings).
        ``estimator_`` is the first refit (fitted on all the data), so predictions do
        not depend on ``n_refits``; ``n_refits=1`` is a single fit. With
        ``random_state`` set, the refits' seeds are drawn from it instead.
    random_state : int, RandomState instance or None, default=None
        Seeds everything random in ``fit``, as ``BaggingRegressor`` does: an int drawn
        from it is set on each ``random_state`` parameter of the estimator that is
        None (so the default network is reproducible), then on the method's
        ``random_state`` if it is None (``"permutation"`` is then reproducible), then
        the seeds of ``n_refits`` are drawn. Seeds given to the estimator or the method
        are kept. A RandomState instance is drawn from, so it moves on between fits.
        None leaves the seeds as they are.
    n_jobs : int, default=None
        Parallel jobs (joblib, any backend, dask included): the folds (and refits)
        when ``cv`` is set, the refits when ``n_refits > 1``, otherwise passed on to a
        method whose own ``n_jobs`` is None (columns, refits). The numbers do not
        depend on it.
    verbose : int, default=0
        Progress bars (tqdm, if installed) for the folds, and passed on to a method
        whose own ``verbose`` is 0. Silent by default.
"""


def _shared_parameters(cls):
    if cls.__doc__ is None:  # python -OO strips docstrings: nothing to fill in
        return cls
    cls.__doc__ = cls.__doc__.replace(
        "    <the parameters of both meta-estimators: _SHARED_PARAMETERS>\n",
        _SHARED_PARAMETERS)
    return cls


@_shared_parameters
class ImportanceRegressor(RegressorMixin, _BaseImportance):
    """Fit a neural network regressor and expose the importances of its inputs.

    The importances come from a pluggable ``method`` (a hyper-parameter like any
    other, so it can be grid-searched), which makes the fitted object usable by
    ``SelectFromModel``, ``RFE`` and anything else that reads ``feature_importances_``.
    Predictions are those of the fitted network.

    Parameters
    ----------
    estimator : estimator, default=None
        An ``MLPRegressor``, a ``Pipeline`` whose last step is one and whose earlier
        steps are per-feature scalers, or a ``FrozenEstimator`` of a fitted one (then
        it is not refitted). ``None`` means ``MLPRegressor()``. It is cloned, never
        modified.
    <the parameters of both meta-estimators: _SHARED_PARAMETERS>

    Attributes
    ----------
    estimator_ : estimator
        The fitted network (or Pipeline).
    feature_importances_ : ndarray of shape (n_features,)
        ``importances_.importances_mean`` clipped at 0 and normalised to sum to 1.
    importances_ : Importances
        The full result: per output, signed where the method is, with feature names.
        Score-based methods keep negative values here.
    feature_groups_ : list, dict or None
        The groups used: ``feature_groups``, or with ``"auto"`` the dict
        ``{name: columns}`` found at ``fit``.
    neuron_importances_ : ndarray of shape (n_outputs, n_units) or list
        Only with ``method="conductance"``: mean ``|conductance|`` of each hidden unit
        of the chosen layer, per output; a list with one array per hidden layer for
        ``Conductance(layer="all")``.
    interaction_importances_ : Interactions
        Only with ``interactions`` set: the pairwise interactions, one symmetric matrix
        per output (``top_pairs(k)``, ``to_frame()``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when X has string column names.

    See Also
    --------
    ImportanceClassifier : The same for classifiers.
    feature_importances : The same numbers for an already fitted network.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.neural_network import MLPRegressor
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skimportance import ImportanceRegressor
    >>> X, y = make_friedman1(n_samples=300, n_features=6, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(20,), max_iter=2000, random_state=0)
    >>> est = ImportanceRegressor(make_pipeline(StandardScaler(), mlp), method="gradient")
    >>> est = est.fit(X, y)
    >>> est.feature_importances_.shape
    (6,)
    >>> int(est.feature_importances_.argmin())  # y does not depend on the last input
    5

    Stability over refits with three seeds: each input holds one place per refit.

    >>> small = MLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=200,
    ...                      random_state=0)
    >>> refits = ImportanceRegressor(small, n_refits=3, random_state=0).fit(X, y)
    >>> refits.importances_.importances.shape  # 5 permutation repeats per refit
    (6, 15)
    >>> refits.importances_.rank_counts.sum(axis=1)
    array([3, 3, 3, 3, 3, 3])
    >>> bool(0 <= refits.importances_.rank_agreement <= 1)
    True
    """

    _y_numeric = True

    def _default_estimator(self):
        return MLPRegressor()


@_shared_parameters
class ImportanceClassifier(ClassifierMixin, _BaseImportance):
    """Fit a neural network classifier and expose the importances of its inputs.

    The importances come from a pluggable ``method`` (a hyper-parameter like any
    other, so it can be grid-searched), which makes the fitted object usable by
    ``SelectFromModel``, ``RFE`` and anything else that reads ``feature_importances_``.
    Predictions are those of the fitted network. For a binary problem the network has
    one output unit (the probability of ``classes_[1]``); with more classes, one per
    class, and ``importances_.per_output`` has a row for each.

    Parameters
    ----------
    estimator : estimator, default=None
        An ``MLPClassifier``, a ``Pipeline`` whose last step is one and whose earlier
        steps are per-feature scalers, or a ``FrozenEstimator`` of a fitted one (then
        it is not refitted). ``None`` means ``MLPClassifier()``. It is cloned, never
        modified.
    <the parameters of both meta-estimators: _SHARED_PARAMETERS>

    Attributes
    ----------
    estimator_ : estimator
        The fitted network (or Pipeline).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    feature_importances_ : ndarray of shape (n_features,)
        ``importances_.importances_mean`` clipped at 0 and normalised to sum to 1.
    importances_ : Importances
        The full result: per output, signed where the method is, with feature names.
        Score-based methods keep negative values here.
    feature_groups_ : list, dict or None
        The groups used: ``feature_groups``, or with ``"auto"`` the dict
        ``{name: columns}`` found at ``fit``.
    neuron_importances_ : ndarray of shape (n_outputs, n_units) or list
        Only with ``method="conductance"``: mean ``|conductance|`` of each hidden unit
        of the chosen layer, per output; a list with one array per hidden layer for
        ``Conductance(layer="all")``.
    interaction_importances_ : Interactions
        Only with ``interactions`` set: the pairwise interactions, one symmetric matrix
        per output (``top_pairs(k)``, ``to_frame()``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when X has string column names.

    See Also
    --------
    ImportanceRegressor : The same for regressors.
    feature_importances : The same numbers for an already fitted network.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.neural_network import MLPClassifier
    >>> from skimportance import ImportanceClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> mlp = MLPClassifier(hidden_layer_sizes=(10,), max_iter=3000, random_state=0)
    >>> clf = ImportanceClassifier(mlp, method="garson").fit(X, y)
    >>> clf.importances_.per_output.shape
    (3, 4)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    """

    _y_numeric = False

    def _default_estimator(self):
        return MLPClassifier()

    def _set_fitted_extra(self):
        self.classes_ = self.estimator_.classes_

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X, **params):
        """Class probabilities from the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        **params : dict
            Passed to the estimator's ``predict_proba``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        self._check_X(X)
        return self.estimator_.predict_proba(X, **params)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X, **params):
        """Log of the class probabilities from the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        **params : dict
            Passed to the estimator's ``predict_log_proba``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        self._check_X(X)
        return self.estimator_.predict_log_proba(X, **params)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X, **params):
        """Decision function of the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        **params : dict
            Passed to the estimator's ``decision_function``.

        Returns
        -------
        scores : ndarray
        """
        self._check_X(X)
        return self.estimator_.decision_function(X, **params)
