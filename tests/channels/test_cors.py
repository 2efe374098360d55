"""CORS on the Rasa server (bot/channels/cors.py): Rasa's own CORS set-up, then ours on top.

The headers of the real server's responses: tests/e2e/test_privacy.py.
"""

from __future__ import annotations

import pytest
from multidict import CIMultiDict
from rasa.server import configure_cors
from sanic import Sanic
from sanic_cors.core import ACL_CREDENTIALS, ACL_ORIGIN, get_cors_headers

from bot.channels import cors

_apps = iter(range(1_000_000))


def app_as_rasa_makes_it(origins):
    """What `rasa run` does to its app (rasa.core.run._create_app_without_api), under a name of its own."""
    app = Sanic(f"cors_test_{next(_apps)}", configure_logging=False)
    configure_cors(app, origins)
    return app


def headers(app, origin=None, method="GET") -> dict:
    request = CIMultiDict({"Origin": origin} if origin else {})
    found = {}
    for _, options in app.ctx.sanic_cors.resources:
        found.update(get_cors_headers(options, request, method))
    return found


def test_rasa_alone_sends_credentials_on_every_response():
    app = app_as_rasa_makes_it(None)  # `rasa run` without --cors, as the launcher starts it
    assert headers(app)[ACL_CREDENTIALS] == "true"


def test_without_configured_origins_no_cors_header_at_all():
    app = app_as_rasa_makes_it(None)
    cors.restrict(app, env={})
    assert headers(app) == {} and headers(app, "https://evil.example") == {}
    cors.restrict(app, env={})  # idempotent
    assert app.ctx.sanic_cors.resources == []


@pytest.mark.parametrize("setting, sent", [(None, False), ("true", True), ("false", False)])
def test_configured_origins_are_kept_and_credentials_only_when_asked_for(setting, sent):
    app = app_as_rasa_makes_it("https://chat.example.dk")  # `rasa run --cors https://chat.example.dk`
    cors.restrict(app, env={"CORS_ALLOW_CREDENTIALS": setting} if setting else {})
    allowed = headers(app, "https://chat.example.dk")
    assert allowed[ACL_ORIGIN] == "https://chat.example.dk"
    assert (ACL_CREDENTIALS in allowed) is sent
    assert ACL_ORIGIN not in headers(app, "https://evil.example")
