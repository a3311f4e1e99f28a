"""symrmt.data.features and symrmt.simulate.trained_features: representations built from a data
matrix, checked against direct formulas; bad input names the argument."""
import numpy as np
import pytest

from symrmt.data import (check_kernel, check_targets, digits, kernel_matrix, one_hot, random_features, standardize,
                         trained_features)
from symrmt.errors import ParameterError
from symrmt.kernels import dot_product_kernel


def test_digits_and_one_hot():
    X, labels = digits()
    assert X.shape == (1797, 64) and labels.shape == (1797,) and set(labels) == set(range(10))
    np.testing.assert_allclose(X.mean(0), 0, atol=1e-12)
    sd = X.std(0)
    assert np.all((np.abs(sd - 1) < 1e-12) | (sd == 0))      # constant pixels stay 0
    Y = one_hot(np.array([0, 2, 2, 1]))
    np.testing.assert_allclose(Y, np.array([[1, 0, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0]]) - [0.25, 0.25, 0.5])
    with pytest.raises(ParameterError, match="labels"):
        one_hot(np.array([0.5, 1.0]))


def test_kernel_matrix_is_the_dot_product_kernel_of_the_cosines():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 6))
    K = kernel_matrix(X, "ntk", "relu")
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    c = np.clip(U @ U.T, -1, 1)
    ref = (np.sqrt(1 - c**2) + 2 * (np.pi - np.arccos(c)) * c) / (2 * np.pi)   # one-layer ReLU NTK
    np.testing.assert_allclose(K, ref, atol=1e-12)
    np.testing.assert_allclose(kernel_matrix(X, dot_product_kernel("erf", "nngp")),
                               dot_product_kernel("erf", "nngp")(c), atol=1e-12)
    check_kernel(K)        # PSD
    with pytest.raises(ParameterError, match="data"):
        kernel_matrix(np.vstack([X, np.zeros(6)]))
    with pytest.raises(ParameterError, match="kernel"):
        kernel_matrix(X, 3.0)


def test_random_features_formula_and_checks():
    X = standardize(np.random.default_rng(1).standard_normal((20, 4)))
    F = random_features(X, 7, "tanh", seed=3)
    W = np.random.default_rng(3).standard_normal((4, 7))
    np.testing.assert_allclose(F, np.tanh(X @ W / 2) / np.sqrt(7), rtol=1e-12)
    with pytest.raises(ParameterError, match="activation"):
        random_features(X, 7, "softsign")
    with pytest.raises(ParameterError, match="width"):
        random_features(X, 0)
    with pytest.raises(ParameterError, match="data"):
        random_features(np.full((3, 2), np.nan), 2)
    with pytest.raises(ParameterError, match="targets"):
        check_targets(np.ones((5, 2, 2)), 5)


def test_trained_features_shape_seed_and_split():
    X, labels = digits()
    Y = one_hot(labels)
    a, rows = trained_features(X[:300], Y[:300], train=200, hidden=16, epochs=20, seed=4, device="cpu")
    b, _ = trained_features(X[:300], Y[:300], train=200, hidden=16, epochs=20, seed=4, device="cpu")
    assert a.shape == (100, 16) and np.array_equal(rows, np.arange(200, 300))
    np.testing.assert_array_equal(a, b)                      # explicit seed: reproducible
    assert np.all(a >= 0) and a.std() > 0                     # ReLU features, not collapsed
    with pytest.raises(ParameterError, match="train"):
        trained_features(X[:300], Y[:300], train=299)
    with pytest.raises(ParameterError, match="targets"):
        trained_features(X[:300], Y[:200], train=100)


def test_docs_page_runs(tmp_path, monkeypatch):
    """The python blocks of docs/data.md run in order in one namespace."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "data.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert blocks
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    for code in blocks:
        exec(compile(code, "docs/data.md", "exec"), ns)
