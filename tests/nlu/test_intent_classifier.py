"""The intent + FAQ-topic classifier (bot/nlu/intent_classifier.py), trained by Rasa on real data.

A slice of data/nlu (four FAQ topics and four other intents) is trained through
`rasa.model_training.train_nlu` with the project's config.yml, its intent classifiers and
ResponseSelector replaced by this one component, then loaded with Rasa's Agent.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT

pytest.importorskip("spacy")
pytestmark = pytest.mark.slow

TOPICS = ("faq/pris", "faq/trio_med", "faq/hvad_er_spark", "faq/temaer")
INTENTS = ("greet", "thanks", "stop", "affirm")
PER_LABEL = 40


def _slice(path: Path) -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    chosen = defaultdict(list)
    for message in load_data(str(ROOT / "data" / "nlu")).intent_examples:
        label = message.get("intent_response_key") or message.get("intent")
        if label in TOPICS + INTENTS and len(chosen[label]) < PER_LABEL:
            chosen[label].append(message)
    assert set(chosen) == set(TOPICS + INTENTS)
    examples = [m for messages in chosen.values() for m in messages]
    path.write_text(RasaYAMLWriter().dumps(TrainingData(training_examples=examples)), encoding="utf-8")


REPLACED = {
    "LogisticRegressionClassifier",
    "ResponseSelector",
    "DIETClassifier",
    "bot.nlu.intent_classifier.IntentTopicClassifier",
}


def _config(path: Path) -> None:
    """config.yml's featurizers and fallback, with its IntentTopicClassifier as the only classifier."""
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    ours = next(c for c in config["pipeline"] if c["name"] == "bot.nlu.intent_classifier.IntentTopicClassifier")
    pipeline = [c for c in config["pipeline"] if c["name"] not in REPLACED]
    at = next(i for i, c in enumerate(pipeline) if c["name"] == "FallbackClassifier")
    config["pipeline"] = pipeline[:at] + [ours] + pipeline[at:]
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    from rasa.model_training import train_nlu

    work = tmp_path_factory.mktemp("linear")
    _slice(work / "nlu.yml")
    _config(work / "config.yml")
    trained = train_nlu(
        config=str(work / "config.yml"),
        nlu_data=str(work / "nlu.yml"),
        output=str(work),
        fixed_model_name="slice",
        domain=str(ROOT / "domain.yml"),
    )
    return Path(str(trained))


@pytest.fixture(scope="module")
def agent(model):
    from rasa.core.agent import Agent

    return Agent.load(str(model))


def parse(agent, text: str) -> dict:
    return asyncio.run(agent.parse_message(text))


def featurized(agent, texts) -> list:
    """The messages as the model's last featurizer leaves them (what the classifier reads)."""
    from rasa.core.channels import UserMessage

    runner = agent.processor.graph_runner
    featurizer = [n for n in runner._graph_schema.nodes if n.startswith("run_") and "Featurizer" in n][-1]
    return [runner.run(inputs={"__message__": [UserMessage(t)]}, targets=[featurizer])[featurizer][0] for t in texts]


def loaded_classifier(agent):
    from bot.nlu.intent_classifier import IntentTopicClassifier

    return next(
        node
        for node in agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(getattr(node, "_component", None), IntentTopicClassifier)
    )._component


@pytest.mark.parametrize(
    "text, topic",
    [
        ("hvad koster det at være med?", "faq/pris"),
        ("hvad er en trio", "faq/trio_med"),
        ("hvad er spark for noget", "faq/hvad_er_spark"),
        ("hvilke temaer kan vi vælge imellem?", "faq/temaer"),
    ],
)
def test_faq_question_gets_intent_faq_and_its_topic_as_rasas_response_selector_would(agent, text, topic):
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == "faq"
    # Rasa's processor reads response_selector["faq"] for this (ResponseSelector with
    # retrieval_intent: faq); ActionRetrieveResponse reads the same key for `utter_faq`.
    assert parsed["intent"]["full_retrieval_intent_name"] == topic
    selector = parsed["response_selector"]
    assert selector["all_retrieval_intents"] == ["faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == topic
    assert response["utter_action"] == f"utter_{topic}"
    assert response["responses"] and response["responses"][0]["text"]
    ranking = selector["faq"]["ranking"]
    assert ranking[0]["intent_response_key"] == topic
    assert sorted(r["intent_response_key"] for r in ranking) == sorted(TOPICS)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert response["confidence"] == ranking[0]["confidence"]


def test_faq_answer_is_the_domains_response_for_the_topic(agent):
    import yaml

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    response = parse(agent, "hvad koster det?")["response_selector"]["faq"]["response"]
    assert response["responses"] == domain["responses"]["utter_faq/pris"]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("hej", "greet"),
        ("mange tak for hjælpen", "thanks"),
        ("stop", "stop"),
        ("ja tak", "affirm"),
    ],
)
def test_other_messages_get_their_own_intent(agent, text, intent):
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == intent
    assert parsed["intent"].get("full_retrieval_intent_name") is None


def test_intent_ranking_names_top_level_intents_with_faq_as_the_sum_of_its_topics(agent):
    parsed = parse(agent, "hvad koster det?")
    names = [r["name"] for r in parsed["intent_ranking"]]
    assert len(names) == len(set(names)) and not any("/" in name for name in names)
    assert set(names) == {"faq", *INTENTS}
    assert sum(r["confidence"] for r in parsed["intent_ranking"]) == pytest.approx(1.0)
    assert parsed["intent"]["confidence"] == parsed["intent_ranking"][0]["confidence"]


def test_model_holds_numbers_and_json_only_and_loads_without_skops(model):
    import io
    import tarfile

    with tarfile.open(model) as archive:
        ours = [m for m in archive.getmembers() if "IntentTopicClassifier" in m.name and m.isfile()]
        assert sorted(Path(m.name).name for m in ours) == ["intent_model.json", "intent_model.npz"]
        for member in ours:
            data = archive.extractfile(member).read()
            assert b"\x80\x04" not in data[:2] and b"pickle" not in data
            if member.name.endswith(".npz"):
                with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                    assert {arrays[k].dtype for k in arrays.files} == {np.dtype(np.float32)}
            else:
                json.loads(data)
    script = (
        "import asyncio, sys; from rasa.core.agent import Agent; "
        f"a = Agent.load({str(model)!r}); r = asyncio.run(a.parse_message('hvad er en trio')); "
        "print(r['intent']['name'], 'skops' in sys.modules)"
    )
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-2:] == ["faq", "False"]


@pytest.mark.parametrize(
    "config, layers, votes",
    [
        ({"C": [1.0, 3.0]}, [1], [1.0]),
        ({"hidden_units": 16, "updates": 100, "networks": 2}, [2, 2], [0.5, 0.5]),
        ({"hidden_units": 16, "updates": 100, "regression_weight": 0.3}, [1, 2], [0.3, 0.7]),
        (
            {"hidden_units": 16, "updates": 100, "regression_weight": 0.3, "noisy_copies": 2, "input_dropout": 0.2},
            [1, 2],
            [0.3, 0.7],
        ),
    ],
    ids=["logistic regression", "two networks", "logistic regression and a network", "network with noisy copies"],
)
def test_saved_then_loaded_component_predicts_the_same(agent, tmp_path, config, layers, votes):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.intent_classifier import IntentTopicClassifier

    def labelled(texts, labels):
        messages = featurized(agent, texts)
        for message, label in zip(messages, labels):
            if label:
                message.set("intent", label.split("/")[0])
                message.set("intent_response_key", label if "/" in label else None)
        return messages

    examples = [
        m
        for m in load_data(str(ROOT / "data" / "nlu")).intent_examples
        if (m.get("intent_response_key") or m.get("intent")) in TOPICS + INTENTS
    ][::4]
    labels = [m.get("intent_response_key") or m.get("intent") for m in examples]
    training = TrainingData(
        training_examples=labelled([m.get("text") for m in examples], labels),
        responses={"utter_faq/pris": [{"text": "gratis"}]},
    )
    storage, resource = LocalModelStorage(tmp_path), Resource("linear")
    context = ExecutionContext(GraphSchema({}), node_name="linear")
    trained = IntentTopicClassifier.create(config, storage, resource, context)
    trained.train(training)
    loaded = IntentTopicClassifier.load({}, storage, resource, context)
    assert [len(network) for network in loaded.networks] == layers
    assert loaded.votes == pytest.approx(votes) and trained.votes == loaded.votes

    texts = ["hvad koster det?", "hvad er en trio", "tak", "hej med dig", "stop nu", "ja"]
    assert loaded.classes == trained.classes and loaded.chosen_c == trained.chosen_c
    assert np.array_equal(
        loaded.probabilities(featurized(agent, texts)), trained.probabilities(featurized(agent, texts))
    )
    first, second = featurized(agent, texts), featurized(agent, texts)
    trained.process(first)
    loaded.process(second)
    for a, b in zip(first, second):
        assert a.get("intent") == b.get("intent")
        assert a.get("intent_ranking") == b.get("intent_ranking")
        assert a.get("response_selector") == b.get("response_selector")


