"""Regional and state workplaces on the real stack, in free Danish, found through the export."""

from __future__ import annotations

import jsonschema
import pytest

from bot.domain.text import fold
from tests.conftest import SCHEMA, texts

pytestmark = pytest.mark.e2e

CONTACTS = ["Mette Hansen", "mette@region.dk", "20 30 40 50", "Lars Nielsen", "TR", "lars@region.dk", "spring over"]


@pytest.mark.parametrize(
    "first_message, region, route_words",
    [
        ("Jeg er TR på Rigshospitalet", "Region Hovedstaden", "centrale arbejdsmiljøenhed"),
        ("jeg er AMR på Holbæk Sygehus", "Region Sjælland", "direkte til en af de fire udbydere"),
        ("jeg er TR på OUH", "Region Syddanmark", "direkte til en af de fire udbydere"),
        ("jeg er leder på Regionshospitalet Gødstrup", "Region Midtjylland", "direkte til en af de fire udbydere"),
        ("jeg er TR på Aalborg Universitetshospital", "Region Nordjylland", "direkte til en af de fire udbydere"),
    ],
)
def test_each_region_gets_its_own_route(running_bot, first_message, region, route_words):
    sender = "e2e-route-" + fold(region.split()[-1])
    replies = running_bot.say(sender, first_message)
    slots = running_bot.tracker(sender)["slots"]
    assert (slots["sector"], slots["region"]) == ("regional", region)
    assert route_words in texts(replies)


def test_hovedstaden_enquiry_goes_to_the_central_unit(running_bot):
    sender = "e2e-hovedstaden"
    running_bot.conversation(
        sender,
        [
            "Jeg er TR på Hvidovre Hospital, og vores afdelinger skal lægges sammen",
            "ja det passer",
            "ja, vi er enige",
            "Afdeling for Hjertesygdomme",
            *CONTACTS,
        ],
    )
    filed = running_bot.say(sender, "ja, send den")
    assert "centrale arbejdsmiljøenhed" in texts(filed)
    [record] = running_bot.records_of(sender)
    jsonschema.validate(record, SCHEMA)
    assert (record["offer"], record["provider"], record["region"]["name"], record["theme"]) == (
        "regional_ekspertraadgivning",
        "central_arbejdsmiljoenhed",
        "Region Hovedstaden",
        "organisatoriske_forandringer",
    )
    assert record["reference"].startswith("REGION-") and record["municipality"] is None


def test_model_2_provider_chosen_by_free_text(running_bot):
    sender = "e2e-model2"
    replies = running_bot.conversation(
        sender,
        [
            "jeg er AMR på hospitalet i Randers",
            "patienterne er truende og vi har haft flere episoder med vold",
            "ja",
            "ja vi er enige",
            "ja det er vi klar til",
        ],
    )
    assert "NFA" in texts(replies[-1]) and "model 1" in texts(replies[-1])  # Midtjylland's note
    running_bot.conversation(sender, ["vi vil gerne have NFA", "Akutmodtagelsen", *CONTACTS])
    running_bot.say(sender, "ja")
    [record] = running_bot.records_of(sender)
    jsonschema.validate(record, SCHEMA)
    assert (record["provider"], record["region"]["name"], record["theme"]) == (
        "nfa",
        "Region Midtjylland",
        "vold_og_trusler",
    )


def test_regional_theme_mismatch_files_nothing(running_bot):
    sender = "e2e-regional-mismatch"
    replies = running_bot.conversation(
        sender,
        [
            "jeg er leder på Aalborg Universitetshospital",
            "vores portører arbejder alene om natten",
        ],
    )
    # A problem that fits none of the offer's themes ends at once as fitting none, with advice.
    assert "ikke et af de regionale temaer" in texts(replies[-1]) and "MED-systemet" in texts(replies[-1])
    slots = running_bot.tracker(sender)["slots"]
    assert slots["theme"] is None and slots["theme_fit"] is False
    assert "ikke gemt noget" in texts(replies[-1]).lower()
    assert not running_bot.records_of(sender)


def test_state_workplace_registers_interest(running_bot):
    sender = "e2e-state"
    replies = running_bot.conversation(sender, ["Jeg er TR i Skattestyrelsen"])
    assert "rejsehold" in texts(replies[-1]) and "etf.dk" in texts(replies[-1])
    running_bot.conversation(
        sender, ["ja tak", "Skattestyrelsen, Ringkøbing", "Eva Holm", "eva.holm@sktst.dk", "spring over"]
    )
    running_bot.say(sender, "ja")
    [record] = running_bot.records_of(sender)
    jsonschema.validate(record, SCHEMA)
    assert (record["offer"], record["status"], record["sector"]) == (
        "statsligt_rejsehold",
        "interest_registered",
        "statslig",
    )
    assert record["contacts"]["employee_representative"]["name"] == "Eva Holm"
    assert running_bot.tracker(sender)["slots"]["sector"] == "statslig"
