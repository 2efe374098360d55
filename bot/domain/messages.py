"""The bot's Danish messages that depend on the catalogue or the user's answers.

Static sentences live in domain.yml; anything that lists themes, commitments or the
user's own details is built here from the catalogue, so no fact is written twice.
Each function returns a `Reply`: text plus optional buttons (title, payload).

Replies are plain text, with the user's own words (a workplace, a name, the problem) exactly
as typed: each channel escapes at its edge (the web chat with textContent, Slack's mrkdwn
`&`, `<`, `>`; REST returns the text in JSON). See docs/security.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bot.domain import catalogue as catalogue_module
from bot.domain import contacts, workplaces
from bot.domain.routing import Answers, Decision

Button = tuple[str, str]

# -- what every channel answers before Rasa sees a message (bot/channels/guard.py) ----------
TECHNICAL_FAILURE = "Beklager, der skete en teknisk fejl, så jeg kunne ikke læse din besked. Prøv igen om lidt."
EMPTY_MESSAGE = "Din besked var tom. Skriv gerne, hvad du vil spørge om, så hjælper jeg dig videre."


def message_too_long(length: int, limit: int) -> str:
    return (f"Din besked er for lang ({length} tegn). Jeg kan højst læse {limit} tegn ad gangen. "
            "Skriv det gerne kortere, så hjælper jeg dig videre. Intet af det, du skrev, er gemt.")


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


_COUNT_WORDS = ("nul", "én", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti", "elleve", "tolv")


def count_word(number: int) -> str:
    """'fire' for 4: counts of themes, providers and regions are written as words, from the data."""
    return _COUNT_WORDS[number] if 0 <= number < len(_COUNT_WORDS) else str(number)


def _bullets(items: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


SECTOR_BUTTONS = {"kommunal": "Kommune", "regional": "Region", "statslig": "Staten"}
SECTOR_PLACE = {"kommunal": "kommunen", "regional": "regionen", "statslig": "staten"}
SECTOR_QUESTION = "Hvor hører jeres arbejdsplads til: en kommune, en region eller staten?"


def sector_question(hint: Optional[str] = None) -> Reply:
    """Kommune, region or staten; when the workplace's kind is in several sectors ("bosted",
    bot.domain.workplaces), the likely sector first, in the text and the buttons."""
    ambiguity = workplaces.ambiguity(hint)
    order = list(SECTOR_BUTTONS)
    text = SECTOR_QUESTION
    if ambiguity and ambiguity.sectors:
        order = [*ambiguity.sectors, *[s for s in SECTOR_BUTTONS if s not in ambiguity.sectors]]
        options = " eller ".join(SECTOR_PLACE[s] for s in ambiguity.sectors)
        text = f"{ambiguity.say} Hører jeres arbejdsplads under {options}?".strip()
    return Reply(text, tuple((SECTOR_BUTTONS[s], payload("inform", sector=s)) for s in order))


def theme_question(offer: str, suggestion: Optional[str]) -> Reply:
    catalogue = catalogue_module.load()
    themes = catalogue.themes_for(offer)
    if suggestion:
        label = catalogue.theme(offer, suggestion).label
        return Reply(
            f"Det lyder som temaet »{label}«. Passer det?",
            (("Ja, det passer", "/affirm"), ("Nej, vælg et andet tema", "/deny")),
        )
    # Numbered in the text too: in `rasa shell` and Slack a number is quicker to type than a label.
    return Reply(
        f"Hvilket af de {len(themes)} temaer passer bedst på jeres problem? "
        "Vælg et tema, eller skriv nummeret:\n"
        + "\n".join(f"{number}. {t.label}" for number, t in enumerate(themes, start=1))
        + "\nSkriv »ingen«, hvis ingen af dem passer.",
        tuple((t.label, payload("inform", theme=t.code)) for t in themes)
        + (("Ingen af dem", payload("inform", theme="ingen")),),
    )


def theme_not_understood(offer: str) -> str:
    count = len(catalogue_module.load().themes_for(offer))
    return (f"Jeg kunne ikke se, hvilket tema du mener. Skriv nummeret på temaet (1–{count}), "
            "beskriv problemet med lidt andre ord, eller skriv »ingen«, hvis ingen af dem passer.")


def themes_overview(offer: str) -> str:
    catalogue = catalogue_module.load()
    themes = catalogue.themes_for(offer)
    return f"{catalogue.offers[offer].name} giver støtte inden for {len(themes)} temaer:\n" + \
        _bullets([t.label for t in themes])


def no_theme_fit(offer: str, out_of_theme: bool) -> str:
    first = ("Det, du beskriver, ligger uden for temaerne" if out_of_theme
             else "Jeres problem passer ikke ind i temaerne")
    return f"{first}, så jeg kan ikke sende en ansøgning om det. {NO_THEME_ADVICE}\n\n" + themes_overview(offer)


def outside_themes_hint(offer: str) -> str:
    name = catalogue_module.load().offers[offer].name
    return (f"Det, du beskriver, ser ikke ud til at passe ind i {name}s temaer. "
            "Vælg et tema herunder, hvis det alligevel passer, ellers »Ingen af dem«.")


EXCLUSION_TEXT = {
    "personsag": "SPARK hjælper ikke med konkrete personsager.",
    "paabud": "SPARK hjælper ikke med at efterkomme et påbud fra Arbejdstilsynet.",
}
# The seeds say this of SPARK (agreement draft, seed 004); of the regional offer only what it is for.
EXCLUSION_TEXT_REGIONAL = {
    "personsag": "Ekspertrådgivningen handler om at styrke det psykiske arbejdsmiljø, ikke om en konkret personsag.",
    "paabud": "Ekspertrådgivningen handler om at styrke det psykiske arbejdsmiljø, ikke om at efterkomme et påbud "
              "fra Arbejdstilsynet.",
}
EXCLUSION_NAME = {"personsag": "en konkret personsag", "paabud": "at efterkomme et påbud fra Arbejdstilsynet"}
NO_THEME_ADVICE = ("Tal med jeres tillidsrepræsentant eller arbejdsmiljørepræsentant, jeres fagforening "
                   "eller tag det op i MED-systemet. De kan hjælpe jer videre.")


def exclusion_note(exclusions: tuple[str, ...], offer: str = "spark") -> str:
    """A personnel case or a påbud is explained; the form then asks for the preventive work (preventive_question)."""
    if offer == "spark":
        sentences = " ".join(EXCLUSION_TEXT[e] for e in exclusions)
        return f"{sentences} Men SPARK kan støtte jeres forebyggende arbejde omkring det."
    return " ".join(dict.fromkeys(EXCLUSION_TEXT_REGIONAL[e] for e in exclusions)) + \
        " Men I kan få hjælp til det forebyggende arbejde omkring det."


def preventive_question() -> str:
    """The problem question after a personnel case or påbud was explained."""
    return ("Hvilket forebyggende arbejde vil I gerne have hjælp til? Beskriv det med dine egne ord, fx hvordan "
            "I vil styrke samarbejdet, tonen eller trivslen fremover. Skriv ikke navne på kolleger.")


def exclusion_ends(exclusions: tuple[str, ...], offer: str = "spark") -> str:
    """The description after the explanation is still only the case: nothing is filed."""
    what = " og ".join(EXCLUSION_NAME[e] for e in exclusions)
    return f"Det, du beskriver, handler stadig om {what}, så jeg kan ikke sende en ansøgning om det. {NO_THEME_ADVICE}"


def no_theme_advice() -> str:
    return f"Så sender jeg ikke en ansøgning med et tema, der ikke passer. {NO_THEME_ADVICE}"


def theme_denied(label: str) -> str:
    return (f"Du skrev, at det ikke handler om »{label}«, så det tema vælger jeg ikke. "
            "Vælg et andet tema, eller skriv »ingen«, hvis ingen af dem passer.")


def own_name_please() -> str:
    return "Skriv dit fulde navn, fx Mette Hansen."


def faelles_intro() -> str:
    steps = catalogue_module.load().commitments_for("faelles")[2:]
    return ("Et fællesforløb er for flere arbejdspladser, der går sammen om et fælles tema. "
            "Det er HovedMED, ForvaltningsMED, områdeMED eller lignende, der søger. "
            "Forløbet har to workshops på typisk en halv dag hver, og I skal bl.a.:\n"
            + _bullets(list(steps)))


def commitments_question(application_type: Optional[str], offer: str) -> Reply:
    commitments = catalogue_module.load().commitments_for(application_type)
    name = catalogue_module.load().offers[offer].name
    return Reply(
        f"Det er gratis at deltage. Men når I søger {name}, accepterer I at:\n"
        + _bullets(list(commitments)) + "\n\nEr I klar til det?",
        (("Ja, det er vi klar til", "/affirm"), ("Nej", "/deny")),
    )


def region_route(region: str) -> str:
    """How a region's workplaces get expert advice (model 1 or 2, seed 000)."""
    r = catalogue_module.load().region(region)
    if r.model == 1:
        return (f"{r.name} har valgt at sætte fokus på temaerne i en fælles, strategisk indsats. "
                "Derfor skal jeres arbejdsplads først kontakte den centrale arbejdsmiljøenhed for at "
                "afklare, om I kan søge om ekspertrådgivning og inspiration. Jeg kan sende en henvendelse "
                "til enheden for jer, så den kan vende tilbage til jer.")
    providers = count_word(len(catalogue_module.load().providers))
    return (f"I {r.name} kan jeres arbejdsplads henvende sig direkte til en af de {providers} udbydere af "
            "ekspertrådgivning og inspiration. Jeg hjælper jer med at vælge og sende henvendelsen.")


