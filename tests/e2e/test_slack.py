"""The Slack channel on the real stack: signed Slack requests over loopback to the Rasa server, replies
captured by the fake Slack Web API (tests/fakes/slack.py), records found through the export command."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import jsonschema
import pytest
import redis

from bot.channels.guard import conversation_id
from bot.channels.slack import SLASH_COMMAND, WEB_API_METHODS, escape_mrkdwn
from bot.domain import messages
from bot.server.stack import Stack, free_port
from tests.conftest import ROOT, SCHEMA, RunningBot
from tests.fakes.slack import BOT_USER, SLACK_SIGNING_SECRET, TR_CHANNEL, FakeSlackApi, SlackCall, Workspace, sign

pytestmark = pytest.mark.e2e


@pytest.fixture
def slack(running_bot: RunningBot, slack_api: FakeSlackApi) -> Workspace:
    return Workspace(running_bot, slack_api)


def text_of(posts: list[SlackCall]) -> str:
    return "\n".join(p.args.get("text", "") for p in posts)


def with_buttons(posts: list[SlackCall]) -> SlackCall:
    return next(p for p in posts if any(b["type"] == "actions" for b in p.args.get("blocks") or []))


def button_titles(post: SlackCall) -> list[str]:
    return [e["text"]["text"] for b in post.args["blocks"] if b["type"] == "actions" for e in b["elements"]]


# -- requests that are not Slack's ------------------------------------------------------
def test_signed_url_verification_answers_the_challenge(slack):
    body = json.dumps(
        {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}
    ).encode()
    status, answer = slack.sender.post(body, "application/json")
    assert status == 200
    assert json.loads(answer) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    assert slack.sender.post(body, "application/json", signature="")[0] == 401


def test_unsigned_wrongly_signed_and_stale_requests_are_refused_and_change_nothing(slack):
    user, channel = slack.new_user()
    mark = slack.api.mark()
    envelope = slack.sender.event_envelope(slack.sender.message_event(user, channel, "Hej, jeg er TR i Vejle"))
    body = json.dumps(envelope).encode()
    now = int(time.time())
    stale = str(now - 5 * 60 - 30)
    refused = [
        slack.sender.post(body, "application/json", signature="", timestamp=""),  # unsigned
        slack.sender.post(body, "application/json", signature=""),  # no signature
        slack.sender.post(body, "application/json", sign_with="not-the-signing-secret"),  # wrong secret
        slack.sender.post(
            body,
            "application/json",
            timestamp=stale,  # stale, well signed
            signature=sign(SLACK_SIGNING_SECRET, stale, body),
        ),
        slack.sender.post(
            body.replace(b"Vejle", b"Odense"),
            "application/json",  # body changed after signing
            signature=sign(SLACK_SIGNING_SECRET, str(now), body),
            timestamp=str(now),
        ),
    ]
    assert [status for status, _ in refused] == [401] * 5
    # A refused button click too.
    click = (
        b"payload="
        + json.dumps(
            {
                "type": "block_actions",
                "user": {"id": user},
                "channel": {"id": channel},
                "actions": [{"type": "button", "value": "/start_application"}],
            }
        ).encode()
    )
    assert slack.sender.post(click, "application/x-www-form-urlencoded", sign_with="wrong")[0] == 401

    # The next signed message is the first thing the bot ever saw from this user.
    posts = slack.say(user, channel, "hej")
    assert [e["text"] for e in slack.user_events(user)] == ["hej"]
    assert slack.api.posts(mark) == posts


# -- direct messages, buttons, threads, channels ---------------------------------------------
def test_direct_message_gets_a_danish_reply_with_block_kit_buttons(slack):
    user, channel = slack.new_user()
    posts = slack.say(user, channel, "Hej")
    assert posts and all(p.args["channel"] == channel and "thread_ts" not in p.args for p in posts)
    offer = with_buttons(posts)
    assert button_titles(offer) == ["Søg om støtte", "Hvad er SPARK?", "Om dine oplysninger"]
    assert offer.args["blocks"][0]["type"] == "section" and offer.args["text"]
    assert "Jeg er Arbejdsmiljøguiden" in text_of(posts)  # Danish, du-form
    events = slack.user_events(user)
    assert events[-1]["input_channel"] == "slack" and events[-1]["metadata"]["out_channel"] == channel


def test_a_button_click_answers_like_the_buttons_payload(slack):
    user, channel = slack.new_user()
    offer = with_buttons(slack.say(user, channel, "Hej"))
    posts = slack.click(user, offer, "Søg om støtte")
    last = slack.user_events(user)[-1]
    assert last["text"] == "/start_application" and last["parse_data"]["intent"]["name"] == "start_application"
    assert button_titles(with_buttons(posts)) == ["Kommune", "Region", "Staten"]


def test_replies_to_a_message_in_a_thread_stay_in_that_thread(slack):
    user, channel = slack.new_user()
    thread = "1700000000.000100"
    posts = slack.say(user, channel, "Vi vil gerne søge om hjælp", thread_ts=thread)
    assert posts and all(p.args.get("thread_ts") == thread for p in posts)
    posts = slack.click(user, with_buttons(posts), "Kommune")
    assert posts and all(p.args.get("thread_ts") == thread for p in posts)
    assert slack.bot.tracker(user, "slack")["slots"]["sector"] == "kommunal"
    # Outside the thread, the answer is outside it too.
    posts = slack.say(user, channel, "Hvad er SPARK?")
    assert posts and all("thread_ts" not in p.args for p in posts)


def test_in_a_channel_the_bot_answers_mentions_and_every_message_in_slack_channel(slack):
    user, _ = slack.new_user()
    other_channel = "C0ANDENKANAL"
    mark = slack.api.mark()
    # A message in some channel without a mention is not for the bot ...
    slack.say(user, other_channel, "hej allesammen", channel_type="channel", wait=False)
    # ... a mention is (Slack sends it as `app_mention`, and also as `message` when the app reads the channel).
    mention = f"<@{BOT_USER}> hvad er SPARK?"
    slack.say(user, other_channel, mention, channel_type="channel", markup=True, wait=False)
    posts = slack.say(user, other_channel, mention, kind="app_mention", channel_type=None, markup=True)
    # ... and answered in a thread under the mention, never with a new post in the channel.
    assert posts and all(
        p.args["channel"] == other_channel and p.args["thread_ts"] == slack.last_event["ts"] for p in posts
    )
    assert [e["text"] for e in slack.user_events(user)] == ["hvad er SPARK?"]
    # In SLACK_CHANNEL every message is for the bot, and a mention there is answered once.
    slack.say(user, TR_CHANNEL, mention, channel_type="channel", markup=True, wait=False)
    slack.say(user, TR_CHANNEL, mention, kind="app_mention", channel_type=None, markup=True)
    posts = slack.say(user, TR_CHANNEL, "tak", channel_type="channel")
    assert posts and all(p.args["thread_ts"] == slack.last_event["ts"] for p in posts)
    assert [e["text"] for e in slack.user_events(user)] == ["hvad er SPARK?", "hvad er SPARK?", "tak"]
    assert {p.args["channel"] for p in slack.api.posts(mark)} == {other_channel, TR_CHANNEL}
    assert all(p.args.get("thread_ts") for p in slack.api.posts(mark))


# -- Slack's retries and formats ------------------------------------------------------------
def test_a_retried_event_is_answered_once(slack):
    user, channel = slack.new_user()
    mark = slack.api.mark()
    first = slack.say(user, channel, "Hej", event_id="EvRETRY" + user)
    envelope = slack.sender.event_envelope(slack.sender.message_event(user, channel, "Hej"), "EvRETRY" + user)
    for headers in (
        {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_error"},
        {},
    ):
        assert slack.sender.send_event(envelope, headers=headers)[0] == 200
    # The bot handles one user's messages in order, so once the next one is answered, any
    # duplicate before it would have been too.
    second = slack.say(user, channel, "Hvad er SPARK?")
    assert [e["text"] for e in slack.user_events(user)] == ["Hej", "Hvad er SPARK?"]
    assert slack.api.posts(mark) == first + second


def test_a_retry_whose_first_delivery_never_arrived_is_answered(slack):
    user, channel = slack.new_user()
    mark = slack.api.mark()
    envelope = slack.sender.event_envelope(slack.sender.message_event(user, channel, "Hej"))
    assert (
        slack.sender.send_event(envelope, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})[0]
        == 200
    )
    slack.api.wait_for_posts(mark, channel)
    slack.wait_handled(user, envelope["event_id"])
    assert [e["text"] for e in slack.user_events(user)] == ["Hej"]


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/json;charset=UTF-8"])
def test_an_event_sent_with_a_charset_is_answered(slack, content_type):
    # Rasa 3.6 compares the whole header with "application/json" and drops these without a word.
    user, channel = slack.new_user()
    mark = slack.api.mark()
    envelope = slack.sender.event_envelope(slack.sender.message_event(user, channel, "Hej"))
    assert slack.sender.send_event(envelope, content_type=content_type)[0] == 200
    assert "Arbejdsmiljøguiden" in text_of(slack.api.wait_for_posts(mark, channel))
    slack.wait_handled(user, envelope["event_id"])


def test_an_over_long_slack_message_is_refused_politely_and_not_processed(slack):
    user, channel = slack.new_user()
    mark = slack.api.mark()
    slack.say(user, channel, "vold " * 500, wait=False)  # 2500 characters; the limit is 2000
    posts = slack.api.wait_for_posts(mark, channel)
    assert "for lang (2499 tegn)" in text_of(posts)
    slack.say(user, channel, "hej")
    assert [e["text"] for e in slack.user_events(user)] == ["hej"]


# -- a whole application --------------------------------------------------------------------
def test_whole_municipal_application_over_slack_is_filed_once_and_exported(slack):
    user, channel = slack.new_user()

    def say(text: str, markup: bool = False) -> list[SlackCall]:
        return slack.say(user, channel, text, markup=markup)

    say("Hej")
    posts = say("Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne")
    question = with_buttons(posts)
    assert "én arbejdsplads" in question.args["text"]
    slack.click(user, question, "Én arbejdsplads")
    assert slack.bot.tracker(user, "slack")["slots"]["application_type"] == "enkelt"

    for text in ["det er vores TRIO", "ja det passer", "ja, vi er enige", "ja det er vi klar til"]:
        say(text)
    say("<script>&")  # the workplace; Slack sends it as "&lt;script&gt;&amp;"
    say("Mette Hansen")
    # Slack turns a typed e-mail address into a mailto link.
    say("<mailto:mette.hansen@vejle.dk|mette.hansen@vejle.dk>", markup=True)
    say("tlf 20 30 40 50")
    say("Lars Nielsen")
    say("han er tillidsrepræsentant")
    say("<mailto:lars.nielsen@vejle.dk|lars.nielsen@vejle.dk>", markup=True)
    summary = text_of(say("+45 22 33 44 55"))
    assert "&lt;script&gt;&amp;" in summary and "<script>" not in summary
    assert "mette.hansen@vejle.dk" in summary and "+45 20304050" in summary

    filed = text_of(say("ja, send den"))
    assert "SPARK-" in filed and "sender den ikke videre" in filed
    # The answers to paste into SPARK's form, as a code block (escaped, lines kept).
    assert "```\n" in filed and "Leder: Mette Hansen, mette.hansen@vejle.dk, +45 20304050" in filed
    assert "Arbejdsplads: &lt;script&gt;&amp;" in filed
    assert "allerede registreret" in text_of(say("ja"))

    records = slack.bot.records_of(user, "slack")
    assert len(records) == 1
    record = records[0]
    jsonschema.validate(record, SCHEMA)
    assert record["channel"] == "slack" and record["offer"] == "spark"
    assert record["workplace"] == "<script>&"
    assert record["application_type"] == "enkelt" and record["theme"] == "vold_og_trusler"
    assert record["contacts"]["leader"]["email"] == "mette.hansen@vejle.dk"
    assert record["contacts"]["employee_representative"]["email"] == "lars.nielsen@vejle.dk"
    assert record["reference"] in filed
    # Every post the bot made in this conversation was accepted by Slack's rules.
    assert not [c for c in slack.api.calls if c.error and c.args.get("channel") == channel]


# -- a channel of union representatives: threads, and personal data only in private ------------
FORUM = "C0TRFORUM1"  # a channel where the bot only answers mentions


def test_a_mention_in_a_channel_is_answered_in_a_thread_and_so_is_a_mention_in_that_thread(slack):
    user, _ = slack.new_user()
    posts = slack.mention(user, FORUM, "hvad er SPARK?")
    thread = slack.last_event["ts"]
    assert posts and all(p.args["channel"] == FORUM and p.args["thread_ts"] == thread for p in posts)
    assert "SPARK" in text_of(posts)
    posts = slack.mention(user, FORUM, "hvilke temaer er der?", thread_ts=thread)
    assert posts and all(p.args["channel"] == FORUM and p.args["thread_ts"] == thread for p in posts)


def _up_to_the_personal_part(slack, user: str, channel: str, say) -> str:  # type: ignore[no-untyped-def]
    """A municipal application from a channel, answered up to the question for the workplace; the thread."""
    posts = say("Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne")
    thread = slack.last_event["ts"]
    assert all(p.args["channel"] == channel and p.args["thread_ts"] == thread for p in posts)
    posts = slack.click(user, with_buttons(posts), "Én arbejdsplads")
    assert all(p.args["channel"] == channel and p.args["thread_ts"] == thread for p in posts)
    for text in ["det er vores TRIO", "ja det passer", "ja, vi er enige"]:
        posts = say(text, thread_ts=thread)
        assert all(p.args["channel"] == channel and p.args["thread_ts"] == thread for p in posts)
    return thread


def test_an_application_begun_in_a_channel_goes_on_in_a_direct_message_and_is_filed_once(slack):
    user, direct = slack.new_user()
    thread = _up_to_the_personal_part(slack, user, FORUM, lambda text, **kw: slack.mention(user, FORUM, text, **kw))
    mark = slack.api.mark()
    posts = slack.mention(user, FORUM, "ja det er vi klar til", thread_ts=thread)
    # One line in the thread, and the question for the workplace in the direct message Slack opened.
    in_thread = [p for p in posts if p.args["channel"] == FORUM]
    assert [p.args["text"] for p in in_thread] == [messages.SLACK_CONTINUES_IN_PRIVATE]
    assert in_thread[0].args["thread_ts"] == thread
    assert [c.args for c in slack.api.calls[mark:] if c.method == "conversations.open"] == [{"users": user}]
    private = [p for p in posts if p.args["channel"] == direct]
    assert private and all("thread_ts" not in p.args for p in private)
    assert "arbejdsplads" in text_of(private).lower()

    # In the direct message the conversation knows everything said in the channel: nothing is asked twice.
    mark = slack.api.mark()
    for text in [
        "Solgården",
        "Mette Hansen",
        "mette.hansen@vejle.dk",
        "20 30 40 50",
        "Lars Nielsen",
        "han er tillidsrepræsentant",
        "lars.nielsen@vejle.dk",
        "spring over",
    ]:
        slack.say(user, direct, text)
    summary = text_of(slack.api.posts(mark, direct))
    assert "Vejle" in summary and "Solgården" in summary and "mette.hansen@vejle.dk" in summary
    filed = text_of(slack.say(user, direct, "ja, send den"))
    assert "SPARK-" in filed
    asked = text_of(slack.api.posts(mark, direct))
    for question in ("Hvilken kommune arbejder du i?", "en kommune, en region eller staten", "Hvad er din rolle"):
        assert question not in asked
    assert slack.api.posts(mark, FORUM) == []

    records = slack.bot.records_of(user, "slack")
    assert len(records) == 1
    record = records[0]
    jsonschema.validate(record, SCHEMA)
    assert record["municipality"]["name"] == "Vejle" and record["theme"] == "vold_og_trusler"
    assert record["contacts"]["leader"]["email"] == "mette.hansen@vejle.dk" and record["reference"] in filed
    assert slack.bot.tracker(user, "slack")["sender_id"] == conversation_id("slack", user)


CONTACTS = {
    "leader_name": "Mette Hansen",
    "leader_email": "mette.hansen@vejle.dk",
    "leader_phone": "20 30 40 50",
    "rep_name": "Lars Nielsen",
    "rep_email": "lars.nielsen@vejle.dk",
    "rep_phone": "+45 22 33 44 55",
}


def _forms_of(value: str) -> set[str]:
    """A contact value as the user typed it and as the bot could write it (+45 XXXXXXXX, escaped, lower case)."""
    forms = {value, value.lower(), escape_mrkdwn(value)}
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 8:
        forms |= {digits[-8:], f"+45 {digits[-8:]}"}
    return forms


def test_nothing_with_a_name_email_or_phone_is_ever_posted_in_the_channel_or_its_thread(slack):
    # In SLACK_CHANNEL, and the user answers every question in the channel's thread, also the personal ones.
    user, direct = slack.new_user()
    mark = slack.api.mark()

    def say(text: str, **event):  # type: ignore[no-untyped-def]
        return slack.say(user, TR_CHANNEL, text, channel_type="channel", **event)

    thread = _up_to_the_personal_part(slack, user, TR_CHANNEL, say)
    say("ja det er vi klar til", thread_ts=thread)
    say("Plejecenter Solgården", thread_ts=thread)
    for slot, value in CONTACTS.items():
        posts = say(value, thread_ts=thread)
        if slot == "rep_name":
            say("han er tillidsrepræsentant", thread_ts=thread)
        if "@" in value or re.search(r"\d", value):
            # The user's own message with contact details: answered in private, with a hint in the thread.
            assert [p.args["text"] for p in posts if p.args["channel"] == TR_CHANNEL] == [
                messages.SLACK_CONTACT_DETAILS_IN_CHANNEL
            ]
    summary = text_of(slack.api.posts(mark, direct))
    assert "mette.hansen@vejle.dk" in summary and "+45 22334455" in summary  # all asked and answered ...
    filed = text_of(say("ja, send den", thread_ts=thread))
    assert len(slack.bot.records_of(user, "slack")) == 1  # ... and filed once

    in_channel = slack.api.posts(mark, TR_CHANNEL)
    assert in_channel and all(p.args["thread_ts"] == thread for p in in_channel)
    shown = "\n".join(json.dumps(p.args, ensure_ascii=False) for p in in_channel)
    for value in [*CONTACTS.values(), "Solgården", slack.bot.records_of(user, "slack")[0]["reference"]]:
        for form in _forms_of(value):
            assert form not in shown, f"{form!r} was posted in the channel"
    assert "SPARK-" in filed  # the reference went to the direct message


def test_the_slash_command_answers_in_the_direct_message_only(slack):
    user, direct = slack.new_user()
    mark = slack.api.mark()
    body = urllib.parse.urlencode(
        {
            "command": SLASH_COMMAND,
            "text": "",
            "user_id": user,
            "channel_id": FORUM,
            "trigger_id": "cmd." + user,
            "team_id": "T0TEST001",
        }
    ).encode()
    status, answer = slack.sender.post(body, "application/x-www-form-urlencoded")
    assert status == 200
    assert json.loads(answer) == {"response_type": "ephemeral", "text": messages.SLACK_COMMAND_ANSWERED}
    posts = slack.api.wait_for_posts(mark, direct)
    assert "Arbejdsmiljøguiden" in text_of(posts)
    assert slack.api.posts(mark, FORUM) == []


# -- "glem mig", ids, and what the app may call -----------------------------------------------
def test_glem_mig_in_slack_says_honestly_that_the_messages_stay_in_slack(slack):
    user, direct = slack.new_user()
    slack.say(user, direct, "Jeg er TR på et plejecenter i Vejle")
    mark = slack.api.mark()
    slack.say(user, direct, "glem mig", wait=False)
    answer = text_of(slack.api.wait_for_posts(mark, direct))
    assert messages.SLACK_MEMORY_DELETED in answer and messages.SLACK_MESSAGES_STAY in answer
    assert messages.FORGOTTEN_NOTHING_KEPT not in answer


def test_two_events_without_event_id_or_ts_are_both_answered(slack):
    user, direct = slack.new_user()
    mark = slack.api.mark()
    for text in ("Hej", "Hvad er SPARK?"):
        envelope = slack.sender.event_envelope(slack.sender.message_event(user, direct, text))
        del envelope["event_id"], envelope["event"]["ts"], envelope["event"]["event_ts"]
        assert slack.sender.send_event(envelope)[0] == 200
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(slack.user_events(user)) < 2:
        time.sleep(0.2)
    assert [e["text"] for e in slack.user_events(user)] == ["Hej", "Hvad er SPARK?"]
    assert "SPARK" in text_of(slack.api.wait_for_posts(mark, direct, count=2))


def test_the_web_api_methods_called_are_exactly_the_codes_table_and_the_manifest_grants_them(slack):
    # A message with contact details in a channel: the answer goes to a direct message Slack opens.
    user, direct = slack.new_user()
    posts = slack.mention(user, FORUM, "kan I ringe til mig på 20 30 40 50?")
    assert {p.args["channel"] for p in posts} == {FORUM, direct}
    assert {c.method for c in slack.api.calls} == set(WEB_API_METHODS)
    assert not [c for c in slack.api.calls if c.error in ("missing_scope", "unknown_method", "invalid_auth")]
    assert {WEB_API_METHODS[c.method] for c in slack.api.calls} <= slack.api.scopes


# -- Slack's retries after a restart -----------------------------------------------------------
def test_an_event_retried_after_a_rasa_restart_is_answered_once(tmp_path_factory, slack_env, slack_api):
    stack = Stack(
        run_dir=tmp_path_factory.mktemp("restarted"),
        rasa_port=free_port(),
        action_port=free_port(),
        api_token="test-token-" + os.urandom(6).hex(),
        env=slack_env,
    )
    stack.start()
    try:
        before = Workspace(RunningBot(stack), slack_api)
        user, direct = before.new_user()
        mark = slack_api.mark()
        greeting = before.say(user, direct, "Hej", event_id="EvRESTART" + user)
        envelope = dict(before.sender.event_envelope(before.last_event, "EvRESTART" + user))
        stack.stop()
        stack.rasa_port, stack.action_port = free_port(), free_port()
        stack.start()
        after = Workspace(RunningBot(stack), slack_api)
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        assert after.sender.send_event(envelope, headers=retry)[0] == 200
        later = after.say(user, direct, "Hvad er SPARK?")
        assert [e["text"] for e in after.user_events(user)] == ["Hej", "Hvad er SPARK?"]
        assert slack_api.posts(mark, direct) == greeting + later
    finally:
        stack.stop()


# -- several Rasa instances ------------------------------------------------------------------
@dataclass
class SharedStateStack(Stack):
    """One of several Rasa instances behind a load balancer: conversations in one shared tracker
    database, locks in Redis (Rasa requires a Redis lock store for more than one process)."""

    shared_dir: Path = Path(".")
    redis_port: int = 0

    @property
    def tracker_db(self) -> Path:
        return self.shared_dir / "tracker.db"

    def write_endpoints(self) -> Path:
        path = super().write_endpoints()
        with path.open("a", encoding="utf-8") as endpoints:
            endpoints.write(f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {self.redis_port}\n  db: 1\n")
        return path


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if shutil.which("redis-server") is None:  # a fresh machine: the scale-out tests install it later
        installed = subprocess.run(
            ["bash", str(ROOT / "scripts" / "services.sh"), "install"], capture_output=True, text=True, timeout=1200
        )
        if installed.returncode != 0:
            pytest.fail(f"scripts/services.sh install failed:\n{installed.stderr[-3000:]}")
    server = shutil.which("redis-server")
    assert server is not None, "scripts/services.sh install left no redis-server on PATH"
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def two_instances(
    tmp_path_factory: pytest.TempPathFactory, redis_port: int, slack_env: dict[str, str]
) -> Iterator[tuple[RunningBot, RunningBot]]:
    shared = tmp_path_factory.mktemp("shared")
    token = "test-token-" + os.urandom(6).hex()
    stacks = [
        SharedStateStack(
            run_dir=tmp_path_factory.mktemp(f"instance{i}"),
            rasa_port=free_port(),
            action_port=free_port(),
            api_token=token,
            shared_dir=shared,
            redis_port=redis_port,
            env={**slack_env, "APPLICATIONS_DB": str(shared / "applications.db")},
        )
        for i in range(2)
    ]
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda stack: stack.start(), stacks))
        yield RunningBot(stacks[0]), RunningBot(stacks[1])
    finally:
        for stack in stacks:
            stack.stop()


def test_a_retry_reaching_another_rasa_instance_is_not_answered_again(two_instances, slack_api, redis_port):
    first_instance, other_instance = Workspace(two_instances[0], slack_api), Workspace(two_instances[1], slack_api)
    user, channel = first_instance.new_user()
    mark = slack_api.mark()
    envelope = first_instance.sender.event_envelope(first_instance.sender.message_event(user, channel, "Hej"))
    assert first_instance.sender.send_event(envelope)[0] == 200
    # Slack's retry goes to the other instance while the first one is still answering.
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert other_instance.sender.send_event(envelope, headers=retry)[0] == 200
    greeting = slack_api.wait_for_posts(mark, channel)
    first_instance.wait_handled(user, envelope["event_id"])

    later = other_instance.say(user, channel, "Hvad er SPARK?")
    assert [e["text"] for e in other_instance.user_events(user)] == ["Hej", "Hvad er SPARK?"]
    posts = slack_api.posts(mark, channel)
    assert posts[len(posts) - len(later) :] == later
    assert [p.args["text"] for p in posts].count(greeting[0].args["text"]) == 1
    assert redis.Redis(port=redis_port, db=1).exists("slack_delivery:" + envelope["event_id"])  # the lock store's db


# -- more than one application from one person ---------------------------------------------------
SECOND_WORKPLACE_SCRIPT = [
    "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne",
    "kun vores egen arbejdsplads",
    "det er vores TRIO",
    "ja det passer",
    "ja, vi er enige",
    "ja det er vi klar til",
]
SECOND_WORKPLACE_CONTACTS = [
    "Mette Hansen",
    "mette.hansen@vejle.dk",
    "spring over",
    "Lars Nielsen",
    "TR",
    "lars.nielsen@vejle.dk",
    "spring over",
]


def test_a_tr_who_helps_two_workplaces_files_two_applications_from_one_dm_and_a_repeat_files_nothing(slack):
    user, channel = slack.new_user()
    for text in [*SECOND_WORKPLACE_SCRIPT, "Plejecenter Solgården", *SECOND_WORKPLACE_CONTACTS]:
        slack.say(user, channel, text)
    first = slack.say(user, channel, "ja")
    assert "SPARK-" in text_of(first)
    assert "allerede registreret" in text_of(slack.say(user, channel, "ja"))
    slack.click(user, with_buttons(first), "Ny ansøgning")  # the button offered after filing
    # The form has started: the problem is its own answer now.
    second_application = [*SECOND_WORKPLACE_SCRIPT[:3], "vi har meget vold fra borgerne", *SECOND_WORKPLACE_SCRIPT[3:]]
    for text in [*second_application, "Plejecenter Skovbrynet", *SECOND_WORKPLACE_CONTACTS]:
        slack.say(user, channel, text)
    second = slack.say(user, channel, "ja")
    assert "SPARK-" in text_of(second)
    records = slack.bot.records_of(user, "slack")
    assert [r["workplace"] for r in records] == ["Plejecenter Solgården", "Plejecenter Skovbrynet"]
    assert len({r["reference"] for r in records}) == 2 and len({r["application_id"] for r in records}) == 2
    status = text_of(slack.say(user, channel, f"status på {records[0]['reference']}"))
    assert f"referencen {records[0]['reference']} er registreret" in status
