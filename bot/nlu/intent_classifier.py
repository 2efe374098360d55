"""One classifier for intents and FAQ topics, in place of Rasa's LogisticRegressionClassifier and
ResponseSelector.

One scikit-learn model over the sparse features the featurizers put on the message learns every
full label at once (`faq/pris` is its own class, `inform` is itself); the intent is the top-level
name (`faq` for any FAQ topic, with the summed probability of its topics). That model is a
logistic regression, a network with one hidden layer (`hidden_units`; MLPClassifier's training,
lazily: bot/nlu/sparse_network.py), or both
with their probabilities averaged, the regression's share `regression_weight`. A logistic regression per
retrieval intent, trained on that intent's examples only (as Rasa's
ResponseSelector is), picks the topic. Together they fill what both Rasa components filled:
`intent`, `intent_ranking` and `response_selector` in the shape Rasa 3.6's ResponseSelector gives
with `retrieval_intent: faq`, so the rules' `utter_faq` (ActionRetrieveResponse) answers the
topic. It saves numbers (`.npz`, loaded without pickle) and names (JSON), nothing else: no
TensorFlow model to build at start-up, no skops import.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

# Rasa's recipe validator warns that response examples are unused unless its own
# ResponseSelector is in the pipeline; this component consumes them, so that one warning
# (and only it) is wrong here. `rasa data validate --fail-on-warnings` would otherwise fail.
warnings.filterwarnings(
    "ignore",
    message=r"You have defined training data with examples for training a response selector",
)

MODEL_FILE = "intent_model.npz"
META_FILE = "intent_model.json"
STORED_DTYPE = np.float32  # weights as kept and saved: half of float64's size, probabilities within ~1e-6
RETRIEVAL_SEPARATOR = "/"


def _group_key(text: str) -> str:
    """Near-duplicates ("Hvad er en TRIO?", "hvad er en trio") share a key, so CV keeps them together.

    A text with no word characters ("👍", "?!") is its own group: one shared empty key would
    put every such example into the same fold.
    """
    return " ".join(re.findall(r"\w+", text.lower())) or " ".join(text.split())


def scale_counts(values: np.ndarray) -> np.ndarray:
    """One message's counts from one featurizer, sublinear (log(1 + n)) and of unit L2 length.

    Why: on raw counts a long message has a far longer vector than "Rikke" or "lol", so the few
    n-grams of a short message hardly move its scores, and a 0/1 pattern flag (a person's name,
    a place) is one column next to thousands of counts. With every count block of unit length,
    short and long messages weigh the same and a flag counts as much as a whole block.
    Measured on the 5 grouped folds of `make bench-nlu` (same features, names lookup in; raw
    at its best C=3, scaled at C=300): intent macro-F1 0.909 -> 0.917 (CV mean), held-out
    fold 0.900 -> 0.921.
    """
    scaled = np.log1p(np.asarray(values, dtype=np.float64))
    norm = float(np.sqrt(np.dot(scaled, scaled)))
    return scaled / norm if norm > 0 else scaled


def _is_scaled(origin: Any, featurizers: Sequence[str]) -> bool:
    origins = origin if isinstance(origin, list) else [origin]
    return any(name in str(o) for o in origins for name in featurizers)


def sentence_features(
    messages: Sequence[Message], scaled_featurizers: Sequence[str] = (), dtype: Any = np.float64
) -> scipy.sparse.csr_matrix:
    """The messages' sparse sentence features side by side, one row each.

    The same matrix as hstacking what `Message.get_sparse_features(TEXT)` combines (the
    featurizers' sentence features in the message's order), built in one step: Rasa's way
    deep-copies the first featurizer's matrix and hstacks the others one by one, a twentieth
    of our Rasa server's time under load. The blocks of featurizers whose node name contains
    one of `scaled_featurizers` go through `scale_counts`; the others are kept as they are.
    `dtype`: the matrix's values (float32 to meet the stored weights without a conversion).
    """
    data: List[np.ndarray] = []
    columns: List[np.ndarray] = []
    indptr = [0]
    width: Optional[int] = None
    stored = 0
    for message in messages:
        offset = 0
        for feature in message.features:
            if feature.attribute != TEXT or not feature.is_sparse() or feature.type != FEATURE_TYPE_SENTENCE:
                continue
            part = feature.features.tocoo()
            if part.shape[0] != 1:
                raise ValueError(f"a sentence feature has {part.shape[0]} rows, not 1")
            if _is_scaled(feature.origin, scaled_featurizers):
                part = part.tocsr().tocoo()  # a copy, with repeated (row, col) entries summed
                data.append(scale_counts(part.data))
            else:
                data.append(part.data)
            columns.append(part.col.astype(np.int64) + offset)
            offset += part.shape[1]
            stored += part.nnz
        if width is not None and offset != width:
            raise ValueError(f"messages have sentence features of different widths: {width} != {offset}")
        width = offset
        indptr.append(stored)
    matrix = scipy.sparse.csr_matrix(
        (
            np.concatenate(data).astype(dtype, copy=False) if data else np.zeros(0, dtype=dtype),
            np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64),
            np.asarray(indptr),
        ),
        shape=(len(messages), width or 0),
    )
    matrix.sum_duplicates()
    return matrix


def _stored(weights: np.ndarray, bias: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """A layer as it is kept and saved: STORED_DTYPE, weights row-major so that
    sparse features @ weights reads them in place."""
    return np.ascontiguousarray(weights, dtype=STORED_DTYPE), bias.astype(STORED_DTYPE)


def softmax_probabilities(features: scipy.sparse.csr_matrix, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """What scikit-learn's LogisticRegression.predict_proba gives for these weights (lbfgs, auto)."""
    return network_probabilities(features, [(coef.T, intercept)])


