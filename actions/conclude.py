"""How a conversation ends: the record is filed once (or the user is told why not), and what follows.

What the user is told is what happened: the record is *registered* when stored; it is *being
sent* to its recipient only when this installation delivers there (bot/records/recipients.py);
otherwise the user gets the real route and a text to copy. A filing that failed stays pending
("prøv igen" files it). After filing: »status« tells what became of it, »ny ansøgning« starts
another application in the same conversation.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import uuid
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.ask import ask_again
from actions.common import answers, delivery_routes, latest_intent, latest_text, said_this_turn, send, store
from bot.domain import catalogue as catalogue_module
from bot.domain import messages, routing, scope
from bot.domain.record import build_record
from bot.domain.routing import SLOT_NAMES
from bot.domain.text import fold, looks_like_question, yes_or_no
from bot.records import mail
from bot.records.store import INTAKE_OUTBOXES, RECEIPT

logger = logging.getLogger(__name__)

REFERENCE = re.compile(r"\b([A-ZÆØÅ]+-\d{4}-\d{6})\b", re.IGNORECASE)
# Slots an application fills (the answers) and the bookkeeping around one application.
APPLICATION_SLOTS = (
    *SLOT_NAMES,
    "theme_suggestion",
    "route_explained",
    "awaiting_correction",
    "reference",
    "application_id",
    "filing_pending",
    "requested_slot",
)


def new_application_id(tracker: Tracker) -> str:
    """The id of the application whose form starts with the latest message: derived from the
    conversation and that message's time, so the same turn always gives the same id (a retried
    request, Rasa's patched and stock paths alike) and each new form start a new one."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    stamp = user_events[-1].get("timestamp") if user_events else None
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{tracker.sender_id}|{stamp}|{len(user_events)}").hex[:16]


def interest_list_open() -> bool:
    """Whether this installation delivers state workplaces' interest registrations somewhere."""
    return delivery_routes().plan(catalogue_module.load().interest_list.code).delivers


