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
        "https://chat.example.dk",
        "http://127.0.0.1:8080",
    )
    assert parse_origins(["https://a.dk"]) == ("https://a.dk",)
    assert parse_origins(None) == () and parse_origins("") == () and parse_origins(" , ") == ()


@pytest.mark.parametrize(
    "value",
    [
        "chat.example.dk",
        "ftp://example.dk",
        "https://example.dk/chat/",
        "https://user:pw@example.dk",
        "https://example.dk?x=1",
        "*",
    ],
)
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


# -- session ids and their tags ------------------------------------------------------------------


def test_a_session_id_goes_on_only_with_the_tag_the_server_made_for_it():
    from bot.channels.webchat import session_tag, session_valid

    secret = b"s" * 32
    session_id = "a1" * 16
    tag = session_tag(secret, session_id)
    assert session_valid(secret, session_id, tag)
    assert not session_valid(b"another deployment's secret....", session_id, tag)
    assert not session_valid(secret, "0" * 32, tag), "the tag belongs to one id"
    assert not session_valid(secret, session_id, tag[:-1] + ("0" if tag[-1] != "0" else "1"))
    assert not session_valid(secret, "0" * 32, "0" * 64)


@pytest.mark.parametrize(
    "session_id, tag",
    [
        (None, None),
        ("0" * 32, None),
        ("0" * 32, "æ" * 64),
        ("0" * 32, ["x"]),
        ({"id": 1}, "0" * 64),
        ("0" * 31, "0" * 64),
    ],
)
def test_anything_else_a_client_sends_is_no_valid_session(session_id, tag):
    from bot.channels.webchat import session_valid

    assert not session_valid(b"s" * 32, session_id, tag)


def test_the_secret_comes_from_the_environment_and_a_short_one_stops_the_start(monkeypatch):
    from bot.channels.credentials import ChannelConfigError
    from bot.channels.webchat import session_secret

    assert session_secret({"WEBCHAT_SESSION_SECRET": "k" * 40}) == b"k" * 40
    assert len(session_secret({})) == 32 and session_secret({}) != session_secret({}), "one per process"
    monkeypatch.setenv("WEBCHAT_SESSION_SECRET", "k" * 40)
    assert WebChatInput.from_credentials(None).secret == b"k" * 40
    with pytest.raises(ChannelConfigError, match="WEBCHAT_SESSION_SECRET"):
        check_channel_settings({"WEBCHAT_SESSION_SECRET": "kort"})


def test_the_launcher_makes_the_secret_once_per_run_folder_readable_by_its_user_only(tmp_path):
    from bot.server.stack import WEBCHAT_SECRET_FILE, Stack

    stack = Stack(run_dir=tmp_path)
    secret = stack.webchat_session_secret()
    assert len(secret) == 64 and Stack(run_dir=tmp_path).webchat_session_secret() == secret
    assert (tmp_path / WEBCHAT_SECRET_FILE).stat().st_mode & 0o077 == 0
    assert stack._rasa_environment({})["WEBCHAT_SESSION_SECRET"] == secret
    assert stack._rasa_environment({"WEBCHAT_SESSION_SECRET": "set" * 20})["WEBCHAT_SESSION_SECRET"] == "set" * 20
    assert Stack(run_dir=tmp_path / "other").webchat_session_secret() != secret
