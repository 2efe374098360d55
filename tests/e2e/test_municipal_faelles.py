"""A fællesforløb and an injunction (påbud) on the real stack, in free Danish."""

from __future__ import annotations

import jsonschema
import pytest

from tests.conftest import SCHEMA, texts

pytestmark = pytest.mark.e2e


def test_faelles_course_is_explained_and_filed_with_its_commitments(running_bot):
    sender = "e2e-faelles"
    replies = running_bot.conversation(
        sender,
        [
            "Jeg er FTR i Aarhus Kommune",
            "flere arbejdspladser skal gå sammen",
        ],
    )
    intro = texts(replies[-1])
    assert "workshop" in intro.lower()  # what a fællesforløb involves, told when it is chosen

    replies = running_bot.conversation(
        sender,
        [
            "det er vores HovedMED",
            "vi står midt i en stor omstrukturering af hele forvaltningen",
            "ja",
            "ja, ledelse og medarbejdere er enige",
        ],
    )
    commitments = texts(replies[-1])
    # A joint course also needs a planning group with a mandate, the preparation task and the trial action.
    assert "planlægningsgruppe" in commitments
    assert "prøvehandling" in commitments

    running_bot.conversation(
        sender,
        [
            "ja det er vi klar til",
            "Social- og Beskæftigelsesforvaltningen",
            "Hanne Berg",
            "hanne.berg@aarhus.dk",
            "spring over",
            "Ole Dahl",
            "FTR",
            "ole.dahl@aarhus.dk",
            "87 65 43 21",
        ],
    )
    filed = running_bot.say(sender, "ja")
    assert "SPARK-" in texts(filed)

    [record] = running_bot.records_of(sender)
    jsonschema.validate(record, SCHEMA)
    assert (record["application_type"], record["applicant_body"], record["theme"]) == (
        "faelles",
        "HovedMED",
        "forandringer",
    )
    assert record["municipality"] == {"code": "751", "name": "Aarhus"}
    assert record["contacts"]["employee_representative"]["role"] == "FTR"
    assert record["contacts"]["leader"]["phone"] is None


def test_an_injunction_is_explained_and_the_form_goes_on(running_bot):
    sender = "e2e-paabud"
    replies = running_bot.conversation(
        sender,
        [
            "Jeg er AMR på en skole i Esbjerg",
            "én arbejdsplads",
            "lokalMED",
            "Arbejdstilsynet har givet os et påbud om for stor arbejdsmængde",
        ],
    )
    answer = texts(replies[-1])
    assert "påbud" in answer and "forebyggende" in answer
    slots = running_bot.tracker(sender)["slots"]
    assert slots["municipality"] == "Esbjerg" and slots["sector"] == "kommunal"
    assert not running_bot.records_of(sender)
