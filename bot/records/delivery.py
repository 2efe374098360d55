"""The outbox worker: delivers filed records to the intake endpoint and sends the e-mail receipts.

Filing (the action server) only stores the record; this worker, `python -m bot deliver`,
does the rest, so the user's filing never waits for or fails because of the intake endpoint
or SMTP. For each record it claims the row first (bot/records/store.py, a lease by compare-and-set),
so two workers never send one record at the same time. The intake gets a JSON POST of the
record with `Idempotency-Key: <reference>` and `X-Signature-SHA256: sha256=<HMAC-SHA256 of the
exact body bytes>`; only a 2xx reply counts. Failures are retried with capped, jittered
exponential backoff. A worker killed mid-send loses nothing: its lease runs out and another
worker (or the same one, restarted) sends the record again with the same Idempotency-Key.
Logs name references and counts only, never personal data.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import random
import smtplib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable, Mapping, Optional
from urllib.parse import urlsplit

import aiohttp
import sqlalchemy.exc

from bot.domain.record import timestamp
from bot.records import receipts
from bot.records.store import DELIVERY, RECEIPT, ApplicationStore, Claim

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Signature-SHA256"
USER_AGENT = "arbejdsmiljoguiden-delivery/1"


class DeliveryConfigError(ValueError):
    """The delivery settings in the environment cannot work."""


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
class IntakeConfig:
    url: str
    secret: bytes = field(repr=False)
    timeout: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Optional["IntakeConfig"]:
        """The intake endpoint's settings, or None when INTAKE_WEBHOOK_URL is not set."""
        url = (env.get("INTAKE_WEBHOOK_URL") or "").strip()
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DeliveryConfigError("INTAKE_WEBHOOK_URL must be an http(s) URL")
        allow_http = (env.get("INTAKE_WEBHOOK_ALLOW_HTTP") or "").strip().lower() in receipts.TRUE_WORDS
        if parts.scheme == "http" and not _is_loopback(parts.hostname) and not allow_http:
            # Records hold names, e-mails and phone numbers: never in clear text over a network.
            raise DeliveryConfigError("INTAKE_WEBHOOK_URL must use https (plain http only to loopback, "
                                      "or with INTAKE_WEBHOOK_ALLOW_HTTP=true inside a private network)")
        secret = env.get("INTAKE_WEBHOOK_SECRET") or ""
        if len(secret) < 16:
            raise DeliveryConfigError("INTAKE_WEBHOOK_SECRET must be set (at least 16 characters) "
                                      "when INTAKE_WEBHOOK_URL is set")
        return cls(url=url, secret=secret.encode("utf-8"),
                   timeout=_number(env, "INTAKE_WEBHOOK_TIMEOUT", 10.0))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise DeliveryConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise DeliveryConfigError(f"{name} must be positive")
    return value


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
        return cls(poll_seconds=_number(env, "DELIVERY_POLL_SECONDS", 1.0),
                   lease_seconds=_number(env, "DELIVERY_LEASE_SECONDS", 120.0),
                   backoff=Backoff(base=_number(env, "DELIVERY_BACKOFF_BASE_SECONDS", 5.0),
                                   cap=_number(env, "DELIVERY_BACKOFF_CAP_SECONDS", 900.0)))


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


