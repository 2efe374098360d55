"""An NLU component of ours: an instruction to the bot itself (bot.domain.scope) is off-topic, whatever
the intent model made of it, so it gets the off-topic answer and fills no slot.

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

from bot.domain.scope import instruction_to_bot

OFF_TOPIC = "out_of_scope"


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
            if text.startswith("/") or not instruction_to_bot(text):
                continue
            ranking = [{"name": OFF_TOPIC, "confidence": 1.0}] + [
                {**entry, "confidence": 0.0}
                for entry in message.get("intent_ranking") or []
                if entry.get("name") != OFF_TOPIC
            ]
            message.set(INTENT, {"name": OFF_TOPIC, "confidence": 1.0}, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
