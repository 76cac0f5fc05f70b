"""matplotlib is optional: import it only when a plot is drawn, with a clear error."""

__all__ = ["EXTRA", "import_pyplot", "new_axes"]

EXTRA = "pip install 'skimportance[plot]'"


def import_pyplot(func_name):
    """Return ``matplotlib.pyplot``, or raise an ImportError naming ``func_name``."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(f"{func_name} needs matplotlib: {EXTRA}") from exc
    return plt


def new_axes(ax, plt, figsize):
    """``ax`` itself, or the Axes of a new figure of size ``figsize`` when it is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax
