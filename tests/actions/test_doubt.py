"""A message that would start an application, which the learnt vote (bot/nlu/own_workplace.py) doubts is about the
writer's own workplace: no application starts, the doubt is said, and a writer who answers it is believed."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.application_form import ValidateApplicationForm
from actions.first_message import DOUBTFUL, ContinueWithFacts
from actions.off_topic import OffTopic
from bot.domain import messages
from tests.conftest import DOMAIN, slot_events, tracker

# A message the rules take for a workplace's: what the vote says decides.
TOLD = "Jeg er AMR i hjemmeplejen i Skive, og vi har mange konflikter i gruppen"


def _with_vote(t, probability, said_before: bool = False):
    t.latest_message["own_workplace"] = probability
    if said_before:
        t.slots["own_workplace_doubted"] = True
    return t


def _stopped(events) -> bool:
    return {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]


async def _form(t):
    dispatcher = CollectingDispatcher()
    events = await ValidateApplicationForm().run(dispatcher, t, DOMAIN)
    return events, [m.get("text") for m in dispatcher.messages]


async def test_a_doubted_message_starts_no_application_and_keeps_nothing():
    t = _with_vote(tracker(text=TOLD, candidates={"municipality": "Skive"}), DOUBTFUL / 2)
    events, said = await _form(t)
    assert _stopped(events)
    assert slot_events(events)["municipality"] is None
    assert said == [messages.NOT_SURE_OWN_WORKPLACE]
    assert slot_events(events)["own_workplace_doubted"] is True  # remembered: the next message is believed


@pytest.mark.parametrize(
    "probability, said_before",
    [(DOUBTFUL, False), (0.9, False), (None, False), (DOUBTFUL / 2, True)],
    ids=["at the limit", "sure", "no vote", "doubt said before"],
)
async def test_the_form_goes_on_without_a_doubt_or_after_the_doubt_was_said(probability, said_before):
    t = _with_vote(tracker(text=TOLD, candidates={"municipality": "Skive"}), probability, said_before)
    events, said = await _form(t)
    assert not _stopped(events)
    assert slot_events(events)["municipality"] == "Skive"
    assert messages.NOT_SURE_OWN_WORKPLACE not in said


async def test_the_rules_reason_comes_before_the_doubt():
    text = "Jeg arbejder hos et fragtfirma i Herning, og vi er alle sammen stressede"
    events, said = await _form(_with_vote(tracker(text=text, candidates={"municipality": "Herning"}), 0.01))
    assert _stopped(events)
    assert said == [messages.PRIVATE_EMPLOYER]


async def test_english_is_left_to_the_rules():
    text = "I am a nurse at Aarhus University Hospital and we have a lot of conflicts on our ward"
    events, said = await _form(_with_vote(tracker(text=text), 0.01))
    assert messages.NOT_SURE_OWN_WORKPLACE not in said


async def test_a_doubted_message_read_off_topic_gets_its_answer_and_then_the_doubt_not_the_form():
    text = "Jeg er AMR i hjemmeplejen i Skive. Hvad kan I hjælpe os med?"
    t = _with_vote(tracker(text=text, intent="out_of_scope", loop=None), 0.01)
    t.latest_message["metadata"] = {
        "question_parts": [{"intent": "faq", "confidence": 0.9, "topic": "faq/temaer", "topic_confidence": 0.9}]
    }
    dispatcher = CollectingDispatcher()
    events = await OffTopic().run(dispatcher, t, DOMAIN)
    assert dispatcher.messages[0].get("response") == "utter_faq/temaer"
    assert messages.NOT_SURE_OWN_WORKPLACE not in [m.get("text") for m in dispatcher.messages]
    assert events == [{"event": "followup", "name": "action_continue_with_facts", "timestamp": None}]
    dispatcher = CollectingDispatcher()
    assert slot_events(await ContinueWithFacts().run(dispatcher, t, DOMAIN)) == {"own_workplace_doubted": True}
    assert dispatcher.messages[-1].get("text") == messages.NOT_SURE_OWN_WORKPLACE


async def test_after_an_answered_question_a_doubted_message_starts_no_form_and_says_why():
    text = "Jeg er AMR i hjemmeplejen i Skive. Hvad koster det?"
    t = _with_vote(tracker(text=text, intent="faq", loop=None), 0.01)
    dispatcher = CollectingDispatcher()
    assert slot_events(await ContinueWithFacts().run(dispatcher, t, DOMAIN)) == {"own_workplace_doubted": True}
    assert [m.get("text") for m in dispatcher.messages] == [messages.NOT_SURE_OWN_WORKPLACE]


async def test_a_question_about_ones_own_situation_is_pointed_to_the_representatives_and_starts_nothing():
    text = "Jeg er socialrådgiver i Kolding Kommune og er blevet opsagt efter en sygemelding. Kan jeg klage?"
    events, said = await _form(tracker(text=text, candidates={"municipality": "Kolding"}))
    assert _stopped(events)
    assert slot_events(events)["municipality"] is None
    assert said == [messages.PERSONAL_MATTER]


async def test_a_doubted_message_read_as_facts_gets_its_question_answered_before_the_doubt():
    text = "Jeg er AMR i hjemmeplejen i Skive. Hvad koster det?"
    t = _with_vote(tracker(text=text, candidates={"municipality": "Skive"}), 0.01)
    t.latest_message["intent_ranking"] = [{"name": "faq", "confidence": 0.4}, {"name": "inform", "confidence": 0.6}]
    t.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": "faq/pris", "confidence": 0.9}, "ranking": []}
    }
    dispatcher = CollectingDispatcher()
    events = await ValidateApplicationForm().run(dispatcher, t, DOMAIN)
    assert _stopped(events)
    assert dispatcher.messages[0].get("response") == "utter_faq/pris"
    assert dispatcher.messages[-1].get("text") == messages.NOT_SURE_OWN_WORKPLACE
