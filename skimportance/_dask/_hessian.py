"""The Hessian's interactions on a dask ``X``: its row summaries merged over blocks.

Each block gives the mean, spread, root mean square, mean and maximum absolute value of
its rows' Hessians as mergeable sums; only these (arrays of the size of the result)
reach the client.
"""

import numpy as np

from ..network import entry_columns
from ._blocks import _add, _blocks, _inputs, _network, _sigma, _tree, _weight


def _hessian_block(method, estimator, Xb, wb, sigma, entries):
    """A block's Hessian summary as mergeable sums (``row_summary``'s, per block)."""
    from ..network import hessian_batches, row_summary

    W = _weight(Xb, wb)
    if W == 0:
        return {"chan": (0.0, 0.0, 0.0), "rms": 0.0, "mean_abs": 0.0, "max_abs": 0.0}
    net, X_net, _ = _network(method, estimator, Xb)
    batches = hessian_batches(net, X_net, method.output, entries=entries, scale=sigma,
                              n_jobs=method.n_jobs)
    one = row_summary(batches, len(X_net), wb)
    return {"chan": (W, one["mean"], one["std"] ** 2 * W), "rms": one["rms"] ** 2 * W,
            "mean_abs": one["mean_abs"] * W, "max_abs": one["max_abs"]}


def _hessian(method, estimator, X, sample_weight, scale, groups, names, return_local):
    import dask
    from dask import delayed

    from ..methods._base import output_names

    if return_local:
        raise ValueError("return_local=True is not available for interactions on a dask "
                         "X (n_samples x n_outputs x E x E values); compute them on a "
                         "sample in memory.")
    net, first, _ = _network(method, estimator, X[:1].compute())
    total = _inputs(method, estimator, X, sample_weight)
    sigma = _sigma(total["moments"]) if scale else np.ones(net.n_features)
    entries = entry_columns(total["owners"], groups)
    Xs, ws = _blocks(X, sample_weight)
    block = delayed(_hessian_block, pure=False)
    (total,) = dask.compute(_tree([block(method, estimator, Xb, wb, sigma, entries)
                                   for Xb, wb in zip(Xs, ws)], _add))
    count, mean, m2 = total["chan"]
    if count <= method.ddof:
        raise ValueError(f"The standard deviation with ddof={method.ddof} needs rows whose "
                         f"weights sum to more than {method.ddof}; they sum to {count:g}.")
    summary = {"mean": mean, "std": np.sqrt(m2 / (count - method.ddof)),
               "rms": np.sqrt(total["rms"] / count), "mean_abs": total["mean_abs"] / count}
    if not np.any(total["max_abs"]) or net.activation in ("relu", "identity"):
        # The method's warnings on what a zero or output-only Hessian means, said once.
        method._matrices(net, first, sigma, None, False, entries)
    from ..interactions._result import Interactions

    return Interactions(summary[method.aggregate], method=method.name, feature_names=names,
                        output_names=output_names(estimator, net.n_outputs),
                        spread=summary["std"])
