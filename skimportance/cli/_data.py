"""The data of the command line tool: the built-in diabetes set or a user's CSV file,
and CLIError, a problem with the user's input.

Read with the ``csv`` module, so the command needs no pandas: the delimiter is sniffed
(``,``, ``;``, tab or ``|``), a pandas index column and columns that look like row ids
are set aside, blank cells and text columns are kept for the pipeline to impute and
one-hot encode.
"""

import csv
import io
import math
import os
import re

import numpy as np

__all__ = ["CLIError", "Dataset", "id_like_name", "load_csv", "load_diabetes_data",
           "sniff_delimiter"]

MIN_ROWS = 10
# An integer target with at most this many values is a classification (0/1, yes coded
# 1/2); with more it is a regression (a 1-8 rating is not 8 classes) unless --task says.
MAX_CLASSES_WITHOUT_TASK = 2
# Up to this many integer values, the header says that a regression was chosen.
MAX_CLASSES_FOR_INTEGER_TARGET = 10
# Column names that say the column identifies rows (besides *_id, id_*, CustomerID).
ID_NAMES = frozenset({"id", "index", "unnamed: 0", "row_id", "rowid"})
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none"})
# The largest |value| accepted in a feature column or a regression target. The scaler and
# the network square the values (variances, squared errors, Adam's second moments), and
# x**2 overflows a float64 above about 1.3e154; at 1e150 the squares stay below 1e300,
# so sums of them over up to 1e8 rows still fit. No measurement needs more: rescale.
MAX_ABS_VALUE = 1e150
# Integers above 2**53 are not exact in a float64: such a target is not a set of labels.
MAX_EXACT_INTEGER = 2.0**53


class CLIError(Exception):
    """A problem with the user's input: reported as one line, exit code 2."""


class Dataset:
    """Features, target and how to describe them.

    ``X`` is a float array (NaN for blank cells) or, with text columns, an object array
    whose ``text_columns`` hold strings; ``notes`` say what the reading dropped,
    imputed or encoded, ``task_note`` how an integer target was read.
    """

    def __init__(self, X, y, feature_names, label, task, target_name=None, *,
                 text_columns=(), n_missing=0, notes=(), task_note=None, delimiter=None):
        self.X = X
        self.y = y
        self.feature_names = list(feature_names)
        self.label = label
        self.task = task  # "regression" or "classification"
        self.target_name = target_name
        self.text_columns = list(text_columns)
        self.n_missing = n_missing
        self.notes = list(notes)
        self.task_note = task_note
        self.delimiter = delimiter

    @property
    def needs_encoding(self):
        """Whether the pipeline must impute or one-hot encode before the network."""
        return bool(self.text_columns) or self.n_missing > 0


def load_diabetes_data():
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes()
    return Dataset(bunch.data, bunch.target, bunch.feature_names,
                   "load_diabetes", "regression", "disease progression")


def _is_missing(text):
    return text.strip().lower() in MISSING_TOKENS


def _parse_number(text, decimal_comma=False):
    """The float in ``text``, or None when it is not a finite number; with
    ``decimal_comma``, "1,5" is 1.5 too."""
    try:
        value = float(text)
    except ValueError:
        if not (decimal_comma and DECIMAL_COMMA.match(text)):
            return None
        value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


DELIMITERS = (",", ";", "\t", "|")
SNIFF_CHARS = 65536  # the sample the delimiter is guessed from
# A decimal comma, as in "1,5" (files separated by ";" use them).
DECIMAL_COMMA = re.compile(r"^\s*[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?\s*$")


def _field_counts(lines, delimiter):
    return [len(record) for record in csv.reader(lines, delimiter=delimiter) if record]


def sniff_delimiter(text):
    """The delimiter of a CSV text: csv.Sniffer's guess among ``,;<tab>|``, checked, and
    replaced by the candidate that splits the header into the most columns with the same
    count on every sampled row when the guess does not (a ``;`` file with decimal
    commas can look like a ``,`` file to the sniffer). ``,`` when nothing fits."""
    lines = text[:SNIFF_CHARS].splitlines()
    if len(text) > SNIFF_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut
    lines = [line for line in lines if line.strip()][:50]
    if not lines:
        return ","
    try:
        guess = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        guess = ","
    best, best_columns = ",", 1
    for delimiter in (guess, *(d for d in DELIMITERS if d != guess)):
        counts = _field_counts(lines, delimiter)
        if counts and len(set(counts)) == 1 and counts[0] > best_columns:
            best, best_columns = delimiter, counts[0]
    return best


