"""The one Rasa NLU component of ours: place entities get their canonical names.

SpacyEntityExtractor returns the words the user typed ("koebenhavn", "region syd");
this component replaces each value with the official name ("København",
"Region Syddanmark") so that slots filled from entities always hold canonical values. Of several
municipalities, it keeps the writer's workplace's (bot.domain.workplaces.workplace_municipality: "i Svendborg
Kommune. Før var jeg i Faaborg-Midtfyn"), where Rasa would fill the slot with the last one named.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.domain import geography, workplaces


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PlaceNameResolver(GraphComponent, EntityExtractorMixin):
    """Maps municipality and region entities to their names in kommuner.csv / the catalogue."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "PlaceNameResolver":
        return cls()

    def __init__(self) -> None:
        self._geography: Optional[geography.Geography] = None

    def process(self, messages: List[Message]) -> List[Message]:
        if self._geography is None:
            self._geography = geography.load()
        for message in messages:
            entities = message.get(ENTITIES, [])
            resolved = [entity for entity in map(self._resolve, entities) if entity is not None]
            message.set(ENTITIES, _one_workplace_municipality(resolved, message.get(TEXT) or ""), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _resolve(self, entity: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
        assert self._geography is not None
        value = entity.get("value")
        if not isinstance(value, str):
            return entity
        if entity.get("entity") == "municipality":
            canonical = self._geography.canonical_municipality(value)
        elif entity.get("entity") == "region":
            canonical = self._geography.canonical_region(value)
        else:
            return entity
        # A value we cannot place is dropped rather than passed on raw. The entity is now ours:
        # signing it lets `rasa test nlu` evaluate it (it skips SpacyEntityExtractor's own).
        return {**entity, "value": canonical, "extractor": "PlaceNameResolver"} if canonical else None


def _one_workplace_municipality(entities: List[Dict[Text, Any]], text: str) -> List[Dict[Text, Any]]:
    """The entities with one municipality: the writer's workplace's, when several are named."""
    towns = {entity["value"] for entity in entities if entity.get("entity") == "municipality"}
    if len(towns) <= 1:
        return entities
    kept = workplaces.workplace_municipality(text)
    if kept not in towns:
        return entities
    return [entity for entity in entities if entity.get("entity") != "municipality" or entity["value"] == kept]
