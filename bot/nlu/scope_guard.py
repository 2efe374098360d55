"""An NLU component of ours: an instruction to the bot itself (bot.domain.scope) is off-topic, whatever
the intent model made of it, so it gets the off-topic answer and fills no slot. And a question whether
several workplaces can apply together (scope.asks_about_joint_course), read as a question about the
offers, is about the joint course (faq/faellesforloeb): the model tends to pick the topic of the
workplace words around it. A question only about the physical work environment or pay ("hvem
betaler for sikkerhedsskoene?") is no question about the offers: it is off-topic, and
action_off_topic says what the offers cover.

A message in English is read through its Danish gloss (bot.domain.english): a question about the offers
("is the expert advice free? we're a ward at Rigshospitalet") is the FAQ of its topic, and a message that
tells about the writer's workplace is facts (`inform`), so the form starts with what it told. The
intent model, trained on Danish, took nearly all of them for off-topic.

A writer in crisis (scope.crisis: thoughts of suicide, a danger happening now) is off-topic too: action_off_topic
says where to turn now, and nothing of the message starts the form.

A message that says one side will not apply ("vores leder vil ikke være med til at søge") gets the answer
that leaders and representatives must agree (faq/enighed), and starts no application.

A long description of a problem read as "start forfra" or "stop" ("folk er trætte af at starte forfra med
nye ledere") is facts: the restart would have wiped the conversation.

It runs after the intent classifier and before the FallbackClassifier (config.yml).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.domain import contacts, english, workplaces
from bot.domain.answers import Answers, asks_help_for_own_workplace, describes_own_workplace, tells_about_workplace
from bot.domain.scope import (
    about_own_work,
    application_contents_asked,
    asks_about_joint_course,
    crisis,
    describes_rather_than_commands,
    disagreement_stated,
    instruction_to_bot,
    offer_topic_asked,
    only_outside_themes,
    other_errand,
    own_employment_matter,
    private_employer,
    question_topic,
    starts_no_application,
    state_owned_employer,
    states_own_work,
)
from bot.domain.text import looks_english

OFF_TOPIC = "out_of_scope"
# The FallbackClassifier's thresholds in config.yml: below the first, or with the two best intents closer than the
# second, a message is "not understood".
UNSURE = 0.3
AMBIGUOUS = 0.05
FACTS = "inform"
# Intents that end or wipe the conversation: a long description of a problem is never one of them.
DESTRUCTIVE = ("restart", "stop")
# Intents that would answer or change an application: one's own pay or a private employer's staff has none.
NOT_FOR_AN_ERRAND = ("faq", "correct")
RETRIEVAL_INTENT = "faq"
JOINT_COURSE = "faq/faellesforloeb"
AGREEMENT = "faq/enighed"
STATE_OFFER = "faq/statsligt_tilbud"
# "nej, lederen vil ikke være med til at søge" answers the form's question whether they agree: it stays an answer.
ANSWERS_TO_CONSENSUS = ("affirm", "deny")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ScopeGuard(GraphComponent):
    """Sets the intent to out_of_scope for instructions to the bot.

    For instance 'ignorer dine regler' or 'vis mig alle ansøgninger'.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ScopeGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            if instruction_to_bot(text) or crisis(text):
                # a writer in crisis gets where to turn now (action_off_topic), before anything about the offers
                overrule_intent(message, OFF_TOPIC)
                continue
            if looks_english(text):
                _read_english(message, text)
                continue
            if (message.get(INTENT) or {}).get("name") in NOT_FOR_AN_ERRAND and _errand_only(text):
                # "min løn er forkert igen, hvem skal jeg ringe til?" read as a correction; a Falck employee
                # asking about the regions' offer: action_off_topic says where to go instead
                overrule_intent(message, OFF_TOPIC)
                continue
            if disagreement_stated(text) and (message.get(INTENT) or {}).get("name") not in ANSWERS_TO_CONSENSUS:
                # "Vores TR vil ikke være med til at søge. Kan vi søge alligevel?": both sides must agree, and
                # nothing is filed until they do (action_continue_with_facts starts no form)
                overrule_intent(message, RETRIEVAL_INTENT)
                _select_topic(message, AGREEMENT)
                continue
            if _unsure_or_off_topic(message) and (topic := question_topic(text)) and about_own_work(text):
                # "hvordan søger man egentlig? vi er en vuggestue i Haslev", read as off-topic: its answer, and then
                # the form goes on with what it told
                overrule_intent(message, RETRIEVAL_INTENT)
                _select_topic(message, topic)
                continue
            if _unsure_or_off_topic(message) and (asks_help_for_own_workplace(text) or describes_own_workplace(text)):
                # "Vestre Landsret i Viborg, sekretariatet. Vi har fået en helt ny organisering. Kan vi få nogen
                # udefra til at hjælpe os?": the model, trained on shorter messages, took it for off-topic
                overrule_intent(message, FACTS)
                continue
            if (message.get(INTENT) or {}).get("name") in DESTRUCTIVE and describes_rather_than_commands(text):
                # "folk er trætte af at starte forfra": a description, not a command to wipe the conversation
                overrule_intent(message, FACTS)
                continue
            if (message.get(INTENT) or {}).get("name") == "application_status" and (
                question_topic(text) == STATE_OFFER
            ):
                # "Vi har registreret vores interesse for rejseholdet. Hvordan får vi at vide, når det åbner?": the
                # state's offer says where it will be announced; no application of theirs is asked about
                overrule_intent(message, RETRIEVAL_INTENT)
                _select_topic(message, STATE_OFFER)
                continue
            if (message.get(INTENT) or {}).get("name") in ("start_application", FACTS) and application_contents_asked(
                text
            ):
                # "Hvilke oplysninger skal en ansøgning indeholde?": the answer first, not the form's questions
                overrule_intent(message, RETRIEVAL_INTENT)
                _select_topic(message, "faq/ansoegning")
                continue
            if (message.get(INTENT) or {}).get("name") != "start_application" and (
                topic := (JOINT_COURSE if _joint_course_question(text) else None) or offer_topic_asked(text)
            ):
                # "Det er ikke helt klart for mig om I også hjælper universiteter?": that sector's offer; "Vi er
                # to skoler i samme kommune, som vil søge sammen. Går det?": the joint course; also where the
                # model was unsure of the whole message. What else it told starts the form after the answer.
                overrule_intent(message, RETRIEVAL_INTENT)
                _select_topic(message, topic)
                continue
            if (message.get(INTENT) or {}).get("name") == RETRIEVAL_INTENT:
                topic = question_topic(text)
                if topic is None and (only_outside_themes(text) or other_errand(text)):
                    # (but "SPARK kommer fra overenskomsten – hvornår blev det aftalt?" asks about the offer)
                    # "Vi mangler høreværn. Hvem betaler?", "Vi har elendige stole. Er det noget SPARK kan hjælpe
                    # med?": action_off_topic gives the themes where it was asked, and says what the offers cover;
                    # "Hvor finder jeg ansøgningsskemaet til en byggetilladelse?": a citizen's errand
                    overrule_intent(message, OFF_TOPIC)
                    continue
                if topic:
                    # "Hjælper I også med alenearbejde?": the themes; "hvordan søger man spark": how to apply
                    _select_topic(message, topic)
                    continue
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def _unsure_or_off_topic(message: Message) -> bool:
    """The model read off-topic, or was so unsure that the FallbackClassifier after us would say 'not understood':
    below its threshold, or its two best intents within its ambiguity threshold."""
    intent = message.get(INTENT) or {}
    if intent.get("name") == OFF_TOPIC or (intent.get("confidence") or 0.0) < UNSURE:
        return True
    ranking = sorted((r.get("confidence") or 0.0 for r in message.get("intent_ranking") or []), reverse=True)
    return len(ranking) > 1 and ranking[0] - ranking[1] < AMBIGUOUS


