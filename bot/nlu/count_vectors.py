"""Rasa's CountVectorsFeaturizer, keeping only the sentence features: the ones our intent model reads.

CountVectorsFeaturizer also puts a sequence feature on every message: one row per token, as wide
as the vocabulary (30,000 character n-grams). Nothing in our pipeline reads them (the intent
model takes sentence features only, bot/nlu/intent_classifier.py), but during `rasa train`
Rasa's training cache turns each of them into text to hash it, and the trained pipeline carried
them through every message; and at every message Rasa still made them (a transform of each token
on its own), only for them to be dropped: now they are not made. The sentence features are
CountVectorsFeaturizer's own, unchanged.

It also counts only the user's text. CountVectorsFeaturizer builds vocabularies and features for
the responses, intents and action names of the training data too (for ResponseSelector and
TED's end-to-end features); we have neither, and the ~1,800 response texts' character n-grams
were a fifth of the featurizers' training time (and of the cache's hashing after them). The
text's vocabulary is its own either way (`use_shared_vocab` is off), so its features are the same.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
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

    @staticmethod
    def _attributes_for(analyzer: Text) -> List[Text]:
        """Only the user's text: nothing in our pipeline reads the other attributes' features."""
        return [TEXT]

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

    def _create_features(
        self, attribute: Text, all_tokens: List[List[Text]]
    ) -> Tuple[List[Optional[scipy.sparse.spmatrix]], List[Optional[scipy.sparse.spmatrix]]]:
        """CountVectorsFeaturizer's `_create_features` (Rasa 3.6.21) without the sequence features.

        Rasa's transforms every token on its own for the sequence features, then the joined
        tokens for the sentence features; `add_features_to_message` above drops the sequence
        features, so they are no longer made (a token-by-token transform of 30,000 character
        n-grams per message). The sentence features are made exactly as Rasa makes them.
        """
        if not self.vectorizers.get(attribute):
            return [None], [None]
        sentence_features: List[Optional[scipy.sparse.spmatrix]] = []
        for tokens in all_tokens:
            if not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
                sentence_features.append(None)
                continue
            sentence_vec = self.vectorizers[attribute].transform([" ".join(tokens)])
            sentence_vec.sort_indices()
            sentence_features.append(sentence_vec.tocoo())
        return [None] * len(all_tokens), sentence_features
