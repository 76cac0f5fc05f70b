"""From the columns of X to the inputs of the network, through a Pipeline's preprocessing.

Per-feature scalers are folded into the first layer (:func:`unwrap_network`). Other
steps (a ``ColumnTransformer`` with a ``OneHotEncoder``, an imputer that adds indicator
columns, ...) change the number or order of the columns; then the network is evaluated
on the transformed data and each encoded column is traced back to the one column of X
that produced it, by changing that column alone and seeing which encoded columns move.
"""

import warnings

import numpy as np

from ._core import NotAnMLPError, final_step, unwrap_network

__all__ = ["with_fitted_names", "network_inputs"]


def with_fitted_names(estimator, X):
    """X with the column names the estimator was fitted with, if any: a ColumnTransformer
    selects columns by name, and others warn about missing names."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None or len(names) != X.shape[1]:
        return X
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - then the names came from another library
        return X
    frame = pd.DataFrame(X, columns=names)
    return frame.infer_objects() if X.dtype == object else frame


def _transform(steps, X):
    out = with_fitted_names(steps[0][1], X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "X has feature names" and the like
        for _, step in steps:
            out = step.transform(out)
    if hasattr(out, "toarray"):
        out = out.toarray()
    return np.asarray(out, dtype=float)


def _differs(A, B):
    """Elementwise A != B, where NaN equals NaN (a missing value passed through)."""
    return (A != B) & ~(np.isnan(A) & np.isnan(B))


def _changed_by(steps, X, Z):
    """``[j, k]``: whether moving column j of X alone changes column k of Z."""
    changed_by = np.zeros((X.shape[1], Z.shape[1]), dtype=bool)
    moved = np.array(X, copy=True)  # one copy: each column is moved, then put back
    for j in range(X.shape[1]):
        moved[:, j] = np.roll(X[:, j], 1)
        changed_by[j] = _differs(_transform(steps, moved), Z).any(axis=0)
        moved[:, j] = X[:, j]
    return changed_by


def _owners(steps, X, Z):
    """For each column of X, the columns of Z it alone produces."""
    changed_by = _changed_by(steps, X, Z)
    shared = np.flatnonzero(changed_by.sum(axis=0) > 1)
    if shared.size:
        k = shared[0]
        sources = np.flatnonzero(changed_by[:, k]).tolist()
        name, step = _mixing_step(steps, X)
        raise NotAnMLPError(
            f"The Pipeline step {name!r} ({type(step).__name__}) makes network inputs that "
            f"mix columns of X: "
            f"network input {k} depends on columns {sources}, so weights, gradients and "
            "profiles cannot be mapped back to X's columns. Use 'permutation', 'ablation' "
            "or 'drop', which disturb X's columns directly, or pass the network and the "
            "transformed data."
        )
    return [np.flatnonzero(row) for row in changed_by]


def _mixing_step(steps, X):
    """The first step one of whose output columns depends on several of its inputs."""
    current = X
    for k, (name, step) in enumerate(steps):
        out = _transform(steps[k:k + 1], current)
        if (_changed_by(steps[k:k + 1], current, out).sum(axis=0) > 1).any():
            return name, step
        current = out
    return steps[-1]


def network_inputs(estimator, X, method_name):
    """The network, the data it sees, and which of its inputs each column of X became.

    Returns
    -------
    net : Network
    X_net : ndarray or None
        X itself when the preprocessing folds into the first layer, else its transform.
    owners : list of ndarray or None
        None when the network's inputs are X's columns; else ``owners[j]`` holds the
        network inputs produced by column j of X.
    """
    steps, final = final_step(estimator)
    # Missing values are the steps' business (an imputer): the network must see their
    # output, so a scaling folded into the first layer cannot stand in for them.
    missing = steps and X is not None and X.dtype.kind == "f" and np.isnan(X).any()
    if not missing:
        try:
            return unwrap_network(estimator, X, method_name=method_name), X, None
        except NotAnMLPError:
            if not steps or not hasattr(final, "coefs_"):
                raise  # not an MLP at all: nothing to trace
    if X is None:
        raise ValueError(
            f"Method {method_name!r} needs X here: the Pipeline's steps before the network "
            "are not per-feature scalers, and X is needed to trace the network's inputs "
            "back to X's columns.")
    net = unwrap_network(final, method_name=method_name)
    try:
        Z = _transform(steps, X)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The Pipeline's steps before the network cannot transform X: "
                         f"{exc}") from exc
    if np.isnan(Z).any():
        raise ValueError(
            f"X has missing values (NaN) that the Pipeline's steps pass on to the network, "
            f"which cannot take them (method {method_name!r}): put an imputer (such as "
            "SimpleImputer) before the network.")
    if Z.shape[1] != net.n_features:
        raise ValueError(f"The Pipeline's steps turn X into {Z.shape[1]} columns, but the "
                         f"network takes {net.n_features}.")
    return net, Z, _owners(steps, X, Z)


def entry_columns(owners, feature_groups):
    """The network inputs behind each entry of the result, or None for one per input.

    ``feature_groups`` (resolved column indices of X, or None for every column alone)
    is mapped through ``owners`` (None: the network's inputs are X's columns).
    """
    if owners is None:
        return feature_groups
    if feature_groups is None:
        feature_groups = [np.array([j]) for j in range(len(owners))]
    return [np.concatenate([owners[j] for j in cols]).astype(int) for cols in feature_groups]
