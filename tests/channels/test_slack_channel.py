"""The Slack channel's pure rules (bot.channels.slack) and when it is on (bot.channels.credentials)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Optional

import pytest
import yaml
from rasa.core.channels.channel import UserMessage
from rasa.shared.exceptions import InvalidConfigException
from slack_sdk.errors import SlackApiError

from bot.channels.credentials import ChannelConfigError, check_channel_settings, slack_configured
from bot.channels.slack import (
    SLASH_COMMAND,
    SUBSCRIBED_EVENTS,
    Delivery,
    SlackBot,
    SlackInput,
    SlackOff,
    delivery_from_command,
    delivery_from_event,
    delivery_from_interaction,
    escape_mrkdwn,
    message_blocks,
    subscription,
    user_text,
)
from bot.channels.slack_deliveries import RecentDeliveries
from bot.domain import messages
from tests.conftest import ROOT

BOT = "UBOT1"


# -- when the Slack channel is on -------------------------------------------------------
def test_without_slack_token_slack_is_off_and_its_webhook_says_so(monkeypatch):
    for name in ("SLACK_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert not slack_configured({}) and not slack_configured({"SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL": "C1"})
    assert isinstance(SlackInput.from_credentials(None), SlackOff)


def test_slack_token_without_signing_secret_stops_the_start_with_a_clear_error(monkeypatch):
    with pytest.raises(ChannelConfigError, match="SLACK_SIGNING_SECRET"):
        check_channel_settings({"SLACK_TOKEN": "xoxb-1"})
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-1")
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    with pytest.raises(InvalidConfigException, match="SLACK_SIGNING_SECRET"):
        SlackInput.from_credentials(None)


def test_slack_settings_come_from_the_environment_and_credentials_yml_holds_none(monkeypatch):
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-secret-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret-value")
    monkeypatch.setenv("SLACK_CHANNEL", "C0TR")
    channel = SlackInput.from_credentials(
        yaml.safe_load((ROOT / "credentials.yml").read_text())["bot.channels.slack.SlackInput"]
    )
    assert isinstance(channel, SlackInput) and channel.slack_channel == "C0TR"
    assert channel.slack_signing_secret == "signing-secret-value"
    written = (ROOT / "credentials.yml").read_text()
    assert "xoxb-secret-token" not in written and "signing-secret-value" not in written


# -- text in and out ---------------------------------------------------------------------
def test_bot_text_escapes_slacks_control_characters():
    assert escape_mrkdwn("<script>& Co > 2") == "&lt;script&gt;&amp; Co &gt; 2"


@pytest.mark.parametrize(
    "raw, typed",
    [
        ("&lt;script&gt;&amp;", "<script>&"),
        ("&amp;lt;", "&lt;"),  # the user typed "&lt;" literally
        ("<mailto:mette.hansen@vejle.dk|mette.hansen@vejle.dk>", "mette.hansen@vejle.dk"),
        ("mail: <mailto:lars@vejle.dk>", "mail: lars@vejle.dk"),
        ("se <https://sparkweb.dk|sparkweb.dk> og <https://etf.dk>", "se sparkweb.dk og https://etf.dk"),
        (f"<@{BOT}> hej med dig", "hej med dig"),
        (f"hej <@{BOT}>", "hej"),
        ("spørg <@UOTHER>", "spørg @UOTHER"),
        ("i <#C0123|arbejdsmiljø>", "i #arbejdsmiljø"),
    ],
)
def test_user_text_is_what_the_user_typed(raw, typed):
    assert user_text(raw, [BOT]) == typed


def test_buttons_become_actions_blocks_of_at_most_25_with_unique_action_ids():
    buttons = [{"title": f"Valg {i}", "payload": f'/inform{{"n": {i}}}'} for i in range(30)]
    blocks = message_blocks("Vælg <én> & tryk", buttons)
    assert blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": "Vælg &lt;én&gt; &amp; tryk"}}
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5]
    elements = [e for b in actions for e in b["elements"]]
    assert [e["value"] for e in elements] == [b["payload"] for b in buttons]
    assert len({e["action_id"] for e in elements}) == 30


# -- which Slack events the bot answers ------------------------------------------------
def _envelope(event: dict, event_id: str = "Ev1") -> dict:
    return {
        "type": "event_callback",
        "event_id": event_id,
        "event": event,
        "authorizations": [{"user_id": BOT, "is_bot": True}],
    }


def test_a_direct_message_is_answered_where_it_was_written():
    delivery = delivery_from_event(
        _envelope({"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "text": "hej", "ts": "1.0"}),
        None,
    )
    assert delivery == Delivery("Ev1", "U1", "hej", "D1", None, (BOT,), direct=True)


def test_a_message_in_a_thread_is_answered_in_that_thread():
    delivery = delivery_from_event(
        _envelope(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "D1",
                "user": "U1",
                "text": "hej",
                "ts": "2.0",
                "thread_ts": "1.0",
            }
        ),
        None,
    )
    assert delivery is not None and delivery.thread_ts == "1.0"


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "text": "hej", "bot_id": "B1"},
        {"type": "message", "channel_type": "im", "channel": "D1", "user": BOT, "text": "hej"},
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D1",
            "subtype": "message_changed",
            "message": {"text": "hej"},
        },
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D1",
            "user": "U1",
            "subtype": "channel_join",
            "text": "joined",
        },
        {"type": "message", "channel_type": "channel", "channel": "C9", "user": "U1", "text": "hej"},
        # Slack sends a mention in a channel twice: as `message` and as `app_mention`; one is answered.
        {"type": "message", "channel_type": "channel", "channel": "C0TR", "user": "U1", "text": f"<@{BOT}> hej"},
        {"type": "app_mention", "channel": "D1", "user": "U1", "text": f"<@{BOT}> hej"},
        {"type": "reaction_added", "user": "U1", "item": {"channel": "D1"}},
        {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "text": f"<@{BOT}>"},
    ],
)
def test_what_the_bot_does_not_answer(event):
    assert delivery_from_event(_envelope(event), "C0TR") is None


def test_a_mention_in_a_channel_is_answered_without_the_mention():
    delivery = delivery_from_event(
        _envelope(
            {"type": "app_mention", "channel": "C9", "user": "U1", "text": f"<@{BOT}> hvad er SPARK?", "ts": "1.0"}
        ),
        "C0TR",
    )
    assert delivery is not None and (delivery.channel, delivery.text) == ("C9", "hvad er SPARK?")
    assert delivery.thread_ts == "1.0" and not delivery.direct  # a new thread under the mention


def test_every_message_in_slack_channel_is_answered():
    delivery = delivery_from_event(
        _envelope(
            {"type": "message", "channel_type": "channel", "channel": "C0TR", "user": "U1", "text": "hej", "ts": "1.0"}
        ),
        "C0TR",
    )
    assert delivery is not None and delivery.channel == "C0TR" and delivery.thread_ts == "1.0"


def test_a_button_click_is_its_value_in_the_clicked_messages_thread():
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "trigger_id": "t1",
        "channel": {"id": "D1"},
        "message": {"ts": "5.0", "thread_ts": "1.0"},
        "actions": [{"type": "button", "value": "/affirm", "action_ts": "6.0"}],
    }
    assert delivery_from_interaction(payload) == Delivery("action:t1", "U1", "/affirm", "D1", "1.0", direct=True)


def test_a_link_button_click_gives_the_bot_nothing():
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "trigger_id": "t1",
        "channel": {"id": "D1"},
        "actions": [{"type": "button", "url": "https://sparkweb.dk", "action_ts": "6.0"}],
    }
    assert delivery_from_interaction(payload) is None


def test_a_delivery_is_handled_once_and_forgotten_after_its_time():
    recent = RecentDeliveries(seconds=60, size=3)
    assert recent.seen_first_at("Ev1", now=0) is True
    assert recent.seen_first_at("Ev1", now=30) is False
    assert recent.seen_first_at("Ev1", now=61) is True  # long after Slack's last retry


def test_the_delivery_memory_is_bounded():
    recent = RecentDeliveries(seconds=3600, size=3)
    for i in range(5):
        assert recent.seen_first_at(f"Ev{i}", now=i)
    assert recent.seen_first_at("Ev4", now=6) is False
    assert recent.seen_first_at("Ev0", now=6) is True  # pushed out by newer ones


# -- threads in channels, ids, the slash command -----------------------------------------
def test_a_mention_in_a_thread_is_answered_in_that_thread_not_under_the_reply():
    delivery = delivery_from_event(
        _envelope(
            {
                "type": "app_mention",
                "channel": "C9",
                "user": "U1",
                "text": f"<@{BOT}> og så?",
                "ts": "2.0",
                "thread_ts": "1.0",
            }
        ),
        None,
    )
    assert delivery is not None and delivery.thread_ts == "1.0"  # Slack threads under the parent's ts


def test_a_message_in_a_channel_without_a_ts_is_not_answered_as_there_is_no_thread_for_it():
    assert (
        delivery_from_event(
            _envelope({"type": "app_mention", "channel": "C9", "user": "U1", "text": f"<@{BOT}> hej"}), None
        )
        is None
    )


def test_a_click_in_a_channel_is_answered_in_the_clicked_messages_thread():
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "trigger_id": "t1",
        "channel": {"id": "C9"},
        "container": {"message_ts": "5.0", "channel_id": "C9"},
        "message": {"ts": "5.0"},
        "actions": [{"type": "button", "value": "/affirm", "action_ts": "6.0"}],
    }
    delivery = delivery_from_interaction(payload)
    assert delivery is not None and delivery.thread_ts == "5.0" and not delivery.direct


def test_an_event_without_event_id_is_known_by_its_channel_and_ts():
    envelope = _envelope(
        {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "text": "hej", "ts": "7.5"}
    )
    del envelope["event_id"]
    assert delivery_from_event(envelope, None).delivery_id == "D1:7.5"


def test_deliveries_without_event_id_or_ts_have_no_id_and_are_never_taken_for_one_another():
    envelope = _envelope({"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "text": "hej"})
    del envelope["event_id"]
    assert delivery_from_event(envelope, None).delivery_id is None
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": "D1"},
        "actions": [{"type": "button", "value": "/affirm"}],
    }
    assert delivery_from_interaction(payload).delivery_id is None


def test_the_slash_command_is_answered_in_private_and_greets_without_text():
    form = {"command": [SLASH_COMMAND], "user_id": ["U1"], "channel_id": ["C9"], "text": [""], "trigger_id": ["t.1"]}
    assert delivery_from_command(form) == Delivery("command:t.1", "U1", "/greet", "C9", None, wants_private=True)
    form["text"] = ["hvad er SPARK?"]
    assert delivery_from_command(form).text == "hvad er SPARK?"
    assert delivery_from_command({**form, "command": ["/noget-andet"]}) is None


@pytest.mark.parametrize(
    "event, name",
    [
        ({"type": "message", "channel_type": "im"}, "message.im"),
        ({"type": "message", "channel": "D1"}, "message.im"),
        ({"type": "message", "channel_type": "channel"}, "message.channels"),
        ({"type": "message", "channel_type": "group"}, "message.groups"),
        ({"type": "app_mention"}, "app_mention"),
    ],
)
def test_each_answered_event_comes_through_a_subscription_of_ours(event, name):
    assert subscription(event) == name and name in SUBSCRIBED_EVENTS


def test_a_group_dm_message_is_not_answered_as_its_events_are_not_subscribed():
    event = {"type": "message", "channel_type": "mpim", "channel": "G1", "user": "U1", "text": "hej", "ts": "1.0"}
    assert subscription(event) == "message.mpim" and delivery_from_event(_envelope(event), "G1") is None


def test_other_conversation_granularities_are_refused():
    with pytest.raises(InvalidConfigException, match="one conversation per Slack user"):
        SlackInput("xoxb-1", slack_signing_secret="s", conversation_granularity="thread")


# -- the output: held until the turn is over ------------------------------------------------
async def test_every_message_is_held_whatever_channel_it_names():
    bot = SlackBot("xoxb-1", "C9", "1.0")
    await bot.send_text_message("slack:U1", "Hej <du> & co")
    await bot.send_custom_json("slack:U1", {"channel": "C0ANDEN", "text": "x", "thread_ts": "9.9"})
    assert bot.held == [{"text": "Hej &lt;du&gt; &amp; co"}, {"text": "x"}]
    assert "Hej <du> & co" in bot.held_content[0]


async def test_the_client_calls_only_the_methods_in_the_table():
    with pytest.raises(ValueError, match="WEB_API_METHODS"):
        await SlackBot("xoxb-1").call("chat.delete", channel="C1", ts="1.0")


async def test_after_glem_mig_the_held_confirmation_says_what_stays_in_slack():
    bot = SlackBot("xoxb-1", "D1")
    await bot.send_text_message("slack:U1", messages.forgotten(None))
    bot.say_what_slack_keeps()
    forgotten = messages.slack_forgotten([messages.forgotten(None)])
    assert [m["text"] for m in bot.held] == [escape_mrkdwn(t) for t in forgotten]


# -- one turn: where the held answer is posted (SlackInput._answer, with a fake store and Web API) ----
class RecordingBot(SlackBot):
    """The Slack output with its Web API calls recorded instead of sent."""

    def __init__(self, channel: str, thread_ts: Optional[str], open_fails: bool = False) -> None:
        super().__init__("xoxb-1", channel, thread_ts)
        self.calls: list[tuple[str, dict]] = []
        self.open_fails = open_fails

    async def call(self, method: str, **arguments):  # type: ignore[no-untyped-def]
        self.calls.append((method, arguments))
        if method == "conversations.open":
            if self.open_fails:
                raise SlackApiError("refused", {"ok": False, "error": "cannot_dm_bot"})
            return {"ok": True, "channel": {"id": "D" + arguments["users"][1:]}}
        return {"ok": True}


class FakeStore:
    """A tracker store holding one conversation's slots before and after the turn (None: none stored)."""

    def __init__(self, before: object, after: object) -> None:
        self.states = [before, after]

    async def retrieve(self, conversation: str):  # type: ignore[no-untyped-def]
        state = self.states.pop(0)
        if isinstance(state, Exception):
            raise state
        return None if state is None else SimpleNamespace(current_slot_values=lambda: state)


