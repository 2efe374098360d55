"""The order of questions and where a conversation ends (the rules of PRODUCT.md)."""

from dataclasses import replace

from bot.domain.routing import CONTACT_FIELDS, Answers, missing, questions, route
from tests.conftest import COMPLETE


def test_sector_is_asked_first():
    assert missing(Answers()) == ["sector"]


def test_municipal_path_asks_everything_in_order():
    assert questions(COMPLETE) == [
        "sector",
        "municipality",
        "role",
        "application_type",
        "applicant_body",
        "problem_description",
        "theme",
        "consensus",
        "commitments_accepted",
        "workplace",
        *CONTACT_FIELDS,
        "confirmed",
    ]


def test_complete_municipal_answers_are_filed_to_spark():
    decision = route(COMPLETE)
    assert (decision.outcome, decision.offer, decision.status) == ("file", "spark", "submitted")


def test_employee_stops_after_role_and_files_nothing():
    a = Answers(sector="kommunal", municipality="Vejle", role="medarbejder")
    assert missing(a) == [] and route(a).outcome == "employee"


def test_no_consensus_files_nothing():
    a = replace(COMPLETE, consensus=False, workplace=None, confirmed=None)
    assert missing(a) == [] and route(a).outcome == "no_consensus"


def test_no_commitment_files_nothing():
    a = replace(COMPLETE, commitments_accepted=False, workplace=None, confirmed=None)
    assert route(a).outcome == "no_commitment"


def test_problem_outside_themes_files_nothing():
    a = replace(COMPLETE, theme=None, theme_fit=False, consensus=None, confirmed=None)
    assert missing(a) == [] and route(a).outcome == "no_theme"


def test_unconfirmed_summary_is_not_filed():
    assert route(replace(COMPLETE, confirmed=None)).outcome == "incomplete"


def test_hovedstaden_goes_to_central_unit_without_provider_question():
    a = replace(
        COMPLETE,
        sector="regional",
        municipality=None,
        region="Region Hovedstaden",
        application_type=None,
        applicant_body=None,
        commitments_accepted=None,
    )
    assert "provider" not in questions(a) and "commitments_accepted" not in questions(a)
    decision = route(a)
    assert (decision.offer, decision.provider) == ("regional_ekspertraadgivning", "central_arbejdsmiljoenhed")


def test_model_2_region_asks_for_a_provider():
    a = Answers(sector="regional", region="Region Syddanmark", role="AMR")
    assert "provider" in questions(a) and "application_type" not in questions(a)


def test_state_registers_interest_with_one_contact():
    a = Answers(
        sector="statslig",
        role="leder",
        interest=True,
        workplace="Skattestyrelsen",
        contact_name="Eva Holm",
        contact_email="e@s.dk",
        contact_phone="-",
        confirmed=True,
    )
    assert missing(a) == []
    decision = route(a)
    assert (decision.outcome, decision.offer, decision.status) == ("file", "statsligt_rejsehold", "interest_registered")
