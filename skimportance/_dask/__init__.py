"""Importances of data held as a ``dask.array``: computed block by block, never gathered.

:func:`skimportance._dispatch.run_method` (and the interactions' dispatch) hand a dask
``X`` here. The methods that stream rows are computed in two steps: the global
quantities first (the spread of each input for ``scale=True``, a baseline's mean, the
constants of ablation), then per block of rows (``X``'s row chunks) the sufficient
statistics of the result: weighted sums, Chan et al.'s (count, mean, sum of squared
deviations) for a standard deviation, :class:`~skimportance._moments.ColumnMoments`
for the spread of the inputs. Blocks are merged pairwise in a tree of tasks, so the
client only ever receives the merged statistics (arrays of the size of the result).
Each block runs the same in-memory code as a numpy ``X``, so the numbers equal the
in-memory ones to rounding.

Per-row values (``return_local=True``) stay lazy: ``result.local`` is a dask array,
computed (by a second pass over the blocks) when asked for.

dask is an optional dependency (``pip install skimportance[dask]``), imported only
when a dask array is passed.

The modules, one concern each so that a method's maths fits one screen:

- ``_blocks``: checks of ``X``, ``y``, ``sample_weight``; the row blocks; the tree of
  merges and the merge of each statistic; the pass over the network's inputs.
- ``_rows``: the gradient family, the row-wise methods (input x gradient, DeepLIFT,
  the path methods) and the weight methods.
- ``_hessian``: the Hessian's interactions.
- ``_scores``: permutation and ablation, from scores that are sums over rows.
- ``_run``: the entry points, choosing among these.
"""

from ._blocks import is_dask_array
from ._run import run_dask, run_dask_interactions

__all__ = ["is_dask_array", "run_dask", "run_dask_interactions"]
