"""The command line tool: default run, CSV input, output files, errors, rank statistics."""

import contextlib
import csv
import io
import json
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from skimportance import _agreement
from skimportance._agreement import kendalls_w, mean_pairwise_spearman, rank_descending, spearman
from skimportance.cli import _data, _modelling, _report, main
from skimportance._names import shorten_names
from skimportance.cli._arguments import DEFAULT_COLUMNS, WIDE_COLUMNS
from skimportance.methods import METHODS
from skimportance.methods._registry import DEFAULT_METHOD, DEFAULT_METHOD_WITHOUT_Y

DIABETES_FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
AGREEMENT = re.compile(
    r"^Agreement of (\d+) methods: Kendall's W = ([0-9.]+), "
    r"mean pairwise Spearman = (-?[0-9.]+)$")
# Small and quick networks for the CSV tests.
FAST = ["--hidden", "6", "--max-iter", "300"]


def parse_output(text):
    """Header lines (up to the table) joined, method names, rows {feature: (importances,
    ranks, mean rank, spreads)}, order, agreement line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("feature"))
    columns = lines[start].split()
    assert columns[0] == "feature" and columns[-2:] == ["mean", "rk"]
    headings = [heading.rstrip("*") for heading in columns[1:-2:2]]
    assert columns[2:-2:2] == ["rk"] * len(headings)
    rows, order = {}, []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        fields = line.split()
        cells = fields[1:-1]
        values = [float(cell.split("±")[0]) for cell in cells[0::2]]
        spreads = [float(cell.split("±")[1]) if "±" in cell else np.nan
                   for cell in cells[0::2]]
        rows[fields[0]] = (np.array(values), np.array([float(v) for v in cells[1::2]]),
                           float(fields[-1]), np.array(spreads))
        order.append(fields[0])
    full = {}
    for at, line in enumerate(lines):
        if line.startswith("Abbreviations: "):
            text = line[len("Abbreviations: "):]
            for more in lines[at + 1:]:  # wrapped continuation lines
                if not more.startswith("  "):
                    break
                text += " " + more.strip()
            for pair in text.split(", "):
                short, name = pair.split(" = ")
                full[short] = name
    methods = [full.get(heading, heading) for heading in headings]
    agreement = [line for line in lines if line.startswith("Agreement")]
    assert len(agreement) == 1
    return "\n".join(lines[:start]), methods, rows, order, agreement[0]


def run(argv):
    """main(argv) in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def default_run():
    code, out, err = run([])
    assert code == 0, err
    return out


def test_default_columns_are_the_recommended_methods():
    # The two most accurate methods of the ground-truth benchmark (tied on held-out
    # rows): the meta-estimators' default and the default of the methods without y.
    assert set(DEFAULT_COLUMNS) == {DEFAULT_METHOD, DEFAULT_METHOD_WITHOUT_Y}
    for columns in (DEFAULT_COLUMNS, WIDE_COLUMNS):
        assert set(columns) <= set(METHODS)
        assert list(columns) == [name for name in METHODS if name in columns]
    assert len(WIDE_COLUMNS) == 10 and set(DEFAULT_COLUMNS) <= set(WIDE_COLUMNS)


