"""What every channel checks before Rasa sees a message: sender ids, text, JSON bodies, conversation ids."""

from __future__ import annotations

import asyncio
import json

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.guard import (
    JSON_DEPTH_MAX,
    SENDER_MAX,
    clean_message_text,
    conversation_id,
    guard,
    rest_message,
    sender_problem,
)
from bot.domain.messages import EMPTY_MESSAGE as EMPTY_REPLY


@pytest.mark.parametrize(
    "sender", ["x\udc00", "a\x00b", "tab\there", "line\nbreak", "\u2028", "", "x" * (SENDER_MAX + 1)]
)
def test_a_sender_id_with_control_characters_surrogates_or_no_length_is_refused(sender):
    assert sender_problem(sender) is not None


@pytest.mark.parametrize("sender", [None, 42, ["a"], {"a": 1}])
def test_a_missing_or_non_string_sender_is_refused(sender):
    assert sender_problem(sender) is not None


@pytest.mark.parametrize("sender", ["e2e-1", "U012ABCDEF", "mette@kommune.dk", "Æblegården 7", "x" * SENDER_MAX])
def test_ordinary_sender_ids_are_accepted(sender):
    assert sender_problem(sender) is None


def test_conversation_ids_name_their_channel_so_channels_never_meet():
    assert conversation_id("rest", "U012ABCDEF") != conversation_id("slack", "U012ABCDEF")
    assert conversation_id("rest", "slack:U012ABCDEF") != conversation_id("slack", "U012ABCDEF")
    assert len(conversation_id("socketio", "x" * SENDER_MAX)) <= 255  # Rasa's column


def test_message_text_loses_lone_surrogates_and_control_characters_but_keeps_what_people_type():
    assert clean_message_text("hej\udc00 med\x00 dig\x1b") == "hej\ufffd med dig"
    assert clean_message_text("linje 1\nlinje 2\tfane") == "linje 1\nlinje 2\tfane"
    assert clean_message_text("👩‍👩‍👧 Æblegården 😀") == "👩‍👩‍👧 Æblegården 😀"
    # A surrogate pair that arrived as two code units is the character it encodes.
    assert clean_message_text("\ud83d\ude00") == "😀"


def _body(**payload) -> bytes:
    return json.dumps(payload).encode()


def test_rest_body_gives_sender_and_text_only():
    message, problem = rest_message(
        _body(sender="s1", message="Hej", input_channel="slack", metadata={"big": "x" * 10_000})
    )
    assert problem is None and (message.sender, message.text) == ("s1", "Hej")
    assert not hasattr(message, "metadata") and not hasattr(message, "input_channel")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        _body(message="Hej"),
        _body(sender="s", message=None),
        _body(sender="x\udc00", message="Hej"),
        _body(sender="a\u0000", message="Hej"),
        b"[" * 100_000 + b"]" * 100_000,  # Python's parser: RecursionError
        _body(sender="s", message="Hej", metadata=json.loads("[" * (JSON_DEPTH_MAX + 1) + "]" * (JSON_DEPTH_MAX + 1))),
    ],
)
def test_rest_bodies_that_are_no_message_get_a_reason(body):
    message, problem = rest_message(body)
    assert message is None and problem


def _run(handler, text: str) -> tuple[list[str], list[UserMessage]]:
    seen: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append(message)
        await message.output_channel.send_text_message(message.sender_id, "svar")

    collector = CollectingOutputChannel()
    asyncio.run(guard(on_new_message)(UserMessage(text, collector, "rest:s1", input_channel="rest")))
    return [m["text"] for m in collector.messages], seen


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x00", "\u0007"])
def test_an_empty_message_gets_a_polite_answer_and_is_not_processed(text):
    replies, seen = _run(guard, text)
    assert replies == [EMPTY_REPLY] and seen == []


def test_a_message_with_a_lone_surrogate_reaches_rasa_cleaned():
    replies, seen = _run(guard, "Hej\udc00 jeg er TR")
    assert replies == ["svar"] and seen[0].text == "Hej\ufffd jeg er TR"
