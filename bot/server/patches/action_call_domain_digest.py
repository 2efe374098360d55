"""`action_call_domain_digest`: the domain sent to our action server once, then named by its digest.

Rasa 3.6 puts the whole domain into every custom-action call (25 kB of JSON here, as much as the
rest of the body at turn 40): written by the Rasa server, read and parsed by the action server,
on every call (1.5 a message). rasa-sdk 3.6 keeps no copy; our action server does
(bot/server/domain_digest.py, the protocol rasa-sdk adopted later, RasaHQ/rasa-sdk#1108).

So each call carries `domain_digest` (sha256 of the domain's JSON, worked out once per domain).
Until the action server has answered a call with that digest in its reply, the domain goes too;
after, only the digest. A call the action server answers 449 (it does not hold that domain: it
restarted, or another instance got the first call) is sent again by Rasa's own code with the
domain, before any action ran. Rasa's body is otherwise unchanged, and so is a call Rasa
compresses (COMPRESS_ACTION_SERVER_REQUEST: the action server decompresses it in its handler,
after ours) or one with the selective domain (an action that does not get the domain).

Through Rasa's own plugin hooks for the action-call body and reply
(`prefix_stripping_for_custom_actions`, `prefixing_custom_actions_response`: rasa/plugin.py,
called by RemoteAction.run), and `RemoteAction.run` for the second try.

Tested with our real action server: the same events and responses at every call of played
conversations with and without the domain, after a restart of the action server, and against
an action server that keeps nothing (tests/server/test_rasa_patches.py).

Replaces `RemoteAction.run` (Rasa's, called again with the domain on a 449) and registers the
hooks with Rasa's plugin manager.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from typing import Any, Callable, Dict, Optional

import pluggy

from bot.server.domain_digest import DIGEST_KEY, DOMAIN_NEEDED_STATUS
from bot.server.patches._replace import replace

hookimpl = pluggy.HookimplMarker("rasa")  # Rasa's plugin project name (rasa/plugin.py)

# Set while Rasa's run is called again after a 449: that call carries the domain.
_send_the_domain: contextvars.ContextVar[bool] = contextvars.ContextVar("send_the_domain", default=False)


def digest_of(domain_dict: Dict[str, Any]) -> str:
    """The digest that names a domain: sha256 of its JSON with sorted keys."""
    text = json.dumps(domain_dict, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


class DomainByDigest:
    """Rasa plugin: the action-call body with the digest (and the domain until the server keeps it)."""

    def __init__(self) -> None:
        self.held: set[str] = set()  # digests the action server said it keeps
        self._last: Optional[tuple[Dict[str, Any], str]] = None  # Domain.as_dict() is the same dict each call

    def digest(self, domain_dict: Dict[str, Any]) -> str:
        if self._last is None or self._last[0] is not domain_dict:
            self._last = (domain_dict, digest_of(domain_dict))
        return self._last[1]

    def body(self, json_body: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """The body to send instead of Rasa's, or None for Rasa's own."""
        from rasa.core.constants import COMPRESS_ACTION_SERVER_REQUEST_ENV_NAME, DEFAULT_COMPRESS_ACTION_SERVER_REQUEST
        from rasa.utils.common import get_bool_env_variable

        domain_dict = json_body.get("domain")
        if not isinstance(domain_dict, dict) or get_bool_env_variable(
            COMPRESS_ACTION_SERVER_REQUEST_ENV_NAME, DEFAULT_COMPRESS_ACTION_SERVER_REQUEST
        ):
            return None
        digest = self.digest(domain_dict)
        if digest in self.held and not _send_the_domain.get():
            body = {key: value for key, value in json_body.items() if key != "domain"}
        else:
            body = dict(json_body)
        body[DIGEST_KEY] = digest
        return body

    def reply(self, json_body: Dict[str, Any], response: Any) -> None:
        """The reply to a call of ours (`json_body` is Rasa's body, with the domain): when the reply names
        that domain's digest, the action server keeps it, and later calls leave the domain out."""
        if isinstance(response, dict) and DIGEST_KEY in response:
            named = response.pop(DIGEST_KEY)  # not part of rasa-sdk's reply: Rasa sees the reply as ever
            domain_dict = json_body.get("domain")
            if isinstance(domain_dict, dict) and named == self.digest(domain_dict):
                self.held.add(named)

    # Rasa's hook implementations (pluggy): the names are Rasa's hook specifications.
    @hookimpl
    def prefix_stripping_for_custom_actions(self, json_body: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        return self.body(json_body)

    @hookimpl
    def prefixing_custom_actions_response(self, json_body: Dict[str, Any], response: Any) -> None:
        self.reply(json_body, response)


def asked_for_the_domain(error: BaseException) -> bool:
    """Whether Rasa's error from a custom action is our action server's 449."""
    from rasa.utils.endpoints import ClientResponseError  # what EndpointConfig.request raises

    cause = error.__cause__
    return isinstance(cause, ClientResponseError) and cause.status == DOMAIN_NEEDED_STATUS


def apply() -> Callable[[], None]:
    import functools

    from rasa.core.actions.action import RemoteAction
    from rasa.plugin import plugin_manager
    from rasa.shared.exceptions import RasaException

    plugin = DomainByDigest()
    manager = plugin_manager()
    manager.register(plugin, name="bot.action_call_domain_digest")
    rasas = RemoteAction.run

    @functools.wraps(rasas)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        """Rasa's RemoteAction.run; called again with the domain when the action server asks for it."""
        try:
            return await rasas(self, output_channel, nlg, tracker, domain)
        except RasaException as error:
            if not asked_for_the_domain(error):
                raise
        plugin.held.clear()
        token = _send_the_domain.set(True)
        try:
            return await rasas(self, output_channel, nlg, tracker, domain)
        finally:
            _send_the_domain.reset(token)

    undo_run = replace(RemoteAction, "run", run)

    def undo() -> None:
        manager.unregister(plugin)
        undo_run()

    return undo