async def conclude(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """File the finished application once, and say truthfully what happened to it."""
    a = answers(tracker)
    decision = routing.route(a, interest_list=interest_list_open())
    if decision.outcome != "file":
        said = messages.conclusion(decision, a)
        if decision.outcome == "state_not_open" and said_this_turn(tracker, messages.STATE_OFFER_OPENING):
            said = messages.STATE_NOT_OPEN_AFTER_THE_OFFER  # the FAQ answer just told the state's offer
        dispatcher.utter_message(text=said)
        return []
    record = build_record(
        a,
        decision,
        tracker.sender_id,
        tracker.get_latest_input_channel() or "unknown",
        application_id=tracker.get_slot("application_id"),
    )
    plan = delivery_routes().plan(decision.recipient or "")
    try:
        stored, created = await asyncio.to_thread(store().file, record, plan)
    except Exception as error:  # the user must hear about it; the operator reads the log (no personal data)
        logger.error(
            "FILING FAILED for a %s application (%s): the applications database refused it; the "
            "answers stay in the conversation and the user was asked to try again",
            decision.offer,
            type(error).__name__,
        )
        dispatcher.utter_message(text=messages.filing_failed(a))
        return [SlotSet("filing_pending", True)]
    events: List[EventType] = [SlotSet("reference", stored["reference"]), SlotSet("filing_pending", False)]
    if not created:
        send(dispatcher, messages.already_filed(stored["reference"], stored.get("recipient")))
        return events
    logger.info(
        "application filed: %s for %s (delivered by this installation: %s)",
        stored["reference"],
        plan.recipient,
        "yes" if plan.delivers else "no",
    )
    # Delivery and the receipt are the delivery worker's job (bot/records/delivery.py): never waited for here.
    send(dispatcher, messages.filed(stored, plan.delivers, receipt_by_email=mail.enabled(os.environ)))
    if not plan.delivers:
        dispatcher.utter_message(json_message={"copy_text": messages.copy_text(stored)})
    return events


def asks_to_retry(tracker: Tracker) -> bool:
    """'ja', 'prøv igen', 'send den' after a failed filing."""
    text = fold(latest_text(tracker))
    return (
        latest_intent(tracker) == "affirm"
        or yes_or_no(latest_text(tracker)) is True
        or bool(re.search(r"\b(proev|prov|prøv)\w* (igen|en gang til)\b|\bigen\b|\bsend\b", text))
    )


class ConcludeApplication(Action):
    def name(self) -> Text:
        return "action_conclude_application"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return await conclude(dispatcher, tracker)


class NewApplication(Action):
    """Before the form starts: after a registered application, »ny ansøgning« starts a new one
    (a TR who helps two workplaces); an application in progress goes on as it is. Asked as a question
    ("hvordan søger vi?"), it is answered first (messages.HOW_TO_APPLY)."""

    def name(self) -> Text:
        return "action_new_application"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        asked = looks_like_question(latest_text(tracker)) and latest_intent(tracker) == "start_application"
        if asked and not tracker.active_loop.get("name"):
            dispatcher.utter_message(text=messages.HOW_TO_APPLY)
        if not tracker.get_slot("reference"):
            return []
        return [SlotSet(slot, None) for slot in APPLICATION_SLOTS if slot in domain.get("slots", {})]


class ApplicationStatus(Action):
    """»status« / »hvad sker der med vores ansøgning?« / »status på SPARK-2026-000012«: from the outbox.

    Only this conversation's records: another conversation's reference gets the same answer as
    an unknown one, so a reference never discloses anything.
    """

    def name(self) -> Text:
        return "action_application_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        asked = REFERENCE.search(latest_text(tracker))
        reference = asked.group(1).upper() if asked else None
        try:
            dispatcher.utter_message(text=await asyncio.to_thread(self._status, tracker.sender_id, reference))
        except Exception as error:
            logger.error("status lookup failed (%s)", type(error).__name__)
            dispatcher.utter_message(text=messages.TECHNICAL_FAILURE)
        return []

    @staticmethod
    def _status(conversation_id: str, reference: Optional[str]) -> str:
        records = store().of_conversation(conversation_id)
        if reference is not None:
            records = [r for r in records if r["reference"] == reference]
            if not records:
                return messages.status_unknown(reference)
        if not records:
            return messages.STATUS_NOTHING_FILED
        record = records[-1]
        state = store().outbox_state(record["reference"]) or {}
        plan = store().plan_of(record["reference"])
        planned = {"e-mail": plan.by_email, "webhook": plan.by_webhook} if plan else {}
        deliveries = {
            means: state[outbox.name].done_at
            for means, outbox in zip(("webhook", "e-mail"), INTAKE_OUTBOXES)
            if planned.get(means)
        }
        return messages.application_status(
            record,
            bool(plan and plan.delivers),
            deliveries,
            state[RECEIPT.name].done_at if RECEIPT.name in state else None,
            mail.enabled(os.environ),
        )


class StopApplication(Action):
    """'stop' / 'afbryd': end the form, say that nothing was saved, forget the answers."""

    def name(self) -> Text:
        return "action_stop_application"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        reference = tracker.get_slot("reference")
        if reference:
            dispatcher.utter_message(text=messages.nothing_to_stop(reference))
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(text=messages.STOPPED)
        return [ActiveLoop(None), AllSlotsReset()]


class DefaultFallback(Action):
    """Nothing fits: say so briefly and repeat the pending question.

    A stray 'ja' after filing is answered with the reference, never filed again; after a filing
    that failed, 'ja' or 'prøv igen' files it; a 'ja' that says they want to apply ("nu er vi enige, vi vil
    gerne søge") starts the application.
    """

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if tracker.get_slot("filing_pending") and asks_to_retry(tracker):
            return await conclude(dispatcher, tracker)
        reference = tracker.get_slot("reference")
        if reference and latest_intent(tracker) in ("affirm", "deny", "inform"):
            send(dispatcher, messages.already_filed(reference, messages.recipient_of(answers(tracker))))
        elif not tracker.active_loop.get("name") and scope.wants_to_apply(latest_text(tracker)):
            # "ok, nu er vi enige. Vi vil gerne søge", read as a 'ja' with nothing to say yes to
            return [FollowupAction("application_form")]
        else:
            dispatcher.utter_message(response="utter_default")
            if tracker.active_loop.get("name") and tracker.get_slot("requested_slot"):
                ask_again(dispatcher, tracker)
        return [UserUtteranceReverted()]
