"""An NLU component of ours: how likely a message is about the writer's own workplace (a workplace told, or an
application wanted), learnt from the training data; one vote beside the rules of bot.domain.scope.

Why: the rules recognise the off-topic lookalikes of the kinds they were written for (a private employer, one's own
pay, a citizen's errand, ...), and each new writer brings phrasings of those kinds that a pattern misses: a new fresh
set's lookalikes started the form 7-13 % of the time at first reading, each time after the rules had been written on
the sets before (tools/bench/data/experiments.md). A model learns the kinds from examples instead. Measured as it
would meet new writers: trained without one of the development sets 9-12 (each by its own author), it holds 9 of
the 59 lookalikes of that set that the rules let through, and none of its 239 workplaces the bot takes; trained on
all of them, it holds 10 of the 24 lookalikes of the read fresh sets 1-11 that the rules let through, and 2 of their
1,396 workplaces (a conscript asking whether he may write himself; a pædagog left out by her colleagues), all below
DOUBTFUL (actions/first_message.py). At 0.1 it held twice as many lookalikes, and 10 workplaces ("stress og dårlig
stemning hos os, kan I hjælpe", a lokalMED after a closure decision).

It learns `inform` and `start_application` (on) against `out_of_scope` (off) of the training data, and the first
messages of the development sets (EXAMPLES, written by tools.bench.dev_examples: workplaces on, off-topic lookalikes
off), which are no intent examples: in data/nlu they moved the intent model so that long workplace messages were
read as off-topic. Features of its own: TF-IDF over
character 2-5-grams inside words (seen in at least two examples) and over words and word pairs, both sublinear. The
pipeline's count features (character 1-4-grams, scaled as the intent model scales them) held as many lookalikes
but lost 6 of the 1,396 workplaces at the same share of lookalikes. Logistic regression, classes balanced, C = 4,
each development-set example weighing 3 (1: 5 of the 59 and 8 of the 24; C = 10 lost more workplaces).
Stored as JSON (the vocabularies) and .npz (idf and weights), no pickle.

It puts `own_workplace` (the probability, 0 to 1) on the message's output; the actions decide with it
(actions/first_message.py, `doubted`). It runs after the intent classifier (config.yml) and changes no intent.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np
import scipy.sparse
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

OUTPUT = "own_workplace"
# The development sets' first messages: {"own": [...], "other": [...]}.
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "own_workplace_examples.yml"
MODEL_FILE = "own_workplace.npz"
META_FILE = "own_workplace.json"
# The two vectorizers: (name, settings). Their vocabularies and idf weights are what is stored.
VECTORIZERS = (
    ("characters", {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2}),
    ("words", {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1}),
)


def _vectorizer(settings: Dict[str, Any], vocabulary: Optional[Dict[str, int]] = None) -> TfidfVectorizer:
    return TfidfVectorizer(lowercase=True, sublinear_tf=True, vocabulary=vocabulary, **settings)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class OwnWorkplaceVote(GraphComponent):
    """Puts the probability that a message is about the writer's own workplace on it."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "on": ["inform", "start_application"],  # intents of messages about one's own workplace
            "off": ["out_of_scope"],
            "C": 4.0,
            "examples": str(EXAMPLES),  # more examples beside the training data's; "" for none
            "examples_weight": 3.0,  # each of those counts as this many: they are first messages as people write them
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectorizers: Sequence[TfidfVectorizer] = (),
        coef: Optional[np.ndarray] = None,
        intercept: float = 0.0,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.vectorizers = list(vectorizers)
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The examples file is no part of the training data Rasa fingerprints: its content is."""
        path = {**cls.get_default_config(), **config}["examples"]
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path and Path(path).exists() else None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "OwnWorkplaceVote":
        return cls(config, model_storage, resource)

    def _features(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        return scipy.sparse.hstack([v.transform(texts) for v in self.vectorizers], format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        on, off = set(self.config["on"]), set(self.config["off"])
        examples = [
            (e.get(TEXT), e.get(INTENT) in on, 1.0)
            for e in training_data.intent_examples
            if e.get(TEXT) and e.get(INTENT) in on | off
        ]
        if self.config["examples"]:
            more = yaml.safe_load(Path(self.config["examples"]).read_text(encoding="utf-8")) or {}
            weight = float(self.config["examples_weight"])
            examples += [(text, True, weight) for text in more.get("own") or []]
            examples += [(text, False, weight) for text in more.get("other") or []]
        if len({label for _, label, _ in examples}) < 2:
            logger.debug("OwnWorkplaceVote: no examples of both kinds, nothing trained.")
            return self._resource
        texts = [text for text, _, _ in examples]
        self.vectorizers = [_vectorizer(settings).fit(texts) for _, settings in VECTORIZERS]
        model = LogisticRegression(C=self.config["C"], class_weight="balanced", max_iter=3000)
        model.fit(
            self._features(texts),
            [label for _, label, _ in examples],
            sample_weight=np.array([weight for _, _, weight in examples]),
        )
        self.coef = model.coef_[0].astype(np.float64)
        self.intercept = float(model.intercept_[0])
        self.persist()
        return self._resource

    def probability(self, text: str) -> Optional[float]:
        """How likely `text` is about the writer's own workplace; None before training."""
        if self.coef is None or not self.vectorizers:
            return None
        score = float(self._features([text]) @ self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-score))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            found = self.probability(text)
            if found is not None:
                message.set(OUTPUT, round(found, 4), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(
                directory / MODEL_FILE,
                coef=self.coef,
                intercept=np.array([self.intercept]),
                **{f"idf_{n}": v.idf_ for n, v in enumerate(self.vectorizers)},
            )
            vocabularies = [{term: int(i) for term, i in v.vocabulary_.items()} for v in self.vectorizers]
            (directory / META_FILE).write_text(json.dumps(vocabularies, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "OwnWorkplaceVote":
        try:
            with model_storage.read_from(resource) as directory:
                vocabularies = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
                with np.load(directory / MODEL_FILE, allow_pickle=False) as arrays:
                    vectorizers = []
                    for n, ((_, settings), vocabulary) in enumerate(zip(VECTORIZERS, vocabularies)):
                        vectorizer = _vectorizer(settings, vocabulary)
                        vectorizer.idf_ = arrays[f"idf_{n}"]
                        vectorizers.append(vectorizer)
                    coef, intercept = arrays["coef"], float(arrays["intercept"][0])
        except (ValueError, FileNotFoundError):
            logger.debug(f"OwnWorkplaceVote: no trained model in '{resource.name}'.")
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, vectorizers, coef, intercept)
