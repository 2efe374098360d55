"""A first message of several questions gets each of them answered (actions.first_message)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.first_message import ContinueWithFacts
from tests.conftest import DOMAIN, tracker


def _part(topic: str, confidence: float = 0.9) -> dict:
    return {"intent": "faq", "confidence": confidence, "topic": topic, "topic_confidence": confidence}


async def _continue(text: str, answered: str, parts: list[dict]) -> list[str]:
    t = tracker({}, text=text, intent="faq", loop=None)
    t.latest_message["response_selector"] = {"faq": {"response": {"intent_response_key": answered}}}
    t.latest_message["metadata"] = {"question_parts": parts}
    dispatcher = CollectingDispatcher()
    await ContinueWithFacts().run(dispatcher, t, DOMAIN)
    return [m.get("response") for m in dispatcher.messages if m.get("response")]


async def test_the_other_questions_of_a_message_are_answered_after_the_first():
    text = "Hvad koster det, hvor lang tid tager det og skal vi selv finde en konsulent?"
    parts = [_part("faq/pris"), _part("faq/varighed"), _part("faq/hvad_er_spark")]
    assert await _continue(text, "faq/pris", parts) == ["utter_faq/varighed", "utter_faq/hvad_er_spark"]


async def test_an_unsure_or_repeated_part_is_not_answered_again():
    text = "Er det gratis? Og er det gratis for os?"
    parts = [_part("faq/pris"), _part("faq/pris"), _part("faq/temaer", confidence=0.3)]
    assert await _continue(text, "faq/pris", parts) == []


async def test_a_question_action_off_topic_answered_is_not_answered_again():
    text = "Jeg er AMR i hjemmeplejen i Skive og vil vide, hvad det koster"
    t = tracker({}, text=text, intent="nlu_fallback", loop=None)
    t.latest_message["metadata"] = {"question_parts": [_part("faq/pris")]}
    t.events.append({"event": "bot", "text": DOMAIN["responses"]["utter_faq/pris"][0]["text"]})
    dispatcher = CollectingDispatcher()
    await ContinueWithFacts().run(dispatcher, t, DOMAIN)
    assert "utter_faq/pris" not in [m.get("response") for m in dispatcher.messages]
