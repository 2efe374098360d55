"""Contact details and roles as people type them: validated, normalised, or explained."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.domain.text import fold

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE_IN_TEXT = re.compile(r"(?<![\w@])(?:\+|00|\(\+45\)\s?)?\d[\d\s().\-/]{6,20}\d(?![\w@])")
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?$")
NAME_MAX = 120
# Slot value for "no phone number, please": the record stores null.
PHONE_SKIPPED = "-"
SKIP_WORDS = {"spring over", "ingen", "nej", "har ikke", "har ingen", "vil ikke oplyse", "-", "skip"}


@dataclass(frozen=True)
class Checked:
    """A normalised value, or the reason (a Danish sentence) why the input was not one."""

    value: Optional[str]
    problem: Optional[str] = None


def check_email(text: str) -> Checked:
    candidates = _EMAIL.findall(text or "")
    if len(candidates) == 1 and len(candidates[0]) <= 254:
        local, domain = candidates[0].rsplit("@", 1)
        if ".." not in candidates[0] and not local.startswith(".") and not local.endswith("."):
            return Checked(f"{local}@{domain.lower()}")
    if len(candidates) > 1:
        return Checked(None, "Jeg fandt flere e-mailadresser. Skriv kun én, fx navn@kommune.dk.")
    return Checked(None, "Det ligner ikke en e-mailadresse. Skriv den som fx navn@kommune.dk.")


def check_phone(text: str) -> Checked:
    """Danish numbers in any common format become '+45 XXXXXXXX'."""
    found = _PHONE_IN_TEXT.findall(text or "")
    raw = found[0].strip() if len(found) == 1 else ""
    if not raw:
        return Checked(None, "Skriv telefonnummeret med cifre, fx 12 34 56 78 eller +45 12345678.")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") or raw.startswith("00"):
        digits = digits[2:] if raw.startswith("00") else digits
        if not digits.startswith("45"):
            return Checked(None, "Jeg kan kun tage imod danske telefonnumre (+45).")
        digits = digits[2:]
    elif len(digits) == 10 and digits.startswith("45"):
        digits = digits[2:]
    if len(digits) != 8:
        return Checked(None, "Et dansk telefonnummer har 8 cifre. Prøv igen, fx 12 34 56 78.")
    return Checked(f"+45 {digits}")


def check_name(text: str) -> Checked:
    name = re.sub(r"\s+", " ", (text or "").strip())
    name = re.sub(r"^(?:(?:han|hun) hedder|(?:navnet|lederens navn|navn) er|det er|jeg hedder)\s+",
                  "", name, flags=re.I)
    if len(name) < 2:
        return Checked(None, "Skriv venligst hele navnet, fx Mette Hansen.")
    if len(name.split()) > 4:
        return Checked(None, "Skriv kun navnet, fx Mette Hansen.")
    if len(name) > NAME_MAX:
        return Checked(None, f"Navnet må højst være {NAME_MAX} tegn.")
    if not _NAME_CHARS.match(name):
        return Checked(None, "Et navn må kun have bogstaver, mellemrum og bindestreg. Skriv fx Mette Hansen.")
    return Checked(name)


def mentions_contact_details(text: str) -> bool:
    """Whether a text holds something like an e-mail address or a phone number (8 digits or more).

    Wider than the checks above on purpose: it keeps such text out of places others read (a
    Slack channel), where a false alarm only means an answer in private.
    """
    if _EMAIL.search(text or ""):
        return True
    return any(len(re.sub(r"\D", "", found)) >= 8 for found in _PHONE_IN_TEXT.findall(text or ""))


def is_skip(text: str) -> bool:
    return fold(text or "").strip(" .!") in {fold(w) for w in SKIP_WORDS}


# Role words, most specific first ("fællestillidsrepræsentant" before "tillidsrepræsentant").
ROLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("FTR", ("ftr", "fællestillidsrepræsentant", "faellestillidsrepraesentant", "fællestillidsmand")),
    ("AMR", ("amr", "ar", "arbejdsmiljørepræsentant", "arbejdsmiljorepraesentant",
             "arbejdsmiljørep", "arbejdsmiljøreprsentant", "arbejdsmiljørepresentant")),
    ("TR", ("tr", "tillidsrepræsentant", "tillidsrepraesentant", "tillidsmand", "tillidskvinde",
            "tillidsrepresentant", "tillidsrep")),
    ("leder", ("leder", "lederen", "chef", "direktør", "afdelingsleder", "institutionsleder",
               "mellemleder", "souschef", "teamleder", "skoleleder", "centerleder",
               "ledelsen", "forstander", "daglig leder", "områdeleder", "sektionsleder")),
    ("medarbejder", ("medarbejder", "ansat", "almindelig medarbejder", "kollega", "menig",
                     "medarbejder uden hverv", "bare ansat", "sosu-assistent", "sygeplejerske",
                     "pædagog", "lærer", "hjemmehjælper", "social- og sundhedshjælper")),
)
REPRESENTATIVE_ROLES = ("TR", "AMR", "FTR")
# The roles a user can have (the `role` slot's values but "other").
USER_ROLES = tuple(role for role, _ in ROLE_WORDS)


def parse_role(text: str) -> Optional[str]:
    """The user's role from free text: 'leder', 'TR', 'AMR', 'FTR', 'medarbejder' or None."""
    folded = fold(text or "")
    for role, words in ROLE_WORDS:
        for word in words:
            if re.search(rf"(?<![0-9a-z]){re.escape(fold(word))}(?![0-9a-z])", folded):
                return role
    if re.search(r"\b(?:repr(?:æ|ae)sentant|rep)\b", folded):
        return "other"
    return None
