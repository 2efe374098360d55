"""Contact details and roles as people type them: validated, normalised, or explained.

Whether a phone number or an e-mail address is valid is decided by the libraries made for it:
phonenumbers (Google's libphonenumber metadata) and email-validator (syntax only, no DNS).
Both are pure functions over their own data, with no I/O, so bot/domain stays pure
(tests/domain/test_purity.py). Finding the value in a sentence and the Danish answers are ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.domain.text import fold

# What looks like an address in a sentence (letters of any script, as in æblé@københavn.dk):
# email-validator then decides whether it is one.
_EMAIL_IN_TEXT = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.\w{2,}")
_PHONE_IN_TEXT = re.compile(r"(?<![\w@])(?:\+|00|\(\+45\)\s?)?\d[\d\s().\-/]{6,20}\d(?![\w@])")
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?$")
NAME_MAX = 120
# Slot value for "no phone number, please": the record stores null.
PHONE_SKIPPED = "-"
SKIP_WORDS = {"spring over", "ingen", "nej", "har ikke", "har ingen", "vil ikke oplyse", "-", "skip"}
# The example in our answers: a real-looking Danish number (libphonenumber accepts it), not 12 34 56 78.
PHONE_EXAMPLE = "20 30 40 50"
PHONE_EXAMPLE_DIGITS = PHONE_EXAMPLE.replace(" ", "")
EMAIL_EXAMPLE = "navn@kommune.dk"


@dataclass(frozen=True)
class Checked:
    """A normalised value, or the reason (a Danish sentence) why the input was not one."""

    value: Optional[str]
    problem: Optional[str] = None


def check_email(text: str) -> Checked:
    """One e-mail address found in the text, its domain in lower case (as email-validator normalises it)."""
    candidates = _EMAIL_IN_TEXT.findall(text or "")
    if len(candidates) > 1:
        return Checked(None, f"Jeg fandt flere e-mailadresser. Skriv kun én, fx {EMAIL_EXAMPLE}.")
    if len(candidates) == 1:
        try:
            return Checked(validate_email(candidates[0], check_deliverability=False).normalized)
        except EmailNotValidError:
            pass
    return Checked(None, f"Det ligner ikke en e-mailadresse. Skriv den som fx {EMAIL_EXAMPLE}.")


def check_phone(text: str) -> Checked:
    """One Danish number found in the text, in any common format, as '+45 XXXXXXXX'."""
    found = _PHONE_IN_TEXT.findall(text or "")
    raw = found[0].strip() if len(found) == 1 else ""
    if not raw:
        return Checked(None, f"Skriv telefonnummeret med cifre, fx {PHONE_EXAMPLE} eller +45 {PHONE_EXAMPLE_DIGITS}.")
    try:
        number = phonenumbers.parse(raw.replace("(+45)", "+45"), "DK")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and number.country_code != 45:
        return Checked(None, "Jeg kan kun tage imod danske telefonnumre (+45).")
    if number is None or not phonenumbers.is_valid_number(number):
        return Checked(None, f"Det er ikke et gyldigt dansk telefonnummer (8 cifre). Prøv igen, fx {PHONE_EXAMPLE}.")
    return Checked(f"+45 {number.national_number:08d}")


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
    if _EMAIL_IN_TEXT.search(text or ""):
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
