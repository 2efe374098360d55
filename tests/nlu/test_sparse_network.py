"""The intent network's training: scikit-learn's MLPClassifier, done lazily (bot/nlu/sparse_network.py)."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse

from bot.nlu.sparse_network import train_network


def _data(n_samples: int = 300, n_features: int = 400, n_classes: int = 4, seed: int = 0):
    random = np.random.RandomState(seed)
    labels = random.randint(0, n_classes, n_samples)
    features = scipy.sparse.random(n_samples, n_features, density=0.02, random_state=random, format="lil")
    # each class has a few features of its own, so there is something to learn
    for label in range(n_classes):
        rows = np.flatnonzero(labels == label)
        features[rows, label * 5 : label * 5 + 5] = 1.0
    return scipy.sparse.csr_matrix(features), labels


def test_updating_every_row_gives_mlpclassifiers_weights():
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    features, labels = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(hidden_layer_sizes=(16,), alpha=1e-4, batch_size=64, max_iter=4, random_state=7)
        model.fit(features, labels)
    layers = train_network(features, labels, 4, 16, 4, batch_size=64, seed=7, lazy=False, dtype=np.float64)
    for (weights, bias), coef, intercept in zip(layers, model.coefs_, model.intercepts_):
        assert np.allclose(weights, coef, atol=1e-12) and np.allclose(bias, intercept, atol=1e-12)


def test_lazy_updates_learn_what_updating_every_row_learns():
    from bot.nlu.intent_classifier import network_probabilities

    features, labels = _data(n_samples=600)
    dense = train_network(features, labels, 4, 16, 10, batch_size=50, seed=3, lazy=False, dtype=np.float64)
    lazy = train_network(features, labels, 4, 16, 10, batch_size=50, seed=3)
    assert lazy[0][0].dtype == np.float32
    # most weights agree closely; a few rows differ where the approximations bite
    assert np.median(np.abs(lazy[0][0] - dense[0][0])) < 1e-3 * np.abs(dense[0][0]).max()
    dense_p, lazy_p = network_probabilities(features, dense), network_probabilities(features, lazy)
    assert np.abs(dense_p - lazy_p).max() < 0.01
    assert (dense_p.argmax(1) == lazy_p.argmax(1)).mean() > 0.98
