"""SentenceCountVectorsFeaturizer gives CountVectorsFeaturizer's sentence features and no sequence features."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.count_vectors import SentenceCountVectorsFeaturizer

TEXTS = ["Vi har meget vold fra borgerne", "hvad koster det", "Vi er et plejecenter i Vejle"]


@pytest.mark.parametrize("settings", [{}, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}])
def test_the_sentence_features_are_count_vectors_featurizers(tmp_path, settings):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    results = []
    for cls in (CountVectorsFeaturizer, SentenceCountVectorsFeaturizer):
        config = {**cls.get_default_config(), **settings}
        featurizer = cls.create(config, storage, Resource(cls.__name__), context)
        examples = [Message(data={"text": text, "intent": "x"}) for text in TEXTS]
        tokenizer.process_training_data(TrainingData(examples))
        featurizer.train(TrainingData(examples))
        featurizer.process_training_data(TrainingData(examples))
        results.append(examples)
    for theirs, ours in zip(*results):
        their_sequence, their_sentence = theirs.get_sparse_features("text")
        our_sequence, our_sentence = ours.get_sparse_features("text")
        assert their_sequence is not None and our_sequence is None
        assert np.array_equal(their_sentence.features.toarray(), our_sentence.features.toarray())


@pytest.mark.parametrize("settings", [{}, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}])
def test_messages_at_inference_get_count_vectors_featurizers_sentence_features(tmp_path, settings):
    """The trained model's path: each new message processed (our featurizer makes no sequence features)."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from tools.bench import load

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    new_texts = [m for c in load.load_conversations() for m in c.messages] + ["ukendte ord zyxw", "?"]
    results = []
    for cls in (CountVectorsFeaturizer, SentenceCountVectorsFeaturizer):
        featurizer = cls.create({**cls.get_default_config(), **settings}, storage, Resource(cls.__name__), context)
        examples = [Message(data={"text": text, "intent": "x"}) for text in TEXTS]
        tokenizer.process_training_data(TrainingData(examples))
        featurizer.train(TrainingData(examples))
        messages = [Message(data={"text": text}) for text in new_texts]
        tokenizer.process(messages)
        featurizer.process(messages)
        results.append(messages)
    for theirs, ours in zip(*results):
        their_sequence, their_sentence = theirs.get_sparse_features("text")
        our_sequence, our_sentence = ours.get_sparse_features("text")
        assert our_sequence is None
        assert (their_sentence is None) == (our_sentence is None)
        if their_sentence is not None:
            assert their_sentence.features.format == our_sentence.features.format
            assert np.array_equal(their_sentence.features.toarray(), our_sentence.features.toarray())
        assert [f.attribute for f in theirs.features if f.type == "sentence"] == [
            f.attribute for f in ours.features if f.type == "sentence"
        ]


def test_folded_letters_make_søger_and_soeger_one_word(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    config = {**SentenceCountVectorsFeaturizer.get_default_config(), "fold_letters": True}
    featurizer = SentenceCountVectorsFeaturizer.create(
        config, LocalModelStorage(tmp_path), Resource("folded"), ExecutionContext(GraphSchema({}), "test")
    )
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    examples = [Message(data={"text": text, "intent": "x"}) for text in ("hvordan søger vi", "hvordan soeger vi")]
    tokenizer.process_training_data(TrainingData(examples))
    featurizer.train(TrainingData(examples))
    featurizer.process_training_data(TrainingData(examples))
    folded, spelt_out = (e.get_sparse_features("text")[1].features.toarray() for e in examples)
    assert np.array_equal(folded, spelt_out)
    assert "søger" not in featurizer.vectorizers["text"].vocabulary_


@pytest.mark.parametrize("settings", [{}, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}])
def test_only_the_text_is_counted_and_its_vocabulary_is_the_one_rasa_builds_beside_responses(tmp_path, settings):
    """Rasa's also builds vocabularies for the responses, intents and action names; the text's is its own."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizers, results = [], []
    for cls in (CountVectorsFeaturizer, SentenceCountVectorsFeaturizer):
        featurizer = cls.create({**cls.get_default_config(), **settings}, storage, Resource(cls.__name__), context)
        examples = [Message(data={"text": text, "intent": "x"}) for text in TEXTS] + [
            Message(data={"response": "Et forløb er gratis og tager tid", "intent": "faq"}),
            Message(data={"action_name": "action_submit_application"}),
        ]
        tokenizer.process_training_data(TrainingData(examples))
        featurizer.train(TrainingData(examples))
        featurizer.process_training_data(TrainingData(examples))
        featurizers.append(featurizer)
        results.append(examples)
    theirs, ours = featurizers
    assert "response" in theirs.vectorizers and list(ours.vectorizers) == ["text"]
    assert theirs.vectorizers["text"].vocabulary_ == ours.vectorizers["text"].vocabulary_
    for their_example, our_example in zip(*results):
        their_sentence = their_example.get_sparse_features("text")[1]
        our_sentence = our_example.get_sparse_features("text")[1]
        assert (their_sentence is None) == (our_sentence is None)
        if our_sentence is not None:
            assert np.array_equal(their_sentence.features.toarray(), our_sentence.features.toarray())
    assert results[0][-2].get_sparse_features("response")[1] is not None
    assert all(e.get_sparse_features(a)[1] is None for e in results[1] for a in ("response", "action_name", "intent"))