async def post_record(session: aiohttp.ClientSession, intake: IntakeConfig, record: dict) -> Outcome:
    """One delivery attempt. Only a 2xx reply is a delivery; no reply body is kept (it may echo data)."""
    body = body_of(record)
    headers = {"Content-Type": "application/json; charset=utf-8",
               "Idempotency-Key": record["reference"],
               SIGNATURE_HEADER: signature(body, intake.secret)}
    try:
        async with session.post(intake.url, data=body, headers=headers, allow_redirects=False,
                                timeout=aiohttp.ClientTimeout(total=intake.timeout)) as response:
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
    """Works through both outboxes until stopped. Safe to run several at once on one database."""

    def __init__(self, store: ApplicationStore, intake: Optional[IntakeConfig],
                 smtp: Optional[receipts.SmtpConfig], settings: WorkerSettings = WorkerSettings(),
                 clock: Callable[[], float] = time.time, rng: Callable[[], float] = random.random) -> None:
        if intake is None and smtp is None:
            raise DeliveryConfigError("nothing to deliver: set INTAKE_WEBHOOK_URL and/or SMTP_HOST")
        longest = max(intake.timeout if intake else 0.0, smtp.timeout if smtp else 0.0)
        if settings.lease_seconds < 2 * longest:
            # The lease must outlast an attempt, or a second worker could send while we still do.
            raise DeliveryConfigError(f"DELIVERY_LEASE_SECONDS ({settings.lease_seconds:g}) must be at least "
                                      f"twice the longest timeout ({longest:g} s)")
        self.store = store
        self.intake = intake
        self.smtp = smtp
        self.settings = settings
        self.clock = clock
        self.rng = rng

    @classmethod
    def from_env(cls, store: ApplicationStore, env: Mapping[str, str]) -> "Worker":
        try:
            smtp = receipts.SmtpConfig.from_env(env)
        except receipts.ReceiptConfigError as error:
            raise DeliveryConfigError(str(error)) from None
        return cls(store, IntakeConfig.from_env(env), smtp, WorkerSettings.from_env(env))

    async def run(self, stop: asyncio.Event) -> None:
        """Pick up everything pending, then keep delivering what becomes due until `stop` is set."""
        await asyncio.to_thread(self._start_up)
        async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as session:
            # One loop per outbox, so a hanging intake never holds up the receipts (or back).
            loops = []
            if self.intake:
                loops.append(self._loop(stop, lambda: self._delivery_batch(session), self._next_delivery))
            if self.smtp:
                loops.append(self._loop(stop, self._receipt_batch, self._next_receipt))
            await asyncio.gather(*loops)
        logger.info("delivery worker stopped")

    def _start_up(self) -> None:
        parts = []
        for outbox, active, since in ((DELIVERY, self.intake, None),
                                      (RECEIPT, self.smtp, self._receipt_cutoff())):
            if active:
                # A (re)started worker retries at once what was waiting out a backoff; rows
                # another worker holds stay with it until their lease runs out.
                self.store.retry_waiting_now(outbox)
                parts.append(f"{self.store.pending_count(outbox, since)} {outbox.name}(s) pending")
        logger.info("delivery worker started: %s", ", ".join(parts))

    async def _loop(self, stop: asyncio.Event, batch: Callable[[], Awaitable[int]],
                    next_due: Callable[[], Optional[float]]) -> None:
        while not stop.is_set():
            try:
                handled = await batch()
            except Exception as error:  # e.g. the database is briefly unreachable: try again shortly
                logger.error("delivery round failed (%s); retrying in %.1f s", _safe(error),
                             self.settings.poll_seconds)
                handled = 0
            if handled:
                continue  # there may be more due right away
            timeout = self.settings.poll_seconds
            try:
                due = await asyncio.to_thread(next_due)
            except Exception:
                due = None
            if due is not None:
                timeout = max(0.0, min(timeout, due - self.clock()))
            try:
                await asyncio.wait_for(stop.wait(), timeout=timeout)
            except asyncio.TimeoutError:
                pass

    def _next_delivery(self) -> Optional[float]:
        return self.store.next_due_at(DELIVERY)

    def _next_receipt(self) -> Optional[float]:
        return self.store.next_due_at(RECEIPT, self._receipt_cutoff())

    def _receipt_cutoff(self) -> str:
        return timestamp(datetime.fromtimestamp(self.clock(), timezone.utc) - self.settings.receipt_max_age)

    async def _delivery_batch(self, session: aiohttp.ClientSession) -> int:
        claims = await asyncio.to_thread(self.store.claim_due, DELIVERY, self.clock(),
                                         self.settings.lease_seconds, self.settings.batch)
        await asyncio.gather(*(self._deliver(session, claim) for claim in claims))
        return len(claims)

    async def _receipt_batch(self) -> int:
        claims = await asyncio.to_thread(self.store.claim_due, RECEIPT, self.clock(),
                                         self.settings.lease_seconds, self.settings.batch,
                                         self._receipt_cutoff())
        await asyncio.gather(*(self._send_receipt(claim) for claim in claims))
        return len(claims)

    async def deliver_now(self, reference: str) -> Optional[Outcome]:
        """Deliver one record at once (`applications redeliver`); None if another worker holds it."""
        assert self.intake is not None
        claims = await asyncio.to_thread(self.store.claim_due, DELIVERY, self.clock(),
                                         self.settings.lease_seconds, 1, None, reference)
        if not claims:
            return None
        async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as session:
            return await self._deliver(session, claims[0])

    async def _deliver(self, session: aiohttp.ClientSession, claim: Claim) -> Outcome:
        assert self.intake is not None
        attempt = claim.attempts + 1
        outcome = await post_record(session, self.intake, claim.record)
        try:
            if outcome.ok:
                kept = await asyncio.to_thread(self.store.mark_done, DELIVERY, claim)
                logger.info("delivered %s (attempt %d)", claim.reference, attempt)
                if not kept:
                    logger.warning("%s: delivered after its lease ran out; another worker holds it now",
                                   claim.reference)
            else:
                delay = self._retry_delay(attempt, outcome.retry_after)
                await asyncio.to_thread(self.store.mark_failed, DELIVERY, claim, outcome.error or "failed",
                                        self.clock() + delay)
                logger.warning("delivery of %s failed (attempt %d: %s); next attempt in %.1f s",
                               claim.reference, attempt, outcome.error, delay)
        except Exception as error:  # the lease runs out and the record is tried again: nothing is lost
            logger.error("could not record the delivery outcome of %s (%s)", claim.reference, _safe(error))
        return outcome

    async def _send_receipt(self, claim: Claim) -> None:
        assert self.smtp is not None
        attempt = claim.attempts + 1
        try:
            message = receipts.compose(claim.record, self.smtp.sender)
            refused = await asyncio.to_thread(receipts.send, message, self.smtp)
        except Exception as error:
            known = isinstance(error, (smtplib.SMTPException, OSError))
            reason = _smtp_error(error) if known else "internal error"
            delay = self._retry_delay(attempt, None)
            if known:
                logger.warning("receipt for %s failed (attempt %d: %s); next attempt in %.1f s",
                               claim.reference, attempt, reason, delay)
            else:
                logger.error("receipt for %s could not be composed or sent (%s)", claim.reference, _safe(error))
            try:
                await asyncio.to_thread(self.store.mark_failed, RECEIPT, claim, reason, self.clock() + delay)
            except Exception as db_error:
                logger.error("could not record the failed receipt of %s (%s)", claim.reference, _safe(db_error))
            return
        total = len(receipts.recipients(claim.record))
        logger.info("receipt for %s sent to %d of %d recipient(s)", claim.reference, total - len(refused), total)
        try:
            await asyncio.to_thread(self.store.mark_done, RECEIPT, claim)
        except Exception as error:  # sent but not recorded: it goes again after the lease (same Message-ID)
            logger.error("could not record the receipt of %s as sent (%s)", claim.reference, _safe(error))

    def _retry_delay(self, attempt: int, retry_after: Optional[float]) -> float:
        delay = self.settings.backoff.delay(attempt, self.rng)
        if retry_after is not None:
            delay = min(self.settings.backoff.cap, max(delay, retry_after))
        return delay
