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
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional, Pattern, Text, Tuple

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
        words = _words(text, flags)
        for index, pattern in enumerate(self.known_patterns):
            first_words = _first_words(pattern["pattern"], flags)
            if first_words is not None and words is not None and first_words.isdisjoint(words):
                continue  # no word of the text begins any entry of this lookup table: it cannot match
            for match in self._regex(pattern["pattern"], flags).finditer(text):
                for position, token in enumerate(tokens):
                    if token.start < match.end() and token.end > match.start():
                        sequence_features[position][index] = 1.0
                        if attribute in [RESPONSE, TEXT, ACTION_TEXT]:
                            sentence_features[0][index] = 1.0
        return scipy.sparse.coo_matrix(sequence_features), scipy.sparse.coo_matrix(sentence_features)


# A lookup table's pattern as Rasa writes it (rasa.nlu.utils.pattern_utils._generate_lookup_regex):
# "(\bentry\b|\bentry\b|...)", each entry re.escape'd.
_LOOKUP = re.compile(r"\((\\b(?:[^\\|]|\\.)*\\b(?:\|\\b(?:[^\\|]|\\.)*\\b)*)\)")
_ENTRY = re.compile(r"\\b((?:[^\\|]|\\.)*)\\b")
_LATIN_1 = re.compile(r"[\x00-\xff]*")


@lru_cache(maxsize=256)
def _first_words(pattern: str, flags: int) -> Optional[FrozenSet[str]]:
    """The first words of a lookup table's entries (lower case when matching ignores case), or None where
    the pattern is not a lookup table of entries that each begin with a word character and hold only
    Latin-1 letters.

    A pattern like this matches at a word boundary only where the text's word there *is* the first word of
    an entry (the entry's first word is followed by a non-word character or its end, and `\b`), so a text
    none of whose words is one cannot match (measured 7 Dec: the place table of ~2,000 towns cost
    0.5-0.7 ms a message in `re`, mostly on messages naming no town). In Latin-1, `re.IGNORECASE` matches
    exactly the characters `str.lower` makes equal."""
    if not _LOOKUP.fullmatch(pattern):
        return None
    firsts = set()
    for escaped in _ENTRY.findall(pattern):
        entry = re.sub(r"\\(.)", r"\1", escaped, flags=re.DOTALL)
        word = re.match(r"\w+", entry)
        if not word or not _LATIN_1.fullmatch(entry):
            return None
        firsts.add(word.group(0).lower() if flags & re.IGNORECASE else word.group(0))
    return frozenset(firsts)


def _words(text: str, flags: int) -> Optional[FrozenSet[str]]:
    """The text's words as `_first_words` compares them; None where the text holds more than Latin-1."""
    if not _LATIN_1.fullmatch(text):
        return None
    return frozenset(re.findall(r"\w+", text.lower() if flags & re.IGNORECASE else text))
