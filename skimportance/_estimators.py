"""Meta-estimators: fit a network, then expose ``feature_importances_``."""

from contextlib import contextmanager

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    _fit_context,
    clone,
)
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._function import feature_importances
from .methods import METHODS, get_method
from .methods._base import check_applicable

__all__ = ["ImportanceClassifier", "ImportanceRegressor"]


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
        "method": [StrOptions(set(METHODS)), HasMethods(["compute"]), callable],
        "scale": ["boolean"],
    }

    def __init__(self, estimator=None, *, method="olden", scale=True):
        self.estimator = estimator
        self.method = method
        self.scale = scale

    def _make_estimator(self):
        if self.estimator is None:
            return self._default_estimator()
        return clone(self.estimator)

    def _inner_fit_params(self, estimator, sample_weight, fit_params):
        if _routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **fit_params)
            return routed.estimator.fit
        params = dict(fit_params)
        if sample_weight is not None:
            # Without metadata routing a Pipeline takes "<step>__sample_weight".
            steps = getattr(estimator, "steps", None)
            key = "sample_weight" if steps is None else f"{steps[-1][0]}__sample_weight"
            params[key] = sample_weight
        return params

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the network, then compute its feature importances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; the importances are computed on it too.
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
            validate_data(self, X, y, dtype=None, ensure_all_finite=False,
                          multi_output=True, y_numeric=self._y_numeric)
            if not self._y_numeric:
                check_classification_targets(y)
            method = get_method(self.method)
            estimator = self._make_estimator()
            check_applicable(method, estimator)
            estimator.fit(X, y, **self._inner_fit_params(estimator, sample_weight, fit_params))
            result = feature_importances(estimator, X, y, method=method, scale=self.scale,
                                         sample_weight=sample_weight)
            self.estimator_ = estimator
            self.importances_ = result
            self.feature_importances_ = result.normalized()
            self._set_fitted_extra()
        return self

    def _set_fitted_extra(self):
        pass

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

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None):
        """Score of the fitted estimator (R^2 for regressors, accuracy for classifiers).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        y : array-like
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        self._check_X(X)
        if sample_weight is None:
            return self.estimator_.score(X, y)
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._make_estimator())
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.target_tags.multi_output = inner.target_tags.multi_output
        return tags


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
    method : str, ImportanceMethod or callable, default="olden"
        ``"weights"``, ``"garson"``, ``"olden"``, ``"gradient"``, an object from
        :mod:`skimportance.methods` (whose parameters can be searched as
        ``method__<param>``) or ``func(fitted_estimator, X, y) -> importances``.
    scale : bool, default=True
        Compute importances as if the inputs had been standardised, with each input's
        standard deviation in the data passed to ``fit``. Set ``False`` for the
        raw-weight numbers of NeuralNetTools and caret.

    Attributes
    ----------
    estimator_ : estimator
        The fitted network (or Pipeline).
    feature_importances_ : ndarray of shape (n_features,)
        ``importances_.importances_mean`` clipped at 0 and normalised to sum to 1.
    importances_ : Importances
        The full result: per output, signed where the method is, with feature names.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
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
    """

    _y_numeric = True

    def _default_estimator(self):
        return MLPRegressor()


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
    method : str, ImportanceMethod or callable, default="olden"
        ``"weights"``, ``"garson"``, ``"olden"``, ``"gradient"``, an object from
        :mod:`skimportance.methods` (whose parameters can be searched as
        ``method__<param>``) or ``func(fitted_estimator, X, y) -> importances``.
    scale : bool, default=True
        Compute importances as if the inputs had been standardised, with each input's
        standard deviation in the data passed to ``fit``. Set ``False`` for the
        raw-weight numbers of NeuralNetTools and caret.

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
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
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
