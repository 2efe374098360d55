"""Rasa's SpacyTokenizer, with less work in `rasa train` and the same tokens of the user's text.

In training, SpacyTokenizer also tokenizes the ~1,800 response texts of the domain (long FAQ
answers), the intents and the action names, for ResponseSelector and TED, which we do not have:
this one tokenizes the user's text only, in training as at run time (where a message has nothing
else), and nothing after it reads tokens of the other attributes (our featurizers count the
text only).

Its tokens keep their fingerprint while they are unchanged.

During `rasa train` Rasa's training cache fingerprints every message again after every later
component (its features changed), and with it every token: each `Token.fingerprint()` is seven
md5 sums and two `json.dumps` of the same few strings. Half of the cache's fingerprinting time
went there (py-spy of `rasa train --force`, 7 Dec: 500 of 958 samples). These tokens give the
same fingerprint as Rasa's and work it out again only when a part of the token changed.
Nothing else differs: the same tokens, the same features; at run time this is SpacyTokenizer.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

# Token data whose values are all of these types can be compared by value (a list could change
# in place and still compare equal to the kept copy: such tokens are fingerprinted every time).
_PLAIN = (str, int, float, bool, type(None))


class KeptFingerprintToken(Token):
    """A Token whose fingerprint is remembered with the parts it was taken from."""

    def __init__(
        self,
        text: Text,
        start: int,
        end: Optional[int] = None,
        data: Optional[Dict[Text, Any]] = None,
        lemma: Optional[Text] = None,
    ) -> None:
        super().__init__(text, start, end=end, data=data, lemma=lemma)
        self._kept: Optional[Tuple[Tuple[Any, ...], Text]] = None

    def fingerprint(self) -> Text:
        if not all(isinstance(value, _PLAIN) for value in self.data.values()):
            return super().fingerprint()
        parts = (self.text, self.start, self.end, self.lemma, tuple(self.data.items()))
        if self._kept is None or self._kept[0] != parts:
            self._kept = (parts, super().fingerprint())
        return self._kept[1]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class TextSpacyTokenizer(SpacyTokenizer):
    """SpacyTokenizer for the user's text, whose tokens remember their fingerprint."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Tokenizer's (Rasa 3.6.21) for the text attribute only, with tokens that keep their
        fingerprint. At run time (`process`) this is SpacyTokenizer."""
        for example in training_data.training_examples:
            if example.get(TEXT) is not None and example.get(TEXT) != "":
                tokens = [
                    KeptFingerprintToken(token.text, token.start, end=token.end, data=token.data, lemma=token.lemma)
                    for token in self.tokenize(example, TEXT)
                ]
                example.set(TOKENS_NAMES[TEXT], tokens)
        return training_data
