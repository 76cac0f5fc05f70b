"""The contract every importance method follows."""

import threading

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import gen_batches

from .._groups import combine_columns
from .._moments import ColumnMoments
from ..network import (
    CACHE_BYTES,
    NotAnMLPError,
    entry_columns,
    final_step,
    is_mlp,
    network_inputs,
    threaded_chunks,
)
from .._result import Importances
from ._registry import methods_for_any_estimator

__all__ = [
    "ImportanceMethod", "Inputs", "NetworkMethod", "check_applicable", "column_scale",
    "output_names",
    "sample_weight_params",
]


# Bytes of one chunk of rows in column_scale: its only copy of the data is one chunk
# of scaled values per thread, so its extra memory stays a few MiB however many rows X has.
_SCALE_CHUNK_BYTES = CACHE_BYTES // 8


def column_scale(X, sample_weight=None):
    """Standard deviation of each column (weighted when sample_weight is given).

    Computed in chunks of rows shared between threads (extra memory: one chunk of about
    1 MiB per thread, whatever the size of X) and merged in order (``ColumnMoments``), each
    chunk's columns divided first by the power of two at their largest ``|x|``, so that
    any finite values, however large or small, give a finite sigma. A constant column has
    sigma 0.

    Raises
    ------
    ValueError
        If X contains NaN or infinite values.

    Examples
    --------
    >>> import numpy as np
    >>> column_scale(np.array([[1.0, 5.0, 1e200], [3.0, 5.0, -1e200]])).tolist()
    [1.0, 0.0, 1e+200]
    """
    n_rows, n_columns = X.shape
    step = max(1, _SCALE_CHUNK_BYTES // (8 * max(n_columns, 1)))
    buffers = threading.local()  # one chunk-sized buffer per thread, reused

    def moments(rows):
        if getattr(buffers, "array", None) is None:
            buffers.array = np.empty((min(step, n_rows), n_columns))
        part = X[rows]
        weights = None if sample_weight is None else sample_weight[rows]
        return ColumnMoments.of(part, weights, buffer=buffers.array[: len(part)])

    total = None
    for _, chunk in threaded_chunks(moments, gen_batches(n_rows, step)):
        total = chunk if total is None else total.merge(chunk)
    return total.checked_std()


def sample_weight_params(estimator, sample_weight):
    """Fit parameters that pass ``sample_weight`` to an estimator without metadata routing:
    a Pipeline takes it as ``<last step>__sample_weight``."""
    if sample_weight is None:
        return {}
    steps = getattr(estimator, "steps", None)
    return {"sample_weight" if steps is None else f"{steps[-1][0]}__sample_weight":
            sample_weight}


def output_names(estimator, n_outputs):
    """Class labels for a classifier's output units, None (default names) otherwise."""
    classes = getattr(estimator, "classes_", None)
    if classes is None or np.ndim(classes) != 1:
        return None
    if len(classes) == n_outputs:
        return classes
    if len(classes) == 2 and n_outputs == 1:
        return classes[1:]  # one logistic unit: the probability of the positive class
    return None


def check_applicable(method, estimator):
    """Raise a clear error, naming the methods that do apply, if method cannot read estimator.

    Works on unfitted estimators too, so a meta-estimator can fail before fitting.
    """
    if not method.needs_network:
        return
    _, final = final_step(estimator)
    if is_mlp(final):
        return
    others = ", ".join(repr(m) for m in methods_for_any_estimator())
    raise NotAnMLPError(
        f"Method {method.name!r} reads the weights of a neural network, so it needs an "
        f"MLPRegressor or MLPClassifier (or a Pipeline ending in one); got "
        f"{type(final).__name__}. Methods that work with any fitted estimator: "
        f"{others + ', or ' if others else ''}a callable (estimator, X, y) -> importances."
    )


class Inputs:
    """What a method computes on, validated once by the dispatcher
    (:func:`skimportance._dispatch.run_method`): the same for every method.

    ``X``, ``y`` and ``sample_weight`` are arrays (or None); ``feature_groups`` the
    resolved column indices of each entry of the result (None: every column alone);
    ``feature_names`` the entries' names; ``X_train``, ``y_train`` and ``fit_params``
    the training data of methods that refit (None: X and y).
    """

    def __init__(self, estimator, X=None, y=None, *, scale=True, sample_weight=None,
                 feature_names=None, feature_groups=None, return_local=False,
                 X_train=None, y_train=None, fit_params=None):
        self.estimator = estimator
        self.X = X
        self.y = y
        self.scale = scale
        self.sample_weight = sample_weight
        self.feature_names = feature_names
        self.feature_groups = feature_groups
        self.return_local = return_local
        self.X_train = X_train
        self.y_train = y_train
        self.fit_params = fit_params


class ImportanceMethod(BaseEstimator):
    """Base class of the importance methods: the contract every method follows.

    A method is a small scikit-learn style object: its constructor only stores
    parameters, so ``get_params``, ``set_params`` and ``clone`` work and its parameters
    can be grid-searched (``method__aggregate``). It declares what it needs and what it
    gives in the class attributes below (callers read these, never probe), and fills
    in :meth:`_compute`; :meth:`compute` is the template that checks the parameters and
    the inputs the method declares it needs, then calls it.

    Attributes
    ----------
    name : str
        The string that selects the method, e.g. ``"garson"``.
    needs_network : bool
        Reads the weights of an MLP (else works with any fitted estimator).
    needs_X : bool
        Evaluates the model on data.
    needs_y : bool
        Scores the model against the true targets.
    needs_training_data : bool
        Refits the model, on ``X_train, y_train`` (the meta-estimators pass each
        fold's).
    signed : bool
        ``per_output`` carries a direction (its sign), not only a magnitude.
    has_local : bool
        Gives per-row values with ``return_local=True``.
    has_units : bool
        Gives values of hidden units (``neuron_importances``).
    has_repeats : bool
        ``importances`` holds several samples per input (repeats of a random draw).
    random : bool
        Draws random numbers, controlled by its ``random_state`` parameter.
    """

    name = None
    needs_network = True
    needs_X = False
    needs_y = False
    needs_training_data = False
    signed = False
    has_local = False
    has_units = False
    has_repeats = False
    random = False
    _parameter_constraints: dict = {}

    def compute(self, estimator, X=None, y=None, *, scale=True, sample_weight=None,
                feature_names=None, feature_groups=None, return_local=False,
                X_train=None, y_train=None, fit_params=None):
        """Compute the importances of a fitted estimator's inputs.

        Parameters
        ----------
        estimator : fitted estimator
            An MLP, a Pipeline ending in one, or a FrozenEstimator of either (any
            fitted estimator for methods with ``needs_network=False``).
        X : ndarray of shape (n_samples, n_features), default=None
            Validated data.
        y : ndarray, default=None
            Targets, for methods that score.
        scale : bool, default=True
            Compute as if the inputs had been standardised.
        sample_weight : ndarray of shape (n_samples,), default=None
            Row weights for the spread of the inputs and for averages over rows.
        feature_names : array-like of str, default=None
            Names of the result's entries: the inputs, or the groups when
            ``feature_groups`` is given.
        feature_groups : list of ndarray of int, default=None
            Columns of X to rank together, one array per entry of the result (see
            :func:`skimportance.feature_importances`); None ranks every column alone.
        return_local : bool, default=False
            Also give per-row values (methods with ``has_local``).
        X_train, y_train : array-like, default=None
            Training data of methods that refit; None means X and y.
        fit_params : dict, default=None
            Passed to each refit's ``fit``.

        Returns
        -------
        result : Importances
            A dict ``{scorer name: Importances}`` for a score-based method given
            several scorers.
        """
        self._validate_params()
        self.check_inputs(X, y, return_local)
        return self._compute(Inputs(
            estimator, X, y, scale=scale, sample_weight=sample_weight,
            feature_names=feature_names, feature_groups=feature_groups,
            return_local=return_local, X_train=X_train, y_train=y_train,
            fit_params=fit_params))

    def check_inputs(self, X, y, return_local=False):
        """Raise a clear error if an input the method declares it needs is missing."""
        if self.needs_X and X is None:
            raise ValueError(f"Method {self.name!r} needs X: {self._why_X}.")
        if self.needs_y and y is None:
            raise ValueError(f"Method {self.name!r} scores the model, so it needs the true "
                             "targets y.")
        if return_local and not self.has_local:
            from ._registry import METHODS

            local = sorted(name for name, cls in METHODS.items() if cls.has_local)
            raise ValueError(
                f"return_local=True needs a method with per-row values ({', '.join(local)}); "
                f"method {self.name!r} has none.")

    _why_X = "it evaluates the model on data"

    def check(self, estimator, *, single_result=False):
        """Raise a clear error if the method cannot run on ``estimator`` (fitted or not).

        The meta-estimators call it before fitting anything. ``single_result``: the
        caller needs one result (not one per scorer).
        """
        check_applicable(self, estimator)

    def _compute(self, inputs):
        """Return the Importances of ``inputs`` (an :class:`Inputs`)."""
        raise NotImplementedError


class NetworkMethod(ImportanceMethod):
    """A method computed from the layers of a fitted MLP (weights and gradients).

    Subclasses implement ``_per_output(net, X, sigma, sample_weight)``: the
    ``(n_outputs, n_features)`` values for inputs measured in units of ``sigma``.
    """

    def _network(self, estimator, X):
        """The network, the data it sees and which of its inputs each column of X became."""
        check_applicable(self, estimator)
        net, X_net, owners = network_inputs(estimator, X, self.name)
        if X_net is not None and X_net.shape[1] != net.n_features:
            raise ValueError(
                f"X has {X_net.shape[1]} features, but the network takes {net.n_features}."
            )
        return net, X_net, owners

    def _compute(self, inputs):
        X, sample_weight = inputs.X, inputs.sample_weight
        if X is None and inputs.scale:
            raise ValueError(
                f"Method {self.name!r} needs X: scale=True needs the standard deviation "
                "of each input; pass X, or scale=False for raw-weight importances.")
        net, X_net, owners = self._network(inputs.estimator, X)
        sigma = column_scale(X_net, sample_weight) if inputs.scale else np.ones(net.n_features)
        per_output = self._per_output(net, X_net, sigma, sample_weight)
        columns = entry_columns(owners, inputs.feature_groups)
        if columns is not None:
            per_output = combine_columns(per_output, columns)
        if len(per_output) == net.n_outputs:
            names = output_names(inputs.estimator, net.n_outputs)
        else:
            names = ["all outputs"]
        return Importances(per_output, method=self.name, feature_names=inputs.feature_names,
                           output_names=names)

    def _per_output(self, net, X, sigma, sample_weight):
        """Return the (n_outputs, n_features) values, inputs measured in units of sigma."""
        raise NotImplementedError
