"""matplotlib is optional: import it only when a plot is drawn, with a clear error."""

__all__ = ["EXTRA", "NAME_WIDTH", "axis_labels", "import_pyplot", "new_axes", "new_figure"]

EXTRA = "pip install matplotlib (or pip install '.[plot]' in skimportance's source tree)"

# Longer feature names are shortened on the axes (distinctly, see shorten_names); the
# results keep the full names.
NAME_WIDTH = 24


def import_pyplot(func_name):
    """Return ``matplotlib.pyplot``, or raise an ImportError naming ``func_name``."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(f"{func_name} needs matplotlib: {EXTRA}") from exc
    return plt


def new_figure(plt, figsize):
    """A new figure with a constrained layout, which keeps long tick labels, legends
    and colour bars inside it when it is saved."""
    return plt.figure(figsize=figsize, layout="constrained")


def new_axes(ax, plt, figsize):
    """``ax`` itself, or the Axes of a new (constrained) figure of size ``figsize``."""
    if ax is None:
        ax = new_figure(plt, figsize).add_subplot()
    return ax


def axis_labels(names, width=NAME_WIDTH):
    """Labels for ``names`` on an axis: at most ``width`` characters, distinct."""
    from .._names import shorten_names

    return shorten_names([str(name) for name in names], width)
