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


# What people write instead of a name: "det er mig", "ved ikke", "lederen".
NOT_NAMES = frozenset(
    {
        "mig",
        "jeg",
        "mig selv",
        "ham",
        "hende",
        "dem",
        "os",
        "du",
        "dig",
        "den",
        "det",
        "denne",
        "vedkommende",
        "samme",
        "den samme",
        "det samme",
        "samme som",
        "ingen",
        "ingen endnu",
        "nej",
        "ja",
        "ok",
        "ved ikke",
        "det ved jeg ikke",
        "aner det ikke",
        "ikke valgt",
        "ikke valgt endnu",
        "lederen",
        "min leder",
        "vores leder",
        "chefen",
        "min chef",
        "tr",
        "amr",
        "ftr",
        "trioen",
        "leder",
        "medarbejder",
        "hvem",
        "hvad",
        "spring over",
        "skip",
        "test",
        "navn",
        "mit navn",
        "hans navn",
        "hendes navn",
        "fornavn efternavn",
        "anonym",
        "hemmeligt",
    }
)
# Words no name is made of alone ("det mig", "han er").
_SMALL_WORDS = frozenset(
    """det der den de er var mig jeg du dig han hun ham hende os vi jer i og eller som så saa
    jo nu her hos paa på til fra med ikke ja nej også ogsaa selv igen bare kun en et noget nogen intet
    ingenting hvad hvem""".split()
)
_NAME_LEAD = re.compile(
    r"^(?:(?:og\s+)?(?:han|hun|vedkommende|lederen|repræsentanten|tr'en|amr'en|det)\s+hedder|"
    r"(?:navnet|lederens navn|hans navn|hendes navn|mit navn|navn) er|"
    r"(?:det|navnet) skal være|det er|jeg hedder|hedder)\s+",
    re.I,
)
NAME_PATTERN = re.compile(r"\b(?:hedder|navnet er|navn er|skal hedde|skal være)\s+", re.I)


def named(text: str) -> Optional[str]:
    """A name given in a sentence: 'nej, han hedder Søren Jensen' -> 'Søren Jensen', else None.

    The last 'hedder ...' / 'navnet er ...' whose rest is a name: 'navnet er forkert, hun hedder
    Mette Holm' -> 'Mette Holm'.
    """
    text = re.sub(r"\s+", " ", text or "").strip()
    for lead in reversed(list(NAME_PATTERN.finditer(text))):
        value = check_name(text[lead.end() :]).value
        if value:
            return value
    return None


def check_name(text: str) -> Checked:
    name = re.sub(r"\s+", " ", (text or "").strip()).strip(" .!")
    name = _NAME_LEAD.sub("", name)
    if fold(name).strip(" .!") in {fold(w) for w in NOT_NAMES} or (
        name and all(fold(w) in _SMALL_WORDS for w in re.findall(r"[^\W\d_]+", name))
    ):
        return Checked(None, "Skriv venligst personens fulde navn, fx Mette Hansen.")
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
    (
        "AMR",
        (
            "amr",
            "ar",
            "arbejdsmiljørepræsentant",
            "arbejdsmiljorepraesentant",
            "arbejdsmiljørep",
            "arbejdsmiljøreprsentant",
            "arbejdsmiljørepresentant",
        ),
    ),
    (
        "TR",
        (
            "tr",
            "tillidsrepræsentant",
            "tillidsrepraesentant",
            "tillidsmand",
            "tillidskvinde",
            "tillidsrepresentant",
            "tillidsrep",
        ),
    ),
    (
        "leder",
        (
            "leder",
            "lederen",
            "chef",
            "direktør",
            "afdelingsleder",
            "institutionsleder",
            "mellemleder",
            "souschef",
            "teamleder",
            "skoleleder",
            "centerleder",
            "ledelsen",
            "forstander",
            "daglig leder",
            "områdeleder",
            "sektionsleder",
        ),
    ),
    (
        "medarbejder",
        (
            "medarbejder",
            "ansat",
            "almindelig medarbejder",
            "kollega",
            "menig",
            "medarbejder uden hverv",
            "bare ansat",
            "sosu-assistent",
            "sygeplejerske",
            "pædagog",
            "lærer",
            "hjemmehjælper",
            "social- og sundhedshjælper",
        ),
    ),
)
REPRESENTATIVE_ROLES = ("TR", "AMR", "FTR")
# The roles a user can have (the `role` slot's values but "other").
USER_ROLES = tuple(role for role, _ in ROLE_WORDS)


def _role_at(folded: str) -> list[tuple[int, int, str]]:
    """Every role word in a folded text: (start, end, role), most specific first where they overlap."""
    found: list[tuple[int, int, str]] = []
    for role, words in ROLE_WORDS:
        for word in sorted(words, key=len, reverse=True):
            for match in re.finditer(rf"(?<![0-9a-z]){re.escape(fold(word))}(?![0-9a-z])", folded):
                if not any(s <= match.start() < e or match.start() <= s < match.end() for s, e, _ in found):
                    found.append((match.start(), match.end(), role))
    return sorted(found)


