"""The answers as they were before the latest user message, read in one pass (actions/common.py)."""

from hypothesis import given
from hypothesis import strategies as st
from rasa_sdk import Tracker

from actions.common import value_before_this_turn, values_before_this_turn

SLOTS = ("sector", "municipality", "role")


def one_pass_per_slot(events: list[dict], slot: str):
    """The definition: back from the latest user message to the slot's last value, or a restart."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    for event in reversed(events[:last_user]):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
        if event.get("event") in ("restart", "session_started"):
            return None
    return None


def tracker(events: list[dict]) -> Tracker:
    return Tracker("s", {}, {}, events, False, None, {}, "action_listen")


EVENT = st.one_of(
    st.builds(
        lambda n, v: {"event": "slot", "name": n, "value": v}, st.sampled_from(SLOTS), st.sampled_from(["a", "b", None])
    ),
    st.just({"event": "user", "text": "x"}),
    st.just({"event": "action", "name": "action_listen"}),
    st.just({"event": "restart"}),
    st.just({"event": "session_started"}),
)


@given(st.lists(EVENT, max_size=40))
def test_one_pass_gives_what_a_pass_per_slot_gives(events):
    found = values_before_this_turn(tracker(events), SLOTS)
    assert found == {slot: one_pass_per_slot(events, slot) for slot in SLOTS}
    assert all(value_before_this_turn(tracker(events), slot) == found[slot] for slot in SLOTS)


def test_a_value_given_in_the_latest_message_is_not_yet_before_it():
    events = [
        {"event": "slot", "name": "sector", "value": "kommunal"},
        {"event": "user", "text": "regionen"},
        {"event": "slot", "name": "sector", "value": "regional"},
    ]
    assert values_before_this_turn(tracker(events), SLOTS) == {"sector": "kommunal", "municipality": None, "role": None}
