"""The privacy notice as a web page, served by the Rasa server at `bot.domain.messages.PRIVACY_PAGE` (/privatliv).

Rasa serves only what its input channels register, so the page is a tiny "channel"
(credentials key `bot.channels.privacy_page.PrivacyNoticePage` in credentials.yml)
that receives no messages. The text is `bot/data/privacy_notice.md`, rendered once at start-up
with every character of it HTML-escaped. Requests count against the client's page limit
(`bot.channels.rate_limit`).
"""

from __future__ import annotations

import html
import os
from typing import Any, Mapping

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import cors, rate_limit
from bot.channels.guard import OnNewMessage
from bot.domain import messages
from bot.records.conversations import retention_days

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1a1a1a}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:1.8rem}"
)


def render_html(markdown: str) -> str:
    """Our notice's small markdown (# and ## headings, - lists, paragraphs) as a complete HTML page."""
    body: list[str] = []
    title = "Dine oplysninger"
    for block in markdown.strip().split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            body.append("<ul>" + "".join(f"<li>{html.escape(line[2:])}</li>" for line in lines) + "</ul>")
        elif lines[0].startswith("## "):
            body.append(f"<h2>{html.escape(lines[0][3:])}</h2>")
        elif lines[0].startswith("# "):
            title = lines[0][2:]
            body.append(f"<h1>{html.escape(title)}</h1>")
        else:
            body.append(f"<p>{html.escape(' '.join(lines))}</p>")
    return (
        '<!doctype html>\n<html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


class NoticeBlueprint(Blueprint):
    """Adds the page route to the app itself, at a fixed path (not under /webhooks/)."""

    def __init__(self, page: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.page = page

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        super().register(app, options)
        page = self.ctx.page

        async def privacy_notice(request: Request) -> HTTPResponse:
            wait = rate_limit.limiter().page(rate_limit.client_address(request))
            if wait:
                return rate_limit.too_many_requests(wait, HEADERS)
            return response.html(page, headers=HEADERS)

        app.add_route(
            privacy_notice, messages.PRIVACY_PAGE, methods=["GET"], name="privacy_notice", strict_slashes=False
        )
        cors.restrict(app)  # also here: any one of our channels is enough (bot/channels/cors.py)


class PrivacyNoticePage(InputChannel):
    """Serves the privacy notice page; receives no messages."""

    @classmethod
    def name(cls) -> str:
        return "privatliv"

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return NoticeBlueprint(render_html(notice_markdown()), "privacy_notice_page", __name__)


def notice_markdown(env: Mapping[str, str] = os.environ) -> str:
    """The privacy notice with this installation's retention period and data controller (PRIVACY_CONTROLLER)."""
    return messages.privacy_notice(retention_days(env), (env.get("PRIVACY_CONTROLLER") or "").strip() or None)