# Whose role a role word is: "min leder", "lederen", "vores TR" are someone else's.
_OTHERS_BEFORE = re.compile(
    r"(?:\b(?:min|mit|mine|vores|jeres|din|dit|hans|hendes|deres|den|det|de|en ny|ny|nye|"
    r"med|til|af|fra|for|om|hos|uden|vil|skal|kan|overfor|mellem)\s+(?:\w+\s+)?)$"
)
# A definite form names a particular other person ("lederen mobber"), unless "jeg er lederen".
_DEFINITE = frozenset({"lederen", "ledelsen", "chefen"})
_OTHERS_AFTER = re.compile(r"^(?:en|et|ne|'en|'et|erne|ens|s)\b")
_NEGATED = re.compile(r"\b(?:ikke|ikk|ikke laengere|ikke mere|aldrig)\s+(?:\w+\s+)?$")
_SELF = re.compile(
    r"(?:\bjeg\b[^.!?]*\b(?:er|var|sidder|arbejder|fungerer|valgt|ansat)\b[^.!?]*$|"
    r"\bsom\s+(?:\w+\s+)?$)"
)
_GREETING = re.compile(r"\b(?:hej|hejsa|hejhej|hallo|halloej|goddag|god dag|godmorgen|god morgen|davs|dav|hi|hey)\b")
_HERE = re.compile(r"^\s*(?:her\b|fra\b|i\b|paa\b|ved\b|hos\b|,|$)")
# Roles that a statement names outright; a job title ('pædagog') says nothing about the TRIO.
STATED_ROLE_WORDS = frozenset(
    {"medarbejder", "almindelig medarbejder", "menig", "medarbejder uden hverv", "bare ansat"}
)


# A self-correction: what the writer said of themselves before it no longer holds.
_CORRECTION = re.compile(r"\beller rettere\b|\brettere sagt\b|\bnej,? undskyld\b|\bundskyld,? jeg mener\b")
# A role the writer had: "jeg var TR", "tidligere AMR".
_FORMER = re.compile(r"\b(?:jeg var|var tidligere|tidligere|forhenvaerende|fhv)\s+(?:\w+\s+)?$")


def stated_role(text: str) -> Optional[str]:
    """The writer's own role, from what they say about themselves, with negation understood.

    'Jeg er TR på et plejecenter' -> 'TR'; 'jeg er social- og sundhedshjælper, ikke TR' -> None (no
    role of the TRIO named: a job title is no role); '... og min leder mobber mig' -> None (someone
    else's role); 'TR her' -> 'TR'. Several roles of one's own: the representative's or leader's. A role
    corrected ('leder – eller rettere oversygeplejerske') or past ('jeg var TR') is none.
    """
    folded = fold(text or "")
    own: list[str] = []
    corrected = max((m.end() for m in _CORRECTION.finditer(folded)), default=0)
    for start, end, role in _role_at(folded):
        word = folded[start:end]
        if start < corrected or _FORMER.search(folded[:start]):
            continue  # "jeg er leder – eller rettere oversygeplejerske"; "jeg var TR indtil i fjor"
        if role == "medarbejder" and word not in {fold(w) for w in STATED_ROLE_WORDS}:
            continue
        if word in _DEFINITE and not re.search(r"\bjeg er\s+$", folded[:start]):
            continue
        before, after = folded[:start], folded[end:]
        sentence_before = re.split(r"[.!?;]|\bmen\b", before)[-1]
        if _NEGATED.search(sentence_before) or _OTHERS_AFTER.match(after):
            continue
        if _OTHERS_BEFORE.search(sentence_before) and not re.search(
            r"\b(?:jeg er|som)\s+(?:\w+\s+)?$", sentence_before
        ):
            continue
        opening = not _GREETING.sub("", sentence_before).strip(" ,!.-")
        if (_SELF.search(sentence_before) and not opening) or (opening and _HERE.match(after)):
            own.append(role)
    ranked = [role for role, _ in ROLE_WORDS if role in own]
    return ranked[0] if ranked else None


_SELF_NAME = re.compile(
    r"^(?:nej,?\s+)?(?:det\s+)?(?:er|bliver|blir)?\s*(?:jo\s+|så\s+|saa\s+|også\s+|ogsaa\s+)?"
    r"(?:mig|jeg)(?:\s+selv)?(?:\s+igen)?(?:\s+selv)?$"
)


def means_self(text: str) -> bool:
    """'det er mig', 'mig selv', 'jeg': the user means themselves, not a name."""
    return bool(_SELF_NAME.match(fold(text or "").strip(" .!,")))


def representative_role_in(text: str) -> Optional[str]:
    """A representative's role named beside a name: 'Lars Nielsen, AMR' -> 'AMR'."""
    for _, _, role in _role_at(fold(text or "")):
        if role in REPRESENTATIVE_ROLES:
            return role
    return None


def without_role_words(text: str) -> str:
    """The text without role words and the small words around them: 'Lars Nielsen (vores AMR)' -> 'Lars Nielsen'."""
    spellings = sorted(
        {
            form
            for role, words in ROLE_WORDS
            if role in REPRESENTATIVE_ROLES
            for word in words
            for form in (word, fold(word))
        },
        key=len,
        reverse=True,
    )
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, spellings)) + r")(?!\w)", re.I)
    kept = pattern.sub(" ", text or "")
    if kept != text:
        kept = re.sub(r"(?<!\w)(?:vores|vor|er|som|hun|han|der|og)(?!\w)", " ", kept, flags=re.I)
    return re.sub(r"\s+", " ", re.sub(r"[(),;:/]", " ", kept)).strip(" -")


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
