"""The outbox worker: delivers each filed record to its own recipient and sends the receipts.

Filing (the action server) only stores the record with its delivery plan; this worker,
`python -m bot deliver`, does the rest, so the user's filing never waits for or fails because
of a recipient or SMTP. Three outboxes (bot/records/store.py): the signed webhook of the record's
recipient, the recipient's intake e-mail address, and the receipt to the workplace's contacts.
For each it claims the row first (a lease by compare-and-set), so two workers never send one
record at the same time. A webhook gets a JSON POST of the record with
`Idempotency-Key: <reference>` and `X-Signature-SHA256: sha256=<HMAC-SHA256 of the exact body
bytes>`; only a 2xx reply counts. An intake e-mail carries the answers as text and the record as
JSON, with one Message-ID per record. Failures are retried with capped, jittered exponential
backoff. A worker killed mid-send loses nothing: its lease runs out and another worker (or the
same one, restarted) sends again with the same Idempotency-Key or Message-ID.
Logs name references, recipients' codes and counts only, never personal data.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Callable, Mapping, Optional

import aiohttp
import sqlalchemy.exc

from bot.domain.record import timestamp
from bot.records import mail
from bot.records.recipients import DeliveryConfigError, Routes, WebhookTarget
from bot.records.recipients import number_setting as _number
from bot.records.store import EMAIL, RECEIPT, WEBHOOK, ApplicationStore, Claim, Outbox

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Signature-SHA256"
USER_AGENT = "arbejdsmiljoguiden-delivery/1"


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait after a failed attempt: doubling from `base`, at most `cap`, with jitter."""

    base: float = 5.0
    cap: float = 900.0

    def delay(self, failed_attempts: int, rng: Callable[[], float] = random.random) -> float:
        # "Equal jitter": between half and all of the doubled delay. Workers that failed
        # together spread out, and the delay still grows (attempt n+2 waits longer than n).
        ceiling = min(self.cap, self.base * 2 ** max(0, failed_attempts - 1))
        return ceiling / 2 + rng() * ceiling / 2


@dataclass(frozen=True)
class WorkerSettings:
    poll_seconds: float = 1.0
    lease_seconds: float = 120.0
    batch: int = 10
    backoff: Backoff = Backoff()
    # A receipt weeks after filing would confuse more than help (e.g. when SMTP is switched
    # on for a running installation): older records get none.
    receipt_max_age: timedelta = timedelta(days=7)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "WorkerSettings":
        return cls(
            poll_seconds=_number(env, "DELIVERY_POLL_SECONDS", 1.0),
            lease_seconds=_number(env, "DELIVERY_LEASE_SECONDS", 120.0),
            backoff=Backoff(
                base=_number(env, "DELIVERY_BACKOFF_BASE_SECONDS", 5.0),
                cap=_number(env, "DELIVERY_BACKOFF_CAP_SECONDS", 900.0),
            ),
        )