def regional_theme_mismatch(spark_theme: str) -> str:
    catalogue = catalogue_module.load()
    label = catalogue.theme("spark", spark_theme).label
    regional = [t.label.lower() for t in catalogue.themes_for("regional_ekspertraadgivning")]
    return (f"»{label}« er et af SPARKs temaer for kommunale arbejdspladser, men det er ikke et af de "
            f"regionale temaer. Ekspertrådgivningen til regionale arbejdspladser dækker "
            f"{', '.join(regional[:-1])} og {regional[-1]}.")


def provider_question(region: Optional[str]) -> Reply:
    catalogue = catalogue_module.load()
    text = (f"I kan selv vælge en af de {count_word(len(catalogue.providers))} udbydere, "
            "som overenskomstparterne har valgt:\n"
            + _bullets([p.description for p in catalogue.providers]))
    if region and catalogue.region(region).model_1_for_single_activity:
        text += f"\n\n{region} bruger dog model 1 (en fælles, strategisk indsats) til en enkelt aktivitet."
    return Reply(text + "\n\nHvilken udbyder vil I gerne have?",
                 tuple((p.short, payload("inform", provider=p.code)) for p in catalogue.providers))


FIELD_LABELS = {
    "municipality": "Kommune",
    "region": "Region",
    "application_type": "Ansøgningstype",
    "applicant_body": "Ansøger",
    "theme": "Tema",
    "problem_description": "Beskrivelse",
    "provider": "Udbyder",
    "workplace": "Arbejdsplads",
    "leader_name": "Leder",
    "leader_email": "Lederens e-mail",
    "leader_phone": "Lederens telefon",
    "rep_name": "Medarbejderrepræsentant",
    "rep_role": "Repræsentantens rolle",
    "rep_email": "Repræsentantens e-mail",
    "rep_phone": "Repræsentantens telefon",
    "contact_name": "Kontaktperson",
    "contact_email": "E-mail",
    "contact_phone": "Telefon",
}
SECTOR_TEXT = {"kommunal": "en kommunal arbejdsplads", "regional": "en regional arbejdsplads",
               "statslig": "en statslig arbejdsplads"}
