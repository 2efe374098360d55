"""Which field a user wants to correct, from what they write ('lederens e-mail er forkert')."""

from __future__ import annotations

import re
from typing import Optional

from bot.domain.text import fold

# (field, words that must all appear), most specific first.
_FIELD_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("leader_email", ("leder", "mail")),
    ("leader_phone", ("leder", "telefon")),
    ("leader_phone", ("leder", "nummer")),
    ("leader_name", ("leder", "navn")),
    ("rep_email", ("repr", "mail")),
    ("rep_email", ("tr", "mail")),
    ("rep_email", ("amr", "mail")),
    ("rep_phone", ("repr", "telefon")),
    ("rep_phone", ("tr", "telefon")),
    ("rep_phone", ("repr", "nummer")),
    ("rep_role", ("repr", "rolle")),
    ("rep_name", ("repr", "navn")),
    ("rep_name", ("tr", "navn")),
    ("contact_email", ("mail",)),
    ("contact_phone", ("telefon",)),
    ("theme", ("tema",)),
    ("problem_description", ("beskrivelse",)),
    ("problem_description", ("problem",)),
    ("municipality", ("kommune",)),
    ("region", ("region",)),
    ("workplace", ("arbejdsplads",)),
    ("application_type", ("faelles",)),
    ("application_type", ("enkelt",)),
    ("applicant_body", ("ansoger",)),
    ("applicant_body", ("udvalg",)),
    ("provider", ("udbyder",)),
    ("leader_name", ("leder",)),
    ("rep_name", ("repr",)),
)


def parse_field(text: str, allowed: tuple[str, ...] | list[str]) -> Optional[str]:
    """The first field among `allowed` that the text names, or None."""
    words = re.findall(r"[0-9a-z]+", fold(text).replace("oe", "o").replace("ae", "a"))
    for field, needles in _FIELD_WORDS:
        if field not in allowed:
            continue
        if all(any(w.startswith(n) or (len(n) > 3 and n in w) for w in words) for n in needles):
            return field
    return None
