"""Short labels for long feature names that stay distinct: for tables and plot axes."""

import re

__all__ = ["shorten_names"]

# Where a name breaks into words: the tail kept after the ellipsis starts at one.
_WORD_BREAK = re.compile(r"[_\-\s.:/]+")


def _default_tail(name, keep):
    """Characters of ``name`` kept after the ellipsis when nothing else decides: its last
    word if that takes at most half of the room (rounded up), else half of the room."""
    words = [piece for piece in _WORD_BREAK.split(name) if piece]
    last = len(words[-1]) if words else 0
    return last if 0 < last <= (keep + 1) // 2 else keep // 2


def _cut(name, head, keep, ellipsis):
    return name[:head] + ellipsis + name[len(name) - (keep - head):]


def shorten_names(names, width, *, ellipsis="…"):
    """Labels of at most ``width`` characters for ``names``, distinct when the names are.

    A name that fits is kept as it is. A longer one keeps its beginning and its end
    around ``ellipsis``: by default its last word (after ``_``, ``-``, a space, ``.``,
    ``:`` or ``/``) when that takes at most half of the room, else equal halves, so a
    prefix that many names share does not use up the label. Where two labels would
    still be equal (or equal to a name kept whole), the cut of the names concerned
    moves, as little as possible, until they differ; if no cut separates them, a number
    replaces the end of the later ones.

    Parameters
    ----------
    names : iterable of str
        The names; other objects are converted with ``str``.
    width : int
        The largest length of a label; at least ``len(ellipsis) + 2``.
    ellipsis : str, default="…"
        What marks the cut (one character, U+2026, by default; ``"..."`` for ASCII).

    Returns
    -------
    labels : list of str
        One label per name, in order. Equal names get equal labels; different names get
        different labels.

    Examples
    --------
    >>> from skimportance._names import shorten_names
    >>> shorten_names(["temperature_sensor_north", "temperature_sensor_south", "wind"], 10)
    ['temp…north', 'temp…south', 'wind']

    Names that differ only in the middle keep their common end and show the difference:

    >>> shorten_names(["temperature_sensor_north_2021", "temperature_sensor_south_2021"], 12)
    ['tem…rth_2021', 'tem…uth_2021']
    >>> shorten_names(["a_very_long_name", "b"], 8, ellipsis="...")
    ['a_v...me', 'b']
    """
    names = [str(name) for name in names]
    width = int(width)
    if width < len(ellipsis) + 2:
        raise ValueError(f"width must be at least {len(ellipsis) + 2} (the ellipsis "
                         f"{ellipsis!r} and a character on each side); got {width}.")
    keep = width - len(ellipsis)
    unique = list(dict.fromkeys(names))
    heads = {name: keep - _default_tail(name, keep) for name in unique if len(name) > width}
    numbered = {}

    def label(name):
        if len(name) <= width:
            return name
        if name in numbered:
            return numbered[name]
        return _cut(name, heads[name], keep, ellipsis)

    # Each pass makes one group of equal labels distinct from every other label, so the
    # number of such groups falls by one per pass.
    for _ in range(len(unique) + 1):
        groups = {}
        for name in unique:
            groups.setdefault(label(name), []).append(name)
        clash = next((group for group in groups.values() if len(group) > 1), None)
        if clash is None:
            break
        movable = [name for name in clash if len(name) > width and name not in numbered]
        taken = {label(name) for name in unique if name not in movable}
        head = _separating_head(movable, heads[movable[0]], keep, ellipsis, taken)
        if head is not None:
            heads.update(dict.fromkeys(movable, head))
            continue
        # No cut separates them: all but one (or all, if the clash is with a name kept
        # whole) end in a number instead.
        used = {label(name) for name in unique}
        number = 2
        for name in movable[len(movable) == len(clash):]:
            while True:
                suffix = str(number)
                number += 1
                text = name[:keep - len(suffix)] + ellipsis + suffix
                if text not in used:
                    break
            numbered[name] = text
            used.add(text)
    return [label(name) for name in names]


def _separating_head(movable, current, keep, ellipsis, taken):
    """The length of the beginning kept, closest to ``current``, that makes the labels
    of ``movable`` distinct from each other and from ``taken``, or None."""
    shortest = min(len(name) for name in movable)
    order = sorted(range(1, keep), key=lambda head: (abs(head - current), -head))
    for head in order:
        if keep - head > shortest:
            continue
        texts = [_cut(name, head, keep, ellipsis) for name in movable]
        if len(set(texts)) == len(texts) and not set(texts) & taken:
            return head
    return None
