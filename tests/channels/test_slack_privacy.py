"""When a Slack answer goes to the user's direct message instead of the channel (bot.channels.slack_privacy)."""

from __future__ import annotations

import pytest

from bot.channels.slack_privacy import PRIVATE_QUESTIONS, answer_in_private, in_personal_part
from bot.domain.routing import CONTACT_FIELDS, STATE_CONTACT_FIELDS

# A municipal conversation just before its personal part: nothing in it names anybody.
PUBLIC = {
    "sector": "kommunal",
    "municipality": "Vejle",
    "role": "TR",
    "application_type": "enkelt",
    "applicant_body": "TRIO",
    "problem_description": "vold fra borgerne",
    "theme": "vold_og_trusler",
    "consensus": True,
    "commitments_accepted": None,
    "requested_slot": "commitments_accepted",
}


def test_questions_about_the_offer_and_the_first_answers_stay_in_the_channel():
    assert not in_personal_part(PUBLIC)
    assert not answer_in_private(
        PUBLIC,
        {**PUBLIC, "requested_slot": "consensus"},
        "hvad er SPARK?",
        ["SPARK er Samarbejde om Psykisk ARbejdsmiljø i Kommunerne."],
    )
    assert not answer_in_private(None, None, "hej", ["Hej! Jeg er Arbejdsmiljøguiden."])


@pytest.mark.parametrize("question", ["workplace", *CONTACT_FIELDS, *STATE_CONTACT_FIELDS, "confirmed"])
def test_from_the_question_for_the_workplace_on_the_answers_are_private(question):
    assert question in PRIVATE_QUESTIONS
    after = {**PUBLIC, "commitments_accepted": True, "requested_slot": question}
    assert answer_in_private(PUBLIC, after, "ja det er vi klar til", ["Hvad hedder arbejdspladsen?"])


def test_a_conversation_with_any_personal_answer_stays_private_also_while_another_answer_is_corrected():
    correcting = {**PUBLIC, "workplace": "Solgården", "leader_name": "Mette Hansen", "requested_slot": "municipality"}
    assert answer_in_private(correcting, correcting, "Kolding", ["Jeg har rettet kommunen til Kolding."])


def test_a_filed_application_stays_private_and_so_does_what_follows_it():
    filed = {**PUBLIC, "reference": "SPARK-2026-000001"}
    assert answer_in_private(filed, filed, "tak", ["Selv tak!"])
    # "glem mig": nothing is stored after the turn, the conversation before it decides
    assert answer_in_private(filed, None, "glem mig", ["Jeg har slettet ..."])


def test_a_users_own_message_with_contact_details_is_answered_in_private():
    assert answer_in_private(PUBLIC, PUBLIC, "skriv til mig på mette.hansen@vejle.dk", ["Tak."])
    assert answer_in_private(None, None, "ring på 20 30 40 50", ["Tak."])


def test_an_answer_holding_contact_details_is_private_whatever_the_state():
    assert answer_in_private(PUBLIC, PUBLIC, "hej", ["Skriv til lars@vejle.dk"])
    assert answer_in_private(None, None, "hej", ["Ring på +45 20304050"])


@pytest.mark.parametrize(
    "slot, value",
    [("workplace", "Solgården"), ("leader_name", "Mette Hansen"), ("rep_role", "TR"), ("contact_email", "a@b.dk")],
)
def test_any_personal_answer_makes_the_conversation_private(slot, value):
    assert in_personal_part({**PUBLIC, slot: value})


@pytest.mark.parametrize("reference", ["SPARK-2026-000001", "REGION-2026-000042", "STAT-2027-000003"])
def test_an_answer_naming_a_filed_reference_is_private_whatever_the_state(reference):
    # e.g. a status question after the answers were reset: the reference still only goes to the user.
    assert answer_in_private(None, None, "hvad sker der med vores ansøgning?", [f"Ansøgningen {reference} er ..."])
    assert not answer_in_private(None, None, "hej", ["SPARK har seks temaer fra 2026."])
