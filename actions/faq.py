"""After every answer to a question about the offers: where the answer comes from, with its date."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.domain import messages
from bot.domain.text import looks_english

RETRIEVAL_INTENT = "faq"


def faq_topic(tracker: Tracker) -> Optional[str]:
    """The FAQ topic just answered ('pris' for faq/pris): from the intent model's choice, or from a
    button's payload (`/faq/pris`), as Rasa's utter_faq finds it."""
    latest = tracker.latest_message or {}
    selected = ((latest.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("response") or {}
    key = selected.get("intent_response_key")
    intent = latest.get("intent") or {}
    key = key or intent.get("full_retrieval_intent_name") or intent.get("name")
    if isinstance(key, str) and key.startswith(RETRIEVAL_INTENT + "/"):
        return key.split("/", 1)[1]
    return None


class CiteSource(Action):
    def name(self) -> Text:
        return "action_cite_source"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        topic = faq_topic(tracker)
        line = messages.source_line(topic) if topic else None
        if line:
            dispatcher.utter_message(text=line)
        text = str(tracker.latest_message.get("text") or "")
        if looks_english(text) and not text.startswith("/"):
            dispatcher.utter_message(text=messages.ENGLISH_ANSWERED)
        return []
