"""A fake intake endpoint (a recipient's webhook that receives filed records), for the tests.

`FakeIntake` is a real aiohttp server on 127.0.0.1, in its own thread and event loop, so the
test process and the stack's delivery worker (another process) both reach it. It answers like
an idempotent intake should: it checks the HMAC-SHA256 signature of the exact body bytes
(computed here, independently of `bot.records.delivery`), requires `Idempotency-Key` to be the
record's reference, stores a record once per key and accepts a repeated key with 200. One fake
serves every recipient, each at its own path (`/intake/<recipient code>`). It can
be switched down (503 with Retry-After, connection refused, or hanging) and up again, and
records every request it saw. Fixtures: `fake_intake` (one per test) and, for the shared
stack, `stack_intake` with `intake_env`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

import pytest
from aiohttp import web

from bot.server.stack import free_port
from tests.fakes import LoopbackServer

INTAKE_SECRET = "test-intake-secret-9c41e07b52d3"


@dataclass(frozen=True)
class Arrival:
    """One request that reached the fake, and what the fake answered."""

    key: Optional[str]
    body: bytes
    signature_ok: bool
    status: int
    at: float  # time.monotonic()
    recipient: str = ""  # the recipient code in the path

    @property
    def record(self) -> dict:
        return json.loads(self.body)


class FakeIntake(LoopbackServer):
    def __init__(self, secret: str = INTAKE_SECRET) -> None:
        self.secret = secret.encode()
        self.port = free_port()
        self.mode = "up"  # up | 503 | refuse | hang
        self.hang_seconds = 60.0
        self.delay = 0.0  # seconds before answering when up (widens race windows)
        self._lock = threading.Lock()
        self._arrivals: list[Arrival] = []
        self._stored: dict[str, dict] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: Optional[web.AppRunner] = None
        self._site: Optional[web.TCPSite] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/intake"

    def url_for(self, recipient: str) -> str:
        return f"{self.url}/{recipient}"

    # --- control (from the test's thread) -------------------------------------------
    def _call(self, coroutine) -> None:  # type: ignore[no-untyped-def]
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def start(self) -> "FakeIntake":
        self._thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def down(self, mode: str = "503") -> None:
        assert mode in ("503", "refuse", "hang")
        if mode == "refuse" and self._site is not None:
            self._call(self._close_port())
        self.mode = mode

    def up(self, delay: float = 0.0) -> None:
        self.delay = delay
        if self._site is None:
            self._call(self._open_port())
        self.mode = "up"

    def reset(self) -> None:
        with self._lock:
            self._arrivals.clear()
            self._stored.clear()

    # --- what arrived -----------------------------------------------------------------
    @property
    def arrivals(self) -> list[Arrival]:
        with self._lock:
            return list(self._arrivals)

    @property
    def stored(self) -> dict[str, dict]:
        """Records the intake accepted, one per Idempotency-Key."""
        with self._lock:
            return dict(self._stored)

    def accepted(self, key: str, recipient: Optional[str] = None) -> list[Arrival]:
        return [
            a
            for a in self.arrivals
            if a.key == key and 200 <= a.status < 300 and (recipient is None or a.recipient == recipient)
        ]

    def tried(self, key: str) -> list[Arrival]:
        return [a for a in self.arrivals if a.key == key]

    def wait_for(self, condition: Callable[["FakeIntake"], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return
            time.sleep(0.05)
        raise AssertionError(
            f"intake: condition not met within {timeout} s; {len(self.arrivals)} requests, {len(self.stored)} stored"
        )

    # --- the server (in its own loop) ---------------------------------------------------
    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/intake", self._handle)
        app.router.add_post("/intake/{recipient}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await self._open_port()

    async def _open_port(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True, shutdown_timeout=1.0)
        await self._site.start()

    async def _close_port(self) -> None:
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _note(self, key: Optional[str], body: bytes, signature_ok: bool, status: int, recipient: str) -> None:
        with self._lock:
            self._arrivals.append(Arrival(key, body, signature_ok, status, time.monotonic(), recipient))

    async def _handle(self, request: web.Request) -> web.Response:
        recipient = request.match_info.get("recipient", "")
        body = await request.read()
        key = request.headers.get("Idempotency-Key")
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        signature_ok = hmac.compare_digest(expected, request.headers.get("X-Signature-SHA256", ""))
        if self.mode == "hang":
            await asyncio.sleep(self.hang_seconds)
        if self.mode in ("503", "hang"):
            return self._answer(recipient, key, body, signature_ok, 503, {"Retry-After": "0"})
        if self.delay:
            await asyncio.sleep(self.delay)
        if not signature_ok:
            return self._answer(recipient, key, body, signature_ok, 401)
        try:
            record = json.loads(body)
        except ValueError:
            return self._answer(recipient, key, body, signature_ok, 400)
        if not key or record.get("reference") != key or not request.content_type == "application/json":
            return self._answer(recipient, key, body, signature_ok, 400)
        with self._lock:
            new = key not in self._stored
            self._stored.setdefault(key, record)
        return self._answer(recipient, key, body, signature_ok, 201 if new else 200)

    def _answer(
        self,
        recipient: str,
        key: Optional[str],
        body: bytes,
        signature_ok: bool,
        status: int,
        headers: Optional[dict] = None,
    ) -> web.Response:
        self._note(key, body, signature_ok, status, recipient)
        response = web.Response(status=status, headers=headers)
        # No keep-alive: switching to "refuse" must refuse every next request at once.
        response.force_close()
        return response


ALL_RECIPIENTS = ("spark", "nfa", "ruc", "cbs", "alectia", "central_arbejdsmiljoenhed", "statsligt_rejsehold")


def intake_settings(intake: FakeIntake, recipients: tuple[str, ...] = ALL_RECIPIENTS) -> dict[str, str]:
    """The environment that points a delivery worker at `intake` for these recipients (each at its
    own path), with test-sized timings."""
    env = {}
    for code in recipients:
        env[f"RECIPIENT_{code.upper()}_WEBHOOK_URL"] = intake.url_for(code)
        env[f"RECIPIENT_{code.upper()}_WEBHOOK_SECRET"] = intake.secret.decode()
    return {
        **env,
        "INTAKE_WEBHOOK_TIMEOUT": "2",
        "DELIVERY_POLL_SECONDS": "0.2",
        "DELIVERY_BACKOFF_BASE_SECONDS": "0.2",
        "DELIVERY_BACKOFF_CAP_SECONDS": "2",
        "DELIVERY_LEASE_SECONDS": "6",
    }


@pytest.fixture
def fake_intake() -> Iterator[FakeIntake]:
    with FakeIntake() as intake:
        yield intake


@pytest.fixture(scope="session")
def stack_intake() -> Iterator[FakeIntake]:
    with FakeIntake() as intake:
        yield intake


@pytest.fixture(scope="session")
def intake_env(stack_intake: FakeIntake) -> dict[str, str]:
    """The shared stack delivers only the state's interest registrations (to the session's fake intake):
    every other recipient is unconfigured there, so the e2e tests see what a new installation says.
    tests/e2e/test_recipients.py runs a stack of its own with every recipient configured."""
    return intake_settings(stack_intake, ("statsligt_rejsehold",))