def test_default_run_table(default_run):
    header, methods, rows, order, agreement = parse_output(default_run)
    assert methods == list(DEFAULT_COLUMNS)
    assert sorted(rows) == sorted(DIABETES_FEATURES)
    scores = re.search(r"held-out R\^2 \(5-fold cross-validation\): MLP (-?[0-9.]+) ± "
                       r"([0-9.]+), linear regression (-?[0-9.]+) ± ([0-9.]+)", header)
    assert scores, header
    mlp_r2, linear_r2 = float(scores.group(1)), float(scores.group(3))
    assert 0.2 < mlp_r2 < 0.7 and 0.4 < linear_r2 < 0.6  # about 0.49 for least squares
    assert header.startswith("load_diabetes: regression, 442 rows, 10 features, MLP (32,16)")
    assert "importances: on the held-out rows of each fold (mean ± sd over 5 folds)" in header
    spreads = np.array([rows[f][3] for f in order])
    assert np.all(np.isfinite(spreads)) and spreads.min() >= 0 and spreads.max() > 0
    # The recommended methods' headings are marked, in full, and a footnote says why.
    heading_line = default_run.split("\nfeature", 1)[1].splitlines()[0]
    for method in DEFAULT_COLUMNS:
        assert f" {method}* " in heading_line
    assert ("* recommended: gradient and permutation, the most accurate (tied) in the "
            "ground-truth benchmark") in default_run
    importances = np.array([rows[f][0] for f in order])  # (features, methods)
    ranks = np.array([rows[f][1] for f in order])
    mean_ranks = np.array([rows[f][2] for f in order])
    # Normalised importances sum to 1 per method (3 decimals: rounding error only).
    np.testing.assert_allclose(importances.sum(axis=0), 1.0, atol=0.006)
    for k in range(len(methods)):
        # Rank 1 is the largest importance; ranks are 1..10, tied values sharing the
        # average of their places (drop-and-retrain can give several inputs zero).
        assert ranks[np.argmax(importances[:, k]), k] == 1
        assert ranks[:, k].sum() == 55 and ranks[:, k].min() >= 1 and ranks[:, k].max() <= 10
        by_rank = np.argsort(ranks[:, k])
        assert np.all(np.diff(importances[by_rank, k]) <= 0)
    np.testing.assert_allclose(mean_ranks, ranks.mean(axis=1), atol=0.006)
    assert np.all(np.diff(mean_ranks) >= 0)  # rows sorted by mean rank
    # bmi and s5 are the well-known strongest predictors of diabetes progression.
    assert set(order[:3]) >= {"bmi", "s5"}

    match = AGREEMENT.match(agreement)
    assert match, agreement
    assert int(match.group(1)) == len(DEFAULT_COLUMNS)
    assert float(match.group(2)) == pytest.approx(kendalls_w(ranks.T), abs=0.006)
    assert float(match.group(3)) == pytest.approx(mean_pairwise_spearman(ranks.T), abs=0.006)
    assert 0.3 < float(match.group(2)) <= 1


def test_default_run_fits_in_100_columns_and_is_aligned(default_run):
    lines = default_run.splitlines()
    assert max(len(line) for line in lines) <= 100
    start = next(i for i, line in enumerate(lines) if line.startswith("feature"))
    table = lines[start:start + 1 + len(DIABETES_FEATURES)]
    # The header and every row have the same width: the columns line up.
    assert len({len(line) for line in table}) == 1, table
    assert lines[0].startswith("load_diabetes: ") and lines[-1].startswith("Agreement")


def test_table_of_six_long_named_methods_fits_in_100_columns():
    methods = ["weights", "garson", "olden", "gradient", "integrated_gradients",
               "conductance"]
    names = [f"a_rather_long_feature_name_{i}" for i in range(12)]
    rng = np.random.default_rng(0)
    importances = rng.dirichlet(np.ones(12), size=6)
    ranks = np.vstack([rank_descending(row) for row in importances])
    order = _report.row_order(importances, ranks)
    lines, legend = _report._table(names, methods, importances, ranks, order)
    assert len(lines) == 13
    assert max(len(line) for line in lines) <= 100
    assert legend == "Abbreviations: int_grad = integrated_gradients, conduct. = conductance"
    # The six abbreviated columns (7+6+5+8+8+8 characters, each with two spaces, a space
    # and a rank of 2) and "  mean rk" take 81 columns: the names get the other 19,
    # shortened distinctly.
    labels = [line.split()[0] for line in lines[1:]]
    assert labels == [shorten_names(names, 19)[i] for i in order]
    assert len(set(labels)) == 12 and max(len(label) for label in labels) == 19
    # Their last word (the number) is kept after the ellipsis.
    assert set(labels) == ({f"a_rather_long_fea…{i}" for i in range(10)}
                           | {"a_rather_long_fe…10", "a_rather_long_fe…11"})
    # A tie: both features get the average rank, printed with one decimal.
    importances[0, :2] = 0.9
    ranks[0] = rank_descending(importances[0])
    lines, _ = _report._table(names, methods, importances, ranks, np.arange(12))
    assert lines[1].split()[2] == lines[2].split()[2] == "1.5"


