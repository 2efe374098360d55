"""Users who don't follow the script, on the real stack."""

from __future__ import annotations

import pytest

from tests.conftest import texts

pytestmark = pytest.mark.e2e

START = "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne"


def test_question_mid_form_is_answered_then_the_question_repeated(running_bot):
    sender = "e2e-q-midform"
    running_bot.say(sender, START)
    replies = running_bot.say(sender, "hvad koster det?")
    assert "gratis" in texts(replies)
    assert "én arbejdsplads" in texts(replies)  # the pending question again
    assert running_bot.tracker(sender)["slots"]["application_type"] is None


def test_off_topic_mid_form_fills_nothing(running_bot):
    sender = "e2e-offtopic"
    running_bot.conversation(sender, [START, "én arbejdsplads", "TRIO", "ja", "ja", "ja"])
    before = running_bot.tracker(sender)["slots"]
    replies = running_bot.say(sender, "Hvem vandt fodboldkampen i går?")
    after = running_bot.tracker(sender)["slots"]
    assert "kan jeg desværre ikke hjælpe med" in texts(replies)
    assert "Hvad hedder arbejdspladsen" in texts(replies)
    assert after == before


@pytest.mark.parametrize("message", ["😀😀😀", "asdfgh qwerty", "What is this?"])
def test_emoji_gibberish_and_english_get_a_helpful_answer(running_bot, message):
    replies = running_bot.say("e2e-odd-" + str(abs(hash(message))), message)
    text = texts(replies)
    assert "psykiske arbejdsmiljø" in text and "kan" in text


def test_correction_mid_form_and_back(running_bot):
    sender = "e2e-correct-midform"
    running_bot.conversation(sender, [START, "én arbejdsplads", "TRIO", "ja", "ja", "ja",
                                      "Solgården", "Mette Hansen", "mette@vejle.dk"])
    replies = running_bot.say(sender, "lederens e-mail er forkert")
    assert "Hvad er lederens e-mailadresse" in texts(replies)
    replies = running_bot.say(sender, "mette.hansen@vejle.dk")
    assert "telefonnummer" in texts(replies)
    assert running_bot.tracker(sender)["slots"]["leader_email"] == "mette.hansen@vejle.dk"


def test_stop_ends_the_form_and_files_nothing(running_bot):
    sender = "e2e-stop"
    running_bot.conversation(sender, [START, "én arbejdsplads"])
    replies = running_bot.say(sender, "afbryd")
    assert "ikke sendt noget" in texts(replies)
    tracker = running_bot.tracker(sender)
    assert tracker["active_loop"] in ({}, None) or not tracker["active_loop"].get("name")
    assert tracker["slots"]["municipality"] is None
    assert not [r for r in running_bot.export() if r["conversation_id"] == sender]


def test_start_over_forgets_everything(running_bot):
    sender = "e2e-restart"
    running_bot.conversation(sender, [START, "én arbejdsplads"])
    replies = running_bot.say(sender, "start forfra")
    assert "starter vi forfra" in texts(replies) and "forstod" not in texts(replies)
    assert running_bot.tracker(sender)["slots"]["sector"] is None
    replies = running_bot.say(sender, "Jeg er AMR på en skole i Odense")
    assert "én arbejdsplads" in texts(replies)


def test_human_handoff_gives_the_real_routes_only(running_bot):
    replies = running_bot.say("e2e-human", "jeg vil tale med et menneske")
    text = texts(replies)
    assert "sparkweb.dk" in text and "tillidsrepræsentant" in text and "afdeling" in text
