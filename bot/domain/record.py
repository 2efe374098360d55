"""The application record a finished conversation files (bot/data/application-record.schema.json).

Built here from the answers and the routing decision; stored, validated against the schema and
given its reference by `bot.records.store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from bot.domain import catalogue as catalogue_module
from bot.domain import contacts, geography
from bot.domain.routing import Answers, Decision


@dataclass(frozen=True)
class DeliveryPlan:
    """How this installation delivers a filing to its recipient (bot/records/recipients.py), decided
    when it is filed: by an intake e-mail, a signed webhook, both, or not at all (then the
    workplace takes the recipient's own route itself)."""

    recipient: str
    by_email: bool = False
    by_webhook: bool = False

    @property
    def delivers(self) -> bool:
        return self.by_email or self.by_webhook


def timestamp(when: Optional[datetime] = None) -> str:
    """A UTC time as the record writes it: '2026-03-01T09:30:00Z'."""
    when = when or datetime.now(timezone.utc)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def _contact(name: Optional[str], email: Optional[str], phone: Optional[str], role: Optional[str] = None) -> dict:
    contact = {"name": name, "email": email, "phone": None if phone == contacts.PHONE_SKIPPED else phone}
    if role is not None:
        contact["role"] = role if role in ("TR", "AMR", "FTR") else "other"
    return contact


def build_record(
    answers: Answers,
    decision: Decision,
    conversation_id: str,
    channel: str,
    now: Optional[datetime] = None,
    application_id: Optional[str] = None,
) -> dict:
    """The record for a conversation that ends in filing (reference added on storing).

    `application_id` tells this application from others the same conversation files (a TR who
    helps two workplaces); the store files each (conversation, application) once.
    """
    now = now or datetime.now(timezone.utc)
    geo = geography.load()
    municipality = None
    region_name = answers.region
    if answers.municipality:
        m = geo.municipality(answers.municipality)
        region_name = region_name or m.region
        if answers.sector == "kommunal":  # the employer; for others it is only the town
            municipality = {"code": m.code, "name": m.name}
    region = None
    if region_name and answers.sector != "statslig":
        r = catalogue_module.load().region(region_name)
        region = {"code": r.code, "name": r.name}
    if answers.sector == "statslig":
        contacts = {
            "employee_representative" if answers.role in ("TR", "AMR", "FTR") else "leader": _contact(
                answers.contact_name,
                answers.contact_email,
                answers.contact_phone,
                answers.role if answers.role in ("TR", "AMR", "FTR") else None,
            )
        }
    else:
        contacts = {
            "leader": _contact(answers.leader_name, answers.leader_email, answers.leader_phone),
            "employee_representative": _contact(
                answers.rep_name, answers.rep_email, answers.rep_phone, answers.rep_role
            ),
        }
    return {
        "created_at": timestamp(now),
        "channel": channel,
        "conversation_id": conversation_id,
        "offer": decision.offer,
        "sector": answers.sector,
        "municipality": municipality,
        "region": region,
        "workplace": answers.workplace,
        "application_type": answers.application_type,
        "applicant_body": answers.applicant_body,
        "theme": answers.theme,
        "problem_description": answers.problem_description,
        "consensus_confirmed": bool(answers.consensus),
        "commitments_accepted": bool(answers.commitments_accepted),
        "provider": decision.provider,
        "contacts": contacts,
        "submitter_role": answers.role,
        "status": decision.status,
        "recipient": decision.recipient,
        **({"application_id": application_id} if application_id else {}),
    }
