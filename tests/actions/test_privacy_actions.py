"""The privacy actions with rasa-sdk's real Tracker and CollectingDispatcher and a real record store."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.common
from actions.privacy import ForgetMe, PrivacyNotice
from bot.domain import messages, routing
from bot.domain.record import build_record
from bot.records import conversations as privacy
from tests.conftest import COMPLETE, DOMAIN, tracker
from tests.conftest import dispatched as texts


@pytest.fixture
def action_store(store, monkeypatch):
    monkeypatch.setattr(actions.common, "_store", store)
    return store


async def test_forget_me_in_the_form_closes_it_and_resets_every_slot(action_store):
    dispatcher = CollectingDispatcher()
    slots = {k: v for k, v in asdict(COMPLETE).items() if k in DOMAIN["slots"]}
    events = await ForgetMe().run(dispatcher, tracker(slots, text="glem mig", intent="forget_me"), DOMAIN)

    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert any(e["event"] == "reset_slots" for e in events)
    assert texts(dispatcher) == messages.forgotten([])


@pytest.mark.parametrize("channel, signalled", [("socketio", True), ("rest", False), ("slack", False)])
async def test_only_the_web_chat_is_told_to_drop_its_copy_of_the_conversation(action_store, channel, signalled):
    dispatcher = CollectingDispatcher()
    await ForgetMe().run(dispatcher, tracker({}, text="glem mig", intent="forget_me", channel=channel), DOMAIN)

    custom = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert custom == ([privacy.FORGOTTEN_SIGNAL] if signalled else [])
    assert texts(dispatcher).startswith(messages.forgotten([]))


async def test_forget_me_after_filing_names_the_kept_record(action_store):
    record = build_record(COMPLETE, routing.route(COMPLETE), "test-user", "rest")
    stored, _ = action_store.file(record)
    dispatcher = CollectingDispatcher()

    # The reference slot may be gone ("start forfra"): the store is asked, not the slot.
    await ForgetMe().run(dispatcher, tracker({}, text="slet mine oplysninger", intent="forget_me", loop=None), DOMAIN)

    assert stored["reference"] in texts(dispatcher) and "ikke slettet" in texts(dispatcher)
    assert action_store.get(stored["reference"]) is not None, "the filed record is kept"


async def test_privacy_question_gets_the_short_notice_and_changes_nothing():
    dispatcher = CollectingDispatcher()
    events = await PrivacyNotice().run(
        dispatcher, tracker({}, text="hvad gemmer I om mig?", intent="privacy_notice"), DOMAIN
    )
    assert events == [] and messages.PRIVACY_PAGE in texts(dispatcher)
    assert f"{privacy.DEFAULT_RETENTION_DAYS} dage" in texts(dispatcher)