def test_abbreviations_are_distinct():
    assert _report._abbreviations(["olden", "integrated_gradients", "integrated_hessians",
                                   "conductance", "conductances"]) == [
        "olden", "int_grad", "int_hess", "conduct.", "conduct2"]


def test_method_option_restricts_columns():
    code, out, err = run(["--method", "garson,olden", "--hidden", "8", "--max-iter", "200",
                          "--cv", "2"])
    assert code == 0, err
    _, methods, rows, _, agreement = parse_output(out)
    assert methods == ["garson", "olden"]
    assert len(rows) == 10
    assert agreement.startswith("Agreement of 2 methods")


def test_single_method_has_no_agreement_statistics():
    code, out, err = run(["--method", "olden", "--hidden", "4", "--max-iter", "50"])
    assert code == 0, err
    assert out.splitlines()[-1] == "Agreement: only 1 method, nothing to compare"
    assert any(line.startswith("note: 5 of 5 network fits stopped at --max-iter 50 before "
                               "converging") for line in out.splitlines()[:6])


# --------------------------------------------------------------------------------------
# Rank statistics, against hand-worked examples


def test_rank_descending_and_ties():
    np.testing.assert_array_equal(rank_descending([0.1, 0.5, 0.2]), [3, 1, 2])
    np.testing.assert_array_equal(rank_descending([0.3, 0.3, 0.1, 0.3]), [2, 2, 4, 2])
    np.testing.assert_array_equal(_agreement.average_ranks([5, 1, 5, 2]), [3.5, 1, 3.5, 2])


def test_kendalls_w_hand_examples():
    assert kendalls_w([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]) == pytest.approx(1.0)
    assert kendalls_w([[1, 2, 3], [3, 2, 1]]) == pytest.approx(0.0)
    # Raters (1, 2, 3) and (3, 1, 2): rank sums 4, 3, 5, mean 4, S = 0 + 1 + 1 = 2;
    # W = 12 S / (m^2 (n^3 - n)) = 24 / (4 * 24) = 0.25.
    assert kendalls_w([[1, 2, 3], [3, 1, 2]]) == pytest.approx(0.25)
    # Ties: raters (1, 2, 3) and (1, 2.5, 2.5). Sums 2, 4.5, 5.5, S = 6.5; the tie
    # group of 2 gives T = 2^3 - 2 = 6: W = 12 * 6.5 / (4 * 24 - 2 * 6) = 78 / 84.
    assert kendalls_w([[1, 2, 3], [1, 2.5, 2.5]]) == pytest.approx(13 / 14)
    # Scores instead of ranks give the same W (rows are ranked first).
    assert kendalls_w([[10, 20, 30], [0.1, 0.7, 0.7]]) == pytest.approx(13 / 14)
    assert np.isnan(kendalls_w([[1, 1, 1], [2, 2, 2]]))