def network_probabilities(
    features: scipy.sparse.csr_matrix, layers: Sequence[Tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """What scikit-learn's MLPClassifier.predict_proba gives for these layers (ReLU hidden layers).

    `layers` are (weights, bias) pairs, weights of shape (inputs, outputs); a single layer is a
    logistic regression (`coef.T`, `intercept`). One output column means two classes: a
    logistic score for the second.
    """
    activation: Any = features.astype(layers[0][0].dtype, copy=False)  # else scipy copies the weights
    for weights, bias in layers[:-1]:
        activation = np.maximum(np.asarray(activation @ weights) + bias, 0.0)
    weights, bias = layers[-1]
    scores = np.asarray(activation @ weights, dtype=np.float64) + bias
    if scores.shape[1] == 1:
        positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
        return np.column_stack([1.0 - positive, positive])
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_network(
    config: Dict[Text, Any], classes: Sequence[str], features: scipy.sparse.csr_matrix, labels: List[str], seed: int
) -> List[Tuple[np.ndarray, np.ndarray]]:
    """One network of IntentTopicClassifier (`config`), trained from random start `seed`, as stored."""
    from threadpoolctl import threadpool_limits

    from bot.nlu.sparse_network import train_network

    features, labels = with_noisy_copies(features, labels, config["noisy_copies"], config["input_dropout"], seed)
    batch = min(200, features.shape[0])
    epochs = max(1, round(config["updates"] / -(-features.shape[0] // batch)))
    index = {label: n for n, label in enumerate(classes)}
    # One BLAS thread: the products here are small, and threads cost more than they give.
    with threadpool_limits(limits=1, user_api="blas"):
        layers = train_network(
            features,
            [index[label] for label in labels],
            len(classes),
            config["hidden_units"],
            epochs,
            batch_size=batch,
            alpha=config["alpha"],
            seed=seed,
        )
    return [_stored(weights, bias) for weights, bias in layers]


def regression(config: Dict[Text, Any], c: float) -> Any:
    """The logistic regression of IntentTopicClassifier (`config`) at inverse regularisation `c`."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=c,
        solver="lbfgs",
        class_weight="balanced",
        max_iter=config["max_iter"],
        tol=config["tol"],
        random_state=config["random_state"],
    )


def choose_c(config: Dict[Text, Any], features: scipy.sparse.csr_matrix, labels: List[str], groups: List[str]) -> float:
    """The candidate C of `config` with the best mean macro-F1 over grouped folds of the training data."""
    candidates = config["C"] if isinstance(config["C"], list) else [config["C"]]
    if len(candidates) == 1:
        return float(candidates[0])
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=config["cv_folds"], shuffle=True, random_state=config["random_state"])
    label_array = np.array(labels)
    splits = list(splitter.split(features, label_array, groups))
    scores = {}
    for c in candidates:
        fold_scores = []
        for train, test in splits:
            model = regression(config, float(c)).fit(features[train], label_array[train])
            predicted = model.predict(features[test])
            fold_scores.append(f1_score(label_array[test], predicted, average="macro", zero_division=0))
        scores[float(c)] = float(np.mean(fold_scores))
    logger.debug(f"IntentTopicClassifier: macro-F1 per C {scores}")
    return max(scores, key=lambda c: (scores[c], -c))  # on a tie, the stronger regularisation


def fit_topic_models(
    config: Dict[Text, Any], features: scipy.sparse.csr_matrix, labels: List[str], groups: List[str]
) -> Dict[str, Tuple[np.ndarray, np.ndarray, List[str]]]:
    """Per retrieval intent (`faq`), a regression over its topics, trained on its examples only."""
    models = {}
    retrieval_intents = {label.split(RETRIEVAL_SEPARATOR, 1)[0] for label in labels if RETRIEVAL_SEPARATOR in label}
    for intent in sorted(retrieval_intents):
        rows = [i for i, label in enumerate(labels) if label.startswith(intent + RETRIEVAL_SEPARATOR)]
        topic_labels = [labels[i] for i in rows]
        if len(set(topic_labels)) < 2:
            continue  # one topic: the joint model's answer is the only one
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The least populated class")
            c = choose_c(config, features[rows], topic_labels, [groups[i] for i in rows])
            model = regression(config, c).fit(features[rows], topic_labels)
        coef, intercept = _stored(model.coef_.T, model.intercept_)
        models[intent] = (coef.T, intercept, [str(t) for t in model.classes_])
    return models


def with_noisy_copies(
    features: scipy.sparse.csr_matrix, labels: List[str], copies: int, share: float, seed: int
) -> Tuple[scipy.sparse.csr_matrix, List[str]]:
    """The examples, then `copies` copies of them with `share` of each row's non-zero features
    dropped (seeded, so training is repeatable)."""
    if not copies or not share:
        return features, labels
    random = np.random.default_rng(seed)
    blocks = [features]
    for _ in range(copies):
        noisy = features.copy()
        noisy.data = noisy.data * (random.random(noisy.nnz) >= share)
        noisy.eliminate_zeros()
        blocks.append(noisy)
    return scipy.sparse.vstack(blocks, format="csr"), labels * (copies + 1)


class _Inline:
    """A stand-in for a process pool: runs each job when it is submitted."""

    def __enter__(self) -> "_Inline":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def submit(self, function: Any, *args: Any) -> Any:
        from concurrent.futures import Future

        future: Future = Future()
        future.set_result(function(*args))
        return future


def _beside(jobs: int) -> Any:
    """A pool of one forked process for `jobs` jobs (none: run them inline). Forked, so the
    child starts at once with everything imported; it only runs numpy."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    if not jobs or "fork" not in multiprocessing.get_all_start_methods() or os.environ.get("INTENT_MODEL_INLINE"):
        return _Inline()
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentTopicClassifier(IntentClassifier, GraphComponent):
    """Intents and retrieval-intent topics (`faq/...`) from one model over all full labels."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # The regression's inverse regularisation strength; a list of candidates makes it choose
            # by macro-F1 over grouped, stratified folds (cv_folds fits each). One value: weak
            # regularisation suits the scaled count blocks (tools/bench/data/experiments.md).
            "C": 300.0,
            "cv_folds": 3,
            "max_iter": 1000,
            "tol": 1e-4,
            "random_state": 42,
            # The intent model. 0 hidden units: the logistic regression above. More: a network
            # with one hidden layer of that many ReLU units (trained as scikit-learn's MLPClassifier,
            # lazily: bot/nlu/sparse_network.py; Adam,
            # batches of 200, L2 penalty `alpha`), stopped after about `updates` steps: the
            # fixed budget is its regularisation. Counted in steps, not passes over the data,
            # so that a small training set is not left half-learnt (475 steps: 25 passes over
            # the 3,710 examples of a bench fold's training part). `networks` > 1 averages that
            # many, each from its own random start (random_state, random_state + 1, ...).
            "hidden_units": 0,
            "updates": 475,
            "alpha": 1e-4,
            "networks": 1,
            # The networks also learn from `noisy_copies` copies of every training example, each
            # with a random `input_dropout` share of its non-zero features zeroed (dropout on the
            # input, drawn once): a message is still recognised when some of its words or
            # character n-grams are new. The regression sees the examples as they are. `updates`
            # counts steps over the enlarged set.
            "noisy_copies": 0,
            "input_dropout": 0.0,
            # With hidden units: also train the logistic regression and average its
            # probabilities with the networks', the regression weighing this much and the
            # networks the rest (0: networks only). Its probabilities are the more peaked
            # (mean top probability 0.92 against the network's 0.87 on a bench fold), so equal
            # weights let it decide most disagreements.
            "regression_weight": 0.0,
            # Also sum the token-level (sequence) features over the message: they carry what
            # only LexicalSyntacticFeaturizer gives (word shapes, prefixes, suffixes). Off: on
            # our data they made fitting 3-5x slower for no gain in held-out macro-F1.
            "use_sequence_features": False,
            # The confidence of a retrieval intent (`faq`): "sum" of its topics' probabilities
            # (the probability that the message is a FAQ at all) or "max" (its best topic).
            "retrieval_intent_confidence": "sum",
            "ranking_length": 10,
            # Topics from a model trained on the retrieval intent's examples only, rather than
            # from the joint model's topic probabilities: held-out faq-topic macro-F1 0.955
            # against 0.946 (same fold, same features).
            "topic_model": True,
            # Count blocks (sentence features of the featurizers whose node name contains one
            # of these) are made sublinear and of unit length per message: see scale_counts.
            # Empty: raw counts, as before.
            "scaled_featurizers": ["CountVectorsFeaturizer"],
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        networks: Sequence[Sequence[Tuple[np.ndarray, np.ndarray]]] = (),
        classes: Sequence[str] = (),
        responses: Optional[Dict[str, List[Dict]]] = None,
        chosen_c: Optional[float] = None,
        votes: Sequence[float] = (),
        topic_models: Optional[Dict[str, Tuple[np.ndarray, np.ndarray, List[str]]]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # The intent model: one or more networks, each a list of (weights, bias) layers (see
        # network_probabilities; a logistic regression is one layer). Weights row-major, of
        # shape (inputs, outputs), so that `features @ weights` reads them in place (otherwise
        # scipy copied the whole weight matrix for every prediction: a twentieth of the
        # server's time).
        self.networks = [
            [(np.ascontiguousarray(weights), np.asarray(bias)) for weights, bias in network] for network in networks
        ]
        # Each network's share of the averaged probabilities (equal unless given).
        self.votes = list(votes) or [1.0 / len(self.networks) for _ in self.networks]
        self.classes = list(classes)
        self.responses = responses or {}
        self.chosen_c = chosen_c
        # retrieval intent -> (coef, intercept, its topics)
        self.topic_models = {
            intent: (np.asfortranarray(coef), intercept, topics)
            for intent, (coef, intercept, topics) in (topic_models or {}).items()
        }

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "IntentTopicClassifier":
        cls.validate_config({**cls.get_default_config(), **config})
        return cls(config, model_storage, resource)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config["retrieval_intent_confidence"] not in ("sum", "max"):
            raise ValueError("retrieval_intent_confidence must be 'sum' or 'max'")
        if not 0.0 <= config["input_dropout"] < 1.0 or config["noisy_copies"] < 0:
            raise ValueError("input_dropout must be at least 0 and below 1, noisy_copies at least 0")
        if not 0.0 <= config["regression_weight"] < 1.0:
            raise ValueError("regression_weight must be at least 0 and below 1 (the networks weigh the rest)")

    # -- features ----------------------------------------------------------------------------

    def _features(self, messages: Sequence[Message], dtype: Any = np.float64) -> scipy.sparse.csr_matrix:
        """Training takes float64; prediction the stored weights' float32 (converting the matrix
        afterwards costs scipy more than the product itself)."""
        if not self.config["use_sequence_features"] and not any(
            f.attribute == TEXT and f.is_dense() for message in messages for f in message.features
        ):
            return sentence_features(messages, self.config["scaled_featurizers"], dtype)
        rows = []
        for message in messages:
            sequence, sentence = message.get_sparse_features(attribute=TEXT)
            _, dense_sentence = message.get_dense_features(attribute=TEXT)
            parts = []
            if sentence is not None:
                parts.append(sentence_features([message], self.config["scaled_featurizers"]))
            if self.config["use_sequence_features"] and sequence is not None:
                parts.append(scipy.sparse.csr_matrix(sequence.features.sum(axis=0)))
            if dense_sentence is not None:
                parts.append(scipy.sparse.csr_matrix(dense_sentence.features))
            rows.append(scipy.sparse.hstack(parts, format="csr") if parts else scipy.sparse.csr_matrix((1, 0)))
        return scipy.sparse.vstack(rows, format="csr").astype(dtype, copy=False)

    # -- training ----------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        self.responses = dict(training_data.responses)
        if not examples:
            logger.debug("IntentTopicClassifier: no intent examples, nothing trained.")
            return self._resource
        features = self._features(examples)
        labels = [e.get(INTENT_RESPONSE_KEY) or e.get(INTENT) for e in examples]
        if len(set(labels)) < 2:
            raise ValueError("IntentTopicClassifier needs at least two intents to tell apart.")
        self.classes = sorted(set(labels))  # the order of scikit-learn's classes_
        with warnings.catch_warnings():
            # Folds of the training data can miss a rare class; that is expected here.
            warnings.filterwarnings("ignore", message="The least populated class")
            self.networks, self.chosen_c = [], None
            share = self.config["regression_weight"] if self.config["hidden_units"] else 1.0
            networks = self.config["networks"] if self.config["hidden_units"] else 0
            self.votes = ([share] if share else []) + [(1.0 - share) / networks for _ in range(networks)]
            seeds = [self.config["random_state"] + n for n in range(networks)]
            groups = [_group_key(e.get(TEXT)) for e in examples]
            topics = self.config["topic_model"]
            # The networks and then the topic models train in a second process while this one
            # fits the regression (two cores at work instead of one; the two halves take about
            # as long); the same numbers either way.
            with _beside(len(seeds) + topics) as pool:
                pending = [
                    pool.submit(fit_network, self.config, self.classes, features, labels, seed) for seed in seeds
                ]
                pending_topics = topics and pool.submit(fit_topic_models, self.config, features, labels, groups)
                if share:
                    self.chosen_c = choose_c(self.config, features, labels, groups)
                    model = regression(self.config, self.chosen_c).fit(features, labels)
                    self.networks.append([_stored(model.coef_.T, model.intercept_)])
                self.networks += [job.result() for job in pending]
                self.topic_models = pending_topics.result() if pending_topics else {}
        self.persist()
        return self._resource

    def _with_noisy_copies(
        self, features: scipy.sparse.csr_matrix, labels: List[str], seed: int
    ) -> Tuple[scipy.sparse.csr_matrix, List[str]]:
        return with_noisy_copies(features, labels, self.config["noisy_copies"], self.config["input_dropout"], seed)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    # -- prediction --------------------------------------------------------------------------

    def probabilities(self, messages: Sequence[Message]) -> np.ndarray:
        """One row per message: the probability of each full label in `self.classes`."""
        return self._probabilities(self._features(messages, STORED_DTYPE))

    def _probabilities(self, features: scipy.sparse.csr_matrix) -> np.ndarray:
        rows = [network_probabilities(features, network) for network in self.networks]
        return rows[0] if len(rows) == 1 else np.average(rows, axis=0, weights=self.votes)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.networks or not messages:
            return messages
        features = self._features(messages, STORED_DTYPE)
        rows = self._probabilities(features)
        topic_rows = {
            intent: softmax_probabilities(features, coef, intercept)
            for intent, (coef, intercept, _) in self.topic_models.items()
        }
        for index, (message, row) in enumerate(zip(messages, rows)):
            self._annotate(message, row, {intent: probabilities[index] for intent, probabilities in topic_rows.items()})
        return messages

    def _annotate(self, message: Message, row: np.ndarray, topic_rows: Dict[str, np.ndarray]) -> None:
        by_intent: Dict[str, float] = {}
        topics: Dict[str, List[Tuple[str, float]]] = {}
        aggregate = sum if self.config["retrieval_intent_confidence"] == "sum" else max
        for label, probability in zip(self.classes, row.tolist()):
            intent = label.split(RETRIEVAL_SEPARATOR, 1)[0]
            if intent != label:
                topics.setdefault(intent, []).append((label, probability))
            else:
                by_intent[intent] = probability
        for intent, scored in topics.items():
            by_intent[intent] = float(aggregate(p for _, p in scored))
        ranking = [
            {"name": name, "confidence": confidence}
            for name, confidence in sorted(by_intent.items(), key=lambda kv: -kv[1])
        ]
        message.set(INTENT, ranking[0], add_to_output=True)
        if self.config["ranking_length"] > 0:
            ranking = ranking[: self.config["ranking_length"]]
        message.set("intent_ranking", ranking, add_to_output=True)
        for intent, probabilities in topic_rows.items():
            topics[intent] = list(zip(self.topic_models[intent][2], probabilities.tolist()))
        message.set("response_selector", self._selector(topics), add_to_output=True)

    def _selector(self, topics: Dict[str, List[Tuple[str, float]]]) -> Dict[str, Any]:
        """What ResponseSelector(retrieval_intent=X) sets, for each retrieval intent X.

        Its confidences are a softmax over the topics of X alone: so are those of a topic
        model; the joint model's topic probabilities are renormalised within X.
        """
        selector: Dict[str, Any] = {"all_retrieval_intents": sorted(topics)}
        for intent, scored in sorted(topics.items()):
            total = sum(p for _, p in scored) or 1.0
            ranked = sorted(((label, p / total) for label, p in scored), key=lambda lp: -lp[1])
            best, confidence = ranked[0]
            utter_action = f"utter_{best}"
            if self.config["ranking_length"] > 0:
                ranked = ranked[: self.config["ranking_length"]]
            selector[intent] = {
                "response": {
                    # As ResponseSelector does when a topic has no response in the domain.
                    "responses": self.responses.get(utter_action) or [{TEXT: best}],
                    "confidence": confidence,
                    "intent_response_key": best,
                    "utter_action": utter_action,
                },
                "ranking": [{"confidence": p, "intent_response_key": label} for label, p in ranked],
            }
        return selector

    # -- persistence -------------------------------------------------------------------------

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            topic_arrays = {
                f"{kind}_{n}": array
                for n, (coef, intercept, _) in enumerate(self.topic_models.values())
                for kind, array in (("topic_coef", coef), ("topic_intercept", intercept))
            }
            layer_arrays = {
                f"{kind}_{n}_{k}": array
                for n, network in enumerate(self.networks)
                for k, layer in enumerate(network)
                for kind, array in zip(("weights", "bias"), layer)
            }
            np.savez_compressed(directory / MODEL_FILE, **layer_arrays, **topic_arrays)
            (directory / META_FILE).write_text(
                json.dumps(
                    {
                        "classes": self.classes,
                        "responses": self.responses,
                        "C": self.chosen_c,
                        "layers": [len(network) for network in self.networks],
                        "votes": self.votes,
                        "topics": {intent: topics for intent, (_, _, topics) in self.topic_models.items()},
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "IntentTopicClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
                with np.load(directory / MODEL_FILE, allow_pickle=False) as arrays:
                    networks = [
                        [(arrays[f"weights_{n}_{k}"], arrays[f"bias_{n}_{k}"]) for k in range(layers)]
                        for n, layers in enumerate(meta["layers"])
                    ]
                    topic_models = {
                        intent: (arrays[f"topic_coef_{n}"], arrays[f"topic_intercept_{n}"], topics)
                        for n, (intent, topics) in enumerate(meta.get("topics", {}).items())
                    }
        except (ValueError, FileNotFoundError):
            logger.debug(f"IntentTopicClassifier: no trained model in '{resource.name}'.")
            return cls.create(config, model_storage, resource, execution_context)
        return cls(
            config,
            model_storage,
            resource,
            networks=networks,
            classes=meta["classes"],
            responses=meta["responses"],
            chosen_c=meta["C"],
            votes=meta["votes"],
            topic_models=topic_models,
        )