async def _turn(delivery: Delivery, store: FakeStore, said: list[str], open_fails: bool = False) -> RecordingBot:
    bot = RecordingBot(delivery.channel, delivery.thread_ts, open_fails)
    message = UserMessage(delivery.text, bot, "slack:" + delivery.user, input_channel="slack")

    async def rasa(message: UserMessage) -> None:
        for text in said:
            await message.output_channel.send_text_message(message.sender_id, text)
        message.output_channel.answered_by_rasa = True

    slack = SlackInput("xoxb-1", slack_signing_secret="s")
    await slack._answer(delivery, message, rasa, SimpleNamespace(tracker_store=store))
    return bot


MENTION = Delivery("Ev1", "U1", "hvad er SPARK?", "C9", "1.0")
PERSONAL = {"requested_slot": "leader_name", "workplace": "Solgården"}


async def test_a_public_answer_is_posted_in_the_thread_it_was_asked_in():
    bot = await _turn(MENTION, FakeStore({}, {}), ["SPARK er ..."])
    assert bot.calls == [("chat.postMessage", {"channel": "C9", "thread_ts": "1.0", "text": "SPARK er ..."})]


async def test_a_private_answer_goes_to_the_direct_message_with_one_line_in_the_thread():
    bot = await _turn(MENTION, FakeStore(PERSONAL, PERSONAL), ["Hvad hedder lederen?"])
    assert bot.calls == [
        ("conversations.open", {"users": "U1"}),
        ("chat.postMessage", {"channel": "C9", "thread_ts": "1.0", "text": messages.SLACK_CONTINUES_IN_PRIVATE}),
        ("chat.postMessage", {"channel": "D1", "text": "Hvad hedder lederen?"}),
    ]


