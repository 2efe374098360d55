"""Danish messages built from the catalogue and the user's answers."""

from dataclasses import replace

import pytest

from bot.domain import catalogue, messages
from tests.conftest import COMPLETE


def test_summary_shows_every_answer_and_offers_send_or_correct():
    reply = messages.summary(COMPLETE)
    for value in (
        "Vejle",
        "Solgården",
        "Mette Hansen",
        "m@v.dk",
        "+45 12345678",
        "Lars Nielsen",
        catalogue.load().theme("spark", "vold_og_trusler").label,
    ):
        assert value in reply.text
    assert [b[1] for b in reply.buttons] == ["/affirm", "/deny"]


def test_summary_keeps_user_text_literal():
    reply = messages.summary(replace(COMPLETE, workplace="<img src=x onerror=alert(1)>"))
    assert "<img src=x onerror=alert(1)>" in reply.text


def test_correction_buttons_name_each_summary_field():
    reply = messages.correction_question(COMPLETE)
    payloads = [p for _, p in reply.buttons]
    assert '/correct{"field": "leader_email"}' in payloads and len(payloads) == len(set(payloads))


def test_theme_question_offers_every_theme_and_none():
    reply = messages.theme_question("spark", None)
    assert len(reply.buttons) == 7 and reply.buttons[-1][0] == "Ingen af dem"


def test_faelles_commitments_include_planning_group_preparation_and_trial_action():
    text = messages.commitments_question("faelles", "spark").text
    for words in ("planlægningsgruppe", "forberedelsesopgave", "prøvehandling", "evalueringen"):
        assert words in text
    assert "planlægningsgruppe" not in messages.commitments_question("enkelt", "spark").text


# -- Slack ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("references", [[], ["SPARK-2026-0001"]])
def test_in_slack_glem_mig_says_the_memory_is_deleted_and_the_slack_messages_stay(references):
    [text] = messages.slack_forgotten([messages.forgotten(references)])
    assert messages.FORGOTTEN_NOTHING_KEPT not in text  # untrue in Slack: the messages are still there
    assert messages.SLACK_MEMORY_DELETED in text and messages.SLACK_MESSAGES_STAY in text
    assert "Slet besked" in text
    for reference in references:
        assert reference in text


def test_a_slack_glem_mig_answer_without_the_usual_sentences_gets_the_slack_note_added():
    assert messages.slack_forgotten(["Okay."]) == ["Okay.", messages.SLACK_MESSAGES_STAY]


def test_the_slack_lines_in_a_channel_hold_nothing_personal_and_are_short():
    for line in (
        messages.SLACK_CONTINUES_IN_PRIVATE,
        messages.SLACK_CONTACT_DETAILS_IN_CHANNEL,
        messages.SLACK_COMMAND_ANSWERED,
    ):
        assert len(line) <= 160 and "\n" not in line