def test_spearman_hand_examples():
    # d = (0, -1, 1, 0): rho = 1 - 6 * 2 / (4 * 15) = 0.8
    assert spearman([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert spearman([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [1, 4, 9]) == pytest.approx(1.0)
    assert mean_pairwise_spearman([[1, 2, 3], [1, 2, 3]]) == pytest.approx(1.0)
    # Pairs: +1, -1, -1.
    assert mean_pairwise_spearman([[1, 2, 3], [1, 2, 3], [3, 2, 1]]) == pytest.approx(-1 / 3)


def test_spearman_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(0)
    for _ in range(5):
        a = rng.integers(0, 5, size=12)  # many ties
        b = rng.normal(size=12)
        assert spearman(a, b) == pytest.approx(stats.spearmanr(a, b)[0], abs=1e-12)


# --------------------------------------------------------------------------------------
# CSV input


def write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def make_data(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, 3 * X[:, 0] + 0.3 * X[:, 1] + 0.1 * rng.normal(size=n)


def regression_csv(tmp_path):
    X, y = make_data()
    rows = [[f"{v:.6f}" for v in x] + [f"{t:.6f}" for t in (target,)]
            for x, target in zip(X, y)]
    return write_csv(tmp_path / "reg.csv", ["strong", "weak", "noise", "y"], rows)


def test_csv_regression(tmp_path):
    path = regression_csv(tmp_path)
    code, out, err = run([path, "--target", "y", *FAST, "--cv", "3"])
    assert code == 0, err
    header, methods, rows, order, _ = parse_output(out)
    assert header.startswith("reg.csv: regression of 'y', 80 rows, 3 features, MLP (6)")
    r2 = float(re.search(r"held-out R\^2 \(3-fold cross-validation\): MLP (-?[0-9.]+)",
                         header).group(1))
    assert r2 > 0.6
    assert methods == list(DEFAULT_COLUMNS)
    assert sorted(order) == ["noise", "strong", "weak"]
    # The methods that follow the signal through the network find it; Garson and the
    # weight magnitudes need not (they are known to be fooled by noise inputs).
    for k, method in enumerate(methods):
        if method in ("gradient", "permutation"):
            assert rows["strong"][1][k] == 1
            assert rows["strong"][0][k] > 0.5


def test_csv_classification_with_string_target(tmp_path):
    X, _ = make_data(n=60, seed=1)
    labels = np.where(X[:, 2] > 0, "yes", "no")
    rows = [[f"{v:.5f}" for v in x] + [label] for x, label in zip(X, labels)]
    path = write_csv(tmp_path / "cls.csv", ["a", "b", "c", "label"], rows)
    code, out, err = run([path, "--target", "label", *FAST])
    assert code == 0, err
    header, methods, rows, order, _ = parse_output(out)
    assert "classification of 'label' (2 classes), 60 rows, 3 features" in header
    accuracy = float(re.search(r"held-out accuracy \(5-fold cross-validation\): MLP "
                               r"([0-9.]+)", header).group(1))
    assert accuracy >= 0.8
    assert order[0] == "c"


@pytest.mark.parametrize("values, task, noted", [
    (["0", "1"] * 6, "classification", False),      # two integers: two classes
    (["1.0", "2.0"] * 6, "classification", False),  # integer values written as floats
    (["1", "2", "3"] * 4, "regression", True),      # three integers: a rating, said so
    ([str(i) for i in range(1, 9)] * 2, "regression", True),  # a 1-8 rating
    ([str(i) for i in range(11)] + ["0"], "regression", False),  # 11 distinct integers
    (["0.5", "1", "2"] * 4, "regression", False),   # not all integers
    (["a", "1", "2"] * 4, "classification", False),  # not numeric
    ([str(2**60), str(2**61)] * 6, "regression", False),  # beyond float precision
])
def test_target_type_rule(values, task, noted):
    found, _, note = _data._target_task(values)
    assert found == task
    assert (note is not None) == noted
    if noted:
        assert "--task classification" in note


def test_integer_target_with_a_few_values_is_a_regression_unless_told(tmp_path):
    X, y = make_data(n=40)
    classes = np.digitize(y, [-1, 1])  # 0, 1, 2
    rows = [[f"{v:.5f}" for v in x] + [str(c)] for x, c in zip(X, classes)]
    path = write_csv(tmp_path / "int.csv", ["strong", "weak", "noise", "grade"], rows)
    quick = [*FAST, "--method", "olden", "--cv", "0"]
    code, out, err = run([path, "--target", "grade", *quick])
    assert code == 0, err
    lines = out.splitlines()
    assert "regression of 'grade'" in lines[0]
    note = " ".join(line.strip() for line in lines[1:3])
    assert note.startswith("note: the target holds 3 integer values (0 to 2): analysed as a "
                           "regression (a rating or a count); --task classification treats "
                           "them as 3 classes")
    code, out, err = run([path, "--target", "grade", "--task", "classification", *quick])
    assert code == 0, err
    assert "classification of 'grade' (3 classes)" in out.splitlines()[0]
    assert not out.splitlines()[1].startswith("note: the target")


# --------------------------------------------------------------------------------------
# Output files


@pytest.mark.parametrize("extension", ["csv", "json"])
def test_output_round_trip(tmp_path, extension):
    path = regression_csv(tmp_path)
    target = str(tmp_path / f"table.{extension}")
    code, out, err = run([path, "--target", "y", "--output", target, *FAST, "--cv", "3"])
    assert code == 0, err
    assert out.splitlines()[-1] == f"Wrote {target}"
    _, methods, rows, order, _ = parse_output(out)
    if extension == "csv":
        with open(target, newline="") as handle:
            text = handle.read().splitlines()
        run_info = dict(line[2:].split(": ", 1) for line in text if line.startswith("# "))
        assert set(run_info) == {"skimportance", "settings", "scores", "agreement", "raw",
                                 "notes"}
        records = list(csv.DictReader([line for line in text if not line.startswith("#")]))
    else:
        with open(target) as handle:
            document = json.load(handle)
        records = document["features"]
        assert isinstance(records, list)
    expected_keys = ["feature"]
    for method in methods:
        expected_keys += [f"{method}_importance", f"{method}_sd", f"{method}_rank",
                          f"{method}_raw", f"{method}_raw_sd"]
    assert list(records[0]) == expected_keys + ["mean_rank"]
    assert [record["feature"] for record in records] == order
    for record in records:
        importances, ranks, mean_rank, spreads = rows[record["feature"]]
        for k, method in enumerate(methods):
            assert float(record[f"{method}_rank"]) == ranks[k]
            assert float(record[f"{method}_importance"]) == pytest.approx(
                importances[k], abs=5e-4)
            assert float(record[f"{method}_sd"]) == pytest.approx(spreads[k], abs=5e-4)
        assert float(record["mean_rank"]) == pytest.approx(mean_rank, abs=5e-3)
    for method in methods:
        total = sum(float(record[f"{method}_importance"]) for record in records)
        assert total == pytest.approx(1.0)


# --------------------------------------------------------------------------------------
# Errors: exit code 2, one line on stderr, no traceback


def data_error(argv, *expected):
    code, out, err = run(argv)
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("skimportance: error: ")
    for text in expected:
        assert text in lines[0]
    return lines[0]


def small_rows(n=12, seed=0):
    X, y = make_data(n=n, seed=seed)
    return [[f"{v:.4f}" for v in x] + [f"{t:.4f}"] for x, t in zip(X, y)]


HEADER = ["f1", "f2", "f3", "y"]


def test_error_missing_file(tmp_path):
    data_error([str(tmp_path / "nope.csv"), "--target", "y"], "file not found", "nope.csv")


def test_error_missing_target_column(tmp_path):
    path = write_csv(tmp_path / "d.csv", HEADER, small_rows())
    data_error([path, "--target", "price"], "'price'",
               "available columns: f1, f2, f3, y")


def test_error_non_numeric_feature(tmp_path):
    rows = small_rows()
    rows[4][1] = "abc"
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "'f2'", "'abc'", "data row 5", "line 6")


def test_error_infinite_feature(tmp_path):
    rows = small_rows()
    rows[0][2] = "-inf"
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "'f3'", "must be finite", "'-inf'", "data row 1")


@pytest.mark.parametrize("value", ["", "NA", "nan"])
def test_missing_feature_value_is_imputed_with_a_note(tmp_path, value):
    rows = small_rows()
    rows[2][0] = value
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    code, out, err = run([path, "--target", "y", "--method", "olden", "--cv", "0", *FAST])
    assert code == 0, err
    assert ("skimportance: note: 1 blank cell in f1: imputed inside the pipeline" in err)
    assert sorted(parse_output(out)[3]) == ["f1", "f2", "f3"]


@pytest.mark.parametrize("value", ["", "NaN", "NA"])
def test_error_missing_target_value(tmp_path, value):
    rows = small_rows()
    rows[7][3] = value
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "missing value", "target column 'y'", "data row 8")


def test_error_infinite_target(tmp_path):
    # Not a class label "inf" among numbers: a regression target that is not finite.
    rows = small_rows()
    rows[5][3] = "inf"
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "target column 'y'", "must be finite", "'inf'",
               "data row 6 (line 7)")


