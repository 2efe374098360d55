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