APPLICATION_TYPE_TEXT = {"enkelt": "Én arbejdsplads", "faelles": "Fællesforløb (flere arbejdspladser)"}


# -- the form's answers: asked again, corrected, changed ------------------------------------

def not_an_answer(slot: str, answers: Answers) -> str:
    """What to say when a message was no answer to the question for `slot`: what is expected."""
    catalogue = catalogue_module.load()
    if slot == "region":
        return f"Vælg en af de {count_word(len(catalogue.regions))} regioner."
    if slot == "provider":
        return (f"Vælg en af de {count_word(len(catalogue.providers))} udbydere: "
                + ", ".join(p.short for p in catalogue.providers) + ".")
    if slot == "applicant_body":
        return "Vælg det udvalg, der søger: " + ", ".join(
            catalogue.applicant_bodies[answers.application_type or "enkelt"]) + "."
    if slot == "theme":
        return theme_not_understood(answers.offer or "spark")
    return NOT_AN_ANSWER[slot]


NOT_AN_ANSWER = {
    "sector": "Vælg kommune, region eller staten.",
    "municipality": "Den kommune kender jeg ikke. Skriv kommunens navn, fx Vejle, Aarhus eller København.",
    "role": "Vælg den rolle, der passer bedst på dig.",
    "application_type": "Vælg, om I søger for én arbejdsplads eller for flere sammen.",
    "problem_description": "Skriv gerne et par sætninger om, hvad der fylder hos jer.",
    "workplace": "Skriv arbejdspladsens navn, fx »Plejecenter Solgården«.",
    "rep_role": "Medarbejderrepræsentanten er typisk TR, AMR eller FTR. Vælg en af dem, eller »Andet«.",
    "confirmed": "Skriv »ja« for at sende ansøgningen, eller vælg det, du vil rette.",
}