@pytest.mark.parametrize("scale", ["1e300", "1e200", "-2e151"])
def test_error_feature_values_too_large(tmp_path, scale):
    # Their squares overflow in the scaler and the network (NaN, then a traceback).
    rows = small_rows()
    for row in rows:
        row[1] = f"{float(row[1]) * float(scale):.6g}"
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "feature column 'f2'", "too large", "1e150",
               "data row 1 (line 2)", "rescale")


def test_error_one_huge_value(tmp_path):
    rows = small_rows()
    rows[8][0] = "1e300"
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "feature column 'f1'", "too large", "'1e300'",
               "data row 9 (line 10)")


def test_error_target_values_too_large(tmp_path):
    rows = [row[:3] + [f"{float(row[3]) * 1e300:.6g}"] for row in small_rows()]
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "target column 'y'", "too large", "rescale")


def test_values_up_to_the_limit_are_fine(tmp_path):
    rows = [[f"{float(v) * 1e100:.6g}" for v in row[:3]] + row[3:]
            for row in small_rows(n=40)]
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    code, out, err = run([path, "--target", "y", "--method", "olden,permutation", *FAST])
    assert code == 0, err
    assert sorted(parse_output(out)[3]) == ["f1", "f2", "f3"]


def test_error_all_feature_columns_constant(tmp_path):
    rows = [["1.5", "0", "-2"] + row[3:] for row in small_rows()]
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "all feature columns", "d.csv", "are constant",
               "nothing can be ranked")


