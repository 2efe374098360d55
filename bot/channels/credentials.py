"""Which input channels the Rasa server opens, written from the environment.

Rasa stops the start when credentials.yml names an unset ${VAR}, so the stack writes a
runtime credentials file from `runtime_credentials()` instead: a channel whose secrets
are missing is simply left out. credentials.yml in the repo documents the same channels.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

# Where the Rasa server serves the web chat page (bot/channels/webchat.py); `make run` prints it.
CHAT_PATH = "/chat/"


class ChannelConfigError(ValueError):
    """A channel is half configured (e.g. a Slack token without its signing secret)."""


def runtime_credentials(env: Mapping[str, str]) -> dict[str, Optional[dict[str, Any]]]:
    credentials: dict[str, Optional[dict[str, Any]]] = {"bot.channels.rest.RestInput": None}
    # -- Web chat (bot/channels/webchat.py): always on. The page at CHAT_PATH talks to it; its socket
    # accepts only WEBCHAT_ALLOWED_ORIGINS (comma-separated), else the page's own loopback origins.
    credentials["bot.channels.webchat.WebChatInput"] = {
        "session_persistence": True,
        "allowed_origins": env.get("WEBCHAT_ALLOWED_ORIGINS") or None,
    }
    # -- Slack (bot/channels/slack.py): on only when SLACK_TOKEN is set. The token and the signing
    # secret stay in the environment, which the Rasa server inherits: the credentials file
    # written from this dict holds no secret.
    if env.get("SLACK_TOKEN"):
        if not env.get("SLACK_SIGNING_SECRET"):
            raise ChannelConfigError(
                "SLACK_TOKEN er sat, men SLACK_SIGNING_SECRET mangler. Uden den kan Slack-kanalen ikke "
                "se, om en besked kommer fra Slack, så botten starter ikke. Find den i Slack-appen under "
                "Basic Information > App Credentials > Signing Secret (se README, afsnittet Slack).")
        credentials["bot.channels.slack.SlackInput"] = {"slack_channel": env.get("SLACK_CHANNEL") or None}
    # -- Privacy notice (bot/channels/privacy_page.py): always on. The page at /privatliv that the
    # greeting links to; it receives no messages.
    credentials["bot.channels.privacy_page.PrivacyNoticePage"] = None
    return credentials
