"""The web chat channel's configuration: allowed origins, credentials, the page's files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.channels.credentials import check_channel_settings
from bot.channels.webchat import (
    ASSET_FILES,
    WebChatInput,
    load_assets,
    loopback_origins,
    normalise_origin,
    parse_origins,
)


def test_origins_are_normalised_and_split_on_commas():
    assert parse_origins(" HTTPS://Chat.Example.dk/ , http://127.0.0.1:8080") == (
        "https://chat.example.dk", "http://127.0.0.1:8080")
    assert parse_origins(["https://a.dk"]) == ("https://a.dk",)
    assert parse_origins(None) == () and parse_origins("") == () and parse_origins(" , ") == ()


@pytest.mark.parametrize("value", ["chat.example.dk", "ftp://example.dk", "https://example.dk/chat/",
                                   "https://user:pw@example.dk", "https://example.dk?x=1", "*"])
def test_a_value_that_is_not_an_origin_is_refused(value):
    with pytest.raises(ValueError):
        normalise_origin(value)


def test_ipv6_loopback_keeps_its_brackets():
    assert normalise_origin("http://[::1]:5005") == "http://[::1]:5005"
    assert "http://[::1]:5005" in loopback_origins(5005)


def test_configured_origins_are_the_only_ones_allowed():
    channel = WebChatInput.from_credentials({"allowed_origins": "https://chat.example.dk"})
    assert channel.origin_allowed("https://chat.example.dk", {})
    assert not channel.origin_allowed("http://127.0.0.1:5005", {})
    assert not channel.origin_allowed("https://evil.example", {})


def test_without_a_server_request_no_default_origin_is_allowed():
    assert not WebChatInput.from_credentials({}).origin_allowed("http://127.0.0.1:5005", {})


def test_channel_keeps_rasas_name_and_always_persists_sessions():
    channel = WebChatInput.from_credentials({"session_persistence": True})
    assert WebChatInput.name() == "socketio" and channel.session_persistence is True
    with pytest.raises(ValueError, match="session_persistence"):
        WebChatInput.from_credentials({"session_persistence": False})
    with pytest.raises(ValueError, match="jwt_key"):
        WebChatInput.from_credentials({"jwt_key": "secret"})


def test_web_chat_takes_its_origins_from_the_environment(monkeypatch):
    monkeypatch.delenv("WEBCHAT_ALLOWED_ORIGINS", raising=False)
    assert WebChatInput.from_credentials(None).allowed_origins == ()
    monkeypatch.setenv("WEBCHAT_ALLOWED_ORIGINS", "https://chat.example.dk")
    assert WebChatInput.from_credentials(None).allowed_origins == ("https://chat.example.dk",)
    with pytest.raises(ValueError):
        check_channel_settings({"WEBCHAT_ALLOWED_ORIGINS": "chat.example.dk"})


def test_every_file_of_the_page_is_there_after_setup():
    assets = load_assets()
    assert set(assets) == set(ASSET_FILES), "run scripts/setup.sh (npm ci in web/)"
    assert b'lang="da"' in assets[""].body
    assert assets["socket.io.min.js"].content_type.startswith("text/javascript")


def test_a_missing_file_is_logged_and_left_out(tmp_path: Path, caplog):
    (tmp_path / "index.html").write_text("<!doctype html>")
    with caplog.at_level(logging.ERROR, logger="bot.channels.webchat"):
        assets = load_assets(tmp_path)
    assert set(assets) == {""}
    assert "npm ci" in caplog.text
