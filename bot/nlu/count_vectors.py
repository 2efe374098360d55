"""Rasa's CountVectorsFeaturizer, keeping only the sentence features: the ones our intent model reads.

CountVectorsFeaturizer also puts a sequence feature on every message: one row per token, as wide
as the vocabulary (30,000 character n-grams). Nothing in our pipeline reads them (the intent
model takes sentence features only, bot/nlu/intent_classifier.py), but during `rasa train`
Rasa's training cache turns each of them into text to hash it, and the trained pipeline carried
them through every message. The sentence features are CountVectorsFeaturizer's own, unchanged.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.featurizer import FeatureType
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.domain.text import fold


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """CountVectorsFeaturizer's sentence features, without its sequence features.

    With `fold_letters`, the tokens are counted with æ/ø/å spelt ae/oe/aa (bot.domain.text.fold), as
    many users type them: "søger" and "soeger" are one word, with the same character n-grams.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**CountVectorsFeaturizer.get_default_config(), "fold_letters": False}

    def _get_processed_message_tokens_by_attribute(self, message: Message, attribute: Text = TEXT) -> List[Text]:
        tokens = super()._get_processed_message_tokens_by_attribute(message, attribute)
        return [fold(token) for token in tokens] if self._config.get("fold_letters") else tokens

    def add_features_to_message(
        self,
        sequence: FeatureType,
        sentence: Optional[FeatureType],
        attribute: Text,
        message: Message,
    ) -> None:
        super().add_features_to_message(None, sentence, attribute, message)
