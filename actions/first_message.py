"""A first message that asks (or greets) and tells at once: the question is answered, and the conversation
goes on with what the same message told about the workplace.

"Jeg er leder på et plejecenter i Vejle. Hvad koster det?" is answered (utter_faq), then the form
starts with sector, municipality and role already known (action_continue_with_facts, also after a
greeting: "Hej. Jeg sidder som TR i Forsvaret"). And a message NLU read as facts ("Jeg er TR på en
skole i Vejle - hvad koster det?") gets its question answered before the form's next question
(`opening_question`, used by the form's validation).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import answers, latest_intent, latest_text
from actions.faq import RETRIEVAL_INTENT
from bot.domain import answers as form_answers
from bot.domain import messages, scope, themes
from bot.domain.english import readable
from bot.domain.text import QUESTION_PARTS_KEY, looks_english, question_sentences

# An opening question is answered only when the intent model gives the FAQ at least this share and is
# this sure of the topic: a message NLU read as facts is mostly facts.
MIN_FAQ_SHARE = 0.15
MIN_TOPIC_CONFIDENCE = 0.5
# A question sentence read on its own (bot/channels/question_parts.py) must be a FAQ this surely.
MIN_PART_FAQ_CONFIDENCE = 0.5
JOINT_COURSE = f"{RETRIEVAL_INTENT}/faellesforloeb"
# Questions that only ask for help ("kan I hjælpe os?"): the form is the answer.
_ASKS_FOR_HELP = re.compile(
    r"\b(?:kan|vil) (?:i|du) hjælpe|\bkan vi få (?:hjælp|støtte)\b|\bhvad gør vi\b|"
    r"\bhvad kan (?:i|du) gøre\b",
    re.I,
)


# Below this probability of bot/nlu/own_workplace.py, a message that would start an application is doubted: what
# it holds and loses at this and at 0.1 is measured there.
DOUBTFUL = 0.05
OWN_WORKPLACE = "own_workplace"  # where bot/nlu/own_workplace.py puts its probability on the parsed message
DOUBT_SAID = "own_workplace_doubted"  # the slot that remembers the doubt was said


def _sure_topics(latest: Dict[Text, Any]) -> List[str]:
    """The FAQ topics of the message's question parts that, read on their own, are surely FAQs."""
    found = []
    for part in (latest.get("metadata") or {}).get(QUESTION_PARTS_KEY) or []:
        topic = part.get("topic")
        if (
            part.get("intent") == RETRIEVAL_INTENT
            and (part.get("confidence") or 0.0) >= MIN_PART_FAQ_CONFIDENCE
            and (part.get("topic_confidence") or 0.0) >= MIN_TOPIC_CONFIDENCE
            and isinstance(topic, str)
            and topic.startswith(RETRIEVAL_INTENT + "/")
        ):
            found.append(topic)
    return found


def topic_of_a_question_part(latest: Dict[Text, Any]) -> Optional[str]:
    """The FAQ topic of the first question sentence that, read on its own, is surely a FAQ."""
    return next(iter(_sure_topics(latest)), None)


def sector_topic(tracker: Tracker) -> Optional[str]:
    """The offer of the sector a question asks about ('faq/statsligt_tilbud' for "hjælper I også
    universiteter?"), else None."""
    return scope.offer_topic_asked(latest_text(tracker))


def coverage_topic(tracker: Tracker) -> Optional[str]:
    """'faq/temaer' (regional: 'faq/regionalt_tilbud') when the latest message asks whether the offers
    cover pay or buildings and names no theme ("kan spark hjælpe med lønnen??"), else None."""
    text = latest_text(tracker)
    if text.startswith("/") or not any(scope.asks_if_covered(s) for s in question_sentences(text)):
        return None
    found = themes.assess(text)
    if not found.out_of_theme or found.themes:
        return None
    return f"{RETRIEVAL_INTENT}/{'regionalt_tilbud' if answers(tracker).sector == 'regional' else 'temaer'}"