async def test_when_the_conversation_cannot_be_read_the_answer_is_private():
    bot = await _turn(MENTION, FakeStore(RuntimeError("database down"), {}), ["SPARK er ..."])
    assert [c[1]["channel"] for c in bot.calls if c[0] == "chat.postMessage"] == ["C9", "D1"]
    assert bot.calls[1][1]["text"] == messages.SLACK_CONTINUES_IN_PRIVATE


async def test_when_slack_will_not_open_the_direct_message_nothing_private_is_posted_in_the_channel():
    bot = await _turn(MENTION, FakeStore(PERSONAL, PERSONAL), ["Summary: Mette Hansen ..."], open_fails=True)
    assert bot.calls[1:] == [
        (
            "chat.postMessage",
            {"channel": "C9", "thread_ts": "1.0", "text": escape_mrkdwn(messages.SLACK_NO_PRIVATE_MESSAGE)},
        )
    ]


async def test_after_glem_mig_the_answer_says_the_slack_messages_stay():
    direct = Delivery("Ev1", "U1", "glem mig", "D1", None, direct=True)
    bot = await _turn(direct, FakeStore(PERSONAL, None), [messages.forgotten(None)])
    [(method, arguments)] = bot.calls
    assert messages.SLACK_MESSAGES_STAY in arguments["text"] and arguments["channel"] == "D1"


async def test_a_refused_message_is_not_taken_for_glem_mig():
    # The guard answered (Rasa never saw the message) and nothing is stored: no note about Slack.
    bot = RecordingBot("D1", None)
    message = UserMessage("x" * 5000, bot, "slack:U1", input_channel="slack")

    async def guard_refuses(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "For lang.")

    await SlackInput("xoxb-1", slack_signing_secret="s")._answer(
        Delivery("Ev1", "U1", "x" * 5000, "D1", None, direct=True),
        message,
        guard_refuses,
        SimpleNamespace(tracker_store=FakeStore(None, None)),
    )
    assert [c[1]["text"] for c in bot.calls] == ["For lang."]
