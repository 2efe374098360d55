"""TextSpacyTokenizer gives SpacyTokenizer's tokens of the user's text, and its tokens Rasa's fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.spacy_tokenizer import KeptFingerprintToken, TextSpacyTokenizer

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["Vi er et plejecenter i Vejle, og vi har vold", "hvad koster det?", "hej", "  "]


@pytest.fixture(scope="module")
def spacy_model():
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    return SpacyNLP.load_model(str(ROOT / "build" / "spacy_da"))


def _training_data():
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples = [Message(data={"text": text, "intent": "inform"}) for text in TEXTS]
    examples.append(Message(data={"response": "SPARK er gratis for kommunale arbejdspladser.", "intent": "faq"}))
    examples.append(Message(data={"action_name": "action_submit_application"}))
    return TrainingData(training_examples=examples)


def _tokenized(cls, spacy_model):
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    data = _training_data()
    nlp = SpacyNLP(spacy_model, {**SpacyNLP.get_default_config(), "case_sensitive": False})
    nlp.process_training_data(data, spacy_model)
    cls(cls.get_default_config()).process_training_data(data)
    return data.training_examples


def test_the_texts_tokens_are_spacy_tokenizers_and_nothing_else_is_tokenized(spacy_model):
    from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer

    theirs, ours = _tokenized(SpacyTokenizer, spacy_model), _tokenized(TextSpacyTokenizer, spacy_model)
    for their_example, our_example in zip(theirs, ours):
        their_tokens, our_tokens = their_example.get("text_tokens"), our_example.get("text_tokens")
        assert (their_tokens is None) == (our_tokens is None)
        for a, b in zip(their_tokens or [], our_tokens or []):
            assert (a.text, a.start, a.end, a.lemma, a.data) == (b.text, b.start, b.end, b.lemma, b.data)
            assert a.fingerprint() == b.fingerprint()
        assert len(their_tokens or []) == len(our_tokens or [])
    # Rasa's also tokenizes the response, the intent and the action name; nothing of ours reads those.
    assert theirs[-2].get("response_tokens") and theirs[-1].get("action_name_tokens")
    assert ours[-2].get("response_tokens") is None and ours[-1].get("action_name_tokens") is None
    assert all(o.get("intent_tokens") is None for o in ours)


def test_at_run_time_messages_are_tokenized_as_by_spacy_tokenizer(spacy_model):
    from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.nlu.training_data.message import Message

    nlp = SpacyNLP(spacy_model, {**SpacyNLP.get_default_config(), "case_sensitive": False})
    results = []
    for cls in (SpacyTokenizer, TextSpacyTokenizer):
        messages = [Message(data={"text": text}) for text in TEXTS]
        nlp.process(messages, spacy_model)
        cls(cls.get_default_config()).process(messages)
        results.append([[(t.text, t.start, t.end, t.lemma, t.data) for t in m.get("text_tokens")] for m in messages])
    assert results[0] == results[1]


def test_a_kept_fingerprint_is_rasas_and_follows_every_change_of_the_token():
    from rasa.nlu.tokenizers.tokenizer import Token

    ours, theirs = KeptFingerprintToken("Vejle", 3, data={"pos": ""}), Token("Vejle", 3, data={"pos": ""})
    assert ours.fingerprint() == theirs.fingerprint()
    for change in (
        lambda t: t.set("pos", "PROPN"),
        lambda t: t.data.update({"pattern": "place"}),
        lambda t: setattr(t, "lemma", "vejle"),
        lambda t: setattr(t, "end", 9),
    ):
        before = ours.fingerprint()
        change(ours)
        change(theirs)
        assert ours.fingerprint() == theirs.fingerprint() != before


def test_a_token_holding_a_list_is_fingerprinted_anew_each_time():
    from rasa.nlu.tokenizers.tokenizer import Token

    ours, theirs = KeptFingerprintToken("ja", 0, data={"flags": [1]}), Token("ja", 0, data={"flags": [1]})
    assert ours.fingerprint() == theirs.fingerprint()
    ours.data["flags"].append(2)
    theirs.data["flags"].append(2)
    assert ours.fingerprint() == theirs.fingerprint()