def test_error_features_constant_in_the_training_part(monkeypatch):
    X = np.zeros((12, 2))
    X[0] = 1.0  # the only row that varies goes to the held-out part
    data = _data.Dataset(X, np.arange(12.0), ["a", "b"], "d.csv", "regression", "y")
    monkeypatch.setattr(_modelling, "_split", lambda data, random_state: (
        data.X[1:], data.X[:1], data.y[1:], data.y[:1]))
    with pytest.raises(_data.CLIError, match=r"all feature columns are constant in the "
                                             r"training part \(11 rows\)"):
        _modelling.fit(data, (4,), 10, 0)


def test_one_constant_feature_column_is_ranked_last(tmp_path):
    X, y = make_data()
    rows = [[f"{v:.6f}" for v in x] + ["2.5", f"{t:.6f}"] for x, t in zip(X, y)]
    path = write_csv(tmp_path / "c.csv", ["strong", "weak", "noise", "fixed", "y"], rows)
    code, out, err = run([path, "--target", "y", *FAST, "--cv", "3"])
    assert code == 0, err
    _, methods, rows, order, _ = parse_output(out)
    assert order[-1] == "fixed"
    np.testing.assert_array_equal(rows["fixed"][0], np.zeros(len(methods)))


def test_failure_of_the_computation_is_one_line(monkeypatch):
    # An overflow in the fit: numpy warns first, then scikit-learn raises a long message.
    from sklearn.neural_network import MLPRegressor

    def overflowing_fit(self, X, y, **kwargs):
        warnings.warn("overflow encountered in square", RuntimeWarning)
        raise ValueError("Solver produced non-finite parameter weights. The input data "
                         "may contain large values\nand need to be preprocessed.")

    monkeypatch.setattr(MLPRegressor, "fit", overflowing_fit)
    line = data_error(["--method", "olden"], "the computation failed",
                      "ValueError: Solver produced non-finite parameter weights",
                      "large values and need to be preprocessed")
    assert "overflow" not in line


def test_warnings_of_a_successful_run_are_still_shown(monkeypatch):
    from skimportance import _compare

    compute = _compare.compare_methods

    def warning_compute(*args, **kwargs):
        warnings.warn("a note from a method", UserWarning)
        return compute(*args, **kwargs)

    monkeypatch.setattr(_compare, "compare_methods", warning_compute)
    with pytest.warns(UserWarning, match="a note from a method"):
        code, out, err = run(["--method", "olden", "--hidden", "4", "--max-iter", "30"])
    assert code == 0, err


def test_interrupt_is_not_turned_into_an_error(monkeypatch):
    from skimportance import _compare

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_compare, "compare_methods", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(["--method", "olden", "--hidden", "4", "--max-iter", "30"])


def test_data_error_in_subprocess_is_one_line_without_traceback(tmp_path):
    rows = small_rows()
    rows[0][2] = "1e300"
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-m", "skimportance", path, "--target", "y"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "skimportance: error: feature column 'f3' has values too large (|value| > 1e150), "
        "e.g. '1e300' at data row 1 (line 2): rescale it"]


def test_error_too_few_rows(tmp_path):
    path = write_csv(tmp_path / "d.csv", HEADER, small_rows(n=9))
    data_error([path, "--target", "y"], "9 data rows", "at least 10")


