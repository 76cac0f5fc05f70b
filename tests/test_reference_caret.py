"""Garson(variant="neuralnettools") against numbers produced by R's caret.

tests/data/caret_garson.json was written by benchmarks/reference/caret_garson.R
(R 4.2.2, caret 6.0-93, nnet 7.3-18): nnet models fitted in R, their weights, and what
caret:::GarsonWeights returned for them (percentages, one column per output).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import make_mlp

from skimportance import feature_importances
from skimportance.network import unwrap_network
from skimportance.methods import Garson

DATA = json.loads((Path(__file__).parent / "data" / "caret_garson.json").read_text())


def as_mlp(case):
    return make_mlp([case["W1"], case["W2"]], [case["b1"], case["b2"]], activation="logistic",
                    out_activation=case.get("output_activation", "identity"))


@pytest.mark.parametrize("case", DATA["cases"], ids=lambda c: c["name"])
def test_neuralnettools_variant_equals_caret(case):
    mlp = as_mlp(case)
    result = feature_importances(mlp, method=Garson(variant="neuralnettools"), scale=False)
    np.testing.assert_allclose(result.per_output.T * 100, case["caret_garson"], rtol=1e-12)


@pytest.mark.parametrize("case", DATA["cases"], ids=lambda c: c["name"])
def test_weights_were_read_in_nnet_layout(case):
    # nnet saturates its logistic at |z| > 15, so rows that reach it differ by ~1e-6.
    mlp = as_mlp(case)
    predicted = unwrap_network(mlp).predict(np.asarray(case["X"]))
    tol = 1e-12 if case["max_abs_hidden_preactivation"] < 15 else 1e-5
    np.testing.assert_allclose(predicted, case["nnet_predict"], atol=tol)


def test_gevrey_worked_example_equals_caret():
    case = DATA["gevrey_2003"]
    mlp = make_mlp([case["W1"], case["W2"]], activation="logistic")
    result = feature_importances(mlp, method=Garson(variant="neuralnettools"), scale=False)
    np.testing.assert_allclose(result.per_output.T * 100, case["caret_garson"], rtol=1e-12)
