"""The Slack app manifest (deploy/slack-manifest.yml) asks for exactly what the Slack channel uses:
the scopes of the Web API methods it calls, of the events it answers and of its slash command,
those events, and its webhook for all three. (tests/e2e/test_slack.py checks the methods against
the calls the fake Slack API records.)"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
import yaml

from bot.channels.slack import SLASH_COMMAND, SUBSCRIBED_EVENTS, WEB_API_METHODS, SlackInput, bot_scopes
from tests.conftest import ROOT

MANIFEST = yaml.safe_load((ROOT / "deploy" / "slack-manifest.yml").read_text(encoding="utf-8"))
WEBHOOK_PATH = f"/webhooks/{SlackInput.name()}/webhook"  # where Rasa serves the channel's blueprint


def test_the_bot_scopes_are_exactly_those_of_the_methods_events_and_slash_command_the_code_uses():
    scopes = MANIFEST["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert set(scopes) == bot_scopes()
    assert "user" not in MANIFEST["oauth_config"]["scopes"]  # the app never acts as a person


def test_the_events_are_exactly_those_the_channel_answers():
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == set(SUBSCRIBED_EVENTS)
    assert "user_events" not in MANIFEST["settings"]["event_subscriptions"]


def test_the_slash_command_is_the_one_the_channel_answers():
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == [SLASH_COMMAND]


def test_every_request_url_is_the_webhook_on_a_placeholder_host():
    urls = [
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        MANIFEST["settings"]["interactivity"]["request_url"],
        *(c["url"] for c in MANIFEST["features"]["slash_commands"]),
    ]
    for url in urls:
        parsed = urlparse(url)
        assert parsed.scheme == "https" and parsed.path == WEBHOOK_PATH
        assert parsed.hostname.endswith(".example.org")  # a placeholder (RFC 2606): the README says replace it
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is False


def test_the_bot_user_and_the_messages_tab_are_there():
    assert MANIFEST["display_information"]["name"] == MANIFEST["features"]["bot_user"]["display_name"]
    home = MANIFEST["features"]["app_home"]
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is False


@pytest.mark.parametrize("method", sorted(WEB_API_METHODS))
def test_each_method_the_code_calls_has_its_scope_explained_in_the_manifest(method):
    text = (ROOT / "deploy" / "slack-manifest.yml").read_text(encoding="utf-8")
    assert f"{WEB_API_METHODS[method]} " in text and method in text
