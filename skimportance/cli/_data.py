"""The data of the command line tool: the built-in diabetes set or a user's CSV file,
and CLIError, a problem with the user's input.

Read with the ``csv`` module, so the command needs no pandas.
"""

import csv
import math
import os

import numpy as np

__all__ = ["CLIError", "Dataset", "load_csv", "load_diabetes_data"]

MIN_ROWS = 10
MAX_CLASSES_FOR_INTEGER_TARGET = 10
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
    """Features, target and how to describe them."""

    def __init__(self, X, y, feature_names, label, task, target_name=None):
        self.X = X
        self.y = y
        self.feature_names = list(feature_names)
        self.label = label
        self.task = task  # "regression" or "classification"
        self.target_name = target_name


def load_diabetes_data():
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes()
    return Dataset(bunch.data, bunch.target, bunch.feature_names,
                   "load_diabetes", "regression", "disease progression")


def _is_missing(text):
    return text.strip().lower() in MISSING_TOKENS


def _parse_number(text):
    """The float in ``text``, or None when it is not a finite number."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_rows(path):
    """Header and data rows of a CSV file, with the file line of each data row."""
    if not os.path.exists(path):
        raise CLIError(f"file not found: {path}")
    if os.path.isdir(path):
        raise CLIError(f"{path} is a directory, not a CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
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
    except UnicodeDecodeError:
        raise CLIError(f"{path} is not a UTF-8 text file") from None
    except csv.Error as exc:
        raise CLIError(f"{path} is not a valid CSV file: {exc}") from None
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror or exc}") from None
    if header is None:
        raise CLIError(f"{path} is empty: a header row and at least {MIN_ROWS} data rows "
                       "are needed")
    return header, rows, lines


def _check_header(header, path):
    for position, name in enumerate(header, start=1):
        if not name:
            raise CLIError(f"column {position} of the header row of {path} has no name")
    seen = set()
    for name in header:
        if name in seen:
            raise CLIError(f"column name {name!r} appears more than once in the header "
                           f"of {path}")
        seen.add(name)


def _target_task(values):
    """("regression" or "classification", labels) for the target column's strings."""
    numbers = [_parse_number(text) for text in values]
    if any(number is None for number in numbers):
        return "classification", np.asarray([text.strip() for text in values],
                                            dtype=object)
    numbers = np.asarray(numbers, dtype=float)
    integer = bool(np.all(numbers == np.round(numbers))
                   and np.all(np.abs(numbers) <= MAX_EXACT_INTEGER))
    if integer and np.unique(numbers).size <= MAX_CLASSES_FOR_INTEGER_TARGET:
        return "classification", numbers.astype(np.int64)
    return "regression", numbers


def _too_large(column, text, row_number, line):
    limit = f"{MAX_ABS_VALUE:.0e}".replace("e+", "e")  # 1e150
    return (f"{column} has values too large (|value| > {limit}), e.g. "
            f"{text.strip()!r} at data row {row_number} (line {line}): rescale it")


def load_csv(path, target):
    """The Dataset of a CSV file: ``target`` is the column to predict, the others are
    the features. Raises CLIError, naming the row and line, on anything unusable."""
    header, rows, lines = _read_rows(path)
    _check_table(header, rows, lines, path, target)
    target_index = header.index(target)
    feature_index = [j for j in range(len(header)) if j != target_index]
    X = _features(header, rows, lines, feature_index, target_index)
    targets = [record[target_index] for record in rows]
    task, y = _target(targets, lines, target)
    _check_variation(X, y, task, path, target)
    feature_names = [header[j] for j in feature_index]
    return Dataset(X, y, feature_names, os.path.basename(path), task, target)


def _check_table(header, rows, lines, path, target):
    """The header names the target and a feature; every row has one field per column."""
    _check_header(header, path)
    if target not in header:
        available = ", ".join(header)
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


def _features(header, rows, lines, feature_index, target_index):
    """The feature matrix. Each row's target is checked for a missing value in turn,
    so that the first problem in the file is the one reported."""
    X = np.empty((len(rows), len(feature_index)))
    for row_number, (record, line) in enumerate(zip(rows, lines), start=1):
        for column, j in enumerate(feature_index):
            X[row_number - 1, column] = _feature_value(record[j], header[j], row_number,
                                                       line)
        if _is_missing(record[target_index]):
            raise CLIError(f"missing value in target column {header[target_index]!r} at "
                           f"data row {row_number} (line {line}); drop the row first")
    return X


def _feature_value(text, name, row_number, line):
    if _is_missing(text):
        raise CLIError(f"missing value in column {name!r} at data row "
                       f"{row_number} (line {line}); fill or drop it first")
    value = _parse_number(text)
    if value is None:
        kind = "finite" if _is_float(text) else "numeric"
        raise CLIError(f"feature column {name!r} must be {kind}, but data "
                       f"row {row_number} (line {line}) has {text.strip()!r}")
    if abs(value) > MAX_ABS_VALUE:
        raise CLIError(_too_large(f"feature column {name!r}", text, row_number, line))
    return value


def _target(targets, lines, target):
    """(task, y) of the target column's strings, refusing non-finite or huge numbers."""
    if all(_is_float(text) for text in targets):  # numbers (not labels): all finite
        for row_number, (text, line) in enumerate(zip(targets, lines), start=1):
            if _parse_number(text) is None:
                raise CLIError(f"target column {target!r} must be finite, but data row "
                               f"{row_number} (line {line}) has {text.strip()!r}")
    task, y = _target_task(targets)
    if task == "regression":
        too_large = np.flatnonzero(np.abs(y) > MAX_ABS_VALUE)
        if too_large.size:
            row = int(too_large[0])
            raise CLIError(_too_large(f"target column {target!r}", targets[row], row + 1,
                                      lines[row]))
    return task, y


def _check_variation(X, y, task, path, target):
    """Something to rank (a varying feature) and something to predict."""
    if np.all(X == X[0]):
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