@pytest.mark.parametrize(
    "config",
    [
        {"regression_weight": 1.0},
        {"regression_weight": -0.1},
        {"retrieval_intent_confidence": "mean"},
        {"input_dropout": 1.0},
        {"noisy_copies": -1},
    ],
)
def test_a_wrong_setting_stops_training_with_its_name(tmp_path, config):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.nlu.intent_classifier import IntentTopicClassifier

    with pytest.raises(ValueError, match=next(iter(config))):
        IntentTopicClassifier.create(
            config,
            LocalModelStorage(tmp_path),
            Resource("linear"),
            ExecutionContext(GraphSchema({}), node_name="linear"),
        )


def test_noisy_copies_drop_a_share_of_each_examples_features_and_keep_the_rest(tmp_path):
    import scipy.sparse
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.nlu.intent_classifier import IntentTopicClassifier

    def component(config):
        return IntentTopicClassifier.create(
            config, LocalModelStorage(tmp_path), Resource("noisy"), ExecutionContext(GraphSchema({}), node_name="noisy")
        )

    rng = np.random.default_rng(0)
    features = scipy.sparse.random(
        300, 500, density=0.1, format="csr", random_state=rng, data_rvs=lambda n: rng.uniform(0.1, 1.0, n)
    )
    labels = [f"label{i % 3}" for i in range(300)]
    noisy = component({"noisy_copies": 2, "input_dropout": 0.2})
    enlarged, enlarged_labels = noisy._with_noisy_copies(features, labels, seed=7)

    assert enlarged.shape == (900, 500) and enlarged_labels == labels * 3
    assert (enlarged[:300] != features).nnz == 0  # the examples themselves come first, unchanged
    for copy in (enlarged[300:600], enlarged[600:]):
        # every kept value is the original one; nothing is added
        assert (copy.multiply(features > 0) != copy).nnz == 0
        assert (copy != features.multiply(copy > 0)).nnz == 0
        assert copy.nnz / features.nnz == pytest.approx(0.8, abs=0.02)
    assert (enlarged[300:600] != enlarged[600:]).nnz > 0  # each copy drops its own features
    again, _ = noisy._with_noisy_copies(features, labels, seed=7)
    assert (again != enlarged).nnz == 0  # repeatable
    unchanged, same_labels = component({})._with_noisy_copies(features, labels, seed=7)
    assert unchanged is features and same_labels is labels


@pytest.mark.parametrize("n_classes", [2, 4])
def test_probabilities_are_scikit_learns(n_classes):
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    from bot.nlu.intent_classifier import softmax_probabilities

    rng = np.random.default_rng(0)
    features = scipy.sparse.csr_matrix(rng.poisson(0.3, size=(120, 30)).astype(float))
    labels = rng.integers(0, n_classes, size=120)
    model = LogisticRegression(class_weight="balanced", max_iter=1000).fit(features, labels)
    assert np.allclose(
        softmax_probabilities(features, model.coef_, model.intercept_), model.predict_proba(features), atol=1e-12
    )


def test_sentence_features_are_the_matrix_rasas_combined_features_give(agent):
    """Our one-step concatenation against Message.get_sparse_features + vstack, on real featurized messages."""
    import scipy.sparse

    from bot.nlu.intent_classifier import sentence_features

    texts = ["hvad koster det?", "Vi hører under Region Sjælland", "tak", "æøå ÆØÅ", "x" * 300, "ja ja ja ja"]
    messages = featurized(agent, texts)
    assert sum(1 for f in messages[0].features if f.type == "sentence" and f.is_sparse()) >= 2
    rasas = scipy.sparse.vstack([m.get_sparse_features(attribute="text")[1].features for m in messages], format="csr")
    ours = sentence_features(messages)
    assert ours.shape == rasas.shape
    assert (ours != rasas).nnz == 0


def test_weights_are_row_major_so_prediction_reads_them_in_place(agent):
    import scipy.sparse

    from bot.nlu.intent_classifier import network_probabilities

    classifier = loaded_classifier(agent)
    share = classifier.config["regression_weight"]  # config.yml's
    assert 0 < share < 0.5 and classifier.votes == pytest.approx([share, 1 - share])
    layers = [layer for network in classifier.networks for layer in network]
    assert layers and all(weights.flags["C_CONTIGUOUS"] for weights, _ in layers)  # what sparse @ dense reads in place
    rng = np.random.default_rng(1)
    features = scipy.sparse.random(5, layers[0][0].shape[0], density=0.01, format="csr", random_state=rng)
    copies = [[(np.asfortranarray(weights), bias) for weights, bias in network] for network in classifier.networks]
    assert np.allclose(
        classifier._probabilities(features),
        sum(vote * network_probabilities(features, network) for vote, network in zip(classifier.votes, copies)),
        rtol=0,
        atol=1e-12,
    )


