"""How a conversation ends: the record is filed (once), or the user is told why not."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.ask import ask_again
from actions.common import answers, latest_intent, store
from bot.domain import messages, routing
from bot.records import receipts
from bot.domain.record import build_record

logger = logging.getLogger(__name__)


class ConcludeApplication(Action):
    def name(self) -> Text:
        return "action_conclude_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        a = answers(tracker)
        decision = routing.route(a)
        if decision.outcome != "file":
            dispatcher.utter_message(text=messages.conclusion(decision, a))
            return []
        channel = (tracker.get_latest_input_channel() or "unknown")
        record = build_record(a, decision, tracker.sender_id, channel)
        try:
            stored, created = await asyncio.to_thread(store().file, record)
        except Exception:  # the user must hear about it; the details go to the log, without personal data
            logger.exception("filing failed for a %s application", decision.offer)
            dispatcher.utter_message(text="Beklager, der skete en teknisk fejl, så ansøgningen er ikke sendt. "
                                     "Prøv igen senere, eller søg direkte via ansøgningsskemaet på sparkweb.dk.")
            return []
        logger.info("application filed: %s (new=%s)", stored["reference"], created)
        # Delivery and the receipt are the delivery worker's job (bot/records/delivery.py): never waited for here.
        dispatcher.utter_message(text=messages.conclusion(decision, a, stored, already_filed=not created,
                                                          receipt_by_email=receipts.enabled(os.environ)))
        return [SlotSet("reference", stored["reference"])]


class StopApplication(Action):
    """'stop' / 'afbryd': end the form, say that nothing was sent, forget the answers."""

    def name(self) -> Text:
        return "action_stop_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        reference = tracker.get_slot("reference")
        if reference:
            dispatcher.utter_message(text=f"Jeres ansøgning er allerede sendt med referencen {reference}. "
                                     "Der er ikke noget at stoppe.")
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(text="Jeg har stoppet ansøgningen. Der er ikke sendt noget, og jeg har glemt "
                                 "de svar, du har givet. Skriv bare, hvis du vil starte igen.")
        return [ActiveLoop(None), AllSlotsReset()]


class DefaultFallback(Action):
    """Nothing fits: say so briefly and repeat the pending question.

    A stray 'ja' after filing is answered with the reference, never filed again.
    """

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        reference = tracker.get_slot("reference")
        if reference and latest_intent(tracker) in ("affirm", "deny", "inform"):
            dispatcher.utter_message(text=f"Jeres ansøgning er allerede sendt med referencen {reference}. "
                                     "Den bliver ikke sendt igen.")
        else:
            dispatcher.utter_message(response="utter_default")
            if tracker.active_loop.get("name") and tracker.get_slot("requested_slot"):
                ask_again(dispatcher, tracker)
        return [UserUtteranceReverted()]
