"""The NLU component that reads a bare place, name or workplace as an answer (bot.nlu.bare_answers)."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.bare_answers import BareAnswer, bare_answer


def _message(text: str, intent: str = "out_of_scope", entities: list | None = None) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.6},
            "intent_ranking": [{"name": intent, "confidence": 0.6}, {"name": "inform", "confidence": 0.3}],
            "entities": entities or [],
        }
    )


def _place(text: str, value: str, kind: str = "municipality") -> list:
    start = text.index(text.split()[0])
    return [{"entity": kind, "value": value, "start": start, "end": start + len(value)}]


@pytest.mark.parametrize(
    "text, entities",
    [
        ("Tårnby", _place("Tårnby", "Tårnby")),
        ("Slagelse Kommune", _place("Slagelse Kommune", "Slagelse")),
        ("Region Midtjylland", _place("Region Midtjylland", "Region Midtjylland", "region")),
        ("Juan Carlos Pérez", []),
        ("Hoang Van Minh", []),
        ("Mette Hansen", []),
        ("Aktivitetshuset Kilden", []),
        ("Hjælpemiddeldepotet", []),
        ("Plejeboligerne på Akacievej", []),
        ("jeg er sosu-hjælper", []),
    ],
)
def test_a_bare_place_name_or_workplace_is_an_answer(text, entities):
    assert bare_answer(text, entities)
    [message] = BareAnswer().process([_message(text, entities=entities)])
    assert message.get("intent") == {"name": "inform", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "inform"
    assert [r["confidence"] for r in message.get("intent_ranking")[1:]] == [0.0]


@pytest.mark.parametrize(
    "text, entities",
    [
        ("Slagelse?", _place("Slagelse?", "Slagelse")),  # a question
        ("Slagelse er en fin by at bo i", _place("Slagelse er en fin by at bo i", "Slagelse")),  # more than a place
        ("hvem skrev hamlet", []),
        ("Guten Tag", []),
        ("Hej Med Dig", []),
        ("jeg er træt", []),
        ("uha uha", []),
        ("/faq/pris", []),
    ],
)
def test_other_short_messages_keep_the_models_intent(text, entities):
    assert not bare_answer(text, entities)
    [message] = BareAnswer().process([_message(text, entities=entities)])
    assert message.get("intent")["name"] == "out_of_scope"


@pytest.mark.parametrize("text", ["ret kommunen", "forkert kommune", "regionen er forkert", "skift region"])
def test_a_correction_that_names_a_sector_word_is_no_bare_answer(text):
    assert not bare_answer(text, [])
