"""The README's example runs as written and shows what it says."""

import re
from pathlib import Path

import numpy as np

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_readme_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks, "README has no python example"
    namespace = {}
    exec(compile("\n".join(blocks), "README.md", "exec"), namespace)
    est = namespace["est"]
    assert est.feature_importances_.shape == (10,)
    assert np.isclose(est.feature_importances_.sum(), 1.0)
    assert len(namespace["search"].cv_results_["params"]) == 4
    assert namespace["search"].best_estimator_["select"].get_support().sum() == 5
