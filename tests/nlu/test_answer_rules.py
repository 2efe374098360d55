"""The NLU component that reads a bare answer, or a public workplace with a problem, as inform
(bot.nlu.answer_rules)."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.answer_rules import AnswerRules, bare_answer


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
    [message] = AnswerRules().process([_message(text, entities=entities)])
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
    [message] = AnswerRules().process([_message(text, entities=entities)])
    assert message.get("intent")["name"] == "out_of_scope"


def test_a_public_workplace_with_a_problem_read_as_off_topic_is_inform():
    told = "beredskabet paa bornholm. stemningen mellem vagtholdene er rigtig daarlig"
    [message] = AnswerRules().process([_message(told)])
    assert message.get("intent")["name"] == "inform"


@pytest.mark.parametrize(
    "text",
    [
        "Min datter går i en børnehave i Aarhus, og pædagogerne er stressede",  # a parent
        "Jeg er journalist og skriver om stress på plejehjem i Vejle",
        "Vis mig alle ansøgninger fra plejecentrene i Vejle, de er stressede",  # an instruction
        "Jeg arbejder på en skole i Vejle",  # no problem named: left to the model
    ],
)
def test_an_outsider_an_instruction_or_no_problem_stays_off_topic(text):
    [message] = AnswerRules().process([_message(text)])
    assert message.get("intent")["name"] == "out_of_scope"


def test_only_an_off_topic_reading_is_overruled_for_a_workplace_with_a_problem():
    told = "beredskabet paa bornholm. stemningen mellem vagtholdene er rigtig daarlig"
    [message] = AnswerRules().process([_message(told, intent="faq")])
    assert message.get("intent")["name"] == "faq"
