"""The domain sent to the action server once, then named by its digest: the action server's side.

Rasa 3.6 puts the whole domain (25 kB of JSON here) into every custom-action call, and rasa-sdk
3.6 keeps no copy. With the Rasa server's `action_call_domain_digest` patch
(bot/server/patches/) a call carries `domain_digest`: with the domain the first time, without it
once our action server has said it keeps that domain (its reply names the digest). A call whose
digest this server does not hold (it restarted, or another instance got the first call) is
answered 449 before any action runs, and Rasa sends the call again with the domain: the protocol
rasa-sdk itself adopted later (RasaHQ/rasa-sdk#1108). A call without a digest is rasa-sdk's as
ever.

`install()` adds this to rasa-sdk in the action server's process (bot/server/action_server.py):
Sanic's request middleware answers or completes a call by digest, `ActionExecutor.run` keeps the
domain of a call that brings one and names its digest in the reply.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any, Optional

# The body's key (and the reply's); the status that asks for the call again with the domain.
DIGEST_KEY = "domain_digest"
DOMAIN_NEEDED_STATUS = 449
WEBHOOK_PATH = "/webhook"
DOMAINS_KEPT = 4  # a few models' domains (a model change while calls for the old one are in flight)


class Domains:
    """The domains this action server was sent, by digest; the least recently used forgotten first."""

    def __init__(self, size: int = DOMAINS_KEPT) -> None:
        self.size = size
        self._kept: OrderedDict[str, dict] = OrderedDict()

    def keep(self, digest: str, domain: dict) -> None:
        self._kept[digest] = domain
        self._kept.move_to_end(digest)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def get(self, digest: str) -> Optional[dict]:
        domain = self._kept.get(digest)
        if domain is not None:
            self._kept.move_to_end(digest)
        return domain


def answer_by_digest(app: Any, domains: Domains) -> None:
    """On rasa-sdk's app: a call that names its domain by digest alone gets it from `domains`, or is
    answered 449 before any action runs."""
    from sanic import response

    @app.on_request
    async def domain_by_digest(request: Any) -> Any:
        if request.method != "POST" or request.path != WEBHOOK_PATH or request.headers.get("Content-Encoding"):
            return None  # a compressed body is decompressed by the webhook itself: Rasa sends those whole
        action_call = request.json  # parsed once: the webhook reads the same dict
        if not isinstance(action_call, dict) or DIGEST_KEY not in action_call or "domain" in action_call:
            return None
        domain = domains.get(action_call[DIGEST_KEY])
        if domain is None:
            return response.json(
                {"error": "domain needed", DIGEST_KEY: action_call[DIGEST_KEY]}, status=DOMAIN_NEEDED_STATUS
            )
        action_call["domain"] = domain
        return None


def keep_and_name_the_digest(run: Any, domains: Domains) -> Any:
    """rasa-sdk's `ActionExecutor.run`, keeping a call's domain under its digest and naming the
    digest in the reply (Rasa then leaves the domain out of the next calls)."""

    @functools.wraps(run)
    async def run_keeping_the_domain(self: Any, action_call: Any) -> Any:
        digest = action_call.get(DIGEST_KEY) if isinstance(action_call, dict) else None
        if digest is not None and isinstance(action_call.get("domain"), dict):
            domains.keep(digest, action_call["domain"])
        result = await run(self, action_call)
        if digest is not None and isinstance(result, dict) and domains.get(digest) is not None:
            result[DIGEST_KEY] = digest
        return result

    return run_keeping_the_domain


def install(domains: Optional[Domains] = None) -> Domains:
    """Add the protocol to rasa-sdk in this process: its executor, and every app `create_app` builds."""
    from rasa_sdk import endpoint
    from rasa_sdk.executor import ActionExecutor

    domains = domains or Domains()
    create_app = endpoint.create_app

    @functools.wraps(create_app)
    def create_app_answering_by_digest(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        answer_by_digest(app, domains)
        return app

    endpoint.create_app = create_app_answering_by_digest
    ActionExecutor.run = keep_and_name_the_digest(ActionExecutor.run, domains)
    return domains
