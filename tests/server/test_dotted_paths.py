"""Every class the Rasa configuration names by dotted path exists: a move or rename of a module breaks them."""

from __future__ import annotations

import importlib
import re

import pytest

from tests.conftest import ROOT

CONFIG_FILES = ["config.yml", "credentials.yml", "endpoints.yml", "endpoints.production.yml"]
# A dotted path of ours, also in comments (a commented-out channel is documentation people copy).
DOTTED = re.compile(r"\b((?:bot|actions)(?:\.\w+)+\.[A-Z]\w*)")


def named_paths() -> list[tuple[str, str]]:
    found = []
    for name in CONFIG_FILES:
        for path in DOTTED.findall((ROOT / name).read_text(encoding="utf-8")):
            found.append((name, path))
    return found


def test_the_configuration_names_our_components_channels_and_stores():
    kinds = {path.rsplit(".", 1)[1] for _, path in named_paths()}
    assert {
        "IntentTopicClassifier",
        "PlaceNameResolver",
        "RestInput",
        "WebChatInput",
        "SlackInput",
        "PrivacySQLTrackerStore",
        "ProductionTrackerStore",
        "ProductionLockStore",
    } <= kinds


@pytest.mark.parametrize("config_file, dotted", named_paths())
def test_every_dotted_path_in_the_configuration_imports(config_file, dotted):
    module_name, class_name = dotted.rsplit(".", 1)
    module = importlib.import_module(module_name)
    assert hasattr(module, class_name), f"{config_file} names {dotted}, which does not exist"
