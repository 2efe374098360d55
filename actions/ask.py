"""The questions whose wording depends on the catalogue or on earlier answers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import answers, delivery_routes, said_this_turn, send
from bot.domain import messages


def custom_question(slot: Optional[str], tracker: Tracker) -> Optional[messages.Reply]:
    """The question for a slot that has no fixed response in domain.yml, else None."""
    a = answers(tracker)
    offer = a.offer or "spark"
    if slot == "sector":
        return messages.sector_question(tracker.get_slot("sector_hint"))
    if slot == "problem_description" and tracker.get_slot("exclusion_explained"):
        return messages.Reply(messages.preventive_question())
    if slot == "theme":
        return messages.theme_question(offer, tracker.get_slot("theme_suggestion"))
    if slot == "commitments_accepted":
        return messages.commitments_question(a.application_type, offer)
    if slot == "provider":
        return messages.provider_question(a.region)
    if slot == "interest":
        # the state's offer is not said twice when the FAQ answer has just said it
        return messages.interest_question(offer_said=said_this_turn(tracker, messages.STATE_OFFER_OPENING))
    if slot == "confirmed":
        if tracker.get_slot("awaiting_correction"):
            return messages.correction_question(a)
        recipient = messages.recipient_of(a)
        return messages.summary(a, delivers=bool(recipient) and delivery_routes().plan(recipient).delivers)
    return None


def ask_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Repeat the question the form is waiting for."""
    slot = tracker.get_slot("requested_slot")
    reply = custom_question(slot, tracker)
    if reply is not None:
        send(dispatcher, reply)
    elif slot:
        dispatcher.utter_message(response=f"utter_ask_{slot}")


class _AskAction(Action, ABC):
    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        reply = custom_question(self.slot, tracker)
        if reply is None:
            dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        else:
            send(dispatcher, reply)
        return []


class AskSector(_AskAction):
    """Kommune, region or staten; a kind found in several sectors ("bosted") offers the likely one first."""

    slot = "sector"


class AskProblemDescription(_AskAction):
    """After a personnel case or a påbud was explained, the question asks for the preventive work."""

    slot = "problem_description"


class AskTheme(_AskAction):
    slot = "theme"


class AskCommitments(_AskAction):
    slot = "commitments_accepted"


class AskProvider(_AskAction):
    slot = "provider"


class AskInterest(_AskAction):
    slot = "interest"


class AskConfirmed(_AskAction):
    """The summary with 'send' and 'correct'; after 'correct', the fields to choose from."""

    slot = "confirmed"
