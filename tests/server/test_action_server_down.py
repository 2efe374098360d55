"""Rasa's RemoteAction against an action server that is not there (bot/server/action_server_down.py).

Rasa's own RemoteAction and a port nobody listens on: the real connection error. The whole path
(kill -9 of the real action server mid-conversation) is in tests/e2e/test_supervision.py.
"""

from __future__ import annotations

from dataclasses import asdict

import aiohttp
import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, AllSlotsReset, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk.executor import CollectingDispatcher

import actions.common
from actions.privacy import ForgetMe
from bot.channels.guard import guard
from bot.domain import messages
from bot.records import conversations as privacy
from bot.server import action_server_down
from bot.server.stack import free_port
from tests.conftest import COMPLETE, DOMAIN, ROOT, tracker


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    action_server_down.install()


def nowhere() -> EndpointConfig:
    return EndpointConfig(url=f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens there


def conversation(domain: Domain, text: str, intent: str, channel: str = "rest") -> DialogueStateTracker:
    message = UserUttered(text, intent={"name": intent, "confidence": 1.0}, input_channel=channel)
    return DialogueStateTracker.from_events("rest:down", [message], slots=domain.slots)


async def run(action: RemoteAction, domain: Domain, conversation: DialogueStateTracker) -> list:
    return await action.run(CollectingOutputChannel(), None, conversation, domain)


async def test_an_unreachable_action_server_stops_a_turn_our_channel_handles(domain):
    action = RemoteAction("validate_application_form", nowhere())
    with action_server_down.handling_a_turn():
        with pytest.raises(action_server_down.ActionServerUnreachable) as stopped:
            await run(action, domain, conversation(domain, "Vejle", "inform"))
    assert stopped.value.action == "validate_application_form"
    assert not isinstance(stopped.value, Exception), "Rasa's processor would catch it and go on"


async def test_outside_our_channels_rasa_keeps_its_own_behaviour(domain):
    with pytest.raises(RasaException):
        await run(RemoteAction("validate_application_form", nowhere()), domain, conversation(domain, "Vejle", "inform"))


@pytest.mark.parametrize("channel, signalled", [("socketio", True), ("rest", False)])
async def test_glem_mig_is_carried_out_without_the_action_server(domain, channel, signalled):
    events = await run(
        RemoteAction(privacy.FORGET_ACTION, nowhere()), domain, conversation(domain, "glem mig", "forget_me", channel)
    )

    said = [e for e in events if isinstance(e, BotUttered)]
    assert said[0].text == messages.FORGOTTEN_REFERENCE_UNKNOWN
    assert [e.data.get("custom") for e in said[1:]] == ([privacy.FORGOTTEN_SIGNAL] if signalled else [])
    assert [type(e) for e in events if not isinstance(e, BotUttered)] == [ActiveLoop, AllSlotsReset]


async def test_glem_mig_in_the_form_rejects_the_forms_validation_so_the_rules_reach_the_forget_action(domain):
    with action_server_down.handling_a_turn():
        with pytest.raises(ActionExecutionRejection):
            await run(
                RemoteAction("validate_application_form", nowhere()),
                domain,
                conversation(domain, "glem mig", "forget_me"),
            )


async def test_the_fallback_returns_the_events_the_forget_action_returns(domain, store, monkeypatch):
    monkeypatch.setattr(actions.common, "_store", store)
    slots = {k: v for k, v in asdict(COMPLETE).items() if k in DOMAIN["slots"]}
    sdk_events = await ForgetMe().run(
        CollectingDispatcher(), tracker(slots, text="glem mig", intent="forget_me"), DOMAIN
    )
    ours = action_server_down.forget_without_action_server(conversation(domain, "glem mig", "forget_me"))

    def kinds(events: list[dict]) -> list[tuple]:
        return [(e["event"], e.get("name")) for e in events if e["event"] != "bot"]

    assert kinds([e.as_dict() for e in ours]) == kinds(sdk_events)


def test_only_a_connection_that_failed_counts_as_unreachable():
    def raised_while_handling(cause: BaseException) -> RasaException:
        try:
            try:
                raise cause
            except BaseException:
                raise RasaException("Failed to execute custom action")  # noqa: B904 - as Rasa raises it: the cause is its __context__
        except RasaException as error:
            return error

    refused = aiohttp.ClientConnectorError(None, OSError(111, "Connection refused"))  # type: ignore[arg-type]
    assert action_server_down.unreachable(raised_while_handling(refused))
    assert action_server_down.unreachable(raised_while_handling(aiohttp.ServerDisconnectedError()))
    assert not action_server_down.unreachable(raised_while_handling(ValueError("a bug in an action")))
    assert not action_server_down.unreachable(RasaException("no endpoint configured"))


def test_install_wraps_rasa_once():
    wrapped = RemoteAction.run
    action_server_down.install()
    assert RemoteAction.run is wrapped and wrapped.stops_turn_when_unreachable


async def test_the_guard_asks_the_user_to_send_the_message_again():
    async def rasa_without_action_server(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "sent before the failure")
        raise action_server_down.ActionServerUnreachable("validate_application_form")

    output = CollectingOutputChannel()
    await guard(rasa_without_action_server)(UserMessage("Vejle", output, "rest:down"))
    assert [m["text"] for m in output.messages][-1] == messages.ACTION_SERVER_DOWN
