"""A rate limit per client and per conversation on our public endpoints: token buckets, in process.

What is limited (each limit is N per window, as a bucket of N tokens that refills evenly over
the window, so a burst of N is allowed and then one more every window/N seconds):
- messages per client (its IP address): REST webhook posts and web chat socket events together;
- messages per conversation: a REST sender's or a web chat session's messages;
- page requests per client: the chat page and its files, the privacy page.
A request over a limit is not handled: REST and the pages answer 429 with a Danish reason and
`Retry-After`; the web chat socket gets a bot message (`bot.domain.messages`). Slack is not
limited here: Slack retries what it does not get an answer to.

The client is Sanic's `request.remote_addr` (the address a trusted proxy forwards, when Sanic is
told to trust one: SANIC_PROXIES_COUNT, SANIC_REAL_IP_HEADER or SANIC_FORWARDED_SECRET), else the
connection's own address. Behind a reverse proxy that is not configured so, every client is the
proxy and shares one bucket.

Why no library: the Sanic ones (sanic-limiter, sanic-aiopylimit) have had no release since 2018,
and `limits` (maintained) is not in our locked dependencies; a token bucket is a few lines.
In process: each Rasa process counts on its own, so with N processes a client may send up to N
times the limit; a hard limit across instances belongs in the reverse proxy (docs/security.md).
"""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Mapping, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.domain import messages

DEFAULT_WINDOW_SECONDS = 60.0
# A person types a message every few seconds at most; 30 a minute leaves room for quick button
# clicks. One address can be a whole office behind NAT, so the per-client figures are higher.
DEFAULT_CONVERSATION_MESSAGES = 30
DEFAULT_CLIENT_MESSAGES = 240
DEFAULT_CLIENT_PAGES = 600  # one load of the chat page is five requests
# Buckets kept at most (a bucket left alone for a window is full, the same as none: those go first).
MAX_BUCKETS = 100_000


@dataclass(frozen=True)
class Limit:
    """At most `count` in any `window` seconds (a burst of `count`, then `count` per window); 0 is no limit."""

    count: int
    window: float

    @property
    def on(self) -> bool:
        return self.count > 0


class TokenBuckets:
    """One token bucket per key (a client address or a conversation id), with bounded memory."""

    def __init__(
        self, limit: Limit, clock: Callable[[], float] = time.monotonic, max_buckets: int = MAX_BUCKETS
    ) -> None:
        self.limit = limit
        self.clock = clock
        self.max_buckets = max_buckets
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, when)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 when there was one, else the seconds until there is one."""
        if not self.limit.on:
            return 0.0
        now = self.clock()
        rate = self.limit.count / self.limit.window  # tokens per second
        tokens, when = self._buckets.pop(key, (float(self.limit.count), now))
        tokens = min(float(self.limit.count), tokens + (now - when) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1.0 - tokens) / rate
        if len(self._buckets) > self.max_buckets:
            self._forget_oldest()
        return wait

    def _forget_oldest(self) -> None:
        # Least recently used first (OrderedDict order); the oldest has refilled the longest.
        while len(self._buckets) > self.max_buckets // 2:
            self._buckets.popitem(last=False)


@dataclass(frozen=True)
class RateLimitSettings:
    window_seconds: float = DEFAULT_WINDOW_SECONDS
    client_messages: int = DEFAULT_CLIENT_MESSAGES
    conversation_messages: int = DEFAULT_CONVERSATION_MESSAGES
    client_pages: int = DEFAULT_CLIENT_PAGES

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "RateLimitSettings":
        """RATE_LIMIT_WINDOW_SECONDS and the three counts per window (0 turns that limit off)."""

        def number(name: str, default: float, kind: type) -> float:
            value = (env.get(name) or "").strip()
            if not value:
                return default
            parsed = kind(value)
            if parsed < 0 or (name == "RATE_LIMIT_WINDOW_SECONDS" and parsed == 0):
                raise ValueError(f"{name} must be {'more than' if kind is float else 'at least'} 0, not {value!r}")
            return parsed

        return cls(
            window_seconds=number("RATE_LIMIT_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS, float),
            client_messages=int(number("RATE_LIMIT_CLIENT_MESSAGES", DEFAULT_CLIENT_MESSAGES, int)),
            conversation_messages=int(number("RATE_LIMIT_CONVERSATION_MESSAGES", DEFAULT_CONVERSATION_MESSAGES, int)),
            client_pages=int(number("RATE_LIMIT_CLIENT_PAGES", DEFAULT_CLIENT_PAGES, int)),
        )


class RateLimiter:
    """The three limits of one Rasa process."""

    def __init__(self, settings: RateLimitSettings, clock: Callable[[], float] = time.monotonic) -> None:
        window = settings.window_seconds
        self.settings = settings
        self.client_messages = TokenBuckets(Limit(settings.client_messages, window), clock)
        self.conversation_messages = TokenBuckets(Limit(settings.conversation_messages, window), clock)
        self.client_pages = TokenBuckets(Limit(settings.client_pages, window), clock)

    # Each returns 0.0 when the request may be handled (and counts it), else the seconds to wait.
    def client_message(self, client: str) -> float:
        return self.client_messages.take(client)

    def conversation_message(self, conversation: str) -> float:
        return self.conversation_messages.take(conversation)

    def page(self, client: str) -> float:
        return self.client_pages.take(client)


_limiter: Optional[RateLimiter] = None


def limiter() -> RateLimiter:
    """The process's limiter, made from the environment on first use (every channel shares it)."""
    global _limiter
    if _limiter is None:
        _limiter = RateLimiter(RateLimitSettings.from_env())
    return _limiter


def client_address(request: Request) -> str:
    """The client's address: the one a trusted proxy forwarded, else the connection's."""
    return request.remote_addr or request.ip or "unknown"


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


def too_many_messages(wait: float) -> HTTPResponse:
    """REST's answer over a limit: 429, the reason in Danish in the same shape as a 400's."""
    return response.json(
        {"error": messages.RATE_LIMITED_MESSAGE}, status=429, headers={"Retry-After": retry_after(wait)}
    )


def too_many_requests(wait: float, headers: Optional[Mapping[str, str]] = None) -> HTTPResponse:
    """A page's answer over the limit: 429 with a Danish reason as plain text."""
    return response.text(
        messages.RATE_LIMITED_REQUEST, status=429, headers={**(headers or {}), "Retry-After": retry_after(wait)}
    )
