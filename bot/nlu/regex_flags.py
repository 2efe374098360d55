"""Rasa's RegexFeaturizer with the same features, without marking every token with every pattern.

Rasa's RegexFeaturizer also stores on each token a dict of every pattern's name and whether it
matched (`token.get("pattern")`), which only CRFEntityExtractor reads; we have none. During
`rasa train` those dicts cost far more than the features: Rasa's training cache hashes every
token of every example again after each later component, each of ~24 pattern names separately
(a fifth of our training time). It also walked every token for every pattern; this walks only
the tokens a match overlaps. And in training it featurized the ~1,800 long response texts too
(for ResponseSelector, which we do not have): most of its training time. Only the user's text is
featurized here, as at run time.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Dict, List, Optional, Pattern, Text, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.shared.nlu.constants import ACTION_TEXT, RESPONSE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# Rasa's recipe validator looks for RegexFeaturizer by exact type, so it warns that the data's
# regexes and lookup tables are unused; this subclass uses them, so those two warnings (only
# they) are wrong here.
for _message in (
    r"You have defined training data with regexes, but your NLU configuration does not include a 'RegexFeaturizer'",
    r"You have defined training data consisting of lookup tables, but your NLU configuration does not include a "
    r"featurizer",
):
    warnings.filterwarnings("ignore", message=_message)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class RegexFlagsFeaturizer(RegexFeaturizer):
    """RegexFeaturizer's sequence and sentence features; tokens are left as they were."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled: Dict[Tuple[str, int], Pattern] = {}

    def _regex(self, pattern: str, flags: int) -> Pattern:
        compiled = self._compiled.get((pattern, flags))
        if compiled is None:
            compiled = self._compiled[(pattern, flags)] = re.compile(pattern, flags)
        return compiled

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """RegexFeaturizer's, for the user's text only (not the responses nor action texts)."""
        for example in training_data.training_examples:
            self._text_features_with_regex(example, TEXT)
        return training_data

    def _features_for_patterns(
        self, message: Message, attribute: Text
    ) -> Tuple[Optional[scipy.sparse.coo_matrix], Optional[scipy.sparse.coo_matrix]]:
        """The features RegexFeaturizer._features_for_patterns gives (a token is flagged when a
        match overlaps it; the sentence when any token is), without `token.set("pattern")`."""
        text = message.get(attribute)
        if not text:
            return None, None
        tokens: List[Any] = message.get(TOKENS_NAMES[attribute], [])
        if not tokens:
            return None, None
        flags = 0 if self.case_sensitive else re.IGNORECASE
        sequence_features = np.zeros([len(tokens), len(self.known_patterns)])
        sentence_features = np.zeros([1, len(self.known_patterns)])
        for index, pattern in enumerate(self.known_patterns):
            for match in self._regex(pattern["pattern"], flags).finditer(text):
                for position, token in enumerate(tokens):
                    if token.start < match.end() and token.end > match.start():
                        sequence_features[position][index] = 1.0
                        if attribute in [RESPONSE, TEXT, ACTION_TEXT]:
                            sentence_features[0][index] = 1.0
        return scipy.sparse.coo_matrix(sequence_features), scipy.sparse.coo_matrix(sentence_features)
