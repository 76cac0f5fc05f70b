"""The command line tool on files as people have them: delimiters, index and id columns,
blank cells and text, integer targets, wide tables and long names, --output contents,
progress and convergence notes; and shorten_names, which the table uses."""

import contextlib
import csv
import io
import json
import re
import warnings

import numpy as np
import pytest

from skimportance import __version__
from skimportance._names import shorten_names
from skimportance.cli import _data, _main, _progress, main
from skimportance.cli._arguments import DEFAULT_COLUMNS, WIDE_COLUMNS

FAST = ["--hidden", "6", "--max-iter", "300"]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def write(path, header, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def table(out):
    """{feature: [importance, rank, importance, rank, ..., mean rank]} and the methods."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("feature"))
    methods = [h.rstrip("*") for h in lines[start].split()[1:-2:2]]
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        fields = line.split()
        rows[fields[0]] = [float(f.split("±")[0]) for f in fields[1:]]
    return methods, rows


def numbers(n=40, seed=0, columns=3):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, columns)), 4)
    y = np.round(3 * X[:, 0] + 0.5 * X[:, 1] + 0.1 * rng.normal(size=n), 4)
    return X, y


# --------------------------------------------------------------------------------------
# shorten_names


def test_shorten_names_keeps_the_distinguishing_end():
    assert shorten_names(["temperature_sensor_north", "temperature_sensor_south"], 10) == [
        "temp…north", "temp…south"]
    # Never both "temperature_s...": the end that differs is what is kept.
    labels = shorten_names(["temperature_sensor_north", "temperature_sensor_south"], 16)
    assert labels == ["temperatur…north", "temperatur…south"]
    assert shorten_names(["short", "a_long_name_here"], 8, ellipsis="...") == [
        "short", "a_l...re"]


def test_shorten_names_equal_names_equal_labels_and_errors():
    assert shorten_names(["abcdefghijkl", "abcdefghijkl", 12345], 6) == [
        "abc…kl", "abc…kl", "12345"]
    with pytest.raises(ValueError, match="width must be at least 3"):
        shorten_names(["abc"], 2)


def test_shorten_names_always_distinct_and_short_brute_force():
    # Names from a two-letter alphabet share long prefixes and suffixes: the hardest case.
    rng = np.random.default_rng(0)
    for trial in range(200):
        n = int(rng.integers(2, 12))
        names = ["".join(rng.choice(list("ab_"), size=int(rng.integers(1, 14))))
                 for _ in range(n)]
        width = int(rng.integers(3, 9))
        labels = shorten_names(names, width)
        assert all(len(label) <= width for label in labels)
        for name, label in zip(names, labels):
            if len(name) <= width:
                assert label == name
            elif not re.search(r"…\d+$", label):  # a cut, not a numbered fallback
                head, tail = label.split("…")
                assert name.startswith(head) and name.endswith(tail)
        pairs = dict(zip(names, labels))
        assert len(set(pairs.values())) == len(pairs), (names, width, labels)


# --------------------------------------------------------------------------------------
# Delimiters


@pytest.mark.parametrize("text, expected", [
    ("a,b,y\n1.5,2,3\n2.5,3,4\n", ","),
    ("a;b;y\n1,5;2,3;4\n1,2;3,4;5\n", ";"),  # decimal commas: still ";"
    ("a\tb\ty\n1.5\t2\t3\n", "\t"),
    ('name,"x;y",z\n"p;q",1,2\n', ","),  # ";" only inside quotes
    ("a|b|y\n1|2|3\n", "|"),
    ("single\n1\n2\n", ","),
])
def test_sniff_delimiter(text, expected):
    assert _data.sniff_delimiter(text) == expected


def test_semicolon_file_with_decimal_commas_and_tab_file_read_the_same_numbers(tmp_path):
    X, y = numbers()
    header = ["strong", "weak", "noise", "y"]
    rows = [[f"{v:.4f}" for v in x] + [f"{t:.4f}"] for x, t in zip(X, y)]
    comma = [[cell.replace(".", ",") for cell in row] for row in rows]
    semicolon = _data.load_csv(write(tmp_path / "s.csv", header, comma, ";"), "y")
    tab = _data.load_csv(write(tmp_path / "t.tsv", header, rows, "\t"), "y")
    for data, delimiter in ((semicolon, ";"), (tab, "\t")):
        assert data.delimiter == delimiter and data.feature_names == header[:3]
        np.testing.assert_array_equal(data.X, X)
        np.testing.assert_array_equal(data.y, y)
    # --sep overrides the guess: read as ",", the ";" file has one column per line.
    code, _, err = run([str(tmp_path / "s.csv"), "--target", "y", "--sep", "comma"])
    assert code == 2 and "target column 'y' is not in" in err
    code, out, err = run([str(tmp_path / "s.csv"), "--target", "y", "--sep", ";",
                          "--method", "olden", "--cv", "0", *FAST])
    assert code == 0, err
    assert sorted(table(out)[1]) == ["noise", "strong", "weak"]


# --------------------------------------------------------------------------------------
# Index and id columns


def test_pandas_index_column_is_not_a_feature(tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = numbers()
    frame = pd.DataFrame(X, columns=["strong", "weak", "noise"]).assign(y=y)
    path = str(tmp_path / "frame.csv")
    frame.to_csv(path)  # writes the index as an unnamed first column
    data = _data.load_csv(path, "y")
    assert data.feature_names == ["strong", "weak", "noise"]
    np.testing.assert_allclose(data.X, X, atol=0)
    assert data.notes == ["the first column has no name: read as the row index (as "
                          "pandas' to_csv writes it), not as a feature"]


def id_file(tmp_path):
    X, y = numbers()
    n = len(y)
    shuffled = np.random.default_rng(1).permutation(n) + 100  # consecutive, any order
    header = ["customer_id", "code", "row", "strong", "weak", "noise", "y"]
    rows = [[str(1000 + 7 * i), f"C{i:03d}", str(shuffled[i])] + [f"{v:.4f}" for v in x]
            + [f"{t:.4f}"] for i, (x, t) in enumerate(zip(X, y))]
    return write(tmp_path / "ids.csv", header, rows)


def test_id_like_columns_are_dropped_with_a_note(tmp_path):
    path = id_file(tmp_path)
    data = _data.load_csv(path, "y")
    assert data.feature_names == ["strong", "weak", "noise"]
    assert data.notes == [
        "column 'customer_id' looks like a row id (its name says it identifies rows): "
        "dropped, not ranked; --keep customer_id ranks it",
        "column 'code' looks like a row id (a different text in every row): dropped, not "
        "ranked; --keep code ranks it",
        "column 'row' looks like a row id (a different integer in every row, consecutive: "
        "a row number): dropped, not ranked; --keep row ranks it"]
    kept = _data.load_csv(path, "y", keep=["row"], drop=["code"], index_col="customer_id")
    assert kept.feature_names == ["row", "strong", "weak", "noise"]
    assert kept.notes == []
    code, out, err = run([path, "--target", "y", "--method", "olden", "--cv", "0", *FAST])
    assert code == 0, err
    assert sorted(table(out)[1]) == ["noise", "strong", "weak"]
    assert "3 features" in out.splitlines()[0]
    assert [line for line in err.splitlines() if not line.startswith("  ")] == [
        line for line in err.splitlines() if line.startswith("skimportance: note: column")]


@pytest.mark.parametrize("name, expected", [
    ("id", True), ("ID", True), ("patient_id", True), ("CustomerID", True),
    ("Unnamed: 0", True), ("index", True), ("id_card", True),
    ("idle_time", False), ("width", False), ("ACID", False), ("valid", False),
])
def test_id_like_names(name, expected):
    assert _data.id_like_name(name) is expected


def test_id_options_errors(tmp_path):
    path = id_file(tmp_path)
    for argv, text in (
            (["--drop", "nope"], "--drop: column 'nope' is not in"),
            (["--index-col", "y"], "--index-col: 'y' is the target column"),
            (["--keep", "code", "--drop", "code"], "--keep 'code': the column is also "
                                                    "dropped")):
        code, out, err = run([path, "--target", "y", *argv])
        assert code == 2 and out == ""
        assert err.splitlines() == [err.splitlines()[0]] and text in err
    # The file name after --drop would be taken as a column name: said plainly.
    code, _, err = run(["--target", "y", "--drop", "code", path])
    assert code == 2 and "must come before --drop" in err
    code, _, err = run(["--sep", ";"])
    assert code == 2 and "--sep needs a CSV file" in err


# --------------------------------------------------------------------------------------
# Blank cells and text columns


def mixed_file(tmp_path, n=60):
    """y depends on a 3-valued text column and on x; 'noise' has blanks."""
    rng = np.random.default_rng(3)
    colour = rng.choice(["red", "green", "blue"], size=n)
    x = np.round(rng.normal(size=n), 4)
    noise = np.round(rng.normal(size=n), 4)
    effect = {"red": 2.0, "green": 0.0, "blue": -2.0}
    y = np.round([effect[c] for c in colour] + 0.5 * x + 0.1 * rng.normal(size=n), 4)
    blank = np.zeros(n, dtype=bool)
    blank[[2, 11, 30, 47]] = True
    rows = [[c, f"{a:.4f}", "" if b else f"{z:.4f}", f"{t:.4f}"]
            for c, a, z, b, t in zip(colour, x, noise, blank, y)]
    rows[5][0] = "NA"  # a blank text cell
    path = write(tmp_path / "mixed.csv", ["colour", "x", "noise", "y"], rows)
    return path, colour, x, noise, blank, y


def test_blanks_and_text_columns_are_imputed_and_encoded(tmp_path):
    path, colour, x, noise, blank, y = mixed_file(tmp_path)
    code, out, err = run([path, "--target", "y", "--cv", "3", "--hidden", "8",
                          "--max-iter", "500"])
    assert code == 0, err
    notes = " ".join(line.strip() for line in err.splitlines())
    assert ("5 blank cells in colour, noise: imputed inside the pipeline, from each fold's "
            "training rows") in notes
    assert "text column colour (3 values): one-hot encoded inside the pipeline" in notes
    methods, rows = table(out)
    assert methods == list(DEFAULT_COLUMNS)
    assert sorted(rows) == ["colour", "noise", "x"]  # the text column ranks as one
    permutation = methods.index("permutation")
    assert rows["colour"][2 * permutation + 1] == 1  # the strongest effect
    assert rows["noise"][2 * permutation + 1] == 3

    # Oracle for the imputation and the encoding: least squares on each fold with the
    # blanks filled and the colours encoded by hand from the fold's training rows.
    from sklearn.model_selection import KFold

    y_std = (y - y.mean()) / y.std()
    text = np.array(colour, dtype=object)
    text[5] = None
    r2 = []
    for train, test in KFold(3, shuffle=True, random_state=0).split(x, y_std):
        known = [c for c in text[train] if c is not None]
        values, counts = np.unique(known, return_counts=True)
        filled_colour = np.where(text == None, values[np.argmax(counts)], text)  # noqa: E711
        median = np.median(noise[train][~blank[train]])
        filled_noise = np.where(blank, median, noise)
        design = np.column_stack([np.ones_like(x), x, filled_noise]
                                 + [filled_colour == value for value in values])
        coef = np.linalg.lstsq(design[train].astype(float), y_std[train], rcond=None)[0]
        residual = y_std[test] - design[test].astype(float) @ coef
        r2.append(1 - residual @ residual / np.sum((y_std[test] - y_std[test].mean()) ** 2))
    match = re.search(r"linear regression (-?[0-9.]+) ± ([0-9.]+)", out)
    assert float(match.group(1)) == pytest.approx(np.mean(r2), abs=0.006)
    assert float(match.group(2)) == pytest.approx(np.std(r2), abs=0.006)


def test_a_few_words_in_a_number_column_are_an_error_not_text(tmp_path):
    X, y = numbers(n=20)
    rows = [[f"{v:.4f}" for v in x] + [f"{t:.4f}"] for x, t in zip(X, y)]
    rows[6][1] = "n.a"
    path = write(tmp_path / "typo.csv", ["a", "b", "c", "y"], rows)
    code, _, err = run([path, "--target", "y"])
    assert code == 2
    assert err.splitlines() == ["skimportance: error: feature column 'b' must be numeric, "
                                "but data row 7 (line 8) has 'n.a'"]


# --------------------------------------------------------------------------------------
# Integer targets and --task


def rating_file(tmp_path):
    X, y = numbers(n=48)
    rating = np.clip(np.round(y + 4.5), 1, 8).astype(int)  # a 1-8 rating
    rows = [[f"{v:.4f}" for v in x] + [str(r)] for x, r in zip(X, rating)]
    return write(tmp_path / "rating.csv", ["strong", "weak", "noise", "rating"], rows), rating


def test_integer_rating_is_a_regression_by_default_and_classes_on_request(tmp_path):
    path, rating = rating_file(tmp_path)
    distinct = np.unique(rating).size
    assert distinct == 8
    quick = ["--method", "olden", "--cv", "0", *FAST]
    code, out, err = run([path, "--target", "rating", *quick])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("rating.csv: regression of 'rating', 48 rows, 3 features")
    note = " ".join(line.strip() for line in lines[1:3])
    assert note.startswith("note: the target holds 8 integer values (1 to 8): analysed as a "
                           "regression (a rating or a count); --task classification treats "
                           "them as 8 classes")
    assert "held-out R^2" in out
    code, out, err = run([path, "--target", "rating", "--task", "classification", *quick])
    assert code == 0, err
    assert "classification of 'rating' (8 classes)" in out.splitlines()[0]
    assert "held-out accuracy" in out


def test_task_option_refuses_what_the_target_cannot_be(tmp_path):
    X, y = numbers(n=20)
    rows = [[f"{v:.4f}" for v in x] + [f"{t:.4f}", "yes" if t > 0 else "no"]
            for x, t in zip(X, y)]
    path = write(tmp_path / "t.csv", ["a", "b", "c", "y", "label"], rows)
    code, _, err = run([path, "--target", "y", "--drop", "label", "--task",
                        "classification"])
    assert code == 2
    row = next(i for i, t in enumerate(y) if t != round(t)) + 1
    assert err.splitlines() == [
        f"skimportance: error: --task classification needs class labels (text or "
        f"integers), but the target has '{y[row - 1]:.4f}' at data row {row} (target "
        f"column 'y')"]
    code, _, err = run([path, "--target", "label", "--drop", "y", "--task", "regression"])
    assert code == 2 and "--task regression needs numbers in the target column" in err
    code, _, err = run([path, "--target", "y", "--task", "ordinal"])
    assert code == 2 and "invalid choice: 'ordinal'" in err


# --------------------------------------------------------------------------------------
# --version, --wide, widths


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"skimportance {__version__}\n"


def test_wide_shows_the_ten_methods(tmp_path):
    X, y = numbers()
    rows = [[f"{v:.4f}" for v in x] + [f"{t:.4f}"] for x, t in zip(X, y)]
    path = write(tmp_path / "w.csv", ["strong", "weak", "noise", "y"], rows)
    code, out, err = run([path, "--target", "y", "--wide", "--cv", "0", "--hidden", "4",
                          "--max-iter", "200"])
    assert code == 0, err
    methods, rows = table(out)
    headings = {"int_grad": "integrated_gradients", "conduct.": "conductance",
                "permuta.": "permutation"}
    assert [headings.get(m, m) for m in methods] == list(WIDE_COLUMNS)
    assert "Abbreviations: int_grad = integrated_gradients, conduct. = conductance, " \
           "permuta. = permutation" in out
    # Conductance's per-input values are integrated gradients': they count once.
    k, j = methods.index("conduct."), methods.index("int_grad")
    assert all(row[2 * k] == row[2 * j] for row in rows.values())
    assert "Agreement of 9 methods" in out and "conductance counted with" in out
    code, _, err = run(["--wide", "--method", "olden"])
    assert code == 2 and "--wide and --method" in err


def test_default_output_fits_in_100_columns_with_30_long_names(tmp_path):
    rng = np.random.default_rng(0)
    n, k = 40, 30
    names = [f"temperature_probe{i:02d}{side}" for i in range(15)
             for side in ("_north", "-south")]
    assert len(names) == k and {len(name) for name in names} == {25}
    X = np.round(rng.normal(size=(n, k)), 3)
    y = X[:, 0] - X[:, 3] + 0.1 * rng.normal(size=n)
    rows = [[f"{v:.3f}" for v in x] + [f"{t:.3f}"] for x, t in zip(X, y)]
    path = write(tmp_path / "wide.csv", names + ["y"], rows)
    code, out, err = run([path, "--target", "y", "--cv", "2", "--hidden", "4",
                          "--max-iter", "100"])
    assert code == 0, err
    for line in out.splitlines() + err.splitlines():
        assert len(line) <= 100, line
    methods, rows = table(out)
    assert methods == list(DEFAULT_COLUMNS) and len(rows) == k
    # Each label names one feature: all 25 characters fit beside two methods.
    assert sorted(rows) == sorted(names)
    # With less room (the ten methods), the labels are cut, still one per feature.
    from skimportance.cli import _report

    importances = rng.dirichlet(np.ones(k), size=10)
    ranks = np.vstack([np.argsort(np.argsort(-row)) + 1.0 for row in importances])
    lines, _ = _report._table(names, list(WIDE_COLUMNS), importances, ranks, np.arange(k))
    labels = [line.split()[0] for line in lines[1:]]
    assert len(set(labels)) == k and max(len(label) for label in labels) == 16
    for name, label in zip(names, labels):
        head, tail = label.split("…")
        assert name.startswith(head) and name.endswith(tail)
        assert [other for other in names if other.startswith(head)
                and other.endswith(tail)] == [name]


# --------------------------------------------------------------------------------------
# --output: raw importances, their spread, the scores and the settings


def gradient_oracle(model, X, h=1e-6):
    """Mean |d predict / d x_j| over the rows times the standard deviation of x_j in
    these rows (scale=True: per standard deviation of the input), by central
    differences (the networks are piecewise linear: exact away from a kink)."""
    values = []
    for j in range(X.shape[1]):
        up, down = X.copy(), X.copy()
        up[:, j] += h
        down[:, j] -= h
        slope = (model.predict(up) - model.predict(down)) / (2 * h)
        values.append(np.mean(np.abs(slope)) * X[:, j].std())
    return np.array(values)


def small_network(random_state=0):
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # 40 rows: the training parts have fewer than 50, so no early stopping.
    return make_pipeline(StandardScaler(), MLPRegressor(
        hidden_layer_sizes=(6,), max_iter=300, random_state=random_state))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("extension", ["json", "csv"])
def test_output_carries_raw_importances_scores_and_settings(tmp_path, extension):
    from sklearn.model_selection import KFold

    X, y = numbers()
    rows = [[f"{v:.4f}" for v in x] + [f"{t:.4f}"] for x, t in zip(X, y)]
    path = write(tmp_path / "o.csv", ["strong", "weak", "noise", "y"], rows)
    target = str(tmp_path / f"out.{extension}")
    code, out, err = run([path, "--target", "y", "--method", "gradient", "--cv", "3",
                          *FAST, "--output", target])
    assert code == 0, err
    if extension == "json":
        with open(target, encoding="utf-8") as handle:
            document = json.load(handle)
        records = document["features"]
    else:
        with open(target, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        document = {line[2:].split(": ", 1)[0]: json.loads(line[2:].split(": ", 1)[1])
                    for line in lines if line.startswith("# ")}
        records = [{key: (value if key == "feature" else float(value))
                    for key, value in record.items()}
                   for record in csv.DictReader([line for line in lines
                                                 if not line.startswith("#")])]
        try:
            import pandas as pd
        except ImportError:
            pass
        else:  # the documented way to read it
            frame = pd.read_csv(target, comment="#")
            assert list(frame.columns) == list(records[0])
            np.testing.assert_allclose(frame["gradient_raw"],
                                       [r["gradient_raw"] for r in records], atol=0)
    assert document["skimportance"] == __version__
    settings = document["settings"]
    assert settings["target"] == "y" and settings["task"] == "regression"
    assert settings["methods"] == ["gradient"] and settings["cv"] == 3
    assert settings["hidden"] == [6] and settings["max_iter"] == 300
    assert settings["features"] == ["strong", "weak", "noise"] and settings["sep"] == ","

    # Oracle: the same folds and networks refitted here, the gradient by differences.
    y_std = (y - y.mean()) / y.std()
    raw, mlp, linear = [], [], []
    from sklearn.linear_model import LinearRegression

    for train, test in KFold(3, shuffle=True, random_state=0).split(X, y_std):
        model = small_network().fit(X[train], y_std[train])
        raw.append(gradient_oracle(model, X[test]))
        mlp.append(model.score(X[test], y_std[test]))
        plain = LinearRegression().fit(X[train], y_std[train])
        linear.append(plain.score(X[test], y_std[test]))
    raw = np.array(raw)
    scores = document["scores"]
    assert scores["metric"] == "R^2" and scores["network_fits"] == 3
    np.testing.assert_allclose(scores["mlp"], mlp, atol=1e-8)
    np.testing.assert_allclose(scores["linear"], linear, atol=1e-8)
    by_name = {record["feature"]: record for record in records}
    features = ["strong", "weak", "noise"]
    np.testing.assert_allclose([by_name[f]["gradient_raw"] for f in features],
                               raw.mean(axis=0), atol=1e-5)
    np.testing.assert_allclose([by_name[f]["gradient_raw_sd"] for f in features],
                               raw.std(axis=0), atol=1e-5)
    # The normalised values are each fold's raw values over their sum, averaged.
    normalised = raw / raw.sum(axis=1, keepdims=True)
    np.testing.assert_allclose([by_name[f]["gradient_importance"] for f in features],
                               normalised.mean(axis=0), atol=1e-5)
    np.testing.assert_allclose([by_name[f]["gradient_sd"] for f in features],
                               normalised.std(axis=0), atol=1e-5)
    assert [record["feature"] for record in records][0] == "strong"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_output_without_folds_has_the_training_part_raw_values(tmp_path):
    from sklearn.model_selection import train_test_split

    X, y = numbers()
    rows = [[f"{v:.4f}" for v in x] + [f"{t:.4f}"] for x, t in zip(X, y)]
    path = write(tmp_path / "o.csv", ["strong", "weak", "noise", "y"], rows)
    target = str(tmp_path / "out.json")
    code, out, err = run([path, "--target", "y", "--method", "gradient,olden", "--cv", "0",
                          *FAST, "--output", target])
    assert code == 0, err
    with open(target, encoding="utf-8") as handle:
        document = json.load(handle)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    center, spread = y_train.mean(), y_train.std()
    model = small_network().fit(X_train, (y_train - center) / spread)
    expected = gradient_oracle(model, X_train)
    records = {record["feature"]: record for record in document["features"]}
    np.testing.assert_allclose([records[f]["gradient_raw"] for f in ("strong", "weak",
                                                                      "noise")],
                               expected, atol=1e-5)
    assert "gradient_raw_sd" not in records["strong"]
    assert document["scores"]["mlp"] == pytest.approx(
        [model.score(X_test, (y_test - center) / spread)], abs=1e-8)


# --------------------------------------------------------------------------------------
# Progress and convergence notes


def test_progress_lines_on_stderr_for_a_long_run(tmp_path, monkeypatch):
    X, y = numbers()
    rows = [[f"{v:.4f}" for v in x] + [f"{t:.4f}"] for x, t in zip(X, y)]
    path = write(tmp_path / "p.csv", ["a", "b", "c", "y"], rows)
    argv = [path, "--target", "y", "--method", "olden", "--cv", "3", "--hidden", "4",
            "--max-iter", "50"]
    monkeypatch.setattr(_progress, "PROGRESS_AFTER", 0.0)  # every run counts as long
    code, out, err = run(argv)
    assert code == 0, err
    stages = [re.sub(r"^\[\s*\d+\.\d s\] ", "", line) for line in err.splitlines()]
    assert all(re.match(r"^\[\s*\d+\.\d s\] ", line) for line in err.splitlines())
    assert stages == [f"fold {k}/3: fitting the network and computing 1 method"
                      for k in (1, 2, 3)] + ["the linear model on the same folds", "done"]
    monkeypatch.setattr(_progress, "PROGRESS_AFTER", 1e9)
    code, out_again, err = run(argv)
    assert code == 0 and err == "" and out_again == out
    # Large data (here: from 40 x 3 cells on) shows every stage from the start.
    monkeypatch.setattr(_main, "LARGE_DATA_CELLS", 120)
    code, _, err = run(argv)
    assert code == 0 and len(err.splitlines()) == 5
    monkeypatch.setattr(_main, "LARGE_DATA_CELLS", 121)
    code, _, err = run(argv)
    assert code == 0 and err == ""


def test_convergence_is_one_note_not_warnings(tmp_path):
    X, y = numbers()
    rows = [[f"{v:.4f}" for v in x] + [f"{t:.4f}"] for x, t in zip(X, y)]
    path = write(tmp_path / "c.csv", ["a", "b", "c", "y"], rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, out, err = run([path, "--target", "y", "--method", "olden", "--cv", "3",
                              "--refits", "2", "--hidden", "4", "--max-iter", "5"])
    assert code == 0, err
    assert caught == []
    note = " ".join(line.strip() for line in out.splitlines())
    assert ("note: 6 of 6 network fits stopped at --max-iter 5 before converging "
            "(importances may be unstable); try a larger --max-iter") in note


def test_other_convergence_warnings_are_counted_in_one_line(monkeypatch):
    from sklearn.exceptions import ConvergenceWarning

    def evaluation(*args):
        for _ in range(11):
            warnings.warn("Stochastic Optimizer: Maximum iterations reached",
                          ConvergenceWarning)
        warnings.warn("something else", UserWarning)

    monkeypatch.setattr(_main, "_print_evaluation", evaluation)
    with pytest.warns(UserWarning, match="something else") as caught:
        code, out, err = run(["--method", "olden", "--cv", "0", "--hidden", "4",
                              "--max-iter", "300", "--evaluate"])
    assert code == 0, err
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert " ".join(err.split()) == (
        "skimportance: note: 11 other fits (--evaluate's refits, the linear model) stopped "
        "at their max_iter before converging (ConvergenceWarning)")
