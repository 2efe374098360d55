"""An NLU component of ours: a message that is nothing but an answer to one of the form's questions is
`inform`, whatever the intent model made of it.

The n-gram model knows only the places, names and workplaces of its training examples: a bare
"Tårnby", "Svetlana Ivanova" or "Hjælpemiddeldepotet" (the answers to "hvilken kommune?", "hvad
hedder lederen?", "hvad hedder arbejdspladsen?") came out as out_of_scope. What such a message is
can be read from the data instead: a municipality or region the entity extractor found, a name of
bot/data/person_names.yml, a kind of workplace of bot/data/workplaces.yml. Only short messages
without a question are read so; anything longer is left to the model.

It runs after the intent classifier and ScopeGuard, before the FallbackClassifier (config.yml).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.domain import workplaces
from bot.domain.text import looks_like_question, words, yes_or_no
from bot.nlu import person_names
from bot.nlu.scope_guard import overrule_intent

INFORM = "inform"
# At most this many words: "Plejeboligerne på Akacievej", "Juan Carlos Pérez".
MAX_WORDS = 4
# Words that may stand beside a place in a bare answer ("Slagelse Kommune", "i Tårnby").
PLACE_WORDS = frozenset({"kommune", "kommunen", "region", "regionen", "i", "på", "pa", "paa", "fra", "vi", "er"})


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    return frozenset(person_names.names())


def bare_answer(text: str, entities: List[Dict[Text, Any]]) -> bool:
    """Is the message only a place, a person's name or a workplace? 'Tårnby', 'Svetlana Ivanova',
    'Aktivitetshuset Kilden' -> True; 'hvem skrev hamlet', 'Slagelse?' -> False."""
    said = words(text)
    if not said or len(said) > MAX_WORDS or looks_like_question(text) or text.startswith("/"):
        return False
    if _CORRECTION_WORDS.intersection(said):
        return False  # "ret kommunen", "forkert kommune", "regionen er forkert": a correction, not an answer
    places = [e for e in entities if e.get("entity") in ("municipality", "region")]
    if places:
        placed = {w for e in places for w in words(str(e.get("value", "")) + " " + text[e["start"] : e["end"]])}
        return all(w in placed or w in PLACE_WORDS for w in said)
    if 2 <= len(said) and (all(w in _names() for w in said) or _looks_like_a_name(text)):
        return True
    if not _may_name_a_workplace(text, said):
        return False
    reading = workplaces.read(text)
    # a workplace ("Hjælpemiddeldepotet"), or the writer's job ("jeg er sosu-hjælper")
    least = workplaces.JOB if said[0] in ("jeg", "vi") and said[1:2] == ["er"] else workplaces.KIND
    return bool((reading.sector or reading.ask) and reading.strength >= least)


def _may_name_a_workplace(text: str, said: list[str]) -> bool:
    """Cheap checks before reading the words for a workplace (0.8-3 ms for a short message, measured
    on 'ja', 'nej', 'spring over', an e-mail address: most answers in the form are such): no yes or no,
    no e-mail address or number, and one word long enough to be a workplace's."""
    return (
        yes_or_no(text) is None
        and not any(ch.isdigit() or ch == "@" for ch in text)
        and any(len(word) >= 6 for word in said)
        and not set(said) <= _CONTROL_WORDS
    )


# Words of a correction (the `correct` intent): 10 of the 12 misread corrections in the bench's
# cross-validation were read as bare workplaces for their "kommunen" or "regionen".
_CORRECTION_WORDS = frozenset(
    {
        "forkert",
        "forkerte",
        "ret",
        "rette",
        "retter",
        "ændr",
        "ændre",
        "ændrer",
        "ændring",
        "skift",
        "skifte",
        "fejl",
        "korriger",
        "korrigere",
        "rettelse",
        "rigtige",
    }
)

# Answers to the form that are no workplace ("spring over", "ved ikke").
_CONTROL_WORDS = frozenset({"spring", "over", "ved", "ikke", "stop", "afbryd", "forfra", "start", "hjælp", "status"})


# Small words that no name is made of, and greetings written with capitals ("Guten Tag", "Hej Med Dig").
_NOT_NAMES = frozenset(
    {
        "hej",
        "hejsa",
        "tak",
        "god",
        "goddag",
        "dag",
        "morgen",
        "aften",
        "med",
        "dig",
        "og",
        "eller",
        "jeg",
        "vi",
        "du",
        "det",
        "der",
        "er",
        "en",
        "et",
        "den",
        "hvad",
        "hvem",
        "hvor",
        "guten",
        "tag",
        "hello",
        "hi",
        "the",
        "kommune",
        "region",
        "hospital",
        "skole",
        "test",
        "ok",
        "okay",
        "ja",
        "nej",
        "stop",
        "hjælp",
        "spark",
    }
)


def _looks_like_a_name(text: str) -> bool:
    """Two to four words, each with a capital first letter and only letters ('Juan Carlos Pérez',
    'Hoang Van Minh'); not a greeting or a sentence."""
    parts = text.strip().rstrip(".!").split()
    return (
        2 <= len(parts) <= MAX_WORDS
        and all(part[:1].isupper() and part.replace("-", "").replace("'", "").isalpha() for part in parts)
        and not any(part.lower() in _NOT_NAMES for part in parts)
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class BareAnswer(GraphComponent):
    """Sets the intent to inform for a message that is only a place, a name or a workplace."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "BareAnswer":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if intent == INFORM or not bare_answer(message.get(TEXT) or "", message.get(ENTITIES) or []):
                continue
            overrule_intent(message, INFORM)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
