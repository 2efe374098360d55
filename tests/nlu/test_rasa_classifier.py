"""How IntentTopicClassifier turns the featurizers' sentence features into one row (fast, no training)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from bot.nlu.intent_classifier import scale_counts, sentence_features


def _message(regex: list[float], words: list[float], chars: list[float]):
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": "x"})
    for origin, values in (
        ("run_RegexFeaturizer4", regex),
        ("run_CountVectorsFeaturizer6", words),
        ("run_CountVectorsFeaturizer7", chars),
    ):
        message.add_features(Features(scipy.sparse.coo_matrix(np.array([values])), "sentence", "text", origin))
        # A sequence feature, which the sentence row must leave out.
        message.add_features(Features(scipy.sparse.coo_matrix(np.ones((2, len(values)))), "sequence", "text", origin))
    return message


def test_counts_become_sublinear_and_of_unit_length():
    scaled = scale_counts(np.array([1.0, 3.0, 0.0]))
    assert np.linalg.norm(scaled) == pytest.approx(1.0)
    assert scaled[1] / scaled[0] == pytest.approx(np.log(4) / np.log(2))  # not 3: sublinear
    assert np.array_equal(scale_counts(np.zeros(3)), np.zeros(3))


def test_a_short_and_a_long_message_get_count_blocks_of_the_same_length():
    short = _message([1, 0], [1, 0, 0], [1, 1, 0, 0])
    long = _message([0, 0], [5, 2, 7], [9, 4, 8, 3])
    rows = sentence_features([short, long], ["CountVectorsFeaturizer"]).toarray()
    assert rows.shape == (2, 2 + 3 + 4)
    for row in rows:
        assert np.linalg.norm(row[2:5]) == pytest.approx(1.0) and np.linalg.norm(row[5:]) == pytest.approx(1.0)
    # The pattern flags (RegexFeaturizer) are kept as 0/1.
    assert rows[0, :2].tolist() == [1.0, 0.0] and rows[1, :2].tolist() == [0.0, 0.0]


def test_without_scaled_featurizers_the_row_is_the_raw_sentence_features_as_rasa_combines_them():
    message = _message([1, 0], [2, 0, 1], [3, 0, 0, 1])
    _, combined = message.get_sparse_features("text")
    assert np.array_equal(sentence_features([message]).toarray(), combined.features.toarray())
    assert sentence_features([message], ["CountVectorsFeaturizer"]).toarray()[0, 2:].max() < 1.0


def test_scaling_leaves_the_messages_own_features_untouched():
    message = _message([1, 0], [2, 0, 1], [3, 0, 0, 1])
    before = [f.features.toarray().copy() for f in message.features]
    sentence_features([message], ["CountVectorsFeaturizer"])
    assert all(np.array_equal(b, f.features.toarray()) for b, f in zip(before, message.features))
