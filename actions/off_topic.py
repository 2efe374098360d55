"""Off-topic and not-understood messages: say briefly what the bot can help with.

In the middle of the form such a message is often an answer after all (a name, a
workplace, an e-mail address that NLU could not place): then this action stays silent and
the form takes it; otherwise the form asks its question again after this answer. Outside the
form, a message the model could not place as a whole but whose question sentence it understands on
its own ("Jeg er AMR på et bibliotek i Ikast-Brande – hvad koster det for os?") gets that answer,
and the conversation goes on with what the message told (action_continue_with_facts). So does a message the
model read as off-topic that tells about the writer's own public workplace ("Hvad koster det at få hjælp? Vi er
et lille ambulatorium på Sydvestjysk Sygehus"): a question about parking at the hospital tells of none.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.application_form import takes_as_answer
from actions.common import latest_intent, latest_text
from actions.conclude import asks_to_retry, conclude
from actions.first_message import (
    answer_topic,
    coverage_topic,
    explain_no_application,
    sector_topic,
    topic_of_a_question_part,
)
from bot.domain import messages, scope
from bot.domain.answers import tells_about_workplace
from bot.domain.routing import Answers
from bot.domain.text import looks_english


class OffTopic(Action):
    def name(self) -> Text:
        return "action_off_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = latest_text(tracker)
        if danger := scope.crisis(text):
            # before the form takes anything: where to turn now
            dispatcher.utter_message(text=messages.CRISIS_SUICIDE if danger == "suicide" else messages.CRISIS_DANGER)
            return []
        if await takes_as_answer(tracker, domain):
            return []
        if tracker.get_slot("filing_pending") and asks_to_retry(tracker):
            return await conclude(dispatcher, tracker)  # 'prøv igen' after a filing that failed
        english = looks_english(text)
        if not tracker.active_loop.get("name") and explain_no_application(dispatcher, tracker):
            return []
        topic = (
            coverage_topic(tracker) or sector_topic(tracker) or topic_of_a_question_part(tracker.latest_message or {})
        )
        if (
            topic
            and not tracker.active_loop.get("name")
            and (latest_intent(tracker) == "nlu_fallback" or _own_work(text))
        ):
            answer_topic(dispatcher, topic)
            return [FollowupAction("action_continue_with_facts")]
        if latest_intent(tracker) == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")  # has its own English line
        else:
            dispatcher.utter_message(response="utter_default")
            if english:
                dispatcher.utter_message(text=messages.ENGLISH_HINT)
        return []


def _own_work(text: str) -> bool:
    """Does an off-topic message tell about the writer's own public workplace, with nothing that starts no
    application? (Where the learnt vote doubts it, action_continue_with_facts starts no form after the answer.)"""
    return tells_about_workplace(text, Answers()) and not scope.starts_no_application(text)
