"""The e-mail receipt for a filed record: composed in Danish, sent over SMTP to its contacts.

Plain text only, so nothing the user typed can become markup; user text never reaches a
header (the subject holds the reference and the offer's name, the recipients only their
validated addresses). The delivery worker (bot/records/delivery.py) sends each receipt once and
tracks it in the database; sending is blocking smtplib, so the worker runs it in a thread.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Mapping, Optional

from bot.domain import catalogue as catalogue_module
from bot.domain import messages

TRUE_WORDS = {"1", "true", "yes", "ja", "on"}
FALSE_WORDS = {"0", "false", "no", "nej", "off"}


class ReceiptConfigError(ValueError):
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
        """The SMTP settings, or None when SMTP_HOST is not set (no receipts)."""
        host = (env.get("SMTP_HOST") or "").strip()
        if not host:
            return None
        sender = (env.get("SMTP_FROM") or "").strip()
        if "@" not in sender:
            raise ReceiptConfigError("SMTP_FROM must be the sender's e-mail address when SMTP_HOST is set")
        starttls = _flag(env.get("SMTP_STARTTLS"), default=True, name="SMTP_STARTTLS")
        user = env.get("SMTP_USER") or None
        password = env.get("SMTP_PASSWORD") or None
        if user and not starttls and host not in ("127.0.0.1", "localhost", "::1"):
            # A password in clear text over the network: refuse rather than leak it.
            raise ReceiptConfigError("SMTP_USER needs SMTP_STARTTLS=true unless the server is on loopback")
        try:
            port = int(env.get("SMTP_PORT") or (587 if starttls else 25))
            timeout = float(env.get("SMTP_TIMEOUT") or 30)
        except ValueError as error:
            raise ReceiptConfigError(f"SMTP_PORT / SMTP_TIMEOUT: {error}") from None
        return cls(host=host, port=port, sender=sender, user=user, password=password,
                   starttls=starttls, timeout=timeout)


def _flag(value: Optional[str], default: bool, name: str) -> bool:
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ReceiptConfigError(f"{name} must be true or false, not {value!r}")


def enabled(env: Mapping[str, str]) -> bool:
    """Whether receipts are sent at all (the chat's confirmation mentions the e-mail then)."""
    return bool((env.get("SMTP_HOST") or "").strip())


def recipients(record: dict) -> list[str]:
    """Every contact's address, each once (the leader and the representative may share one)."""
    seen: list[str] = []
    for role in ("leader", "employee_representative"):
        email = (record["contacts"].get(role) or {}).get("email")
        if email and email.lower() not in (s.lower() for s in seen):
            seen.append(email)
    return seen


SUMMARY_ROLES = {"leader": "Leder", "employee_representative": "Medarbejderrepræsentant"}
ROLE_TEXT = {"TR": "tillidsrepræsentant", "AMR": "arbejdsmiljørepræsentant",
             "FTR": "fællestillidsrepræsentant", "other": "anden repræsentant"}


def summary_lines(record: dict) -> list[str]:
    """A short summary of what was filed (no phone numbers, no problem description)."""
    catalogue = catalogue_module.load()
    offer = catalogue.offers[record["offer"]]
    offer_text = (offer.long_name if offer.long_name.startswith(offer.name)
                  else f"{offer.name} – {offer.long_name}")
    lines = [f"Tilbud: {offer_text}",
             f"Arbejdsplads: {record['workplace']}"]
    if record.get("municipality"):
        lines.append(f"Kommune: {record['municipality']['name']}")
    if record.get("region"):
        lines.append(f"Region: {record['region']['name']}")
    if record.get("theme"):
        lines.append(f"Tema: {catalogue.theme(record['offer'], record['theme']).label}")
    if record.get("application_type"):
        lines.append(f"Ansøgningstype: {messages.APPLICATION_TYPE_TEXT[record['application_type']]}")
    if record.get("applicant_body"):
        lines.append(f"Ansøger: {record['applicant_body']}")
    provider = record.get("provider")
    if provider == catalogue_module.load().central_unit.code:
        lines.append(f"Sendt til: {catalogue_module.load().central_unit.name}")
    elif provider:
        lines.append(f"Udbyder: {catalogue.provider(provider).name}")
    for role, label in SUMMARY_ROLES.items():
        contact = record["contacts"].get(role)
        if contact:
            role_text = ROLE_TEXT.get(contact.get("role") or "", "")
            lines.append(f"{label}: {contact['name']}" + (f" ({role_text})" if role_text else ""))
    return lines


def compose(record: dict, sender: str) -> EmailMessage:
    """The receipt for one stored record, as a plain-text e-mail in Danish."""
    offer = catalogue_module.load().offers[record["offer"]]
    reference = record["reference"]
    interest = record["status"] == "interest_registered"
    what = "registrering af jeres interesse" if interest else "ansøgning"
    message = EmailMessage()
    message["Subject"] = f"Kvittering for jeres {what} ({reference})"
    message["From"] = sender
    message["To"] = ", ".join(recipients(record))
    message["Date"] = formatdate(usegmt=True)
    # The same Message-ID every time: if a crash makes the worker send a receipt twice, mail
    # systems that deduplicate by Message-ID show it once.
    message["Message-ID"] = f"<kvittering.{reference}@{sender.rsplit('@', 1)[1]}>"
    opening = ("Tak, fordi I har registreret jeres interesse. Vi har modtaget den." if interest
               else "Tak for jeres ansøgning. Vi har modtaget den.")
    body = "\n".join([
        "Hej",
        "",
        opening,
        "",
        f"Jeres reference er {reference}. Skriv den, hvis I henvender jer om sagen.",
        "",
        "Det har I sendt:",
        *(f"- {line}" for line in summary_lines(record)),
        "",
        "Hvad sker der nu?",
        messages.next_step(record),
        "",
        "Venlig hilsen",
        "Arbejdsmiljøguiden",
        "",
        "Du får denne e-mail, fordi du er kontaktperson i henvendelsen.",
    ])
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
