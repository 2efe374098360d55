"""The form's answers, checked without Rasa (bot.domain.answers)."""

from __future__ import annotations

import pytest

from bot.domain import answers, catalogue
from bot.domain.routing import Answers

NONE = Answers()


def test_a_new_sector_forgets_every_answer_given_on_the_old_offers_terms():
    before = Answers(sector="kommunal", theme="forandringer", application_type="enkelt", applicant_body="TRIO")
    outcome = answers.check("sector", "regional", before.updated({"sector": "regional"}), before)
    assert outcome.slots["sector"] == "regional"
    assert {slot for slot, value in outcome.slots.items() if value is None} == set(answers.FORGETS["sector"])
    assert "regional" in outcome.say[0]


def test_the_same_sector_again_forgets_nothing():
    before = Answers(sector="kommunal", theme="forandringer")
    assert answers.check("sector", "kommunal", before, before).slots == {"sector": "kommunal"}


def test_hovedstaden_goes_to_the_central_unit_and_another_region_never_does():
    central = catalogue.load().central_unit.code
    now = Answers(sector="regional")
    assert answers.check("region", "Region Hovedstaden", now, NONE).slots["provider"] == central
    moved = Answers(sector="regional", provider=central)
    assert answers.check("region", "Region Sjælland", moved, moved).slots["provider"] is None
    chose = Answers(sector="regional", provider="nfa")
    assert "provider" not in answers.check("municipality", "Odense", chose, chose).slots


@pytest.mark.parametrize("text, kind", [("vi er flere afdelinger sammen", "faelles"), ("hele kommunen", "faelles"),
                                        ("kun vores egen afdeling", "enkelt"), ("én", "enkelt"), ("1", "enkelt"),
                                        ("ved ikke", None), ("tallet", None)])
def test_application_type_from_what_people_write(text, kind):
    assert answers.application_type(text) == kind


@pytest.mark.parametrize("text, code", [("vi vil gerne have NFA", "nfa"), ("roskilde universitet", "ruc"),
                                        ("Copenhagen Business School", "cbs"), ("alectia", "alectia"),
                                        ("nogen helt andre", None)])
def test_provider_from_code_name_or_alias(text, code):
    assert answers.provider(text) == code


@pytest.mark.parametrize("text, kind, body", [("lokal med", "enkelt", "lokalMED"), ("TRIO'en", "enkelt", "TRIO"),
                                              ("hoved-med", "faelles", "HovedMED"),
                                              ("Børne- og UngeMED", "faelles", "Børne- og UngeMED"),
                                              ("bestyrelsen", "enkelt", None)])
def test_applicant_body_as_the_catalogue_names_it(text, kind, body):
    assert answers.applicant_body(text, kind) == body


def test_a_correction_forgets_the_answer_and_its_dependents_but_keeps_a_new_email():
    assert answers.correction("theme", "skift tema") == {"theme": None, "theme_suggestion": None, "theme_fit": None}
    assert answers.correction("leader_email", "den er mette@vejle.dk") == {"leader_email": "mette@vejle.dk"}
    assert answers.correction("application_type", "ret") == {"application_type": None, "applicant_body": None}


@pytest.mark.parametrize("slot", ["sector", "municipality", "region", "role", "application_type", "applicant_body",
                                  "problem_description", "theme", "provider", "workplace", "rep_role", "confirmed"])
def test_every_refused_answer_says_what_is_expected(slot):
    outcome = answers.check(slot, "\x00", Answers(sector="kommunal", application_type="enkelt"), NONE)
    assert outcome.slots[slot] is None and outcome.say and outcome.say[0].strip()


def test_counts_in_the_sentences_come_from_the_catalogue():
    data = catalogue.load()
    assert answers.check("region", "xyz", NONE, NONE).say == ("Vælg en af de fem regioner.",)
    assert len(data.regions) == 5 and len(data.providers) == 4
    assert "de fire udbydere" in answers.check("provider", "xyz", NONE, NONE).say[0]


def test_a_first_message_gives_sector_role_and_problem_at_once():
    found = answers.facts("Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne", NONE, None)
    assert found["sector"] == "kommunal" and found["role"] == "TR"
    # the description is the user's own description of the problem, not the introduction
    assert found["problem_description"] == "vi har meget vold fra borgerne"
