"""How LinearIntentClassifier turns the featurizers' sentence features into one row (fast, no training)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from bot.rasa_classifier import scale_counts, sentence_features


def _message(regex: list[float], words: list[float], chars: list[float]):
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": "x"})
    for origin, values in (("run_RegexFeaturizer4", regex), ("run_CountVectorsFeaturizer6", words),
                           ("run_CountVectorsFeaturizer7", chars)):
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


# -- novelty flags -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, band", [
    ("Hvad koster det?", 0),           # every word known (case and punctuation do not matter)
    ("hvad koster busbilletten", 1),   # one of three new
    ("hvad koster en busbillet", 2),   # two of four new
    ("hvornår går bussen", 3),         # all new
])
def test_novelty_flag_says_how_much_of_the_message_is_new(text, band):
    from bot.rasa_classifier import novelty_flags

    flags = novelty_flags(text, frozenset({"hvad", "koster", "det"}))
    assert flags == [1.0 if n == band else 0.0 for n in range(4)]


def test_a_message_without_words_sets_no_novelty_flag():
    from bot.rasa_classifier import novelty_flags

    assert novelty_flags("👍 ?!", frozenset({"ja"})) == [0.0] * 4


def _trainer(tmp_path, **config):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.rasa_classifier import LinearIntentClassifier

    return LinearIntentClassifier.create(config, LocalModelStorage(tmp_path),
                                         Resource("linear"), ExecutionContext(GraphSchema({}), node_name="linear"))


def _examples(rows):
    from rasa.shared.nlu.training_data.message import Message

    return [Message(data={"text": text, "intent": label}) for text, label in rows]


def test_a_training_examples_novelty_comes_from_the_other_parts_of_the_data_not_its_own_words(tmp_path):
    rows = [("vi har stress", "inform"), ("vi har travlt", "inform"), ("zebraer er sjove", "inform"),
            ("hvad koster det", "faq"), ("det koster ikke noget", "faq"), ("hvornår går bussen", "out_of_scope")]
    classifier = _trainer(tmp_path, novelty_folds=3)
    flags = classifier._training_novelty(_examples(rows), [label for _, label in rows])
    # "zebraer" and "sjove" occur in no other example: against the rest, the whole text is new.
    assert flags[2] == [0.0, 0.0, 0.0, 1.0]
    # The final vocabulary has every in-scope word, and none that only an out_of_scope example used.
    assert {"zebraer", "stress", "koster"} <= classifier.vocabulary
    assert "bussen" not in classifier.vocabulary and "hvornår" not in classifier.vocabulary


def test_respellings_of_one_text_are_in_the_same_part_so_a_copy_does_not_hide_its_novelty(tmp_path):
    rows = [("Zebraer er sjove!", "inform"), ("zebraer er sjove", "inform"), ("vi har stress", "inform"),
            ("vi har travlt", "inform"), ("hvad koster det", "faq"), ("det koster ikke noget", "faq")]
    classifier = _trainer(tmp_path, novelty_folds=2)
    flags = classifier._training_novelty(_examples(rows), [label for _, label in rows])
    assert flags[0] == flags[1] == [0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("excluded, extra_columns", [(["out_of_scope"], 4), ([], 0)])
def test_novelty_flags_are_four_more_columns_unless_no_intent_is_excluded(tmp_path, excluded, extra_columns):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    rows = [("vi har stress", "inform"), ("vi har travlt", "inform"), ("hvad koster det", "faq"),
            ("er det gratis", "faq"), ("hvornår går bussen", "out_of_scope"), ("hvad er en delfin", "out_of_scope")]
    examples = []
    for n, (text, label) in enumerate(rows):
        message = _message([0, 1], [float(n == k) for k in range(6)], [1, 0, float(n % 2), 1])
        message.set("text", text)
        message.set("intent", label)
        examples.append(message)
    classifier = _trainer(tmp_path, C=[1.0], novelty_excluded_intents=excluded)
    classifier.train(TrainingData(training_examples=examples))
    assert classifier.coef.shape[1] == 2 + 6 + 4 + extra_columns
    assert (classifier.vocabulary is None) == (not excluded)
    assert classifier.probabilities(examples[:2]).shape == (2, 3)