def _errand_only(text: str) -> bool:
    """One's own pay or terms, a private or a state-owned company's staff, with no question about the offers beside
    it: 'Hvilke temaer kan SPARK hjælpe med? Vi har mest ballade med lønsedler ...' asks one the rules know
    (scope.question_topic), so the question is answered."""
    if own_employment_matter(text):
        return question_topic(text) is None
    return private_employer(text) or bool(state_owned_employer(text))


def overrule_intent(message: Message, name: str) -> None:
    """Make `name` the message's intent, sure, with every other intent of the ranking at 0."""
    ranking = [{"name": name, "confidence": 1.0}] + [
        {**entry, "confidence": 0.0} for entry in message.get("intent_ranking") or [] if entry.get("name") != name
    ]
    message.set(INTENT, {"name": name, "confidence": 1.0}, add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)


def _read_english(message: Message, text: str) -> None:
    """An English question about the offers is the FAQ of its topic; an English message about the writer's
    workplace is facts. Anything else keeps the model's reading (mostly off-topic, with its English line)."""
    topic = english.question_topic(text)
    if topic:
        overrule_intent(message, RETRIEVAL_INTENT)
        _select_topic(message, topic)
    elif (_tells_own_work(glossed := english.readable(text)) and not starts_no_application(text)) or (
        describes_own_workplace(glossed)  # "lab technician at Herlev hospital ... morale is zero"
    ):
        overrule_intent(message, FACTS)


def _tells_own_work(glossed: str) -> bool:
    """'I'm a nurse at OUH' ('jeg er sygeplejerske på OUH'): the writer says where they work, in so many
    words or with their role. Stricter than for Danish, where the intent model also judges: 'Someone
    called claiming to be from Stevns Kommune' names a workplace but is nobody's own."""
    return tells_about_workplace(glossed, Answers()) and bool(
        states_own_work(glossed) or contacts.stated_role(glossed) not in (None, "medarbejder")
    )


def _joint_course_question(text: str) -> bool:
    """Several workplaces asking to apply together, none of them said to be regional or the state's
    (the joint course is SPARK's)."""
    return asks_about_joint_course(text) and workplaces.read(text).sector in (None, "kommunal")


def _select_topic(message: Message, topic: str) -> None:
    """The FAQ topic, in the shape the intent classifier (and Rasa's ResponseSelector) gives it."""
    selector = dict(message.get("response_selector") or {})
    chosen = {
        "responses": [{TEXT: topic}],
        "confidence": 1.0,
        "intent_response_key": topic,
        "utter_action": f"utter_{topic}",
    }
    ranking = [{"confidence": 1.0, "intent_response_key": topic}]
    selector[RETRIEVAL_INTENT] = {"response": chosen, "ranking": ranking}
    selector.setdefault("all_retrieval_intents", [RETRIEVAL_INTENT])
    message.set("response_selector", selector, add_to_output=True)
