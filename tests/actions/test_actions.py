"""Actions with rasa-sdk's real Tracker and CollectingDispatcher (no Rasa server)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.common
from actions.ask import AskConfirmed, AskTheme
from actions.conclude import ApplicationStatus, ConcludeApplication, DefaultFallback, NewApplication
from bot.domain.record import build_record
from bot.domain.routing import route
from bot.records.store import ApplicationStore
from tests.conftest import COMPLETE, DOMAIN, slot_events, tracker, validate
from tests.conftest import dispatched as texts


async def test_several_facts_in_one_message_fill_several_slots():
    text = "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne"
    slots, _ = await validate(tracker(text=text, candidates={"municipality": "Vejle"}))
    assert slots["sector"] == "kommunal" and slots["role"] == "TR"
    assert slots["municipality"] == "Vejle" and slots["region"] == "Region Syddanmark"
    assert slots["problem_description"] == "vi har meget vold fra borgerne"  # the problem, in the user's words
    assert slots["theme_suggestion"] == "vold_og_trusler"
    assert slots["requested_slot"] == "application_type"


async def test_misspelt_municipality_answer_is_normalised():
    slots, _ = await validate(
        tracker(
            {"sector": "kommunal", "requested_slot": "municipality"},
            text="koebenhavn",
            candidates={"municipality": "koebenhavn"},
        )
    )
    assert (slots["municipality"], slots["region"]) == ("København", "Region Hovedstaden")


async def test_unknown_municipality_is_asked_again_politely():
    slots, dispatcher = await validate(
        tracker(
            {"sector": "kommunal", "requested_slot": "municipality"},
            text="Atlantis",
            candidates={"municipality": "Atlantis"},
        )
    )
    assert slots["municipality"] is None and "kommune" in texts(dispatcher)


async def test_question_mid_form_fills_nothing():
    slots, _ = await validate(
        tracker({"sector": "kommunal", "requested_slot": "role"}, text="hvad koster det for en kommune?", intent="faq")
    )
    assert "sector" not in slots and "role" not in slots


async def test_invalid_email_is_rejected_with_an_explanation():
    state = {**COMPLETE.__dict__, "leader_email": None, "confirmed": None, "requested_slot": "leader_email"}
    slots, dispatcher = await validate(tracker(state, text="mette@vejle", candidates={"leader_email": "mette@vejle"}))
    assert slots["leader_email"] is None and "e-mailadresse" in texts(dispatcher)
    assert slots["requested_slot"] == "leader_email"


async def test_phone_is_normalised_to_plus45():
    state = {**COMPLETE.__dict__, "leader_phone": None, "confirmed": None}
    slots, _ = await validate(tracker(state, text="20 30 40 50", candidates={"leader_phone": "20 30 40 50"}))
    assert slots["leader_phone"] == "+45 20304050"


async def test_faelles_choice_explains_the_joint_course():
    state = {"sector": "kommunal", "municipality": "Vejle", "role": "TR"}
    slots, dispatcher = await validate(
        tracker(state, text="flere arbejdspladser", candidates={"application_type": "flere arbejdspladser"})
    )
    assert slots["application_type"] == "faelles" and "workshops" in texts(dispatcher)


async def test_personsag_is_explained_then_the_preventive_work_is_the_problem():
    state = {
        "sector": "kommunal",
        "municipality": "Vejle",
        "role": "TR",
        "application_type": "enkelt",
        "applicant_body": "TRIO",
        "requested_slot": "problem_description",
    }
    text = "en bestemt kollega skal have en advarsel, og der er konflikter i gruppen"
    slots, dispatcher = await validate(tracker(state, text=text, candidates={"problem_description": text}))
    assert "personsager" in texts(dispatcher)
    assert slots["problem_description"] is None and slots["theme_suggestion"] is None
    assert slots["exclusion_explained"] == "personsag" and slots["requested_slot"] == "problem_description"
    preventive = "vi vil gerne arbejde med tonen og samarbejdet i gruppen"
    slots, _ = await validate(
        tracker(
            {**state, "exclusion_explained": "personsag"},
            text=preventive,
            candidates={"problem_description": preventive},
        )
    )
    assert slots["problem_description"] == preventive and slots["theme_suggestion"] == "samarbejde"


async def test_a_second_description_that_is_only_the_case_files_nothing():
    state = {
        "sector": "kommunal",
        "municipality": "Vejle",
        "role": "TR",
        "application_type": "enkelt",
        "applicant_body": "TRIO",
        "requested_slot": "problem_description",
        "exclusion_explained": "personsag",
    }
    text = "hun skal have en advarsel"
    slots, dispatcher = await validate(tracker(state, text=text, candidates={"problem_description": text}))
    assert slots["theme_fit"] is False and slots.get("theme") is None and slots["requested_slot"] is None
    assert "konkret personsag" in texts(dispatcher)


async def test_no_theme_fits_ends_without_theme():
    state = {
        "sector": "kommunal",
        "municipality": "Vejle",
        "role": "TR",
        "application_type": "enkelt",
        "applicant_body": "TRIO",
        "problem_description": "vi vil have højere løn",
    }
    slots, _ = await validate(tracker(state, text="/inform", candidates={"theme": "ingen"}))
    assert slots["theme_fit"] is False and slots["requested_slot"] is None


THEME_LIST_STATE = {
    "sector": "kommunal",
    "municipality": "Vejle",
    "role": "TR",
    "application_type": "enkelt",
    "applicant_body": "TRIO",
    "problem_description": "det er svært at forklare",
    "requested_slot": "theme",
}


async def test_a_yes_at_the_theme_list_is_explained_and_the_list_asked_again():
    slots, dispatcher = await validate(
        tracker(THEME_LIST_STATE, text="ja", intent="affirm", candidates={"theme": "ja"})
    )
    assert "skriv nummeret på temaet (1–6)" in texts(dispatcher).lower()
    assert slots["requested_slot"] == "theme" and slots.get("theme") is None


async def test_typed_theme_number_and_none_of_them_are_answers():
    slots, _ = await validate(tracker(THEME_LIST_STATE, text="3", candidates={"theme": "3"}))
    assert slots["theme"] == "vold_og_trusler" and slots["requested_slot"] == "consensus"
    slots, _ = await validate(tracker(THEME_LIST_STATE, text="ingen af dem", candidates={"theme": "ingen af dem"}))
    assert slots["theme_fit"] is False and slots["requested_slot"] is None


async def test_correction_at_summary_forgets_one_field_and_asks_it_again():
    state = {**COMPLETE.__dict__, "confirmed": None, "requested_slot": "confirmed"}
    slots, _ = await validate(
        tracker(
            state,
            text="lederens e-mail er forkert",
            intent="correct",
            candidates={"confirmed": "lederens e-mail er forkert"},
        )
    )
    assert slots["leader_email"] is None and slots["requested_slot"] == "leader_email"


async def test_new_email_given_at_summary_is_taken_directly():
    state = {**COMPLETE.__dict__, "confirmed": None, "requested_slot": "confirmed"}
    slots, _ = await validate(
        tracker(
            state,
            text="lederens mail er ny@vejle.dk",
            intent="correct",
            candidates={"confirmed": "lederens mail er ny@vejle.dk"},
        )
    )
    assert slots["leader_email"] == "ny@vejle.dk" and slots["requested_slot"] == "confirmed"


async def test_theme_question_suggests_then_lists():
    dispatcher = CollectingDispatcher()
    await AskTheme().run(dispatcher, tracker({"sector": "kommunal", "theme_suggestion": "chikane"}), DOMAIN)
    assert "Chikane" in texts(dispatcher) and len(dispatcher.messages[0]["buttons"]) == 2


async def test_the_summary_asks_what_will_really_happen(delivering):
    dispatcher = CollectingDispatcher()
    await AskConfirmed().run(dispatcher, tracker({**COMPLETE.__dict__, "confirmed": None}), DOMAIN)
    assert "Her er jeres svar:" in texts(dispatcher) and "Jeg sender den ikke videre" in texts(dispatcher)
    assert "sende" not in texts(dispatcher).replace("sender den ikke", "")
    delivering("spark")
    dispatcher = CollectingDispatcher()
    await AskConfirmed().run(dispatcher, tracker({**COMPLETE.__dict__, "confirmed": None}), DOMAIN)
    assert "Her er jeres ansøgning til SPARK:" in texts(dispatcher)
    assert "Skal jeg sende ansøgningen til SPARK?" in texts(dispatcher)


async def test_summary_then_correction_buttons(delivering):
    dispatcher = CollectingDispatcher()
    await AskConfirmed().run(
        dispatcher, tracker({**COMPLETE.__dict__, "confirmed": None, "awaiting_correction": True}), DOMAIN
    )
    assert "Hvad vil du rette" in texts(dispatcher)


@pytest.fixture
def action_store(store, monkeypatch):
    monkeypatch.setattr(actions.common, "_store", store)
    return store


async def test_conclusion_files_once_whatever_is_repeated(action_store, delivering):
    t = tracker({**COMPLETE.__dict__, "application_id": "a1"}, text="ja", intent="affirm", loop=None)
    first = CollectingDispatcher()
    events = await ConcludeApplication().run(first, t, DOMAIN)
    reference = slot_events(events)["reference"]
    assert reference.startswith("SPARK-") and reference in texts(first)
    again = CollectingDispatcher()
    await ConcludeApplication().run(again, t, DOMAIN)
    assert "allerede registreret" in texts(again)
    assert len(list(action_store.export())) == 1


async def test_with_nothing_configured_the_filing_says_registered_not_sent_and_gives_the_route(
    action_store, delivering
):
    dispatcher = CollectingDispatcher()
    await ConcludeApplication().run(
        dispatcher, tracker({**COMPLETE.__dict__, "application_id": "a1"}, loop=None), DOMAIN
    )
    said = texts(dispatcher)
    assert "registreret jeres ansøgning med referencen SPARK-" in said
    assert "sender den ikke videre" in said and "ansøgningsskemaet på sparkweb.dk" in said
    assert "sendt" not in said and "kontakter jer" not in said
    [copy] = [m["custom"]["copy_text"] for m in dispatcher.messages if m.get("custom")]
    assert "Arbejdsplads: Solgården" in copy and "Leder: Mette Hansen, m@v.dk, +45 12345678" in copy


async def test_with_spark_configured_the_filing_says_it_is_being_sent_and_gives_no_copy_text(action_store, delivering):
    delivering("spark")
    dispatcher = CollectingDispatcher()
    await ConcludeApplication().run(
        dispatcher, tracker({**COMPLETE.__dict__, "application_id": "a1"}, loop=None), DOMAIN
    )
    assert "Jeg sender ansøgningen til SPARK nu" in texts(dispatcher)
    assert not [m for m in dispatcher.messages if m.get("custom")]
    [record] = action_store.export()
    assert action_store.plan_of(record["reference"]).by_webhook and record["recipient"] == "spark"


async def test_two_applications_from_one_conversation_are_two_records(action_store, delivering):
    for application_id, workplace in (("a1", "Solgården"), ("a2", "Skovbrynet")):
        t = tracker({**COMPLETE.__dict__, "workplace": workplace, "application_id": application_id}, loop=None)
        await ConcludeApplication().run(CollectingDispatcher(), t, DOMAIN)
        await ConcludeApplication().run(CollectingDispatcher(), t, DOMAIN)  # a double "ja"
    assert [r["workplace"] for r in action_store.export()] == ["Solgården", "Skovbrynet"]


async def test_a_failed_filing_stays_pending_and_prøv_igen_files_it_once(store, monkeypatch, delivering, tmp_path):
    broken = ApplicationStore(f"sqlite:///{tmp_path / 'missing-folder' / 'x' / 'a.db'}")
    (tmp_path / "missing-folder").write_text("a file where the folder should be")
    monkeypatch.setattr(actions.common, "_store", broken)
    state = {**COMPLETE.__dict__, "application_id": "a1"}
    dispatcher = CollectingDispatcher()
    events = await ConcludeApplication().run(dispatcher, tracker(state, loop=None), DOMAIN)
    assert slot_events(events) == {"filing_pending": True}
    assert "ikke gemt endnu" in texts(dispatcher) and "prøv igen" in texts(dispatcher)
    monkeypatch.setattr(actions.common, "_store", store)  # the database works again
    retry = CollectingDispatcher()
    events = await DefaultFallback().run(
        retry, tracker({**state, "filing_pending": True}, text="prøv igen", intent="nlu_fallback", loop=None), DOMAIN
    )
    assert slot_events(events)["reference"].startswith("SPARK-") and "registreret" in texts(retry)
    await DefaultFallback().run(
        CollectingDispatcher(),
        tracker(
            {**state, "filing_pending": False, "reference": slot_events(events)["reference"]},
            text="ja",
            intent="affirm",
            loop=None,
        ),
        DOMAIN,
    )
    assert len(list(store.export())) == 1


async def test_status_answers_only_for_this_conversations_own_references(action_store, delivering):
    t = tracker({**COMPLETE.__dict__, "application_id": "a1"}, loop=None)
    events = await ConcludeApplication().run(CollectingDispatcher(), t, DOMAIN)
    mine = slot_events(events)["reference"]
    other = build_record(COMPLETE, route(COMPLETE), "rest:someone-else", "rest", application_id="b1")
    theirs = action_store.file(other)[0]["reference"]
    for text, expected in (
        (f"status på {mine}", f"referencen {mine} er registreret"),
        ("hvad sker der med vores ansøgning?", f"referencen {mine} er registreret"),
        (f"status på {theirs}", f"kan ikke finde en ansøgning med referencen {theirs}"),
        ("status på SPARK-1999-000404", "kan ikke finde en ansøgning med referencen SPARK-1999-000404"),
    ):
        dispatcher = CollectingDispatcher()
        await ApplicationStatus().run(
            dispatcher, tracker(t.slots, text=text, intent="application_status", loop=None), DOMAIN
        )
        assert expected in texts(dispatcher), text
        assert "sparkweb.dk" in texts(dispatcher) or "kan ikke finde" in texts(dispatcher)
    assert "Solgården" not in texts(dispatcher)


async def test_a_new_application_after_filing_forgets_the_answers_but_not_before(delivering):
    filed = tracker({**COMPLETE.__dict__, "reference": "SPARK-2026-000001", "application_id": "a1"}, loop=None)
    events = await NewApplication().run(CollectingDispatcher(), filed, DOMAIN)
    forgotten = slot_events(events)
    assert forgotten["reference"] is None and forgotten["application_id"] is None and forgotten["workplace"] is None
    assert await NewApplication().run(CollectingDispatcher(), tracker(COMPLETE.__dict__), DOMAIN) == []


async def test_no_consensus_conclusion_files_nothing(action_store):
    state = {**COMPLETE.__dict__, "consensus": False, "confirmed": None}
    dispatcher = CollectingDispatcher()
    assert await ConcludeApplication().run(dispatcher, tracker(state, loop=None), DOMAIN) == []
    assert "enige" in texts(dispatcher) and list(action_store.export()) == []


async def test_stray_yes_after_filing_is_answered_with_the_reference():
    dispatcher = CollectingDispatcher()
    events = await DefaultFallback().run(
        dispatcher, tracker({"reference": "SPARK-2026-000007"}, text="ja", intent="affirm", loop=None), DOMAIN
    )
    assert "SPARK-2026-000007" in texts(dispatcher) and events[0]["event"] == "rewind"


async def test_named_hospital_gives_regional_sector_and_region_then_the_route():
    slots, dispatcher = await validate(tracker(text="Jeg er TR på Rigshospitalet"))
    assert (slots["sector"], slots["region"], slots["provider"]) == (
        "regional",
        "Region Hovedstaden",
        "central_arbejdsmiljoenhed",
    )
    assert "centrale arbejdsmiljøenhed" in texts(dispatcher)
    assert slots["route_explained"] == "Region Hovedstaden"


async def test_hospital_in_a_town_gets_the_towns_region_and_model_2():
    slots, dispatcher = await validate(
        tracker(text="jeg er AMR på hospitalet i Vejle", candidates={"municipality": "Vejle"})
    )
    assert (slots["sector"], slots["region"]) == ("regional", "Region Syddanmark")
    assert "direkte til en af de fire udbydere" in texts(dispatcher)


async def test_ambiguous_workplace_asks_for_the_sector():
    slots, _ = await validate(tracker(text="jeg arbejder i Vejle", candidates={"municipality": "Vejle"}))
    assert slots.get("sector") is None and slots["requested_slot"] == "sector"


async def test_state_workplace_is_asked_to_register_interest_only_where_the_list_is_delivered(delivering):
    slots, _ = await validate(tracker(text="jeg er leder i Skattestyrelsen"))
    assert slots["sector"] == "statslig" and slots["requested_slot"] is None  # nothing to register with
    dispatcher = CollectingDispatcher()
    await ConcludeApplication().run(dispatcher, tracker({"sector": "statslig"}, loop=None), DOMAIN)
    assert "etf.dk" in texts(dispatcher) and "1. oktober 2018" in texts(dispatcher)
    assert "Jeg kan ikke registrere jeres interesse her" in texts(dispatcher)
    delivering("statsligt_rejsehold")
    slots, _ = await validate(tracker(text="jeg er leder i Skattestyrelsen"))
    assert slots["requested_slot"] == "interest"


async def test_provider_by_free_text():
    state = {
        "sector": "regional",
        "region": "Region Syddanmark",
        "role": "TR",
        "requested_slot": "provider",
        "problem_description": "vold",
        "theme": "vold_og_trusler",
        "theme_fit": True,
        "consensus": True,
        "commitments_accepted": True,
    }
    for text, code in (("vi vil gerne have NFA", "nfa"), ("det med CBS", "cbs"), ("Roskilde Universitet", "ruc")):
        slots, _ = await validate(tracker(state, text=text, candidates={"provider": text}))
        assert slots["provider"] == code


async def test_spark_only_theme_is_explained_as_outside_the_regional_offer():
    state = {
        "sector": "regional",
        "region": "Region Sjælland",
        "role": "TR",
        "requested_slot": "problem_description",
        "route_explained": "Region Sjælland",
    }
    text = "vores portører arbejder alene om natten"
    slots, dispatcher = await validate(tracker(state, text=text, candidates={"problem_description": text}))
    assert slots["theme_suggestion"] is None and slots["theme_fit"] is False  # fits no theme: never forced
    assert "ikke et af de regionale temaer" in texts(dispatcher) and "tillidsrepræsentant" in texts(dispatcher)


async def test_changing_sector_mid_form_says_so_and_resets_the_offer():
    t = tracker(
        {"sector": "regional", "theme": "vold_og_trusler", "municipality": "Vejle", "role": "TR"},
        text="nej, vi er en kommunal arbejdsplads",
        candidates={"sector": "kommunal"},
    )
    t.events.insert(0, {"event": "slot", "name": "sector", "value": "regional"})
    slots, dispatcher = await validate(t)
    assert slots["sector"] == "kommunal" and slots["theme"] is None
    assert "rettet sektoren" in texts(dispatcher)


async def test_faelles_button_explains_the_joint_course_once():
    state = {"sector": "kommunal", "municipality": "Vejle", "role": "TR"}
    slots, dispatcher = await validate(
        tracker(state, text='/inform{"application_type":"faelles"}', candidates={"application_type": "faelles"})
    )
    assert slots["application_type"] == "faelles" and "workshops" in texts(dispatcher)


async def test_correction_mid_form_forgets_that_answer_and_asks_it_next():
    state = {
        **COMPLETE.__dict__,
        "rep_name": None,
        "rep_role": None,
        "rep_email": None,
        "rep_phone": None,
        "confirmed": None,
        "requested_slot": "rep_name",
    }
    slots, dispatcher = await validate(tracker(state, text="lederens e-mail er forkert", intent="correct"))
    assert slots["leader_email"] is None and slots["requested_slot"] == "leader_email"
    assert "lederens e-mail" in texts(dispatcher)


async def test_skift_tema_mid_form_shows_the_themes_again():
    state = {
        **COMPLETE.__dict__,
        "workplace": None,
        "leader_name": None,
        "leader_email": None,
        "leader_phone": None,
        "rep_name": None,
        "rep_role": None,
        "rep_email": None,
        "rep_phone": None,
        "confirmed": None,
        "requested_slot": "workplace",
    }
    slots, _ = await validate(tracker(state, text="skift tema", intent="correct"))
    assert slots["theme"] is None and slots["theme_suggestion"] is None and slots["requested_slot"] == "theme"


async def test_region_given_unasked_is_updated_and_announced():
    state = {
        "sector": "regional",
        "region": "Region Syddanmark",
        "role": "TR",
        "requested_slot": "problem_description",
        "route_explained": "Region Syddanmark",
    }
    t = tracker(
        state, text="nej, vi hører under Region Sjælland", intent="inform", candidates={"region": "Region Sjælland"}
    )
    t.events.insert(0, {"event": "slot", "name": "region", "value": "Region Syddanmark"})
    t.events.insert(0, {"event": "slot", "name": "requested_slot", "value": "problem_description"})
    slots, dispatcher = await validate(t)
    assert slots["region"] == "Region Sjælland"
    assert "rettet regionen til Region Sjælland" in texts(dispatcher)


async def test_skift_tema_while_the_theme_is_asked_lists_all_themes():
    state = {
        "sector": "kommunal",
        "municipality": "Vejle",
        "role": "TR",
        "application_type": "enkelt",
        "applicant_body": "TRIO",
        "problem_description": "vi arbejder alene",
        "theme_suggestion": "alenearbejde",
        "requested_slot": "theme",
    }
    slots, _ = await validate(tracker(state, text="skift tema", intent="correct"))
    assert slots["theme_suggestion"] is None and slots["requested_slot"] == "theme"


async def test_workplace_words_are_not_a_problem_description():
    slots, _ = await validate(
        tracker(text="Jeg er leder i hjemmeplejen i Aalborg", candidates={"municipality": "Aalborg"})
    )
    assert "problem_description" not in slots and slots["sector"] == "kommunal"


async def test_problem_description_taken_for_a_question_is_still_the_answer():
    state = {
        "sector": "kommunal",
        "municipality": "Vejle",
        "role": "TR",
        "application_type": "enkelt",
        "applicant_body": "TRIO",
        "requested_slot": "problem_description",
    }
    text = "stress og travlhed fylder meget hos os"
    slots, dispatcher = await validate(tracker(state, text=text, intent="faq"))
    assert slots["problem_description"] == text and slots["theme_suggestion"] == "arbejdets_indhold"
    text = "AT har givet os et påbud om psykisk arbejdsmiljø og vi har meget travlt"
    slots, dispatcher = await validate(tracker(state, text=text, intent="faq"))
    assert slots["problem_description"] is None and "påbud" in texts(dispatcher)


async def test_a_real_question_mid_form_is_left_to_the_faq_rule():
    state = {
        "sector": "kommunal",
        "municipality": "Vejle",
        "role": "TR",
        "application_type": "enkelt",
        "applicant_body": "TRIO",
        "requested_slot": "problem_description",
    }
    slots, _ = await validate(tracker(state, text="hvad koster det", intent="faq"))
    assert "problem_description" not in slots


async def test_markup_as_workplace_name_is_stored_literally():
    state = {**COMPLETE.__dict__, "workplace": None, "confirmed": None, "requested_slot": "workplace"}
    slots, _ = await validate(tracker(state, text="<img src=x onerror=alert(1)>", intent="out_of_scope"))
    assert slots["workplace"] == "<img src=x onerror=alert(1)>"


async def test_consensus_in_own_words_even_if_nlu_says_inform():
    state = {
        **COMPLETE.__dict__,
        "consensus": None,
        "commitments_accepted": None,
        "workplace": None,
        "confirmed": None,
        "requested_slot": "consensus",
    }
    for text, expected in (("både leder og TR er enige", True), ("lederen er ikke med på det", False)):
        slots, _ = await validate(tracker(state, text=text, intent="inform"))
        assert slots["consensus"] is expected


async def test_news_read_as_facts_gets_the_off_topic_answer_and_starts_nothing():
    from actions.application_form import ValidateApplicationForm

    text = "Sygehuset i Kolding lukker sin fødeafdeling, skriver avisen"
    dispatcher = CollectingDispatcher()
    events = await ValidateApplicationForm().run(
        dispatcher, tracker(text=text, candidates={"municipality": "Kolding"}), DOMAIN
    )
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert slot_events(events)["municipality"] is None and "sector" not in slot_events(events)
    assert [e.get("name") for e in events if e["event"] == "followup"] == ["action_listen"]
    assert dispatcher.messages[0]["response"] == "utter_out_of_scope"


def _with_question_parts(t, parts):
    t.latest_message["metadata"] = {"question_parts": parts}
    return t


async def test_a_question_beside_facts_read_on_its_own_is_answered_before_the_form_goes_on():
    text = "Jeg er TR på et plejecenter i Nyborg. Kan vi søge uden at vores leder ved det?"
    t = _with_question_parts(
        tracker(text=text, candidates={"municipality": "Nyborg"}),
        [{"intent": "faq", "confidence": 0.97, "topic": "faq/enighed", "topic_confidence": 0.68}],
    )
    slots, dispatcher = await validate(t)
    said = [m.get("response") for m in dispatcher.messages]
    assert said[0] == "utter_faq/enighed"
    assert slots["municipality"] == "Nyborg" and slots["role"] == "TR"


@pytest.mark.parametrize(
    "part",
    [
        {"intent": "faq", "confidence": 0.97, "topic": "faq/enighed", "topic_confidence": 0.3},  # topic unsure
        {"intent": "faq", "confidence": 0.4, "topic": "faq/pris", "topic_confidence": 0.9},  # not surely a question
        {"intent": "start_application", "confidence": 0.9, "topic": "faq/pris", "topic_confidence": 0.9},
    ],
)
async def test_a_question_part_the_model_is_unsure_of_is_not_answered(part):
    text = "Jeg er TR på et plejecenter i Nyborg. Kan I hjælpe os?"
    t = _with_question_parts(tracker(text=text, candidates={"municipality": "Nyborg"}), [part])
    _, dispatcher = await validate(t)
    assert not [m for m in dispatcher.messages if (m.get("response") or "").startswith("utter_faq")]


@pytest.mark.parametrize(
    "text, town",
    [
        ("Jeg arbejder hos et fragtfirma i Herning, og vi er alle sammen stressede", "Herning"),
        ("vi er et privat arkitektfirma i Roskilde med dårlig trivsel", "Roskilde"),
    ],
)
async def test_a_private_employer_is_told_the_offers_are_public_and_nothing_starts(text, town):
    from actions.application_form import ValidateApplicationForm
    from bot.domain import messages

    dispatcher = CollectingDispatcher()
    events = await ValidateApplicationForm().run(
        dispatcher, tracker(text=text, candidates={"municipality": town}), DOMAIN
    )
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert slot_events(events)["municipality"] is None
    assert dispatcher.messages[0]["text"] == messages.PRIVATE_EMPLOYER


async def test_only_the_physical_work_environment_is_told_what_the_offer_covers_and_nothing_starts():
    from actions.application_form import ValidateApplicationForm
    from bot.domain import messages

    text = "Vi mangler høreværn og sikkerhedssko på vejafdelingen i Silkeborg. Hvem skal betale?"
    dispatcher = CollectingDispatcher()
    events = await ValidateApplicationForm().run(
        dispatcher, tracker(text=text, candidates={"municipality": "Silkeborg"}), DOMAIN
    )
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert slot_events(events)["municipality"] is None
    assert dispatcher.messages[0]["text"] == messages.OUTSIDE_THE_OFFER
    # the psychosocial side named too: the form goes on
    both = "Vi mangler høreværn på vejafdelingen i Silkeborg, og det giver mange konflikter"
    dispatcher = CollectingDispatcher()
    events = await ValidateApplicationForm().run(
        dispatcher, tracker(text=both, candidates={"municipality": "Silkeborg"}), DOMAIN
    )
    assert {"event": "active_loop", "name": None} not in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert messages.OUTSIDE_THE_OFFER not in [m.get("text") for m in dispatcher.messages]


async def test_a_public_workplace_that_mentions_a_company_goes_on():
    text = "Jeg er AMR i rengøringen i Vejle Kommune, og et vikarfirma har overtaget nogle af vores opgaver"
    slots, dispatcher = await validate(tracker(text=text, candidates={"municipality": "Vejle"}))
    from bot.domain import messages

    assert slots["sector"] == "kommunal" and slots["municipality"] == "Vejle"
    assert messages.PRIVATE_EMPLOYER not in [m.get("text") for m in dispatcher.messages]
