"""The result of an interaction computation: one symmetric matrix per output."""

import numpy as np

from .._result import entry_names, output_column

__all__ = ["Interactions", "block_sums", "combine_interactions"]


def block_sums(values, columns, n_columns):
    """Sum the last two axes of ``values`` over the blocks of each pair of entries.

    ``values[..., i, j]`` of the columns become ``out[..., a, b] = sum over i in
    columns[a], j in columns[b]``: the second derivative along the sum of a group's
    columns, the interaction of two encoded variables as the sum over their encoded
    pairs.

    >>> H = np.arange(9.0).reshape(3, 3)
    >>> block_sums(H, [np.array([0]), np.array([1, 2])], 3)
    array([[ 0.,  3.],
           [ 9., 24.]])
    """
    M = np.zeros((n_columns, len(columns)))
    for a, cols in enumerate(columns):
        M[cols, a] = 1.0
    return np.einsum("...ij,ia,jb->...ab", values, M, M, optimize=True)


class Interactions:
    """Pairwise interactions of the inputs, as computed by one method.

    Parameters
    ----------
    per_output : array-like of shape (n_outputs, n_features, n_features)
        The method's symmetric matrix per output unit. Off the diagonal, how strongly
        two inputs act together; on it, what the method gives one input alone (its
        curvature for the Hessian, its interaction with all the others for the H
        statistic: each method's docstring says).
    method : str
        Name of the method that produced it.
    feature_names : array-like of str, default=None
        ``x0, x1, ...`` when not given.
    output_names : array-like, default=None
        Names of the outputs (class labels, target names).
    spread : array-like of shape (n_outputs, n_features, n_features), default=None
        How much each value varies: over rows for per-row methods, over refits and folds
        for the meta-estimators.
    local : ndarray of shape (n_samples, n_outputs, n_features, n_features), default=None
        Per-row values, for methods that have them, with ``return_local=True``.

    Attributes
    ----------
    per_output : ndarray of shape (n_outputs, n_features, n_features)
    summary : ndarray of shape (n_features, n_features)
        Mean over outputs of ``|per_output|``: what the pairs are ranked by.
    spread, local : ndarray or None
    feature_names : ndarray of str
    output_names : ndarray
    method : str

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance.interactions import Interactions
    >>> H = np.array([[[0.0, 2.0, 0.1], [2.0, 0.0, -0.5], [0.1, -0.5, 0.0]]])
    >>> result = Interactions(H, method="hessian", feature_names=["a", "b", "c"])
    >>> result.top_pairs(2)
    [('a', 'b', 2.0), ('b', 'c', 0.5)]
    """

    def __init__(self, per_output, *, method, feature_names=None, output_names=None,
                 spread=None, local=None):
        per_output = np.asarray(per_output, dtype=float)
        if per_output.ndim == 2:
            per_output = per_output[None]
        if per_output.ndim != 3 or per_output.shape[1] != per_output.shape[2]:
            raise ValueError("per_output must have shape (n_outputs, n_features, "
                             f"n_features); got {per_output.shape}.")
        self.per_output = per_output
        self.method = method
        self.feature_names, self.output_names = entry_names(feature_names, output_names,
                                                            per_output.shape)
        self.spread = None if spread is None else np.asarray(spread, dtype=float)
        self.local = local
        self.summary = np.abs(per_output).mean(axis=0)

    @property
    def n_features(self):
        return self.per_output.shape[1]

    def _matrix(self, output):
        if output is None:
            return self.summary
        position = np.flatnonzero(self.output_names == output)
        if isinstance(output, (int, np.integer)) and not position.size:
            if not -len(self.output_names) <= output < len(self.output_names):
                raise ValueError(f"output={output} is out of range: there are "
                                 f"{len(self.output_names)} outputs.")
            return self.per_output[output]
        if not position.size:
            raise ValueError(f"output={output!r} is not one of the outputs "
                             f"{self.output_names.tolist()}.")
        return self.per_output[position[0]]

    def _pairs(self, output=None):
        """Indices (i, j), i < j, of the pairs, strongest first (ties in index order)."""
        values = self._matrix(output)
        i, j = np.triu_indices(self.n_features, k=1)
        order = np.argsort(-np.abs(values[i, j]), kind="stable")
        return i[order], j[order], values[i[order], j[order]]

    def top_pairs(self, k=10, output=None):
        """The ``k`` strongest pairs, as ``(name, name, value)`` tuples.

        Parameters
        ----------
        k : int, default=10
            How many pairs (all of them if fewer).
        output : int or label, default=None
            Rank by one output's matrix (its position or its name) instead of the
            summary; the values are then signed where the method's are.

        Returns
        -------
        pairs : list of tuple
        """
        i, j, values = self._pairs(output)
        return [(str(self.feature_names[a]), str(self.feature_names[b]), float(v))
                for a, b, v in zip(i[:k], j[:k], values[:k])]

    def to_frame(self):
        """The pairs as a long pandas DataFrame, strongest first.

        Columns ``feature_1``, ``feature_2``, ``interaction`` (the summary),
        ``spread`` (mean over outputs, when known), then, with several outputs, one
        column per output with its value (named by its class or target), or with one
        output a ``signed`` column when the values carry a sign.

        Returns
        -------
        frame : pandas.DataFrame
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - exercised only without pandas
            raise ImportError("to_frame needs pandas: pip install pandas") from exc
        i, j, values = self._pairs()
        frame = pd.DataFrame({"feature_1": self.feature_names[i],
                              "feature_2": self.feature_names[j],
                              "interaction": values})
        if self.spread is not None:
            frame["spread"] = self.spread.mean(axis=0)[i, j]
        if len(self.output_names) > 1:
            for name, matrix in zip(self.output_names, self.per_output):
                frame[output_column(name)] = matrix[i, j]
        elif np.any(self.per_output < 0):
            frame["signed"] = self.per_output[0][i, j]
        return frame

    def __repr__(self):
        top = ", ".join(f"{a}*{b}={v:.3g}" for a, b, v in self.top_pairs(3))
        return (f"Interactions(method={self.method!r}, n_features={self.n_features}, "
                f"top pairs: {top})")


def combine_interactions(results):
    """One Interactions from those of several folds or refits: their mean.

    ``spread`` is then the standard deviation over the results (ddof=1), how much the
    matrix moves from fold to fold or refit to refit; a single result is returned as it
    is.
    """
    if len(results) == 1:
        return results[0]
    values = np.stack([result.per_output for result in results])
    first = results[0]
    return Interactions(values.mean(axis=0), method=first.method,
                        feature_names=first.feature_names,
                        output_names=first.output_names, spread=values.std(axis=0, ddof=1))