def body_of(record: dict) -> bytes:
    """The exact bytes that are POSTed and signed."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signature(body: bytes, secret: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: bytes, header: Optional[str]) -> bool:
    """What the intake side does: constant-time comparison of the signature header."""
    return header is not None and hmac.compare_digest(signature(body, secret), header)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: Optional[str] = None
    retry_after: Optional[float] = None


async def post_record(session: aiohttp.ClientSession, intake: WebhookTarget, record: dict) -> Outcome:
    """One delivery attempt. Only a 2xx reply is a delivery; no reply body is kept (it may echo data)."""
    body = body_of(record)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": record["reference"],
        SIGNATURE_HEADER: signature(body, intake.secret),
    }
    try:
        async with session.post(
            intake.url,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=intake.timeout),
        ) as response:
            await response.read()
            if 200 <= response.status < 300:
                return Outcome(True)
            return Outcome(False, f"HTTP {response.status}", _retry_after(response.headers.get("Retry-After")))
    except asyncio.TimeoutError:
        return Outcome(False, f"no reply within {intake.timeout:g} s")
    except aiohttp.ClientError as error:
        return Outcome(False, f"{type(error).__name__}: {error}"[:300])


def _retry_after(value: Optional[str]) -> Optional[float]:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare for webhooks, the backoff is good enough


def _safe(error: BaseException) -> str:
    """An error for the log without personal data: SQLAlchemy's own message quotes the statement's
    parameters (a record's JSON), the driver's does not; other errors are named by class only."""
    if isinstance(error, sqlalchemy.exc.DBAPIError) and error.orig is not None:
        return f"{type(error.orig).__name__}: {error.orig}"[:300]
    return type(error).__name__


def _smtp_error(error: Exception) -> str:
    # Refusals carry the recipients' addresses in their message: keep the class and code only.
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    return f"{type(error).__name__}" + (f" {code}" if code else "")


class Worker:
    """Works through the three outboxes until stopped. Safe to run several at once on one database."""

    def __init__(
        self,
        store: ApplicationStore,
        routes: Routes,
        smtp: Optional[mail.SmtpConfig],
        settings: WorkerSettings = WorkerSettings(),
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if not routes.routes and smtp is None:
            raise DeliveryConfigError("nothing to deliver: set a recipient (RECIPIENT_…) and/or SMTP_HOST")
        timeouts = [w.webhook.timeout for w in routes.routes.values() if w.webhook]
        longest = max([*timeouts, smtp.timeout if smtp else 0.0])
        if settings.lease_seconds < 2 * longest:
            # The lease must outlast an attempt, or a second worker could send while we still do.
            raise DeliveryConfigError(
                f"DELIVERY_LEASE_SECONDS ({settings.lease_seconds:g}) must be at least "
                f"twice the longest timeout ({longest:g} s)"
            )
        self.store = store
        self.routes = routes
        self.smtp = smtp
        self.settings = settings
        self.clock = clock
        self.rng = rng

    @classmethod
    def from_env(cls, store: ApplicationStore, env: Mapping[str, str]) -> "Worker":
        try:
            smtp = mail.SmtpConfig.from_env(env)
        except mail.MailConfigError as error:
            raise DeliveryConfigError(str(error)) from None
        return cls(store, Routes.from_env(env), smtp, WorkerSettings.from_env(env))

    def _active(self) -> list[tuple[Outbox, Optional[str]]]:
        """The outboxes this worker can work on, each with the oldest record it still handles."""
        active: list[tuple[Outbox, Optional[str]]] = []
        if self.routes.any_webhook:
            active.append((WEBHOOK, None))
        if self.smtp and self.routes.any_email:
            active.append((EMAIL, None))
        if self.smtp:
            active.append((RECEIPT, self._receipt_cutoff()))
        return active

    async def run(self, stop: asyncio.Event) -> None:
        """Pick up everything pending, then keep delivering what becomes due until `stop` is set."""
        await asyncio.to_thread(self._start_up)
        async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as session:
            # One loop per outbox, so a hanging recipient never holds up the receipts (or back).
            loops = [self._loop(stop, outbox, session) for outbox, _ in self._active()]
            await asyncio.gather(*loops)
        logger.info("delivery worker stopped")

    def _start_up(self) -> None:
        parts = []
        for outbox, since in self._active():
            # A (re)started worker retries at once what was waiting out a backoff; rows
            # another worker holds stay with it until their lease runs out.
            self.store.retry_waiting_now(outbox)
            parts.append(f"{self.store.pending_count(outbox, since)} {outbox.name}(s) pending")
        logger.info(
            "delivery worker started: %s; recipients configured: %s",
            ", ".join(parts),
            ", ".join(sorted(self.routes.routes)) or "none",
        )

    def _cutoff(self, outbox: Outbox) -> Optional[str]:
        return self._receipt_cutoff() if outbox is RECEIPT else None

    async def _loop(self, stop: asyncio.Event, outbox: Outbox, session: aiohttp.ClientSession) -> None:
        while not stop.is_set():
            try:
                handled = await self._batch(outbox, session)
            except Exception as error:  # e.g. the database is briefly unreachable: try again shortly
                logger.error(
                    "%s round failed (%s); retrying in %.1f s", outbox.name, _safe(error), self.settings.poll_seconds
                )
                handled = 0
            if handled:
                continue  # there may be more due right away
            timeout = self.settings.poll_seconds
            try:
                due = await asyncio.to_thread(self.store.next_due_at, outbox, self._cutoff(outbox))
            except Exception:
                due = None
            if due is not None:
                timeout = max(0.0, min(timeout, due - self.clock()))
            try:
                await asyncio.wait_for(stop.wait(), timeout=timeout)
            except asyncio.TimeoutError:
                pass

    def _receipt_cutoff(self) -> str:
        return timestamp(datetime.fromtimestamp(self.clock(), timezone.utc) - self.settings.receipt_max_age)

    async def _batch(self, outbox: Outbox, session: aiohttp.ClientSession) -> int:
        claims = await asyncio.to_thread(
            self.store.claim_due,
            outbox,
            self.clock(),
            self.settings.lease_seconds,
            self.settings.batch,
            self._cutoff(outbox),
        )
        await asyncio.gather(*(self._attempt(outbox, claim, session) for claim in claims))
        return len(claims)

    async def deliver_now(self, reference: str) -> dict[str, Outcome]:
        """Deliver one record at once by each planned means (`applications redeliver`); by outbox name.
        An outbox another worker holds right now is left out."""
        outcomes = {}
        async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as session:
            for outbox, _ in self._active():
                if outbox is RECEIPT:
                    continue
                claims = await asyncio.to_thread(
                    self.store.claim_due, outbox, self.clock(), self.settings.lease_seconds, 1, None, reference
                )
                if claims:
                    outcomes[outbox.name] = await self._attempt(outbox, claims[0], session)
        return outcomes

    async def _attempt(self, outbox: Outbox, claim: Claim, session: aiohttp.ClientSession) -> Outcome:
        attempt = claim.attempts + 1
        try:
            outcome = await self._send(outbox, claim, session)
        except Exception as error:  # a bug in composing: never a crash of the loop, never personal data
            logger.error("%s for %s could not be composed or sent (%s)", outbox.name, claim.reference, _safe(error))
            outcome = Outcome(False, "internal error")
        try:
            if outcome.ok:
                kept = await asyncio.to_thread(self.store.mark_done, outbox, claim)
                logger.info(
                    "%s for %s done (%s, attempt %d)",
                    outbox.name,
                    claim.reference,
                    claim.plan.recipient or "contacts",
                    attempt,
                )
                if not kept:
                    logger.warning(
                        "%s: %s done after its lease ran out; another worker holds it now", claim.reference, outbox.name
                    )
            else:
                delay = self._retry_delay(attempt, outcome.retry_after)
                await asyncio.to_thread(
                    self.store.mark_failed, outbox, claim, outcome.error or "failed", self.clock() + delay
                )
                logger.warning(
                    "%s for %s failed (attempt %d: %s); next attempt in %.1f s",
                    outbox.name,
                    claim.reference,
                    attempt,
                    outcome.error,
                    delay,
                )
        except Exception as error:  # the lease runs out and the record is tried again: nothing is lost
            logger.error("could not record the %s outcome of %s (%s)", outbox.name, claim.reference, _safe(error))
        return outcome

    async def _send(self, outbox: Outbox, claim: Claim, session: aiohttp.ClientSession) -> Outcome:
        if outbox is RECEIPT:
            return await self._mail(mail.receipt(claim.record, claim.plan, self._sender()))
        route = self.routes.route(claim.plan.recipient)
        if outbox is WEBHOOK:
            if route is None or route.webhook is None:
                return Outcome(False, f"no webhook is configured for {claim.plan.recipient} now")
            return await post_record(session, route.webhook, claim.record)
        if route is None or route.email is None or self.smtp is None:
            return Outcome(False, f"no intake e-mail is configured for {claim.plan.recipient} now")
        return await self._mail(mail.intake(claim.record, route.email, self._sender()))

    def _sender(self) -> str:
        assert self.smtp is not None
        return self.smtp.sender

    async def _mail(self, message: EmailMessage) -> Outcome:
        assert self.smtp is not None
        try:
            refused = await asyncio.to_thread(mail.send, message, self.smtp)
        except (smtplib.SMTPException, OSError) as error:
            return Outcome(False, _smtp_error(error))
        if refused:
            logger.warning("an e-mail was refused for %d of its recipient(s)", len(refused))
        return Outcome(True)

    def _retry_delay(self, attempt: int, retry_after: Optional[float]) -> float:
        delay = self.settings.backoff.delay(attempt, self.rng)
        if retry_after is not None:
            delay = min(self.settings.backoff.cap, max(delay, retry_after))
        return delay
