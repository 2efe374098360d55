"""The e-mails the delivery worker sends: the intake e-mail to a recipient, the receipt to the contacts.

Plain text only, so nothing the user typed can become markup; user text never reaches a
header (the subject holds the reference and the kind of filing, the addresses are validated
ones). The texts are bot/domain/messages.py's. The delivery worker (bot/records/delivery.py)
sends each once and tracks it in the database; sending is blocking smtplib, so the worker runs
it in a thread.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Mapping, Optional

from bot.domain import messages
from bot.domain.record import DeliveryPlan

TRUE_WORDS = {"1", "true", "yes", "ja", "on"}
FALSE_WORDS = {"0", "false", "no", "nej", "off"}


class MailConfigError(ValueError):
    """SMTP_HOST is set, but the rest of the SMTP settings cannot work."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    user: Optional[str] = None
    password: Optional[str] = None
    starttls: bool = True
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Optional["SmtpConfig"]:
        """The SMTP settings, or None when SMTP_HOST is not set (no e-mail at all)."""
        host = (env.get("SMTP_HOST") or "").strip()
        if not host:
            return None
        sender = (env.get("SMTP_FROM") or "").strip()
        if "@" not in sender:
            raise MailConfigError("SMTP_FROM must be the sender's e-mail address when SMTP_HOST is set")
        starttls = _flag(env.get("SMTP_STARTTLS"), default=True, name="SMTP_STARTTLS")
        user = env.get("SMTP_USER") or None
        password = env.get("SMTP_PASSWORD") or None
        if user and not starttls and host not in ("127.0.0.1", "localhost", "::1"):
            # A password in clear text over the network: refuse rather than leak it.
            raise MailConfigError("SMTP_USER needs SMTP_STARTTLS=true unless the server is on loopback")
        try:
            port = int(env.get("SMTP_PORT") or (587 if starttls else 25))
            timeout = float(env.get("SMTP_TIMEOUT") or 30)
        except ValueError as error:
            raise MailConfigError(f"SMTP_PORT / SMTP_TIMEOUT: {error}") from None
        return cls(
            host=host, port=port, sender=sender, user=user, password=password, starttls=starttls, timeout=timeout
        )


def _flag(value: Optional[str], default: bool, name: str) -> bool:
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise MailConfigError(f"{name} must be true or false, not {value!r}")


def enabled(env: Mapping[str, str]) -> bool:
    """Whether e-mail is sent at all: receipts then go to every filing's contacts."""
    return bool((env.get("SMTP_HOST") or "").strip())


def recipients(record: dict) -> list[str]:
    """Every contact's address, each once (the leader and the representative may share one)."""
    seen: list[str] = []
    for role in ("leader", "employee_representative"):
        email = (record["contacts"].get(role) or {}).get("email")
        if email and email.lower() not in (s.lower() for s in seen):
            seen.append(email)
    return seen


def receipt(record: dict, plan: DeliveryPlan, sender: str) -> EmailMessage:
    """The receipt to the workplace's contacts: registered, and sent on or not (then the route and the answers)."""
    return _message(
        messages.receipt_subject(record),
        messages.receipt_body(record, plan.delivers),
        sender,
        recipients(record),
        f"kvittering.{record['reference']}",
    )


def intake(record: dict, address: str, sender: str) -> EmailMessage:
    """The filing itself, to the recipient's intake address: the answers as text, the record as JSON."""
    message = _message(
        messages.intake_subject(record),
        messages.intake_body(record),
        sender,
        [address],
        f"{record.get('recipient') or 'intake'}.{record['reference']}",
    )
    message.add_attachment(
        json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"),
        maintype="application",
        subtype="json",
        filename=f"{record['reference']}.json",
    )
    return message


def _message(subject: str, body: str, sender: str, to: list[str], message_key: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(usegmt=True)
    # The same Message-ID every time: if a crash makes the worker send an e-mail twice, mail
    # systems that deduplicate by Message-ID show it once.
    message["Message-ID"] = f"<{message_key}@{sender.rsplit('@', 1)[1]}>"
    message.set_content(body, subtype="plain", charset="utf-8")
    return message


def send(message: EmailMessage, config: SmtpConfig) -> dict:
    """Hand one message to the SMTP server (blocking: call it in a thread); return refused recipients."""
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.user:
            smtp.login(config.user, config.password or "")
        return smtp.send_message(message)
