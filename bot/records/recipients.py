"""How this installation reaches each recipient (SPARK, each provider, the central unit, the interest list).

The recipients themselves are data (bot/data/catalogue.yml, `recipients:`); how to reach one is
configured per installation in the environment, by the recipient's code in upper case:

    RECIPIENT_SPARK_EMAIL=ansoegning@example.dk          # an intake e-mail address (sent via SMTP_*)
    RECIPIENT_SPARK_WEBHOOK_URL=https://intake.example.dk/spark
    RECIPIENT_SPARK_WEBHOOK_SECRET=...                    # HMAC key, at least 16 characters

Either, both or neither. With neither, nothing is sent to that recipient: the bot says so and
gives the workplace the real route (the catalogue's `route`) and a text to copy. The plan is
decided when a record is filed and stored with it (bot/records/store.py), so what the user was
told then is what the delivery worker does.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Mapping, Optional
from urllib.parse import urlsplit

from bot.domain import catalogue as catalogue_module
from bot.domain.record import DeliveryPlan

TRUE_WORDS = {"1", "true", "yes", "ja", "on"}
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SETTING = re.compile(r"^RECIPIENT_([A-Z0-9_]+)_(EMAIL|WEBHOOK_URL|WEBHOOK_SECRET)$")


class DeliveryConfigError(ValueError):
    """The delivery settings in the environment cannot work."""


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    secret: bytes = field(repr=False)
    timeout: float = 10.0


@dataclass(frozen=True)
class RecipientRoute:
    """How this installation reaches one recipient: an intake address and/or a webhook."""

    code: str
    email: Optional[str] = None
    webhook: Optional[WebhookTarget] = None


def env_prefix(code: str) -> str:
    """'central_arbejdsmiljoenhed' -> 'RECIPIENT_CENTRAL_ARBEJDSMILJOENHED_'."""
    return f"RECIPIENT_{code.upper()}_"


@dataclass(frozen=True)
class Routes:
    """Every recipient's route in this installation (recipients without one are left out)."""

    routes: Mapping[str, RecipientRoute]
    smtp_configured: bool = False

    def route(self, code: str) -> Optional[RecipientRoute]:
        return self.routes.get(code)

    def plan(self, code: str) -> DeliveryPlan:
        """How a filing for this recipient will be delivered, as the user is told at filing."""
        route = self.routes.get(code)
        return DeliveryPlan(
            recipient=code, by_email=bool(route and route.email), by_webhook=bool(route and route.webhook)
        )

    @property
    def any_email(self) -> bool:
        return any(route.email for route in self.routes.values())

    @property
    def any_webhook(self) -> bool:
        return any(route.webhook for route in self.routes.values())

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Routes":
        catalogue = catalogue_module.load()
        known = {recipient.code for recipient in catalogue.recipients}
        for name in env:
            match = _SETTING.match(name)
            if match and match.group(1).lower() not in known and (env.get(name) or "").strip():
                raise DeliveryConfigError(
                    f"{name} names no recipient; the recipients are: "
                    + ", ".join(env_prefix(code) + "…" for code in sorted(known))
                )
        timeout = number_setting(env, "INTAKE_WEBHOOK_TIMEOUT", 10.0)
        allow_http = (env.get("INTAKE_WEBHOOK_ALLOW_HTTP") or "").strip().lower() in TRUE_WORDS
        routes = {}
        for code in sorted(known):
            prefix = env_prefix(code)
            email = (env.get(prefix + "EMAIL") or "").strip() or None
            if email and not _ADDRESS.match(email):
                raise DeliveryConfigError(f"{prefix}EMAIL is not an e-mail address")
            webhook = _webhook(env, prefix, timeout, allow_http)
            if email or webhook:
                routes[code] = RecipientRoute(code, email, webhook)
        smtp = bool((env.get("SMTP_HOST") or "").strip())
        if any(route.email for route in routes.values()) and not smtp:
            raise DeliveryConfigError("a RECIPIENT_…_EMAIL is set, but SMTP_HOST is not: the e-mail cannot be sent")
        return cls(routes, smtp)


def _webhook(env: Mapping[str, str], prefix: str, timeout: float, allow_http: bool) -> Optional[WebhookTarget]:
    url = (env.get(prefix + "WEBHOOK_URL") or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryConfigError(f"{prefix}WEBHOOK_URL must be an http(s) URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname) and not allow_http:
        # Records hold names, e-mails and phone numbers: never in clear text over a network.
        raise DeliveryConfigError(
            f"{prefix}WEBHOOK_URL must use https (plain http only to loopback, "
            "or with INTAKE_WEBHOOK_ALLOW_HTTP=true inside a private network)"
        )
    secret = env.get(prefix + "WEBHOOK_SECRET") or ""
    if len(secret) < 16:
        raise DeliveryConfigError(
            f"{prefix}WEBHOOK_SECRET must be set (at least 16 characters) when {prefix}WEBHOOK_URL is set"
        )
    return WebhookTarget(url=url, secret=secret.encode("utf-8"), timeout=timeout)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def number_setting(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise DeliveryConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise DeliveryConfigError(f"{name} must be positive")
    return value
