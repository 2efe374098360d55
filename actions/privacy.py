"""Privacy actions: "glem mig" forgets the conversation; "hvad gemmer I om mig?" gets the short notice.

The forgetting itself happens in the tracker store (bot/server/tracker_store.py): when it sees
`action_forget_me` among a turn's events it deletes the conversation instead of saving
it. This action tells the user, and closes the form so nothing more is asked this turn.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher

from actions.common import store
from bot.domain import messages
from bot.records import conversations as privacy

logger = logging.getLogger(__name__)


class ForgetMe(Action):
    def name(self) -> Text:
        return privacy.FORGET_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        # The record store, not the slot: the slot is gone after "start forfra", the record is not.
        try:
            records = await asyncio.to_thread(store().of_conversation, tracker.sender_id)
        except Exception:  # the conversation is forgotten all the same; only the references are unknown
            logger.exception("could not look up filed records while forgetting a conversation")
            records = []
        dispatcher.utter_message(text=messages.forgotten([record["reference"] for record in records]))
        if tracker.get_latest_input_channel() == privacy.WEBCHAT_CHANNEL:
            dispatcher.utter_message(json_message=dict(privacy.FORGOTTEN_SIGNAL))
        return [ActiveLoop(None), AllSlotsReset()]


class PrivacyNotice(Action):
    def name(self) -> Text:
        return "action_privacy_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=messages.privacy_summary(privacy.retention_days()))
        return []