def _read_rows(path, sep=None):
    """Header and data rows of a CSV file, the file line of each data row, and the
    delimiter (``sep``, or the sniffed one)."""
    if not os.path.exists(path):
        raise CLIError(f"file not found: {path}")
    if os.path.isdir(path):
        raise CLIError(f"{path} is a directory, not a CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise CLIError(f"{path} is not a UTF-8 text file") from None
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror or exc}") from None
    delimiter = sep if sep is not None else sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = None
        rows, lines = [], []
        for record in reader:
            if not record or all(not field.strip() for field in record):
                continue  # blank line
            if header is None:
                header = [field.strip() for field in record]
                continue
            rows.append(record)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise CLIError(f"{path} is not a valid CSV file: {exc}") from None
    if header is None:
        raise CLIError(f"{path} is empty: a header row and at least {MIN_ROWS} data rows "
                       "are needed")
    return header, rows, lines, delimiter


def _check_header(header, path, skip=()):
    for position, name in enumerate(header, start=1):
        if not name and position - 1 not in skip:
            raise CLIError(f"column {position} of the header row of {path} has no name")
    seen = set()
    for position, name in enumerate(header):
        if position in skip:
            continue
        if name in seen:
            raise CLIError(f"column name {name!r} appears more than once in the header "
                           f"of {path}")
        seen.add(name)


def _target_task(values, task=None, decimal_comma=False):
    """(task, labels or numbers, note) for the target column's strings.

    Text labels make a classification; numbers a regression, except integers with at
    most MAX_CLASSES_WITHOUT_TASK distinct values (0/1, 1/2: two classes). Integers with
    a few more values (a 1-8 rating) stay a regression, with a note saying so, unless
    ``task`` is "classification". ``task`` ("regression", "classification" or None for
    the rule) decides when given; a task the values cannot be raises CLIError.
    """
    numbers = [_parse_number(text, decimal_comma) for text in values]
    if any(number is None for number in numbers):
        if task == "regression":
            row = next(i for i, number in enumerate(numbers) if number is None)
            raise CLIError(f"--task regression needs numbers in the target column, but "
                           f"data row {row + 1} has {values[row].strip()!r}")
        return "classification", np.asarray([text.strip() for text in values],
                                            dtype=object), None
    numbers = np.asarray(numbers, dtype=float)
    whole = (numbers == np.round(numbers)) & (np.abs(numbers) <= MAX_EXACT_INTEGER)
    integer = bool(np.all(whole))
    if task == "regression":
        return "regression", numbers, None
    if task == "classification":
        if not integer:
            row = int(np.flatnonzero(~whole)[0])
            raise CLIError(f"--task classification needs class labels (text or integers), "
                           f"but the target has {values[row].strip()!r} at data row "
                           f"{row + 1}")
        return "classification", numbers.astype(np.int64), None
    distinct = np.unique(numbers).size
    if integer and distinct <= MAX_CLASSES_WITHOUT_TASK:
        return "classification", numbers.astype(np.int64), None
    note = None
    if integer and distinct <= MAX_CLASSES_FOR_INTEGER_TARGET:
        note = (f"the target holds {distinct} integer values ({numbers.min():.0f} to "
                f"{numbers.max():.0f}): analysed as a regression (a rating or a count); "
                f"--task classification treats them as {distinct} classes")
    return "regression", numbers, note


def _too_large(column, text, row_number, line):
    limit = f"{MAX_ABS_VALUE:.0e}".replace("e+", "e")  # 1e150
    return (f"{column} has values too large (|value| > {limit}), e.g. "
            f"{text.strip()!r} at data row {row_number} (line {line}): rescale it")


def id_like_name(name):
    """Whether a column's name says it identifies rows: id, ID, *_id, CustomerID,
    index, Unnamed: 0 (pandas' name for an unnamed index column)."""
    low = name.strip().lower()
    return (low in ID_NAMES or low.endswith(("_id", "-id", " id", ".id"))
            or low.startswith(("id_", "id-", "id "))
            or (len(name) > 2 and name.endswith("ID") and name[-3].islower()))


def _id_like_values(kind, values):
    """Why a column's values identify rows rather than measure something, or None:
    a different text in every row, or a different integer in every row that counts the
    rows (consecutive) or increases down the file."""
    n = len(values)
    if kind == "text":
        present = [value for value in values if isinstance(value, str)]
        if len(present) == n and len(set(present)) == n:
            return "a different text in every row"
        return None
    if np.isnan(values).any() or not np.all(values == np.round(values)):
        return None
    if np.unique(values).size != n:
        return None
    if values.max() - values.min() == n - 1:
        return "a different integer in every row, consecutive: a row number"
    if np.all(np.diff(values) > 0):
        return "a different integer in every row, increasing down the file"
    return None