def test_float32_weights_give_the_float64_probabilities_and_meet_float32_features(agent):
    from bot.nlu.intent_classifier import STORED_DTYPE, network_probabilities

    classifier = loaded_classifier(agent)
    messages = featurized(
        agent, ["hvad koster det?", "vi hører under region sjælland", "tak", "asdfgh", "stop nu", "ja"]
    )
    features = classifier._features(messages, STORED_DTYPE)
    assert STORED_DTYPE == np.float32 and features.dtype == STORED_DTYPE  # else scipy copies the weights per call
    assert all(array.dtype == STORED_DTYPE for network in classifier.networks for layer in network for array in layer)
    in_float64 = sum(
        vote
        * network_probabilities(
            features.astype(np.float64), [(w.astype(np.float64), b.astype(np.float64)) for w, b in network]
        )
        for vote, network in zip(classifier.votes, classifier.networks)
    )
    ours = classifier.probabilities(messages)
    assert ours.dtype == np.float64
    assert np.allclose(ours, in_float64, rtol=0, atol=1e-5)
    assert (ours.argmax(axis=1) == in_float64.argmax(axis=1)).all()


# Random labels: the fit need not converge, the test compares the forward pass with scikit-learn's.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_classes", [2, 4])
def test_network_probabilities_are_scikit_learns(n_classes):
    import scipy.sparse
    from sklearn.neural_network import MLPClassifier

    from bot.nlu.intent_classifier import network_probabilities

    rng = np.random.default_rng(0)
    features = scipy.sparse.csr_matrix(rng.poisson(0.3, size=(120, 30)).astype(float))
    labels = rng.integers(0, n_classes, size=120)
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0).fit(features, labels)
    assert np.allclose(
        network_probabilities(features, list(zip(model.coefs_, model.intercepts_))),
        model.predict_proba(features),
        atol=1e-12,
    )


def test_cross_validation_groups_keep_respellings_together_and_symbols_apart():
    from bot.nlu.intent_classifier import _group_key

    assert _group_key("Hvad er en TRIO?") == _group_key("hvad er en trio")
    assert len({_group_key(text) for text in ("👍", "?!", "🙂🙂", "...")}) == 4


def test_the_model_trained_beside_a_second_process_is_the_one_trained_inline(agent, tmp_path, monkeypatch):
    """The network and the topic models train in a forked process while the regression fits here:
    the stored numbers are those of training everything in this process."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.intent_classifier import IntentTopicClassifier

    examples = [
        m
        for m in load_data(str(ROOT / "data" / "nlu")).intent_examples
        if (m.get("intent_response_key") or m.get("intent")) in TOPICS + INTENTS
    ][::4]
    messages = featurized(agent, [m.get("text") for m in examples])
    for message, example in zip(messages, examples):
        message.set("intent", example.get("intent"))
        message.set("intent_response_key", example.get("intent_response_key"))
    config = {"hidden_units": 16, "updates": 100, "regression_weight": 0.3}
    context = ExecutionContext(GraphSchema({}), node_name="linear")
    trained = {}
    for inline in ("", "1"):
        monkeypatch.setenv("INTENT_MODEL_INLINE", inline)
        (tmp_path / f"m{inline}").mkdir()
        storage = LocalModelStorage(tmp_path / f"m{inline}")
        component = IntentTopicClassifier.create(config, storage, Resource("x"), context)
        component.train(TrainingData(training_examples=messages))
        trained[inline] = component
    forked, inline = trained[""], trained["1"]
    assert forked.topic_models and forked.topic_models.keys() == inline.topic_models.keys()
    for intent, (coef, intercept, topics) in forked.topic_models.items():
        assert topics == inline.topic_models[intent][2]
        assert np.array_equal(coef, inline.topic_models[intent][0])
        assert np.array_equal(intercept, inline.topic_models[intent][1])
    assert [len(n) for n in forked.networks] == [len(n) for n in inline.networks] == [1, 2]
    for ours, theirs in zip(forked.networks, inline.networks):
        for (weights, bias), (their_weights, their_bias) in zip(ours, theirs):
            assert np.array_equal(weights, their_weights) and np.array_equal(bias, their_bias)
