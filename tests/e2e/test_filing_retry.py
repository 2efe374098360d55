"""A filing the database refused stays pending: nothing the user typed is lost, and »prøv igen« files it once
(issue: reliability, item 4). On the shared stack, whose applications database is made unusable for a moment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import texts

pytestmark = pytest.mark.e2e

MUNICIPAL = [
    "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne",
    "kun vores egen arbejdsplads",
    "det er vores TRIO",
    "ja det passer",
    "ja, vi er enige",
    "ja det er vi klar til",
    "Plejecenter Skovbrynet",
    "Mette Hansen",
    "mette.hansen@vejle.dk",
    "spring over",
    "Lars Nielsen",
    "TR",
    "lars.nielsen@vejle.dk",
    "spring over",
]


def test_a_refused_filing_stays_pending_and_prøv_igen_files_it_once(running_bot):
    sender = "e2e-filing-retry"
    database = Path(running_bot.stack.run_dir / "applications.db")
    running_bot.conversation(sender, MUNICIPAL)
    running_bot.records_of("someone-else")  # the database exists before it is broken
    aside = database.with_suffix(".aside")
    shutil.move(database, aside)
    database.mkdir()  # SQLite cannot open a folder: every write is refused
    try:
        failed = texts(running_bot.say(sender, "ja"))
        assert "teknisk fejl" in failed and "ikke gemt endnu" in failed and "prøv igen" in failed
        assert "registreret" not in failed and "sendt" not in failed
        assert running_bot.tracker(sender)["slots"]["filing_pending"] is True
    finally:
        database.rmdir()
        shutil.move(aside, database)
    assert not running_bot.records_of(sender)
    filed = texts(running_bot.say(sender, "prøv igen"))
    assert "registreret jeres ansøgning med referencen SPARK-" in filed
    again = texts(running_bot.say(sender, "ja"))
    assert "allerede registreret" in again
    [record] = running_bot.records_of(sender)
    assert record["workplace"] == "Plejecenter Skovbrynet" and record["contacts"]["leader"]["name"] == "Mette Hansen"
