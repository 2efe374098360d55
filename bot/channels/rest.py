"""Our REST channel: Rasa's `/webhooks/rest/webhook`, strict about what it accepts.

Imported by the Rasa server only (credentials name this class by module path).
Compared with Rasa 3.6's RestInput, which this replaces:
- a body that is no message (not JSON, too deep, no string `message`, no `sender`, a sender id
  with control characters or lone surrogates) gets 400 with the reason, never a server error
  and never a tracker-store error that Rasa turns into the end of the process;
- the conversation is `rest:<sender>` (`bot.channels.guard.conversation_id`): a REST client can never
  address a web chat or Slack conversation, and without `sender` there is no conversation;
- the input channel is always `rest` (Rasa takes the client's `input_channel`, which then went
  into the filed record), and the client's `metadata` is neither used nor stored;
- every message passes `bot.channels.guard.guard`, like on every other channel of ours;
- a client or a conversation over its rate limit gets 429 (`bot.channels.rate_limit`).
The reply is Rasa's: a JSON list of the bot's messages, `recipient_id` being the client's sender.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import rate_limit
from bot.channels.guard import OnNewMessage, conversation_id, guard, rest_message


class RestInput(InputChannel):
    """The REST channel (`/webhooks/rest/webhook`) for integrations and tests."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handle = guard(on_new_message)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            limits, client = rate_limit.limiter(), rate_limit.client_address(request)
            wait = limits.client_message(client)  # before the body is even parsed
            if wait:
                return rate_limit.too_many_messages(wait)
            message, problem = rest_message(request.body or b"")
            if message is None:
                return response.json({"error": problem}, status=400)
            conversation = conversation_id(self.name(), message.sender)
            wait = limits.conversation_message(conversation)
            if wait:
                return rate_limit.too_many_messages(wait)
            collector = CollectingOutputChannel()
            await handle(UserMessage(message.text, collector, conversation, input_channel=self.name()))
            return response.json([_for_client(reply, message.sender) for reply in collector.messages])

        return webhook


def _for_client(reply: dict[str, Any], sender: str) -> dict[str, Any]:
    return {**reply, "recipient_id": sender}
