"""The state's offer is said once a turn: the interest question and the conclusion leave it out when the FAQ
answer has just said it (actions/common.py said_this_turn)."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import said_this_turn
from bot.domain import messages


def _tracker(events):
    return Tracker("t", {}, {"text": "x"}, events, False, None, {}, "")


def test_the_offer_said_since_the_latest_user_message_counts_and_earlier_turns_do_not():
    offer = {"event": "bot", "text": messages.state_offer()}
    user = {"event": "user", "text": "hej"}
    assert said_this_turn(_tracker([user, offer]), messages.STATE_OFFER_OPENING)
    assert not said_this_turn(_tracker([offer, user]), messages.STATE_OFFER_OPENING)


def test_the_interest_question_leaves_out_the_offer_only_when_it_was_just_said():
    assert messages.interest_question().text.startswith(messages.STATE_OFFER_OPENING)
    assert messages.interest_question(offer_said=True).text.startswith("Vil I registrere jeres interesse?")
