"""Theme integrity on the real stack (issue 24, point 4): what is filed as the problem and its theme.

A personsag or påbud is explained and never filed as the problem; the preventive work the user then
describes is. A theme is set only when the user's words support it and the user confirms it; words
that deny a theme count against it; a problem outside the themes ends as fitting none. The record's
description is the user's own description of the problem.
"""

from __future__ import annotations

import jsonschema
import pytest

from bot.domain import catalogue
from tests.conftest import SCHEMA, texts

pytestmark = pytest.mark.e2e

MUNICIPAL_CONTACTS = [
    "Plejecenter Solgården",
    "Mette Hansen",
    "mette@vejle.dk",
    "spring over",
    "Lars Nielsen",
    "TR",
    "lars@vejle.dk",
    "spring over",
]
CASE = "Vi skal give en medarbejder en advarsel, fordi hun har råbt ad sine kolleger"
PREVENTIVE = "Vi vil gerne arbejde forebyggende med tonen og samarbejdet i personalegruppen"


THEME_CODES = {theme.code for theme in catalogue.load().themes}


def theme_events(tracker: dict) -> list:
    """Every theme the theme slot was set to, in order (candidates the form then refused, like a typed
    text or 'rejected', are no theme)."""
    return [
        e.get("value")
        for e in tracker["events"]
        if e.get("event") == "slot" and e.get("name") == "theme" and e.get("value") in THEME_CODES
    ]


def test_a_personsag_is_explained_and_the_preventive_work_is_what_is_filed(running_bot):
    sender = "e2e-theme-personsag"
    running_bot.conversation(sender, ["Jeg er leder på et plejecenter i Vejle", "én arbejdsplads", "TRIO"])
    replies = running_bot.say(sender, CASE)
    assert "personsager" in texts(replies) and "forebyggende arbejde vil I" in texts(replies)
    slots = running_bot.tracker(sender)["slots"]
    assert slots["problem_description"] is None and slots["theme"] is None
    # The one "ja" that once filed the case under a theme is no description
    replies = running_bot.say(sender, "ja")
    slots = running_bot.tracker(sender)["slots"]
    assert slots["problem_description"] is None and slots["theme"] is None
    replies = running_bot.say(sender, PREVENTIVE)
    assert "Det lyder som temaet" in texts(replies)
    assert running_bot.tracker(sender)["slots"]["theme"] is None  # suggested, not yet confirmed
    running_bot.conversation(sender, ["ja", "ja, vi er enige", "ja det er vi klar til", *MUNICIPAL_CONTACTS])
    running_bot.say(sender, "ja, send den")
    [record] = running_bot.records_of(sender)
    jsonschema.validate(record, SCHEMA)
    assert record["problem_description"] == PREVENTIVE
    assert "advarsel" not in record["problem_description"] and record["theme"] == "samarbejde"


def test_a_first_message_with_a_personsag_is_explained_at_once_and_never_filed(running_bot):
    sender = "e2e-theme-personsag-first"
    replies = running_bot.say(sender, "Hej, jeg er TR på en skole i Aarhus, og vi skal have fyret en kollega")
    assert "personsager" in texts(replies)
    slots = running_bot.tracker(sender)["slots"]
    assert slots["problem_description"] is None and slots["role"] == "TR" and slots["municipality"] == "Aarhus"
    replies = running_bot.conversation(sender, ["én arbejdsplads", "TRIO"])
    assert "forebyggende arbejde vil I" in texts(replies[-1])
    replies = running_bot.say(sender, "hun skal bare fyres")
    assert "stadig om en konkret personsag" in texts(replies)
    assert running_bot.tracker(sender)["slots"]["theme"] is None
    assert not running_bot.records_of(sender)


def test_a_regional_problem_outside_the_themes_with_no_violence_is_never_filed_as_violence(running_bot):
    sender = "e2e-theme-regional-no-violence"
    replies = running_bot.say(sender, "Hej, jeg hedder Mette og er AMR på Holbæk Sygehus")
    slots = running_bot.tracker(sender)["slots"]
    assert (slots["sector"], slots["region"], slots["role"]) == ("regional", "Region Sjælland", "AMR")
    assert slots["problem_description"] is None  # a greeting and an introduction are no description
    replies = running_bot.say(
        sender, "Der har ikke været vold, men vi har svært ved at samarbejde på tværs af faggrupperne"
    )
    assert "ikke et af de regionale temaer" in texts(replies) and "tillidsrepræsentant" in texts(replies)
    tracker = running_bot.tracker(sender)
    assert tracker["slots"]["theme"] is None and tracker["slots"]["theme_fit"] is False
    assert theme_events(tracker) == []
    assert not running_bot.records_of(sender)