def opening_question(tracker: Tracker) -> Optional[str]:
    """The FAQ topic ('faq/pris') a message that NLU read as facts also asks about, else None.

    A question whether the offers cover pay or buildings ("kan spark hjælpe med lønnen??") gets the
    themes; a question sentence beside other sentences was read on its own (its `question_parts`); a
    message of one sentence is judged by the whole message's FAQ share and topic.
    """
    text = latest_text(tracker)
    if text.startswith("/") or latest_intent(tracker) == "nlu_fallback":
        return None  # a message not understood as a whole had its question answered by action_off_topic
    topic = coverage_topic(tracker)
    if topic:
        return topic
    sector = answers(tracker).sector
    if scope.asks_about_joint_course(text) and sector in (None, "kommunal"):
        return JOINT_COURSE  # "Vi er flere daginstitutioner, der vil søge sammen – kan man det?"
    asked = sector_topic(tracker)
    if asked:
        return asked  # "Jeg er AMR på SDU. Hjælper I også universiteter?"
    if sector in ("regional", "statslig") and any(scope.asks_for_spark(s) for s in question_sentences(text)):
        return messages.OFFER_TOPIC_BY_SECTOR[sector]  # "Vi er kantinen på Næstved Sygehus. Kan vi bruge SPARK?"
    ruled = scope.question_topic(text)
    if ruled:
        return ruled  # "ka man få hjælp til mobning? er TR på et plejehjem i Svendborg": the themes
    latest = tracker.latest_message or {}
    topic = topic_of_a_question_part(latest)
    if topic:
        return topic
    asked = [s for s in question_sentences(text) if not _ASKS_FOR_HELP.search(s)]
    if not asked:
        return None
    share = next(
        (r.get("confidence", 0.0) for r in latest.get("intent_ranking") or [] if r.get("name") == RETRIEVAL_INTENT), 0.0
    )
    selected = ((latest.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("response") or {}
    topic, confidence = selected.get("intent_response_key"), selected.get("confidence") or 0.0
    if share < MIN_FAQ_SHARE or confidence < MIN_TOPIC_CONFIDENCE or not isinstance(topic, str):
        return None
    return topic if topic.startswith(RETRIEVAL_INTENT + "/") else None


def answer_topic(dispatcher: CollectingDispatcher, topic: str) -> None:
    """Say the FAQ answer of a topic and its source line, as utter_faq and action_cite_source do."""
    dispatcher.utter_message(response=f"utter_{topic}")
    line = messages.source_line(topic.split("/", 1)[1])
    if line:
        dispatcher.utter_message(text=line)


def answered_this_turn(tracker: Tracker, domain: Dict[Text, Any]) -> set[str]:
    """The FAQ topics whose answer the bot gave since the latest user message (action_off_topic answers one before
    action_continue_with_facts runs), found by the answers' texts in the domain."""
    texts = {
        variation.get("text"): name.removeprefix("utter_")
        for name, variations in (domain.get("responses") or {}).items()
        if name.startswith(f"utter_{RETRIEVAL_INTENT}/")
        for variation in variations or []
    }
    found = set()
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot" and event.get("text") in texts:
            found.add(texts[event["text"]])
    return found


def answer_the_other_questions(
    dispatcher: CollectingDispatcher, latest: Dict[Text, Any], answered: Iterable[str] = ()
) -> None:
    """A message of several questions ("Hvad koster det, hvor lang tid tager det, og skal vi selv finde en
    konsulent?") had one answered (utter_faq, or action_off_topic: `answered`): the others, each read on its own
    (their `question_parts`) and surely a FAQ of another topic, are answered after it."""
    said = {
        ((latest.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {})
        .get("response", {})
        .get("intent_response_key"),
        *answered,
    }
    for topic in _sure_topics(latest):
        if topic not in said:
            answer_topic(dispatcher, topic)
            said.add(topic)


def doubted(tracker: Tracker) -> bool:
    """Would the latest message start an application although the model of bot/nlu/own_workplace.py doubts it is
    about the writer's own workplace? A doubt is said once (messages.NOT_SURE_OWN_WORKPLACE): a writer who
    answers it is believed. A message in English is left to the rules (the model learnt Danish)."""
    found = (tracker.latest_message or {}).get(OWN_WORKPLACE)
    if not isinstance(found, (int, float)) or found >= DOUBTFUL or looks_english(latest_text(tracker)):
        return False
    return not tracker.get_slot(DOUBT_SAID)


def say_doubt(dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
    """The doubt said, and remembered (a slot: the action server sees no earlier bot utterances)."""
    dispatcher.utter_message(text=messages.NOT_SURE_OWN_WORKPLACE)
    return [SlotSet(DOUBT_SAID, True)]


def starts_no_application(tracker: Tracker) -> bool:
    """The rules' reasons (bot.domain.scope.starts_no_application) or the model's doubt (`doubted`)."""
    return scope.starts_no_application(latest_text(tracker)) or doubted(tracker)


def explain_no_application(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Say why a message starts no application, where a reason is known, and answer the coverage question it
    asks first ("Kan SPARK hjælpe os med at få mere i løn?": the themes, then that one's own pay is not for the
    offers): a private employer's, a state-owned company's, one's own pay or terms, only the physical work
    environment, a question about one's own situation at a workplace. False where none of these holds (the caller
    says its own off-topic answer)."""
    text = latest_text(tracker)
    glossed = readable(text)
    english = looks_english(text)
    if scope.private_employer(glossed):
        dispatcher.utter_message(text=messages.PRIVATE_EMPLOYER)  # "ambulancebehandler hos Falck ..."
    elif company := scope.state_owned_employer(glossed):
        dispatcher.utter_message(text=messages.state_owned_company(company))  # "togfører i DSB"
        return True
    elif (own := scope.own_employment_matter(text)) or scope.only_outside_themes(glossed):
        covered = coverage_topic(tracker)
        if covered:  # "Kan SPARK hjælpe med indeklimaet?", "… med at få mere i løn?": the themes first
            answer_topic(dispatcher, covered)
        dispatcher.utter_message(text=messages.OWN_EMPLOYMENT if own else messages.OUTSIDE_THE_OFFER)
    elif scope.personal_question(glossed) and form_answers.tells_about_workplace(text, answers(tracker)):
        dispatcher.utter_message(text=messages.PERSONAL_MATTER)  # "… opsagt efter en lang sygemelding. Er det lovligt?"
    else:
        return False
    if english:
        dispatcher.utter_message(text=messages.ENGLISH_HINT)
    return True


class ContinueWithFacts(Action):
    """After a question answered (or a greeting) outside the form: a message that also told about the
    workplace starts the form."""

    def name(self) -> Text:
        return "action_continue_with_facts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if tracker.active_loop.get("name") or tracker.get_slot("reference"):
            return []
        answer_the_other_questions(dispatcher, tracker.latest_message or {}, answered_this_turn(tracker, domain))
        text = latest_text(tracker)
        if scope.disagreement_stated(text):
            # "vores leder vil ikke være med til at søge": nothing to file until they agree
            dispatcher.utter_message(text=messages.AGREE_FIRST)
            return []
        if form_answers.tells_about_workplace(text, answers(tracker)) and not scope.starts_no_application(text):
            if doubted(tracker):
                return say_doubt(dispatcher)
            return [FollowupAction("application_form")]
        return []
