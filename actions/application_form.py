"""validate_application_form: hands every answer to `bot.domain.answers` and sends back what it says.

`bot.domain.routing` picks the next question; `bot.domain.answers` checks and normalises each
answer, reads the facts a message tells besides it, and knows what a changed answer forgets.
This adapter reads the tracker, calls them, and turns what they return into Rasa events.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import (
    CONTROL_INTENTS,
    answers,
    answers_before_this_turn,
    latest_intent,
    latest_text,
    send,
    value_before_this_turn,
)
from actions.conclude import interest_list_open, new_application_id
from actions.first_message import (
    answer_topic,
    explain_no_application,
    opening_question,
    say_doubt,
    starts_no_application,
)
from bot.domain import answers as form_answers
from bot.domain import messages, routing, scope
from bot.domain.text import looks_english

Slots = Dict[Text, Any]


def _say(dispatcher: CollectingDispatcher, outcome: form_answers.Outcome) -> Slots:
    for text in outcome.say:
        dispatcher.utter_message(text=text)
    if outcome.reply is not None:
        send(dispatcher, outcome.reply)
    return dict(outcome.slots)


def _check(tracker: Tracker, slot: str, value: Any) -> form_answers.Outcome:
    return form_answers.check(
        slot,
        value,
        answers(tracker),
        answers_before_this_turn(tracker),
        suggestion=tracker.get_slot("theme_suggestion"),
        exclusion_explained=tracker.get_slot("exclusion_explained"),
    )


def _renames(tracker: Tracker) -> Slots:
    """'nej, han hedder Søren Jensen' while another question is pending: the name given before, corrected."""
    text = latest_text(tracker)
    if text.startswith("/") or latest_intent(tracker) in CONTROL_INTENTS:
        return {}
    return form_answers.name_correction(tracker.get_slot("requested_slot"), text, answers(tracker))


def _not_about_work(tracker: Tracker) -> bool:
    """A message that would start the form but is about no workplace of the writer's nor the offers
    (bot.domain.scope.about_own_work), about a private employer's (scope.private_employer), or another
    errand (a job, one's pay, a citizen's service: scope.other_errand)."""
    text = latest_text(tracker)
    return (
        tracker.get_slot("requested_slot") is None
        and latest_intent(tracker) in ("inform", "start_application")
        and not text.startswith("/")
        and starts_no_application(tracker)
    )


def _validator(slot: str) -> Callable[..., Slots]:
    """The validate_<slot> method rasa-sdk calls for a candidate answer."""

    def validate(
        self: FormValidationAction, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if slot == tracker.get_slot("requested_slot") and _renames(tracker):
            return {slot: None}  # the message corrected a name: it is no answer to this question
        return _say(dispatcher, _check(tracker, slot, value))

    validate.__name__ = f"validate_{slot}"
    return validate


class ValidateApplicationForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_application_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return routing.questions(answers(tracker), interest_list=interest_list_open())

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        before = answers_before_this_turn(tracker)
        if _not_about_work(tracker):
            # News or a question about others that NLU read as facts ("Sygehuset i Kolding lukker sin
            # fødeafdeling, skriver avisen"): the off-topic answer, and the form neither starts nor keeps
            # what the message named.
            said: List[EventType] = []
            if explain_no_application(dispatcher, tracker):
                pass
            elif scope.starts_no_application(latest_text(tracker)):
                dispatcher.utter_message(response="utter_out_of_scope")
            else:  # only the learnt vote doubts it: its question answered, then the doubt and how to go on
                if topic := opening_question(tracker):
                    answer_topic(dispatcher, topic)
                said = say_doubt(dispatcher)
            undo = [
                SlotSet(name, getattr(before, name))
                for name in routing.SLOT_NAMES
                if tracker.get_slot(name) != getattr(before, name)
            ]
            return undo + said + [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]
        if tracker.get_slot("requested_slot") is None and latest_intent(tracker) not in CONTROL_INTENTS:
            topic = opening_question(tracker)
            if topic:  # "Jeg er TR på en skole i Vejle - hvad koster det?": the answer first, then the form
                answer_topic(dispatcher, topic)
        if tracker.get_slot("requested_slot") is None and looks_english(latest_text(tracker)):
            dispatcher.utter_message(text=messages.ENGLISH_FORM)  # the form starts, in Danish
        correction: Slots = {}
        if latest_intent(tracker) == "correct" and tracker.get_slot("requested_slot") != "confirmed":
            field_entity = next(
                (e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == "field"), None
            )
            correction = _say(
                dispatcher,
                form_answers.correction_request(
                    tracker.get_slot("requested_slot"), latest_text(tracker), field_entity, answers(tracker)
                ),
            )
        elif renamed := _renames(tracker):
            field_name = next(iter(renamed))
            dispatcher.utter_message(text=messages.correcting(field_name))
            correction.update(renamed)
        correction.update(form_answers.region_moves_town(answers(tracker), before))
        # routing must see the forgotten answer before the form asks its next question
        tracker.add_slots([SlotSet(slot, value) for slot, value in correction.items()])
        events = await super().run(dispatcher, tracker, domain)
        events = [SlotSet(slot, value) for slot, value in correction.items()] + events
        validated = {event.get("name"): event.get("value") for event in events if event.get("event") == "slot"}
        for text in form_answers.changed_answers(
            answers(tracker).updated(validated), before, value_before_this_turn(tracker, "requested_slot"), validated
        ):
            dispatcher.utter_message(text=text)
        text = latest_text(tracker)
        if not text.startswith("/") and latest_intent(tracker) not in CONTROL_INTENTS:
            hint = form_answers.sector_hint(text, answers(tracker).updated(validated))
            if hint:  # "bosted": the sector question offers the likely sector first
                events.append(SlotSet("sector_hint", hint))
        route = form_answers.route_to_explain(answers(tracker), tracker.get_slot("route_explained"))
        if route:
            dispatcher.utter_message(text=route)
            events.append(SlotSet("route_explained", tracker.get_slot("region")))
        if tracker.get_slot("application_id") is None:
            # This application's own id: the record key with the conversation (bot/records/store.py).
            events.append(SlotSet("application_id", new_application_id(tracker)))
        return events

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Answers NLU did not take for answers, and the facts a message tells besides its answer."""
        text = latest_text(tracker)
        if text.startswith("/"):
            return []
        requested = tracker.get_slot("requested_slot")
        found = form_answers.answer_despite_intent(
            requested, latest_intent(tracker), text, answers(tracker), tracker.get_slot("theme_suggestion")
        )
        # A question or greeting that also told about the workplace starts the form after its answer
        # (actions/first_message.py), and so does a message read off-topic whose question was answered
        # (actions/off_topic.py): its facts count too.
        opening_faq = latest_intent(tracker) in ("faq", "greet", "out_of_scope") and requested is None
        if not found and (latest_intent(tracker) not in CONTROL_INTENTS or opening_faq):
            found = form_answers.facts(text, answers(tracker), requested)
        return [SlotSet(slot, value) for slot, value in found.items()]


for _slot in form_answers.CHECKS:
    setattr(ValidateApplicationForm, f"validate_{_slot}", _validator(_slot))


async def takes_as_answer(tracker: Tracker, domain: DomainDict) -> bool:
    """Will the form take the latest message as the answer to its pending question?

    For a message that NLU found off-topic or did not understand: a name, a workplace or an
    e-mail often looks like that. The candidate is the one the form would see (a from_text
    mapping or `answer_despite_intent`), and the slot's own check decides, so the user hears
    nothing twice.
    """
    requested = tracker.get_slot("requested_slot")
    text = latest_text(tracker)
    if not tracker.active_loop.get("name") or not requested or text.startswith("/"):
        return False
    found = form_answers.answer_despite_intent(
        requested, latest_intent(tracker), text, answers(tracker), tracker.get_slot("theme_suggestion")
    )
    candidate = found.get(requested, tracker.get_slot(requested))
    if candidate is None or value_before_this_turn(tracker, requested) == candidate:
        return False
    return requested not in form_answers.CHECKS or form_answers.accepted(
        requested, _check(tracker, requested, candidate)
    )
