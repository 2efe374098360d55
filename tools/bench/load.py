"""Closed-loop load over Rasa's REST channel: N users, each playing whole conversations.

Each user sends a message, waits for the reply, checks it, and sends the next one (no
think time), so throughput is what the server sustains at that concurrency. A run is
bounded in time and in messages, and only ever talks to loopback.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Union
from urllib.parse import urlparse

import aiohttp
import yaml

CONVERSATIONS_FILE = Path(__file__).with_name("data") / "conversations.yml"
REQUEST_TIMEOUT_S = 120.0
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Conversation:
    """One scripted conversation; `expect` maps a message's position to words its reply must contain."""

    name: str
    messages: tuple[str, ...]
    expect: Mapping[int, str] = field(default_factory=dict)


def load_conversations(path: Path = CONVERSATIONS_FILE) -> tuple[Conversation, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    conversations = tuple(
        Conversation(
            name=c["name"],
            messages=tuple(c["messages"]),
            expect={int(k): str(v) for k, v in (c.get("expect") or {}).items()},
        )
        for c in data["conversations"]
    )
    for conversation in conversations:
        beyond = [i for i in conversation.expect if not 0 <= i < len(conversation.messages)]
        if beyond:
            raise ValueError(f"{conversation.name}: expect refers to messages {beyond} that do not exist")
    return conversations


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    """What one load level measured."""

    users: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    conversations_completed: int = 0

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict:
        return {
            "users": self.users,
            "messages": self.messages,
            "seconds": round(self.seconds, 2),
            "throughput_msg_s": round(self.throughput, 2),
            "p50_ms": _round(percentile(self.latencies_ms, 50)),
            "p95_ms": _round(percentile(self.latencies_ms, 95)),
            "p99_ms": _round(percentile(self.latencies_ms, 99)),
            "errors": self.errors,
            "error_samples": self.error_samples[:5],
            "conversations_completed": self.conversations_completed,
        }

    def merge(self, other: "LoadResult") -> None:
        """Add another slice of the same load level (slices alternate between the bots)."""
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.error_samples += other.error_samples[: max(0, 20 - len(self.error_samples))]
        self.seconds += other.seconds
        self.conversations_completed += other.conversations_completed

    def note_error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(what[:300])


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 2)


def _reply_text(replies: object) -> str:
    if not isinstance(replies, list):
        return ""
    return "\n".join(str(r.get("text", "")) for r in replies if isinstance(r, dict))


def instance_url(urls: Sequence[str], user: int, position: int) -> str:
    """Where a user's message at `position` of its conversation goes, with several Rasa instances.

    The scale-out profile has no load balancer of its own, so the load generator spreads the load
    as a round-robin balancer without sticky sessions would: consecutive messages of one
    conversation go to the instances in turn (any instance may answer any message; the tracker
    store and the lock store are shared), and at each step the users are spread evenly.
    """
    return urls[(user + position) % len(urls)]


def check_loopback(url: str) -> None:
    host = urlparse(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"load is only ever sent to loopback, not to {host}")


async def _send(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> tuple[float, object]:
    started = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": message}) as response:
        body = await response.json(content_type=None) if response.status == 200 else await response.text()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {str(body)[:200]}")
        return elapsed, body


async def run_load(
    url: Union[str, Sequence[str]],
    conversations: Sequence[Conversation],
    users: int,
    duration_s: float,
    max_messages: int,
    sender_prefix: str,
) -> LoadResult:
    """`users` concurrent users play the conversations in turn until time or messages run out.

    A conversation in progress at the deadline is left unfinished (its messages so far count).
    Throughput is the messages answered divided by the time until the last answer. Several
    URLs (Rasa instances of one stack) share the load as `instance_url` says.
    """
    urls = [url] if isinstance(url, str) else list(url)
    for each in urls:
        check_loopback(each)
    result = LoadResult(users=users)
    deadline = time.monotonic() + duration_s
    budget = itertools.count()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=users)

    async def user(number: int, session: aiohttp.ClientSession) -> None:
        for round_number in itertools.count():
            conversation = conversations[(number + round_number) % len(conversations)]
            sender = f"{sender_prefix}-u{number}-r{round_number}"
            for position, message in enumerate(conversation.messages):
                if time.monotonic() >= deadline or next(budget) >= max_messages:
                    return
                try:
                    elapsed, body = await _send(session, instance_url(urls, number, position), sender, message)
                except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, ValueError) as error:
                    result.note_error(f"{conversation.name}[{position}]: {type(error).__name__}: {error}")
                    break  # the conversation's state is unknown now: start the next one
                result.latencies_ms.append(elapsed)
                text = _reply_text(body)
                wanted = conversation.expect.get(position)
                if not text.strip() and not body:
                    result.note_error(f"{conversation.name}[{position}]: empty reply")
                elif wanted and wanted.lower() not in text.lower():
                    result.note_error(f"{conversation.name}[{position}]: reply lacks {wanted!r}")
            else:
                result.conversations_completed += 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(user(n, session) for n in range(users)))
    result.seconds = time.perf_counter() - started
    return result


async def play_once(
    url: Union[str, Sequence[str]], conversations: Iterable[Conversation], sender_prefix: str
) -> LoadResult:
    """Each conversation once, one user: a warm-up that also checks every expected reply."""
    conversations = list(conversations)
    return await run_load(
        url,
        conversations,
        users=1,
        duration_s=600,
        max_messages=sum(len(c.messages) for c in conversations),
        sender_prefix=sender_prefix,
    )