def workplace_too_long(limit: int) -> str:
    return f"Navnet er for langt. Skriv det med højst {limit} tegn."


def or_skip(problem: str) -> str:
    """A phone number's problem, with the way out: the phone number is optional."""
    return f"{problem} Eller skriv »spring over«."


def sector_changed(sector: str) -> str:
    return f"Jeg har rettet sektoren til {SECTOR_TEXT[sector]}."


_CHANGED_LABELS = {"municipality": "kommunen", "region": "regionen", "role": "din rolle"}


def answer_changed(slot: str, value: str) -> str:
    """A message changed an earlier answer that was not being asked: say so."""
    return f"Jeg har rettet {_CHANGED_LABELS[slot]} til {value}."


def correcting(field_name: str) -> str:
    return f"Okay, så retter vi »{FIELD_LABELS[field_name].lower()}«."


def display(slot: str, answers: Answers) -> str:
    value = getattr(answers, slot)
    if value in (None, contacts.PHONE_SKIPPED):
        return "(ikke oplyst)"
    if slot == "theme" and answers.offer:
        return catalogue_module.load().theme(answers.offer, value).label
    if slot == "application_type":
        return APPLICATION_TYPE_TEXT.get(value, value)
    if slot == "provider":
        return catalogue_module.load().provider_name(value)
    if slot == "rep_role" and value == "other":
        return "Anden repræsentant"
    return str(value)


def summary_fields(answers: Answers) -> list[str]:
    from bot.domain.routing import questions

    asked = [q for q in questions(answers) if q in FIELD_LABELS]
    if answers.sector == "regional" and "region" not in asked:
        asked.insert(0, "region")
    return asked


def summary(answers: Answers) -> Reply:
    lines = [f"{FIELD_LABELS[slot]}: {display(slot, answers)}" for slot in summary_fields(answers)]
    return Reply(
        "Her er det, jeg sender:\n" + "\n".join(lines) + "\n\nSkal jeg sende ansøgningen?",
        (("Ja, send den", "/affirm"), ("Ret noget", "/deny")),
    )


def correction_question(answers: Answers, only_answered: bool = False) -> Reply:
    fields = [slot for slot in summary_fields(answers)
              if not only_answered or getattr(answers, slot) is not None]
    return Reply("Hvad vil du rette?",
                 tuple((FIELD_LABELS[slot], payload("correct", field=slot)) for slot in fields))


def conclusion(decision: Decision, answers: Answers, record: Optional[dict] = None,
               already_filed: bool = False, receipt_by_email: bool = False) -> str:
    """What the user is told when the conversation ends."""
    if decision.outcome == "employee" and answers.sector == "statslig":
        return ("Rejseholdet for statslige arbejdspladser er ved at blive etableret, og indsatsområderne er "
                "ikke fastlagt endnu. Det bliver annonceret i en nyhed på etf.dk. Tag gerne fat i din "
                "tillidsrepræsentant og/eller arbejdsmiljørepræsentant, så de kan følge med for jer.")
    if decision.outcome == "employee":
        return ("Som medarbejder kan du ikke søge alene: leder og medarbejderrepræsentanter skal søge "
                "sammen. Tag fat i din tillidsrepræsentant og/eller arbejdsmiljørepræsentant eller "
                "din fagforenings afdeling. De kan undersøge, hvordan jeres arbejdsplads kan få glæde "
                "af tilbuddet. Du er velkommen til at spørge mig om tilbuddet imens.")
    if decision.outcome == "no_consensus":
        return ("Så sender jeg ikke noget endnu. Ledere og medarbejderrepræsentanter skal være enige "
                "om at søge, fordi forløbet planlægges og gennemføres i samarbejde mellem jer. "
                "Tag det op i jeres TRIO eller MED-udvalg. Når I er enige, er I velkomne tilbage. "
                "Skriv »start forfra«, så hjælper jeg jer.")
    if decision.outcome == "no_commitment":
        return ("Så sender jeg ikke noget. Forløbet er gratis, men det kræver, at I afsætter tid og "
                "ressourcer og deltager i evalueringen. Tal om det i jeres TRIO eller MED-udvalg, "
                "og kom gerne tilbage, når I er klar.")
    if decision.outcome == "no_theme":
        return "Der er ikke sendt noget. Skriv »start forfra«, hvis du vil beskrive problemet på en anden måde."
    if decision.outcome == "no_interest":
        return "Helt i orden. Rejseholdet bliver annonceret i en nyhed på etf.dk, når det er klar."
    if decision.outcome == "file" and record is not None:
        reference = record["reference"]
        if already_filed:
            return f"Jeres ansøgning er allerede sendt med referencen {reference}. Den bliver ikke sendt igen."
        return filed_text(record, receipt_by_email)
    return "Der er ikke sendt noget."


