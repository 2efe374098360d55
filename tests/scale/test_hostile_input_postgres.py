"""On PostgreSQL, the sender ids and texts that once stopped both Rasa instances (a NUL, a lone
surrogate) are refused or cleaned at the channel, and both instances keep serving."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ANY_CHAR = st.one_of(st.characters(exclude_categories=()), st.characters(categories=["Cs"]))


def post(url: str, payload: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=json.dumps(payload).encode(), headers={"Content-Type": "text/plain"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def assert_both_instances_serve(stack) -> None:
    for process in stack.processes:
        assert process.poll() is None, f"{process.args[:3]} stopped"
    for url in stack.rasa_urls:
        status, body = post(url, {"sender": "hostile-alive", "message": "Hvad er SPARK?"})
        assert status == 200 and "SPARK" in body.decode()


@pytest.mark.parametrize("sender", ["nul\x00", "x\udc00", "\x00" * 3])
def test_a_sender_id_postgresql_would_refuse_gets_400_on_both_instances(scaled_stack, sender):
    for url in scaled_stack.rasa_urls:
        status, body = post(url, {"sender": sender, "message": "Hej"})
        assert status == 400 and b"sender" in body
    assert_both_instances_serve(scaled_stack)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sender=st.text(ANY_CHAR, min_size=1, max_size=40), message=st.text(ANY_CHAR, max_size=200))
def test_any_sender_and_text_on_postgresql_is_a_reply_or_a_4xx(scaled_stack, sender, message):
    status, body = post(scaled_stack.rasa_urls[0], {"sender": sender, "message": message})
    assert status < 500, (status, body[:300])
    for process in scaled_stack.processes:
        assert process.poll() is None, f"{process.args[:3]} stopped"


def test_nul_and_surrogates_in_the_text_are_cleaned_and_stored_on_postgresql(scaled_stack, tracker_engine):
    import sqlalchemy as sa

    status, body = post(scaled_stack.rasa_urls[1], {"sender": "hostile-text", "message": "Hvad\x00 er\udc00 SPARK?"})
    assert status == 200 and "SPARK" in body.decode()
    with tracker_engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT data FROM events WHERE sender_id = 'rest:hostile-text' AND type_name = 'user'")
        ).all()
    assert [json.loads(row.data)["text"] for row in rows] == ["Hvad er\ufffd SPARK?"]
    assert_both_instances_serve(scaled_stack)
