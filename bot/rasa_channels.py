"""Our Rasa input channels: Rasa's own connectors, with every message passed through `bot.channels.guard`.

Imported by the Rasa server only (credentials name these classes by module path).
"""

from __future__ import annotations

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint

from bot.channels import OnNewMessage, guard


class RestInput(RasaRestInput):
    """Rasa's REST channel (`/webhooks/rest/webhook`) behind our message guard."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(guard(on_new_message))
