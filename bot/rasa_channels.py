"""Our Rasa input channels: Rasa's own connectors, with every message passed through `bot.channels.guard`.

Imported by the Rasa server only (credentials name these classes by module path).
"""

from __future__ import annotations

from typing import Optional

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import OnNewMessage, guard, rest_body_problem


class RestInput(RasaRestInput):
    """Rasa's REST channel (`/webhooks/rest/webhook`) behind our message guard."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(guard(on_new_message))

        @blueprint.middleware("request")
        async def refuse_malformed_body(request: Request) -> Optional[HTTPResponse]:
            # A body Rasa's handler cannot take would end in a server error: 400 instead.
            if request.method == "POST":
                problem = rest_body_problem(request.body)
                if problem:
                    return response.json({"error": problem}, status=400)
            return None

        return blueprint