def _named_columns(header, names, option, path, target):
    """Positions of the columns given to an option (--index-col, --drop, --keep)."""
    positions = []
    for name in names:
        if name not in header:
            raise CLIError(f"{option}: column {name!r} is not in {path}; available "
                           f"columns: {', '.join(n for n in header if n)}")
        if name == target:
            raise CLIError(f"{option}: {name!r} is the target column")
        positions.append(header.index(name))
    return positions


def load_csv(path, target, *, sep=None, index_col=None, drop=(), keep=(), task=None):
    """The Dataset of a CSV file: ``target`` is the column to predict, the others are
    the features, except the row index (an unnamed first column, ``index_col``), the
    ``drop`` columns and columns that look like row ids (not in ``keep``). Blank cells
    stay NaN and text columns stay text, for the pipeline to impute and encode. Raises
    CLIError, naming the row and line, on anything unusable; ``Dataset.notes`` says
    what was dropped, imputed and encoded."""
    header, rows, lines, delimiter = _read_rows(path, sep)
    # Semicolons separate the fields where the comma is the decimal mark; in a tab file
    # "1,000" may as well be a thousand, so only ";" files read "1,5" as 1.5.
    decimal_comma = delimiter == ";"
    notes = []
    index = [0] if header[0] == "" and len(header) > 1 else []
    if index:
        notes.append("the first column has no name: read as the row index (as pandas' "
                     "to_csv writes it), not as a feature")
    _check_header(header, path, skip=index)
    _check_table(header, rows, lines, path, target)
    target_index = header.index(target)
    if index_col is not None:
        index += [j for j in _named_columns(header, [index_col], "--index-col", path, target)
                  if j not in index]
    dropped = set(index) | set(_named_columns(header, drop, "--drop", path, target))
    kept = set(_named_columns(header, keep, "--keep", path, target))
    overlap = sorted(dropped & kept)
    if overlap:
        raise CLIError(f"--keep {header[overlap[0]]!r}: the column is also dropped "
                       "(--drop or --index-col)")
    targets = [record[target_index] for record in rows]
    _check_target_cells(targets, lines, target)
    columns = {}
    for j in range(len(header)):
        if j == target_index or j in dropped:
            continue
        kind, values = _column([record[j] for record in rows], header[j], lines,
                               decimal_comma)
        if np.all(_missing_mask(kind, values)):
            notes.append(f"column {header[j]!r} is empty: dropped")
            continue
        why = None if j in kept else (
            "its name says it identifies rows" if id_like_name(header[j])
            else _id_like_values(kind, values))
        if why:
            notes.append(f"column {header[j]!r} looks like a row id ({why}): dropped, "
                         f"not ranked; --keep {_quoted(header[j])} ranks it")
            continue
        columns[j] = (kind, values)
    if not columns:
        raise CLIError(f"{path} has no feature columns left besides the target {target!r}"
                       + (" (" + "; ".join(notes) + ")" if notes else ""))
    task_name, y, task_note = _target(targets, lines, target, task, decimal_comma)
    feature_names = [header[j] for j in columns]
    text_columns = [k for k, (kind, _) in enumerate(columns.values()) if kind == "text"]
    if text_columns:
        X = np.empty((len(rows), len(columns)), dtype=object)
        for k, (_, values) in enumerate(columns.values()):
            X[:, k] = values
    else:
        X = np.column_stack([values for _, values in columns.values()])
    missing = np.column_stack([_missing_mask(kind, values)
                               for kind, values in columns.values()])
    n_missing = int(missing.sum())
    if n_missing:
        where = [name for name, column in zip(feature_names, missing.T) if column.any()]
        notes.append(f"{n_missing} blank cell{'s' if n_missing > 1 else ''} in "
                     f"{_listing(where)}: imputed inside the pipeline, from each fold's "
                     "training rows (median of numbers, most frequent text)")
    if text_columns:
        counts = [f"{feature_names[k]} ({len(_categories(X[:, k]))} values)"
                  for k in text_columns]
        notes.append(f"text column{'s' if len(counts) > 1 else ''} {_listing(counts)}: "
                     "one-hot encoded inside the pipeline; each ranks as one column")
    _check_variation([values for _, values in columns.values()], y, task_name, path,
                     target)
    return Dataset(X, y, feature_names, os.path.basename(path), task_name, target,
                   text_columns=text_columns, n_missing=n_missing, notes=notes,
                   task_note=task_note, delimiter=delimiter)


def _quoted(name):
    return name if name.replace("_", "").replace("-", "").isalnum() else repr(name)