def test_error_single_class(tmp_path):
    rows = [row[:3] + ["yes"] for row in small_rows()]
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "single class", "'yes'")


def test_error_ragged_row(tmp_path):
    rows = small_rows()
    rows[3] = rows[3][:2]
    path = write_csv(tmp_path / "d.csv", HEADER, rows)
    data_error([path, "--target", "y"], "data row 4", "2 fields")


def test_error_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    data_error([str(path), "--target", "y"], "empty")


def test_error_output_folder_missing(tmp_path):
    data_error(["--output", str(tmp_path / "no" / "t.csv")], "does not exist")


def option_error(argv, *expected):
    code, out, err = run(argv)
    assert code == 2
    last = err.splitlines()[-1]
    assert last.startswith("skimportance: error: ")
    for text in expected:
        assert text in last
    assert "Traceback" not in err


def test_option_errors():
    option_error(["--method", "garson,magic"], "unknown method 'magic'",
                 *(f"{name}" for name in METHODS))
    option_error(["--output", "table.txt"], ".csv or .json")
    option_error(["--hidden", "32,x"], "--hidden")
    option_error(["--random-state", "seed"], "--random-state")
    option_error(["--bogus"], "--bogus")
    option_error(["data.csv"], "--target")
    option_error(["--target", "y"], "--target needs a CSV file")


def test_help_in_subprocess():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-m", "skimportance", "--help"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert text.startswith("usage: skimportance")
    assert "only integers with at most 2 distinct values" in text
    assert "a 1-8 rating is not 8 classes" in text
    assert "the target is standardised" in text
    for option in ("--target", "--method", "--hidden", "--random-state", "--output",
                   "--wide", "--sep", "--index-col", "--drop", "--keep", "--task",
                   "--version"):
        assert option in text
    for name in METHODS:
        assert name in text


