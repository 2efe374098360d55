"""The learnt vote whether a message is about the writer's own workplace (bot/nlu/own_workplace.py), trained on the
training data's workplaces and off-topic messages, stored and loaded through Rasa's own model storage."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.own_workplace import OUTPUT, OwnWorkplaceVote
from tests.conftest import ROOT

# Written for this test, in no training file.
WORKPLACES = [
    "Vi er et lille bibliotek i Tønder, og efter sammenlægningen er tonen blevet hård mellem os",
    "jeg er tr paa et bosted i aabenraa, mange af os er sygemeldt med stress efter den nye leder kom",
]
NOT_OURS = [
    "Hvornår har genbrugspladsen i Tønder åbent i weekenden?",
    "min datter paa 8 bliver drillet i frikvarteret paa skolen i aabenraa, hvem skal jeg ringe til",
]


def _component(tmp_path: Path, **config) -> tuple[OwnWorkplaceVote, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("own_workplace")
    context = ExecutionContext(GraphSchema({}), "test")
    return OwnWorkplaceVote.create(config, storage, resource, context), storage, resource


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[OwnWorkplaceVote, LocalModelStorage, Resource]:
    data = load_data(str(ROOT / "data" / "nlu"))
    vote, storage, resource = _component(tmp_path_factory.mktemp("vote"))
    vote.train(data)
    return vote, storage, resource


def test_a_workplace_is_likely_and_an_errand_of_others_is_not(trained):
    vote = trained[0]
    assert all(vote.probability(text) > 0.5 for text in WORKPLACES)
    assert all(vote.probability(text) < 0.5 for text in NOT_OURS)


def test_the_stored_model_gives_the_same_probabilities(trained):
    vote, storage, resource = trained
    loaded = OwnWorkplaceVote.load({}, storage, resource, ExecutionContext(GraphSchema({}), "test"))
    for text in WORKPLACES + NOT_OURS:
        assert loaded.probability(text) == pytest.approx(vote.probability(text), abs=1e-9)


def test_it_puts_the_probability_on_the_message_and_skips_commands(trained):
    vote = trained[0]
    told, command = Message.build(WORKPLACES[0]), Message.build("/affirm")
    vote.process([told, command])
    assert told.get(OUTPUT) == round(vote.probability(WORKPLACES[0]), 4)
    assert OUTPUT in told.as_dict(only_output_properties=True)
    assert command.get(OUTPUT) is None


def test_untrained_it_says_nothing(tmp_path):
    vote, storage, resource = _component(tmp_path, examples="")
    vote.train(TrainingData([Message.build("hej", intent="greet")]))
    message = Message.build(WORKPLACES[0])
    vote.process([message])
    assert message.get(OUTPUT) is None
    loaded = OwnWorkplaceVote.load({"examples": ""}, storage, resource, ExecutionContext(GraphSchema({}), "test"))
    assert loaded.probability(WORKPLACES[0]) is None


def test_the_examples_file_is_part_of_the_fingerprint(tmp_path):
    examples = tmp_path / "examples.yml"
    examples.write_text("own: [vi har stress]\nother: [hvad koster en bil]\n", encoding="utf-8")
    before = OwnWorkplaceVote.fingerprint_addon({"examples": str(examples)})
    examples.write_text("own: [vi har stress]\nother: [hvad koster en cykel]\n", encoding="utf-8")
    assert OwnWorkplaceVote.fingerprint_addon({"examples": str(examples)}) != before
