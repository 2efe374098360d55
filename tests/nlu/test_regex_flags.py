"""RegexFlagsFeaturizer gives Rasa's RegexFeaturizer's features, and leaves the tokens alone."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.regex_flags import RegexFlagsFeaturizer

PATTERNS = [
    {"name": "place", "pattern": r"(?i)(\bvejle\b|\bi ishøj\b|\bregion hovedstaden\b)"},
    {"name": "email", "pattern": r"[\w.+-]+@[\w-]+\.[\w.]+"},
    {"name": "no_letters", "pattern": r"^[^a-zæøå]*$"},
    {"name": "part_of_a_word", "pattern": r"jobc"},
]
TEXTS = [
    "Vi er et plejecenter i Vejle",
    "skriv til rikke@vejle.dk eller ring",
    "i Ishøj og Region Hovedstaden",
    "123 456",
    "jobcenter",
    "intet her",
]


@pytest.mark.parametrize("case_sensitive", [True, False])
def test_the_features_are_rasas_regex_featurizers(tmp_path, case_sensitive):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**RegexFeaturizer.get_default_config(), "case_sensitive": case_sensitive}
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    results = []
    for cls in (RegexFeaturizer, RegexFlagsFeaturizer):
        featurizer = cls(config, storage, Resource(cls.__name__), context, known_patterns=[dict(p) for p in PATTERNS])
        messages = [Message(data={"text": text}) for text in TEXTS]
        tokenizer.process(messages)
        featurizer.process(messages)
        results.append(messages)
    for theirs, ours in zip(*results):
        for kind in ("sequence", "sentence"):
            expected = theirs.get_sparse_features("text")[kind == "sentence"].features.toarray()
            got = ours.get_sparse_features("text")[kind == "sentence"].features.toarray()
            assert np.array_equal(expected, got), (theirs.get("text"), kind)
        assert all("pattern" in token.data for token in theirs.get("text_tokens"))
        assert not any("pattern" in token.data for token in ours.get("text_tokens"))


def test_in_training_only_the_text_is_featurized_as_rasas(tmp_path):
    """Rasa's also featurizes the responses and action texts; ours the user's text, as at run time."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    results = []
    for cls in (RegexFeaturizer, RegexFlagsFeaturizer):
        featurizer = cls(
            RegexFeaturizer.get_default_config(), storage, Resource(cls.__name__), context, known_patterns=PATTERNS
        )
        examples = [Message(data={"text": text, "intent": "x"}) for text in TEXTS]
        examples.append(Message(data={"response": "Skriv til rikke@vejle.dk i Vejle", "intent": "faq"}))
        tokenizer.process_training_data(TrainingData(examples))
        featurizer.process_training_data(TrainingData(examples))
        results.append(examples)
    for theirs, ours in zip(*results):
        for kind in (0, 1):
            expected, got = theirs.get_sparse_features("text")[kind], ours.get_sparse_features("text")[kind]
            assert (expected is None) == (got is None)
            if got is not None:
                assert np.array_equal(expected.features.toarray(), got.features.toarray())
    assert results[0][-1].get_sparse_features("response")[1] is not None
    assert results[1][-1].get_sparse_features("response") == (None, None)


def test_with_the_projects_lookup_tables_every_text_gets_rasas_features(tmp_path):
    """The lookup tables are skipped for a text none of whose words begins an entry: the features stay
    Rasa's, on the training texts, unseen sentences and texts with letters beyond Latin-1."""
    from pathlib import Path

    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.nlu.utils.pattern_utils import extract_patterns
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.regex_flags import _first_words

    root = Path(__file__).resolve().parents[2]
    data = load_data(str(root / "data" / "nlu"))
    patterns = extract_patterns(data, use_lookup_tables=True, use_regexes=True, use_word_boundaries=True)
    assert sum(_first_words(p["pattern"], 2) is not None for p in patterns) >= 15  # the lookup tables
    treebank = (root / "tests" / "data" / "ud_danish_ddt_dev_sentences.txt").read_text(encoding="utf-8")
    texts = [m.get("text") for m in data.intent_examples][::6] + treebank.splitlines()[:300]
    texts += ["Vi er i Vejle 😊", "ſtress i Vejle", "İstanbul og Kolding", "KØBENHAVN!!", "viby j", "i-o-vejle"]
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    config = {**RegexFeaturizer.get_default_config(), "case_sensitive": False}
    results = []
    for cls in (RegexFeaturizer, RegexFlagsFeaturizer):
        featurizer = cls(config, storage, Resource(cls.__name__), context, known_patterns=patterns)
        messages = [Message(data={"text": text}) for text in texts]
        tokenizer.process(messages)
        featurizer.process(messages)
        results.append(messages)
    for theirs, ours in zip(*results):
        their_features, our_features = theirs.get_sparse_features("text"), ours.get_sparse_features("text")
        for kind in (0, 1):
            assert (their_features[kind] is None) == (our_features[kind] is None)
            if our_features[kind] is not None:
                expected, got = their_features[kind].features.toarray(), our_features[kind].features.toarray()
                assert np.array_equal(expected, got), theirs.get("text")
