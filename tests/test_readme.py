"""The README's examples run as written and show what they say."""

import os
import re
from pathlib import Path

import numpy as np
import pytest

README = (Path(__file__).parents[1] / "README.md").read_text()


@pytest.fixture(scope="module")
def namespace(tmp_path_factory):
    # The examples load the data as a DataFrame and draw pictures.
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks, "README has no python example"
    names = {}
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("readme"))  # the examples write files
    try:
        exec(compile("\n".join(blocks), "README.md", "exec"), names)
        names["cwd"] = Path.cwd()
    finally:
        os.chdir(here)
    return names


def test_readme_example_runs(namespace):
    est = namespace["est"]
    assert est.feature_importances_.shape == (10,)
    assert np.isclose(est.feature_importances_.sum(), 1.0)
    assert len(namespace["search"].cv_results_["params"]) == 4
    assert namespace["search"].best_estimator_["select"].get_support().sum() == 5


def test_readme_trust_examples_show_what_they_say(namespace):
    counts = namespace["stable"].importances_.rank_counts
    assert counts.shape == (10, 10) and (counts.sum(axis=1) == 10).all()
    assert 0 <= namespace["stable"].importances_.rank_agreement <= 1
    p_values = namespace["test"].p_values
    assert p_values.shape == (10,) and p_values.min() >= 1 / 20
    # bmi and s5, the drivers of the diabetes data, stand out; age does not.
    assert p_values[[2, 8]].max() <= 0.05 < p_values[0]
    frame = namespace["grouped"].importances_.to_frame()
    assert frame.index.tolist() == ["age", "sex", "bmi", "bp", "serum"]
    assert namespace["by_column"].feature_importances_.shape == (10,)


def test_readme_pictures(namespace):
    assert len(namespace["ax"].collections) > 0  # the network's edges were drawn
    assert (namespace["cwd"] / "network.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_readme_which_method_examples_show_what_they_say(namespace):
    faith = namespace["faith"]
    assert faith.methods[-1] == "random" and faith.faithfulness[-1] == 0
    # Removing bmi, s5 and bp first (every method ranks them high) hurts the held-out
    # score more than removing inputs at random.
    assert np.all(faith.faithfulness[:-1] > 0)
    ci = namespace["ci"]
    mean = namespace["held_out"].importances_.importances_mean
    assert np.all(ci.low <= mean) and np.all(mean <= ci.high) and np.all(ci.low < ci.high)
    # The seed's and the data's variance: non-negative, and together about the spread
    # of the 15 refit x fold values themselves (measured: 1.1 to 1.2 times their
    # sample variance; the components allow for the folds sharing training rows).
    parts = namespace["held_out"].importances_.variance_components()
    cells = namespace["held_out"].importances_.importances.var(axis=1, ddof=1)
    assert np.all(parts.seed >= 0) and np.all(parts.data >= 0)
    assert np.all((0.5 * cells <= parts.total) & (parts.total <= 2 * cells))
    adjusted = namespace["held_out_test"].adjusted_p_values("maxt")
    raw = namespace["held_out_test"].p_values
    assert adjusted.shape == (10,) and np.all(adjusted >= raw)
    names = list(namespace["held_out_test"].feature_names)
    assert adjusted[names.index("bmi")] == pytest.approx(0.05)  # 1 / (19 + 1)