def test_a_problem_outside_every_theme_ends_as_fitting_none_with_advice(running_bot):
    sender = "e2e-theme-outside"
    running_bot.conversation(sender, ["Jeg er AMR på en skole i Odense", "én arbejdsplads", "TRIO"])
    replies = running_bot.say(sender, "vi vil have højere løn og nye stole")
    assert "uden for temaerne" in texts(replies) and "MED-systemet" in texts(replies)
    assert running_bot.tracker(sender)["slots"]["theme"] is None
    assert not running_bot.records_of(sender)


def test_a_theme_is_set_only_when_the_user_confirms_it(running_bot):
    sender = "e2e-theme-confirm"
    running_bot.conversation(sender, ["Jeg er TR i hjemmeplejen i Viborg", "én arbejdsplads", "TRIO"])
    replies = running_bot.say(sender, "der bliver talt grimt om nogle kolleger")
    assert "Det lyder som temaet »Chikane" in texts(replies)
    replies = running_bot.say(sender, "nej")
    assert running_bot.tracker(sender)["slots"]["theme"] is None
    replies = running_bot.say(sender, "det handler mere om travlhed og for mange opgaver")
    assert "Det lyder som temaet »Arbejdets indhold" in texts(replies)
    assert running_bot.tracker(sender)["slots"]["theme"] is None  # a description typed here is a suggestion
    running_bot.conversation(sender, ["ja", "ja, vi er enige", "ja det er vi klar til", *MUNICIPAL_CONTACTS])
    running_bot.say(sender, "ja")
    [record] = running_bot.records_of(sender)
    assert record["theme"] == "arbejdets_indhold"
    assert record["problem_description"] == "der bliver talt grimt om nogle kolleger"
    # the theme slot was never set before the user's "ja"
    assert theme_events(running_bot.tracker(sender)) == ["arbejdets_indhold"]


def test_a_picked_theme_that_the_description_denies_is_not_taken(running_bot):
    sender = "e2e-theme-denied-pick"
    running_bot.conversation(sender, ["Jeg er leder på et plejehjem i Kolding", "én arbejdsplads", "TRIO"])
    running_bot.say(sender, "der er ingen vold, det er noget andet der er svært at forklare")
    replies = running_bot.say(sender, '/inform{"theme": "vold_og_trusler"}')
    assert "ikke handler om »Risiko for vold" in texts(replies)
    assert running_bot.tracker(sender)["slots"]["theme"] is None


def test_the_description_is_the_users_own_description_not_the_greeting(running_bot):
    sender = "e2e-theme-own-words"
    running_bot.say(
        sender, "Hej! Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne. Kan I hjælpe?"
    )
    assert running_bot.tracker(sender)["slots"]["problem_description"] == "vi har meget vold fra borgerne."


def test_a_problem_that_says_start_over_is_the_problem_and_wipes_nothing(running_bot):
    sender = "e2e-theme-forfra"
    running_bot.conversation(sender, ["Jeg er TR på en skole i Odder", "én arbejdsplads", "TRIO"])
    text = "Vi har fået ny skoleleder for fjerde gang, og lærerne er trætte af at skulle starte forfra hver gang"
    running_bot.say(sender, text)
    slots = running_bot.tracker(sender)["slots"]
    assert (slots["sector"], slots["municipality"], slots["problem_description"]) == ("kommunal", "Odder", text)


def test_a_physical_problem_at_the_problem_question_is_filed_as_fitting_no_theme(running_bot):
    sender = "e2e-theme-physical"
    running_bot.conversation(sender, ["Jeg er AMR på et bibliotek i Skive", "én arbejdsplads", "TRIO"])
    text = "Vores kontor er iskoldt om vinteren, og ventilationen larmer hele dagen"
    replies = running_bot.say(sender, text)
    slots = running_bot.tracker(sender)["slots"]
    assert slots["problem_description"] == text and slots["theme_fit"] is False
    assert "uden for temaerne" in texts(replies)