def test_same_command_prints_the_same_table(capsys):
    # Permutation shuffles and k-means groups follow --random-state like the fit does.
    outputs = []
    for _ in range(2):
        assert main(["--method", "permutation,drop", "--random-state", "3", "--cv", "2",
                     "--hidden", "8", "--max-iter", "100"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


# --------------------------------------------------------------------------------------
# --plot: the chart of the table's normalised importances

PLOT_FAST = ["--method", "garson,olden,permutation", "--hidden", "4", "--max-iter", "50"]


def test_plot_writes_the_chart_of_the_table(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from skimportance.plotting import _comparison

    from skimportance import _compare

    drawn, computed = [], []
    draw, compute = _comparison.draw_comparison, _compare.compare_methods

    def spy_draw(feature_names, methods, matrix, **kwargs):
        drawn.append((list(feature_names), list(methods), np.array(matrix)))
        return draw(feature_names, methods, matrix, **kwargs)

    def spy_compute(*args, **kwargs):
        computed.append(args)
        return compute(*args, **kwargs)

    monkeypatch.setattr(_comparison, "draw_comparison", spy_draw)
    monkeypatch.setattr(_compare, "compare_methods", spy_compute)
    target = str(tmp_path / "chart.png")
    code, out, err = run([*PLOT_FAST, "--plot", target])
    assert code == 0, err
    assert out.splitlines()[-1] == f"Wrote {target}"
    with open(target, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert len(computed) == 5  # one per fold of the table: the chart reuses its numbers
    _, methods, rows, _, _ = parse_output(out)
    [(features, drawn_methods, matrix)] = drawn
    assert drawn_methods == methods == ["garson", "olden", "permutation"]
    assert sorted(features) == sorted(DIABETES_FEATURES)
    for i, feature in enumerate(features):
        np.testing.assert_allclose(matrix[:, i], rows[feature][0], atol=5e-4)


def test_plot_without_matplotlib_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    target = tmp_path / "chart.png"
    data_error(["--plot", str(target)], "--plot needs matplotlib",
               "pip install matplotlib")
    assert not target.exists()


def test_plot_path_errors(tmp_path):
    pytest.importorskip("matplotlib")
    data_error(["--plot", str(tmp_path / "chart.txt")], "chart.txt", ".png", ".svg")
    data_error(["--plot", str(tmp_path / "no" / "chart.png")], "does not exist")


def test_help_describes_plot(capsys):
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--plot PATH" in text
    assert "chart (--plot):" in text


# --------------------------------------------------------------------------------------
# Held-out by default: --cv, --refits, --evaluate


def overfit_csv(tmp_path):
    """60 rows: one input drives y, five are noise that a wide network memorises."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6))
    y = X[:, 0] + 0.5 * rng.normal(size=60)
    rows = [[f"{v:.6f}" for v in x] + [f"{t:.6f}"] for x, t in zip(X, y)]
    names = ["signal"] + [f"noise{i}" for i in range(5)]
    return write_csv(tmp_path / "overfit.csv", names + ["y"], rows)


def test_default_table_is_held_out_and_does_not_favour_what_the_network_overfits(tmp_path):
    path = overfit_csv(tmp_path)
    argv = [path, "--target", "y", "--method", "permutation", "--hidden", "64",
            "--max-iter", "2000"]
    noise_share = {}
    for cv in ("0", None):
        code, out, err = run(argv + (["--cv", cv] if cv else []))
        assert code == 0, err
        header, _, rows, _, _ = parse_output(out)
        noise_share[cv] = sum(rows[f"noise{i}"][0][0] for i in range(5))
        if cv == "0":
            assert "importances: on the training part (optimistic" in header
            assert "held-out R^2 (15 rows): MLP" in header
        else:
            assert "importances: on the held-out rows of each fold" in header
    # On its training rows the network's memorised noise looks important (0.32 of the
    # total, measured); on the rows it did not see, far less (0.10).
    assert noise_share[None] < 0.5 * noise_share["0"]
    assert noise_share["0"] > 0.2


def test_linear_model_score_is_that_of_least_squares_on_the_same_folds(tmp_path):
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    path = regression_csv(tmp_path)
    code, out, err = run([path, "--target", "y", "--method", "olden", *FAST,
                          "--random-state", "2"])
    assert code == 0, err
    match = re.search(r"linear regression (-?[0-9.]+) ± ([0-9.]+)", out)
    X, y = make_data()
    y = (y - y.mean()) / y.std()
    X = np.round(X, 6)
    expected = cross_val_score(make_pipeline(StandardScaler(), LinearRegression()), X, y,
                               cv=KFold(5, shuffle=True, random_state=2))
    assert float(match.group(1)) == pytest.approx(expected.mean(), abs=0.006)
    assert float(match.group(2)) == pytest.approx(expected.std(), abs=0.006)


def test_refits_print_rank_stability(tmp_path):
    path = regression_csv(tmp_path)
    code, out, err = run([path, "--target", "y", "--method", "olden,gradient", *FAST,
                          "--refits", "3", "--cv", "3"])
    assert code == 0, err
    assert "(mean ± sd over 3 folds x 3 refits)" in out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Rank stability over 3"))
    values = dict(pair.split() for pair in lines[at + 1].strip().split(", "))
    assert set(values) == {"olden", "gradient"}
    # A strong, a weak and a noise input: every refit ranks them the same way.
    assert all(float(w) == 1.0 for w in values.values())


def test_refits_need_folds():
    code, _, err = run(["--refits", "2", "--cv", "0"])
    assert code == 2 and "--refits needs held-out folds" in err


@pytest.mark.parametrize("value", ["1", "-2", "x"])
def test_cv_option_errors(value):
    code, _, err = run(["--cv", value])
    assert code == 2 and "expected 0 or a number of folds of at least 2" in err


def test_evaluate_ranks_the_methods_by_faithfulness(tmp_path):
    path = regression_csv(tmp_path)
    code, out, err = run([path, "--target", "y", "--method", "olden,garson", *FAST,
                          "--cv", "3", "--evaluate"])
    assert code == 0, err
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Faithfulness on this"))
    entries = [line.split() for line in lines[at + 3:at + 6]]
    names = [entry[0] for entry in entries]
    values = [float(entry[-3]) for entry in entries]
    assert sorted(names) == ["garson", "olden", "random"]
    assert values == sorted(values, reverse=True)
    assert values[names.index("random")] == 0.0
    # Removing "strong" first (which olden finds: see test_csv_regression) hurts the
    # held-out score far more than removing inputs at random.
    assert values[names.index("olden")] > 0.1