def _listing(names, most=6):
    names = [str(name) for name in names]
    if len(names) > most:
        return ", ".join(names[:most]) + f" and {len(names) - most} more"
    return ", ".join(names)


def _categories(values):
    return {value for value in values if isinstance(value, str)}


def _missing_mask(kind, values):
    if kind == "text":
        return np.array([not isinstance(value, str) for value in values])
    return np.isnan(values)


def _check_table(header, rows, lines, path, target):
    """The header names the target and a feature; every row has one field per column."""
    if target not in header:
        available = ", ".join(name for name in header if name)
        raise CLIError(f"target column {target!r} is not in {path}; available columns: "
                       f"{available}")
    if len(header) < 2:
        raise CLIError(f"{path} has no feature columns besides the target {target!r}")
    n_columns = len(header)
    for row_number, (record, line) in enumerate(zip(rows, lines), start=1):
        if len(record) != n_columns:
            raise CLIError(f"data row {row_number} (line {line}) of {path} has "
                           f"{len(record)} fields, but the header has {n_columns}")
    if len(rows) < MIN_ROWS:
        raise CLIError(f"{path} has {len(rows)} data rows; at least {MIN_ROWS} are "
                       "needed")


def _check_target_cells(targets, lines, target):
    for row_number, (text, line) in enumerate(zip(targets, lines), start=1):
        if _is_missing(text):
            raise CLIError(f"missing value in target column {target!r} at data row "
                           f"{row_number} (line {line}); drop the row first")


def _column(texts, name, lines, decimal_comma):
    """("number", floats with NaN for blanks) or ("text", strings with NaN for blanks).

    A column is text when at most half of its filled cells are numbers; a number
    column with a few cells that are not (a typo, "n.a.") is an error naming the first.
    """
    values = np.full(len(texts), np.nan)
    bad = []
    for row, text in enumerate(texts):
        if _is_missing(text):
            continue
        value = _parse_number(text, decimal_comma)
        if value is None:
            bad.append(row)
        else:
            values[row] = value
    filled = int(np.sum(~np.isnan(values))) + len(bad)
    if bad and len(bad) * 2 <= filled:
        row = bad[0]
        kind = "finite" if _is_float(texts[row]) else "numeric"
        raise CLIError(f"feature column {name!r} must be {kind}, but data "
                       f"row {row + 1} (line {lines[row]}) has {texts[row].strip()!r}")
    if bad:
        text_values = np.empty(len(texts), dtype=object)
        for row, text in enumerate(texts):
            text_values[row] = np.nan if _is_missing(text) else text.strip()
        return "text", text_values
    too_large = np.flatnonzero(np.abs(values) > MAX_ABS_VALUE)
    if too_large.size:
        row = int(too_large[0])
        raise CLIError(_too_large(f"feature column {name!r}", texts[row], row + 1,
                                  lines[row]))
    return "number", values


def _target(targets, lines, target, task=None, decimal_comma=False):
    """(task, y, note) of the target column's strings, refusing non-finite or huge
    numbers."""
    if all(_is_float(text) for text in targets):  # numbers (not labels): all finite
        for row_number, (text, line) in enumerate(zip(targets, lines), start=1):
            if _parse_number(text) is None:
                raise CLIError(f"target column {target!r} must be finite, but data row "
                               f"{row_number} (line {line}) has {text.strip()!r}")
    try:
        task, y, note = _target_task(targets, task, decimal_comma)
    except CLIError as exc:
        raise CLIError(f"{exc} (target column {target!r})") from None
    if task == "regression":
        too_large = np.flatnonzero(np.abs(y) > MAX_ABS_VALUE)
        if too_large.size:
            row = int(too_large[0])
            raise CLIError(_too_large(f"target column {target!r}", targets[row], row + 1,
                                      lines[row]))
    return task, y, note


def _check_variation(columns, y, task, path, target):
    """Something to rank (a varying feature) and something to predict."""
    def varies(values):
        present = [value for value in values
                   if not (isinstance(value, float) and math.isnan(value))]
        return len(set(present)) > 1

    if not any(varies(values) for values in columns):
        raise CLIError(f"all feature columns of {path} are constant: nothing can be "
                       "ranked")
    if task == "classification":
        classes = np.unique(y)
        if classes.size < 2:
            label = classes[0].item() if isinstance(classes[0], np.generic) else classes[0]
            raise CLIError(f"target column {target!r} has a single class ({label!r}):"
                           " there is nothing to classify")
    elif np.all(y == y[0]):
        raise CLIError(f"target column {target!r} is constant ({y[0]:g}): there is "
                       "nothing to predict")
