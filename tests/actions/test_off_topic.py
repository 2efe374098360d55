"""Off-topic and not-understood messages: a short answer, or silence when the form takes them."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.off_topic import OffTopic
from bot.domain.messages import ENGLISH_HINT
from tests.conftest import DOMAIN, tracker, validate
from tests.conftest import dispatched as texts

MUNICIPAL = {
    "sector": "kommunal",
    "municipality": "Vejle",
    "region": "Region Syddanmark",
    "role": "TR",
    "application_type": "enkelt",
    "applicant_body": "TRIO",
    "problem_description": "vold",
    "theme": "vold_og_trusler",
    "theme_fit": True,
}


async def off_topic(t) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    assert await OffTopic().run(dispatcher, t, DOMAIN) == []
    return dispatcher


def responses(dispatcher: CollectingDispatcher) -> list:
    return [m.get("response") for m in dispatcher.messages]


async def test_off_topic_at_a_choice_says_what_the_bot_can_help_with():
    t = tracker(
        {**MUNICIPAL, "application_type": None, "applicant_body": None, "requested_slot": "application_type"},
        text="jeg kan godt lide pizza",
        intent="out_of_scope",
    )
    assert responses(await off_topic(t)) == ["utter_out_of_scope"]


async def test_a_workplace_name_nlu_found_off_topic_is_taken_silently():
    t = tracker(
        {**MUNICIPAL, "consensus": True, "commitments_accepted": True, "requested_slot": "workplace"},
        text="Mælkebøtten",
        intent="out_of_scope",
    )
    assert (await off_topic(t)).messages == []


@pytest.mark.parametrize("answer,silent", [("mette@vejle.dk", True), ("mette(at)vejle", False)])
async def test_a_low_confidence_answer_is_taken_only_if_it_is_valid(answer, silent):
    t = tracker(
        {
            **MUNICIPAL,
            "consensus": True,
            "commitments_accepted": True,
            "workplace": "Solgården",
            "leader_name": "Mette Hansen",
            "requested_slot": "leader_email",
        },
        text=answer,
        intent="nlu_fallback",
        candidates={"leader_email": answer},
    )
    dispatcher = await off_topic(t)
    assert (dispatcher.messages == []) is silent
    if not silent:
        assert responses(dispatcher) == ["utter_default"]


async def test_a_question_is_never_taken_as_an_answer():
    t = tracker(
        {**MUNICIPAL, "consensus": True, "commitments_accepted": True, "requested_slot": "workplace"},
        text="hvem vandt fodboldkampen i går?",
        intent="out_of_scope",
    )
    assert responses(await off_topic(t)) == ["utter_out_of_scope"]


async def test_not_understood_english_outside_the_form_gets_the_english_hint():
    t = tracker({}, text="can you help me with this please", intent="nlu_fallback", loop=None)
    dispatcher = await off_topic(t)
    assert responses(dispatcher)[0] == "utter_default" and ENGLISH_HINT in texts(dispatcher)


@pytest.mark.parametrize(
    "text,intent",
    [
        ("jeg kan ikke lide mandage", "out_of_scope"),
        ("nej, jeg vil tale med et menneske", "human_handoff"),
    ],
)
async def test_an_off_topic_no_is_not_an_answer_to_a_yes_no_question(text, intent):
    slots, _ = await validate(tracker({**MUNICIPAL, "requested_slot": "consensus"}, text=text, intent=intent))
    assert slots.get("consensus") is None


async def test_an_own_words_no_is_still_an_answer():
    slots, _ = await validate(
        tracker({**MUNICIPAL, "requested_slot": "consensus"}, text="lederen er ikke med på det endnu", intent="inform")
    )
    assert slots["consensus"] is False


async def test_another_region_mid_form_replaces_the_town_and_says_so():
    t = tracker(
        {
            **MUNICIPAL,
            "application_type": "enkelt",
            "applicant_body": None,
            "problem_description": None,
            "theme": None,
            "theme_fit": None,
            "requested_slot": "applicant_body",
        },
        text="nej, vi hører under Region Sjælland",
        candidates={"region": "Region Sjælland"},
        entities=[{"entity": "region", "value": "Region Sjælland"}],
    )
    t.events.insert(0, {"event": "slot", "name": "region", "value": "Region Syddanmark"})  # said earlier
    slots, dispatcher = await validate(t)
    assert slots["municipality"] is None and slots["requested_slot"] == "municipality"
    assert "rettet regionen til Region Sjælland" in texts(dispatcher)


@pytest.mark.parametrize(
    "text,intent", [("vi taler ikke ordentligt sammen", "deny"), ("vi har alt for travlt", "goodbye")]
)
async def test_a_problem_nlu_took_for_a_no_or_a_goodbye_is_still_the_problem(text, intent):
    slots, _ = await validate(
        tracker(
            {
                **MUNICIPAL,
                "problem_description": None,
                "theme": None,
                "theme_fit": None,
                "requested_slot": "problem_description",
            },
            text=text,
            intent=intent,
        )
    )
    assert slots["problem_description"] == text


async def test_off_topic_talk_is_not_a_problem_description():
    slots, _ = await validate(
        tracker(
            {
                **MUNICIPAL,
                "problem_description": None,
                "theme": None,
                "theme_fit": None,
                "requested_slot": "problem_description",
            },
            text="Kronprinsen kommer hjem fra ferie i weekenden",
            intent="out_of_scope",
        )
    )
    assert slots.get("problem_description") is None


@pytest.mark.parametrize(
    "slot,text,taken",
    [
        ("workplace", "Børnehuset Mælkebøtten", True),
        ("workplace", "dækker I hele landet?", False),
        ("applicant_body", "lokalMED", True),
        ("applicant_body", "hvad er en trio", False),
    ],
)
async def test_a_not_understood_message_is_an_answer_only_if_no_question_and_valid(slot, text, taken):
    before = {**MUNICIPAL, "consensus": True, "commitments_accepted": True}
    if slot == "applicant_body":
        before = {**MUNICIPAL, "applicant_body": None, "problem_description": None, "theme": None, "theme_fit": None}
    slots, _ = await validate(tracker({**before, "requested_slot": slot}, text=text, intent="nlu_fallback"))
    assert (slots.get(slot) is not None) is taken


async def test_a_message_not_understood_whose_question_is_understood_gets_the_answer_and_goes_on():
    t = tracker(
        {}, text="Jeg er AMR på et bibliotek i Ikast-Brande – hvad koster det for os?", intent="nlu_fallback", loop=None
    )
    t.latest_message["metadata"] = {
        "question_parts": [{"intent": "faq", "confidence": 0.99, "topic": "faq/pris", "topic_confidence": 0.98}]
    }
    dispatcher = CollectingDispatcher()
    events = await OffTopic().run(dispatcher, t, DOMAIN)
    assert responses(dispatcher)[0] == "utter_faq/pris"
    assert [e.get("name") for e in events if e["event"] == "followup"] == ["action_continue_with_facts"]


async def test_a_message_not_understood_without_a_sure_question_gets_the_short_answer():
    t = tracker({}, text="blabla i Vejle – hvad så?", intent="nlu_fallback", loop=None)
    t.latest_message["metadata"] = {
        "question_parts": [{"intent": "faq", "confidence": 0.4, "topic": "faq/pris", "topic_confidence": 0.3}]
    }
    assert responses(await off_topic(t)) == ["utter_default"]


async def test_the_form_started_after_an_answered_question_part_does_not_answer_it_again():
    t = tracker({}, text="Jeg er AMR på et bibliotek i Ikast-Brande – hvad koster det for os?", intent="nlu_fallback")
    t.latest_message["metadata"] = {
        "question_parts": [{"intent": "faq", "confidence": 0.99, "topic": "faq/pris", "topic_confidence": 0.98}]
    }
    _, dispatcher = await validate(t)
    assert "utter_faq/pris" not in responses(dispatcher)


@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback"])
async def test_only_the_physical_work_environment_is_told_what_the_offer_covers(intent):
    from bot.domain import messages

    text = "Vi mangler høreværn og sikkerhedssko på materielgården. Hvem betaler?"
    dispatcher = await off_topic(tracker(text=text, intent=intent, loop=None))
    assert [m.get("text") for m in dispatcher.messages] == [messages.OUTSIDE_THE_OFFER]
    # asked whether the offers cover it: the themes first
    covered = await off_topic(tracker(text="Kan SPARK hjælpe med indeklimaet?", intent=intent, loop=None))
    assert responses(covered)[0] == "utter_faq/temaer"
    assert covered.messages[-1].get("text") == messages.OUTSIDE_THE_OFFER


PRICE_PART = [{"intent": "faq", "confidence": 0.99, "topic": "faq/pris", "topic_confidence": 0.98}]


async def test_a_message_read_off_topic_that_tells_of_ones_own_workplace_gets_its_question_answered():
    t = tracker(
        {}, text="Hvad koster det? Vi er et lille ambulatorium på Herlev Hospital", intent="out_of_scope", loop=None
    )
    t.latest_message["metadata"] = {"question_parts": PRICE_PART}
    dispatcher = CollectingDispatcher()
    events = await OffTopic().run(dispatcher, t, DOMAIN)
    assert responses(dispatcher)[0] == "utter_faq/pris"
    assert [e.get("name") for e in events if e["event"] == "followup"] == ["action_continue_with_facts"]


async def test_a_question_read_off_topic_about_nobodys_workplace_keeps_the_off_topic_answer():
    t = tracker({}, text="Hvad koster det at parkere ved Herlev Hospital?", intent="out_of_scope", loop=None)
    t.latest_message["metadata"] = {"question_parts": PRICE_PART}
    assert responses(await off_topic(t)) == ["utter_out_of_scope"]


async def test_the_staff_of_a_company_the_state_owns_hear_what_the_bot_knows_and_no_form_starts():
    t = tracker(
        {}, text="Jeg er togfører i DSB, og passagererne truer os. Kan vi få hjælp?", intent="out_of_scope", loop=None
    )
    said = texts(await off_topic(t))
    assert said.startswith("DSB er en virksomhed, som staten ejer.")
    assert "rejsehold" in said and "tillidsrepræsentant" in said


@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback"])
async def test_ones_own_pay_asked_as_coverage_gets_the_themes_then_where_to_go(intent):
    from bot.domain import messages

    text = "Kan SPARK hjælpe os med at få mere i løn? Vi er dagplejere i Hedensted og føler os underbetalt"
    dispatcher = await off_topic(tracker(text=text, intent=intent, loop=None))
    assert responses(dispatcher)[0] == "utter_faq/temaer"
    assert dispatcher.messages[-1].get("text") == messages.OWN_EMPLOYMENT


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Jeg kan ikke mere, jeg har tænkt på at tage mit liv. Jeg er sosu i Ikast.", "CRISIS_SUICIDE"),
        ("Der står en mand med en kniv her i borgerservice lige nu", "CRISIS_DANGER"),
    ],
)
async def test_a_writer_in_crisis_is_told_where_to_turn_now_even_mid_form(text, answer):
    from bot.domain import messages

    for loop in (None, "application_form"):
        dispatcher = await off_topic(tracker({}, text=text, intent="out_of_scope", loop=loop))
        assert [m.get("text") for m in dispatcher.messages] == [getattr(messages, answer)]
    assert "112" in messages.CRISIS_DANGER and "70 201 201" in messages.CRISIS_SUICIDE
