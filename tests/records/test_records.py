"""Filed records: valid against the schema, one per conversation, readable references."""

import json
import threading
from datetime import datetime, timezone

import pytest

from bot.records import store as records
from tests.conftest import record_for


def test_record_matches_the_shared_schema(store):
    stored, created = store.file(record_for("c1"))
    assert created
    records.validate(stored)
    assert stored["municipality"] == {"code": "630", "name": "Vejle"}
    assert stored["contacts"]["employee_representative"]["phone"] is None  # skipped phone
    assert stored["contacts"]["employee_representative"]["role"] == "TR"


def test_references_are_sequential_per_offer_and_year(store):
    first, _ = store.file(record_for("c1"))
    second, _ = store.file(record_for("c2"))
    next_year, _ = store.file(record_for("c3", datetime(2027, 1, 2, tzinfo=timezone.utc)))
    assert (first["reference"], second["reference"], next_year["reference"]) == (
        "SPARK-2026-000001",
        "SPARK-2026-000002",
        "SPARK-2027-000001",
    )


def test_one_conversation_files_at_most_once(store):
    first, created_first = store.file(record_for("same"))
    again, created_again = store.file(record_for("same"))
    assert created_first and not created_again and again["reference"] == first["reference"]
    assert len(list(store.export())) == 1


def test_concurrent_filings_of_one_conversation_store_one_record(store):
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.file(record_for("race")))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r["reference"] for r, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_invalid_record_is_never_stored(store):
    bad = {**record_for("bad"), "consensus_confirmed": False}
    with pytest.raises(records.RecordInvalid):
        store.file(bad)
    assert list(store.export()) == []


def test_export_cli_prints_json_lines_newest_last(store, capsys):
    from bot.cli import main

    store.file(record_for("a"))
    store.file(record_for("b"))
    assert main(["applications", "--db", store.url, "export"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["conversation_id"] for r in lines] == ["a", "b"]


def test_our_schema_only_adds_optional_properties_to_the_shared_spec():
    """bot/data's copy documents the record key and the recipient; every record valid under it is valid under
    the product's spec (shared/spec), and the spec's required fields and enums are unchanged."""
    shared_path = records.PROJECT_ROOT.parent / "shared" / "spec" / "application-record.schema.json"
    if not shared_path.exists():
        pytest.skip("shared/ is not beside this checkout")
    shared, ours = json.loads(shared_path.read_text()), json.loads(records.SCHEMA_PATH.read_text())
    assert ours["required"] == shared["required"] and ours["allOf"] == shared["allOf"]
    assert ours["additionalProperties"] is shared["additionalProperties"] is True
    for name, spec in shared["properties"].items():
        strip = lambda d: {k: v for k, v in d.items() if k != "description"}  # noqa: E731
        assert strip(ours["properties"][name]) == strip(spec), name
    assert set(ours["properties"]) - set(shared["properties"]) == {"application_id", "recipient"}
    import jsonschema

    jsonschema.validate({**record_for("x"), "reference": "SPARK-2026-000001", "application_id": "a1"}, shared)