def filed_text(record: dict, receipt_by_email: bool = False) -> str:
    receipt = "\n\nI får også en kvittering på e-mail med referencen." if receipt_by_email else ""
    return (f"Tak! Jeres ansøgning er sendt. Jeres reference er {record['reference']}.\n\n"
            f"{next_step(record)}{receipt}")


def next_step(record: dict) -> str:
    """What happens after filing (the chat's confirmation and the e-mail receipt both say it)."""
    if record["offer"] == "spark":
        text = ("SPARK kontakter jer for et indledende møde, hvor I afstemmer forventninger. "
                "Samarbejdsaftalen er fortrolig mellem jer og SPARK. HovedMED får kun at vide, "
                "hvilket tema I har valgt.")
    elif record["offer"] == "statsligt_rejsehold":
        text = "Vi giver jer besked, når rejseholdet er klar. Det bliver også annonceret på etf.dk."
    elif record.get("provider") == catalogue_module.load().central_unit.code:
        text = (f"{catalogue_module.load().central_unit.name} vender tilbage for at afklare, "
                "om I kan søge om ekspertrådgivning og inspiration.")
    else:
        text = "Udbyderen kontakter jer for at planlægge forløbet sammen med leder og medarbejderrepræsentanter."
    return text


# -- privacy ---------------------------------------------------------------------------------
# Where the Rasa server shows the privacy notice (bot/channels/privacy_page.py); the greeting links to it.
PRIVACY_PAGE = "/privatliv"
PRIVACY_NOTICE_FILE = Path(__file__).resolve().parents[1] / "data" / "privacy_notice.md"


def forgotten(reference: Optional[str]) -> str:
    """The confirmation after "glem mig"; `reference` is the conversation's filed application, if any."""
    done = ("Jeg har slettet vores samtale og alle de svar, du har givet mig. "
            "Intet af det, du har skrevet her, er gemt længere.")
    if reference is None:
        return done + " Der var ikke sendt nogen ansøgning. Skriv bare, hvis du vil starte forfra."
    return (done + f"\n\nJeres ansøgning med referencen {reference} var allerede sendt. Den er gemt, "
            "så den kan blive behandlet, og den er ikke slettet. Vil I også have ansøgningen slettet, "
            f"så kontakt dem, der behandler den, og oplys referencen {reference}.")


def privacy_notice(retention_days: int, controller: Optional[str]) -> str:
    """The full privacy notice (markdown), with the retention period and the data controller."""
    controller_text = (f"Dataansvarlig er {controller}." if controller else
                       "Dataansvarlig er den organisation, der driver denne udgave af Arbejdsmiljøguiden.")
    return PRIVACY_NOTICE_FILE.read_text(encoding="utf-8").format(retention_days=retention_days,
                                                                  controller=controller_text)


def privacy_summary(retention_days: int) -> str:
    """The short version the bot says in the chat (same facts as the notice)."""
    return ("Sådan passer jeg på dine oplysninger:\n"
            "- Jeg gemmer det, du skriver i samtalen, så jeg kan hjælpe dig og sende jeres ansøgning. "
            "Det kan være navne, e-mailadresser og telefonnumre på jeres kontaktpersoner og jeres "
            "beskrivelse af problemet.\n"
            f"- Samtalen slettes automatisk, når der er gået {retention_days} dage uden nye beskeder.\n"
            "- En sendt ansøgning gemmes, så den kan blive behandlet.\n"
            "- Skriv »glem mig« eller »slet mine oplysninger«, så sletter jeg samtalen med det samme.\n"
            "- Skriv ikke helbredsoplysninger eller navne på kolleger i beskrivelsen af problemet.\n\n"
            f"Læs hele teksten på {PRIVACY_PAGE}")
