"""The channels' settings come from the environment; this checks them before the servers start.

credentials.yml lists every channel the bot offers (REST, web chat, Slack, the privacy page), with
no settings: each channel reads its own from the environment when Rasa creates it, so plain
`rasa run --credentials credentials.yml` and `make run` open the same channels. `check_channel_settings`
lets the launcher stop at once, with a clear message, where Rasa would fail later.
"""

from __future__ import annotations

from typing import Mapping

# Where the Rasa server serves the web chat page (bot/channels/webchat.py); `make run` prints it.
CHAT_PATH = "/chat/"

SLACK_HALF_CONFIGURED = (
    "SLACK_TOKEN er sat, men SLACK_SIGNING_SECRET mangler. Uden den kan Slack-kanalen ikke "
    "se, om en besked kommer fra Slack, så botten starter ikke. Find den i Slack-appen under "
    "Basic Information > App Credentials > Signing Secret (se README, afsnittet Slack)."
)


class ChannelConfigError(ValueError):
    """A channel is half configured (e.g. a Slack token without its signing secret)."""


def slack_configured(env: Mapping[str, str]) -> bool:
    """Whether Slack is on; raises ChannelConfigError for a token without its signing secret."""
    if not env.get("SLACK_TOKEN"):
        return False
    if not env.get("SLACK_SIGNING_SECRET"):
        raise ChannelConfigError(SLACK_HALF_CONFIGURED)
    return True


def check_channel_settings(env: Mapping[str, str]) -> None:
    """Stop before anything starts when a channel's settings cannot work (web chat origins and
    session secret, rate limits, Slack)."""
    from bot.channels.rate_limit import RateLimitSettings
    from bot.channels.webchat import SESSION_SECRET_MIN_CHARS, parse_origins

    slack_configured(env)
    parse_origins(env.get("WEBCHAT_ALLOWED_ORIGINS"))
    secret = (env.get("WEBCHAT_SESSION_SECRET") or "").strip()
    if secret and len(secret) < SESSION_SECRET_MIN_CHARS:
        raise ChannelConfigError(
            f"WEBCHAT_SESSION_SECRET er for kort: brug mindst {SESSION_SECRET_MIN_CHARS} "
            "tilfældige tegn (fx fra `openssl rand -hex 32`), eller lad den være tom."
        )
    try:
        RateLimitSettings.from_env(env)
    except ValueError as error:
        raise ChannelConfigError(f"En grænse for antal beskeder kan ikke læses: {error}") from None
