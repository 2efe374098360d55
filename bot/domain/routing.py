"""The application's path as pure functions: which question comes next, and where it ends.

`questions(answers)` is the ordered list of slots the conversation needs given what
is known so far; the form asks the first one still missing. `conclude(answers)` says
how a finished conversation ends: filed, redirected, or stopped with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping, Optional

from bot.domain import catalogue as catalogue_module

CONTACT_FIELDS = ("leader_name", "leader_email", "leader_phone", "rep_name", "rep_role", "rep_email", "rep_phone")
STATE_CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")


@dataclass(frozen=True)
class Answers:
    """What the user has told the bot; field names are the Rasa slot names."""

    sector: Optional[str] = None
    municipality: Optional[str] = None
    region: Optional[str] = None
    role: Optional[str] = None
    application_type: Optional[str] = None
    applicant_body: Optional[str] = None
    problem_description: Optional[str] = None
    theme: Optional[str] = None
    theme_fit: Optional[bool] = None
    consensus: Optional[bool] = None
    commitments_accepted: Optional[bool] = None
    provider: Optional[str] = None
    interest: Optional[bool] = None
    workplace: Optional[str] = None
    leader_name: Optional[str] = None
    leader_email: Optional[str] = None
    leader_phone: Optional[str] = None
    rep_name: Optional[str] = None
    rep_role: Optional[str] = None
    rep_email: Optional[str] = None
    rep_phone: Optional[str] = None
    contact_name: Optional[str] = None
    contact_email: Optional[str] = None
    contact_phone: Optional[str] = None
    confirmed: Optional[bool] = None

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> "Answers":
        return cls(**{f.name: slots.get(f.name) for f in fields(cls)})

    def updated(self, slots: Mapping[str, Any]) -> "Answers":
        """These answers with some slots set (slots that are no answers are ignored)."""
        return replace(self, **{name: value for name, value in slots.items() if name in SLOT_NAMES})

    @property
    def offer(self) -> Optional[str]:
        if self.sector is None:
            return None
        return catalogue_module.load().offer_for_sector(self.sector).code

    @property
    def region_model(self) -> Optional[int]:
        if self.sector != "regional" or not self.region:
            return None
        return catalogue_module.load().region(self.region).model


SLOT_NAMES = tuple(f.name for f in fields(Answers))


def questions(a: Answers, interest_list: bool = True) -> list[str]:
    """The slots this conversation needs, in asking order, up to the first stop.

    `interest_list`: whether this installation delivers interest registrations for the state's
    travelling team; without, a state workplace is only told where the team will be announced.
    """
    q = ["sector"]
    if a.sector is None or (a.sector == "statslig" and not interest_list):
        return q
    if a.sector == "kommunal":
        q.append("municipality")
    elif a.sector == "regional":
        q.append("region")
    q.append("role")
    if a.role == "medarbejder":
        return q
    if a.sector == "statslig":
        q.append("interest")
        if a.interest is False:
            return q
        return q + ["workplace", *STATE_CONTACT_FIELDS, "confirmed"]
    if a.sector == "kommunal":
        q += ["application_type", "applicant_body"]
    if a.sector == "regional" and a.region is None:
        return q
    q.append("problem_description")
    if a.theme_fit is False:
        return q
    q += ["theme", "consensus"]
    if a.consensus is False:
        return q
    if a.region_model != 1:
        q.append("commitments_accepted")
        if a.commitments_accepted is False:
            return q
    if a.region_model == 2:
        q.append("provider")
    return q + ["workplace", *CONTACT_FIELDS, "confirmed"]


def provider_for_region(region: Optional[str], chosen: Optional[str]) -> Optional[str]:
    """Where a regional workplace's request goes: a model-1 region's route (Region Hovedstaden:
    the central unit), else the provider the workplace chose (never the central unit)."""
    catalogue = catalogue_module.load()
    if region and catalogue.region(region).model == 1:
        return catalogue.region(region).route
    return None if chosen == catalogue.central_unit.code else chosen


def missing(a: Answers, interest_list: bool = True) -> list[str]:
    """The questions still unanswered."""
    return [name for name in questions(a, interest_list) if getattr(a, name) is None]


@dataclass(frozen=True)
class Decision:
    """How a finished conversation ends."""

    # file | employee | no_theme | no_consensus | no_commitment | no_interest | state_not_open | incomplete
    outcome: str
    offer: Optional[str] = None
    provider: Optional[str] = None
    status: Optional[str] = None
    recipient: Optional[str] = None  # a recipient code of the catalogue, when the outcome is `file`


def route(a: Answers, interest_list: bool = True) -> Decision:
    """The end of the path for these answers (the rules of PRODUCT.md, applied)."""
    catalogue = catalogue_module.load()
    if a.sector == "statslig" and not interest_list:
        return Decision("state_not_open", a.offer)
    if a.role == "medarbejder":
        return Decision("employee", a.offer)
    if a.sector == "statslig":
        if a.interest is False:
            return Decision("no_interest", a.offer)
        if a.confirmed and not missing(a):
            return Decision("file", a.offer, status="interest_registered", recipient=catalogue.interest_list.code)
        return Decision("incomplete", a.offer)
    if a.theme_fit is False:
        return Decision("no_theme", a.offer)
    if a.consensus is False:
        return Decision("no_consensus", a.offer)
    if a.commitments_accepted is False:
        return Decision("no_commitment", a.offer)
    if a.confirmed and not missing(a):
        provider = provider_for_region(a.region, a.provider) if a.sector == "regional" else a.provider
        return Decision(
            "file",
            a.offer,
            provider=provider,
            status="submitted",
            recipient=catalogue.recipient_code(a.offer, provider),
        )
    return Decision("incomplete", a.offer)
