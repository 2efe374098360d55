"""The municipal SPARK path on the real stack, over the REST channel, in free Danish."""

from __future__ import annotations

import jsonschema
import pytest

from tests.conftest import SCHEMA, texts

pytestmark = pytest.mark.e2e


def test_free_text_application_is_filed_once_and_exported(running_bot):
    sender = "e2e-municipal-1"
    replies = running_bot.conversation(
        sender,
        [
            "Hej",
            "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne",
        ],
    )
    assert "én arbejdsplads" in texts(replies[-1])
    slots = running_bot.tracker(sender)["slots"]
    assert (slots["sector"], slots["municipality"], slots["region"], slots["role"]) == (
        "kommunal",
        "Vejle",
        "Region Syddanmark",
        "TR",
    )

    replies = running_bot.conversation(
        sender,
        [
            "kun vores egen arbejdsplads",
            "det er vores TRIO",
            "ja det passer",
            "ja, vi er enige",
            "ja det er vi klar til",
            "Plejecenter Solgården",
            "Mette Hansen",
            "mette.hansen@vejle",  # invalid: asked again with an explanation
            "mette.hansen@vejle.dk",
            "tlf 20 30 40 50",
            "Lars Nielsen",
            "han er tillidsrepræsentant",
            "lars.nielsen@vejle.dk",
            "+45 22 33 44 55",
        ],
    )
    assert "ligner ikke en e-mailadresse" in texts(replies[7])
    summary = texts(replies[-1])
    assert "Plejecenter Solgården" in summary and "+45 20304050" in summary

    filed = running_bot.say(sender, "ja, send den")
    assert "SPARK-" in texts(filed)
    again = running_bot.say(sender, "ja")
    assert "allerede registreret" in texts(again)

    records = running_bot.records_of(sender)
    assert len(records) == 1
    record = records[0]
    jsonschema.validate(record, SCHEMA)
    # The stack's delivery worker may already have delivered it to the fake intake.
    assert record["offer"] == "spark" and record["status"] in ("submitted", "delivered")
    assert record["theme"] == "vold_og_trusler" and record["application_type"] == "enkelt"
    assert record["municipality"] == {"code": "630", "name": "Vejle"}
    assert record["region"] == {"code": "1083", "name": "Region Syddanmark"}
    assert record["contacts"]["leader"]["phone"] == "+45 20304050"
    assert record["contacts"]["employee_representative"]["role"] == "TR"
    assert record["channel"] == "rest"
    assert running_bot.tracker(sender)["slots"]["reference"] == record["reference"]


def test_employee_is_sent_to_tr_and_nothing_is_filed(running_bot):
    sender = "e2e-employee"
    replies = running_bot.conversation(
        sender,
        [
            "vi vil gerne søge om hjælp",
            "kommune",
            "Aabenraa",
            "jeg er bare almindelig medarbejder",
        ],
    )
    assert running_bot.tracker(sender)["slots"]["municipality"] == "Aabenraa"
    assert "tillidsrepræsentant" in texts(replies[-1])
    assert not running_bot.records_of(sender)


def test_no_consensus_files_nothing(running_bot):
    sender = "e2e-no-consensus"
    replies = running_bot.conversation(
        sender,
        [
            "Jeg er leder på en skole i Koebenhavn",
            "én arbejdsplads",
            "lokalMED",
            "der er mange konflikter mellem lærerne",
            "ja",
            "nej, ikke endnu",
        ],
    )
    slots = running_bot.tracker(sender)["slots"]
    assert (slots["municipality"], slots["theme"], slots["consensus"]) == ("København", "samarbejde", False)
    assert "enige" in texts(replies[-1])
    assert not running_bot.records_of(sender)
