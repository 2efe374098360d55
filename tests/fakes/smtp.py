"""A real SMTP server (aiosmtpd) on loopback that keeps every message it receives, for the tests.

It can be switched to refuse mail temporarily (451) and back. Fixtures: `fake_smtp` (one
per test) and, for the shared stack, `stack_smtp` with `smtp_env` (the `SMTP_*` variables).
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Callable, Iterator

import pytest
from aiosmtpd.controller import Controller

from bot.server.stack import free_port
from tests.fakes import LoopbackServer

SMTP_FROM = "kvittering@arbejdsmiljoguiden.test"


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]


class _Handler:
    def __init__(self, sink: "FakeSmtp") -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.sink.refusing:
            return "451 4.3.0 Try again later"
        with self.sink._lock:
            self.sink._received.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.original_content or envelope.content)
            )
        return "250 OK"


class FakeSmtp(LoopbackServer):
    def __init__(self) -> None:
        self.port = free_port()
        self.refusing = False
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> "FakeSmtp":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def about(self, reference: str) -> list[Received]:
        return [r for r in self.received if reference in str(r.message["Subject"])]

    def wait_for(self, condition: Callable[["FakeSmtp"], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return
            time.sleep(0.05)
        raise AssertionError(f"smtp: condition not met within {timeout} s; {len(self.received)} received")


def smtp_settings(smtp: FakeSmtp) -> dict[str, str]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_FROM": SMTP_FROM,
        "SMTP_STARTTLS": "false",
        "SMTP_TIMEOUT": "2",
    }


@pytest.fixture
def fake_smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as smtp:
        yield smtp


@pytest.fixture(scope="session")
def stack_smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as smtp:
        yield smtp


@pytest.fixture(scope="session")
def smtp_env(stack_smtp: FakeSmtp) -> dict[str, str]:
    """Points the shared stack's receipts at the session's SMTP server."""
    return smtp_settings(stack_smtp)
