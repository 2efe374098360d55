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
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from bot.domain import catalogue as catalogue_module
from bot.domain import contacts, workplaces
from bot.domain.routing import Answers, Decision

Button = tuple[str, str]

# -- what every channel answers before Rasa sees a message (bot/channels/guard.py) ----------
TECHNICAL_FAILURE = "Beklager, der skete en teknisk fejl, så jeg kunne ikke læse din besked. Prøv igen om lidt."
PRIVATE_EMPLOYER = (
    "Arbejdsmiljøguiden hjælper offentlige arbejdspladser: i kommuner, regioner og staten. "
    "Arbejder du hos en privat arbejdsgiver, er tilbuddene her ikke for jer. "
    "Spørg gerne din tillidsrepræsentant, din arbejdsmiljørepræsentant eller din fagforening."
)


def state_owned_company(company: str) -> str:
    """To the staff of a company the state owns (bot.domain.scope.state_owned_employer): the seeds name
    the state's workplaces, not its companies, so the bot says what it knows and does not guess."""
    return (
        f"{company} er en virksomhed, som staten ejer. Det, jeg bygger på, siger ikke, om statens tilbud også "
        f"gælder virksomheder, som staten ejer. {state_offer()} Spørg jeres tillidsrepræsentant, jeres "
        "arbejdsmiljørepræsentant eller jeres fagforening, om I hører med."
    )


# The writer's own pay, terms or dismissal (bot.domain.scope.own_employment_matter).
# A writer in acute danger or with thoughts of suicide (bot.domain.scope.crisis): this comes before anything about the
# offers. Not from the seeds: 112 is the Danish emergency number, and Livslinien (livslinien.dk) the national
# anonymous helpline for thoughts of suicide, 70 201 201 (as publicly known in 2026: the one number in the bot's
# answers that no seed holds, so check it before a release).
CRISIS_DANGER = (
    "Er du eller andre i fare lige nu, så ring 112. Kom i sikkerhed, og få fat i dine kolleger og din leder. "
    "Jeg er en chatbot og kan ikke hjælpe i en akut situation."
)
CRISIS_SUICIDE = (
    "Det lyder rigtig svært, og du skal ikke stå alene med det. Tænker du på at tage dit liv, så ring til "
    "Livslinien på 70 201 201 (anonymt), eller ring 112, hvis det er akut. Du kan også tale med din egen læge. "
    "Jeg er en chatbot og kan ikke hjælpe dig med det her, men de kan."
)
OWN_EMPLOYMENT = (
    "Spørgsmål om din egen løn, dine ansættelsesvilkår eller en opsigelse kan jeg ikke hjælpe med. "
    "Tal med din tillidsrepræsentant eller din fagforening: de kender reglerne og kan hjælpe dig. "
    "Jeg hjælper arbejdspladser, der sammen vil arbejde med det psykiske arbejdsmiljø."
)
# A message in English (bot.domain.english): the bot answers in Danish, and says so in English.
# After an answer that is not about the offers (utter_out_of_scope has this line of its own):
ENGLISH_HINT = (
    "(I can only help in Danish, with free support for the psychosocial work environment in the Danish public sector.)"
)
# After the answer to an English question:
ENGLISH_ANSWERED = "(I can only help in Danish: above is my answer to your question, in Danish.)"
# When an English message told about the workplace and the form starts:
ENGLISH_FORM = (
    "(I can only help in Danish. I have noted what you wrote about your workplace, and my next "
    "questions about the application are in Danish. A colleague, your union representative (TR) "
    "or your health and safety representative (AMR) can help you answer.)"
)
# "Hvordan søger vi?": the answer before the form's first question (actions/conclude.py).
# "hvordan søger vi?" read as the wish to apply: SPARK's own route (seed 003) and what the bot does (issue 24).
HOW_TO_APPLY = (
    "En kommunal arbejdsplads søger SPARK via SPARKs korte ansøgningsskema på sparkweb.dk. Jeg kan hjælpe jer "
    "med at samle svarene her: Jeg stiller nogle korte spørgsmål om jeres arbejdsplads, hvad I gerne vil have "
    "hjælp til, og hvem der kan kontaktes. Til sidst ser du alle svarene, før du bekræfter."
)
# After the answer that both sides must agree, to a writer who says one side will not apply (issue 24).
AGREE_FIRST = "Når I er enige, så skriv »søg om støtte«, så hjælper jeg jer videre med ansøgningen."
EMPTY_MESSAGE = "Din besked var tom. Skriv gerne, hvad du vil spørge om, så hjælper jeg dig videre."


def message_too_long(length: int, limit: int) -> str:
    return (
        f"Din besked er for lang ({length} tegn). Jeg kan højst læse {limit} tegn ad gangen. "
        "Skriv det gerne kortere, så hjælper jeg dig videre. Intet af det, du skrev, er gemt."
    )


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
    return (
        f"Jeg kunne ikke se, hvilket tema du mener. Skriv nummeret på temaet (1–{count}), "
        "beskriv problemet med lidt andre ord, eller skriv »ingen«, hvis ingen af dem passer."
    )


def themes_overview(offer: str) -> str:
    catalogue = catalogue_module.load()
    themes = catalogue.themes_for(offer)
    return f"{catalogue.offers[offer].name} dækker {count_word(len(themes))} temaer:\n" + _bullets(
        [t.label for t in themes]
    )


def no_theme_fit(offer: str, out_of_theme: bool) -> str:
    first = (
        "Det, du beskriver, ligger uden for temaerne" if out_of_theme else "Jeres problem passer ikke ind i temaerne"
    )
    return f"{first}, så I kan ikke søge om støtte til det her. {NO_THEME_ADVICE}\n\n" + themes_overview(offer)


def outside_themes_hint(offer: str) -> str:
    name = catalogue_module.load().offers[offer].name
    return (
        f"Det, du beskriver, ser ikke ud til at passe ind i temaerne for {name if name.isupper() else name.lower()}. "
        "Vælg et tema herunder, hvis det alligevel passer, ellers »Ingen af dem«."
    )


EXCLUSION_TEXT = {
    "personsag": "SPARK hjælper ikke med konkrete personsager.",
    "paabud": "SPARK hjælper ikke med at efterkomme et påbud fra Arbejdstilsynet.",
}
EXCLUSION_WORDS = {"personsag": "konkrete personsager", "paabud": "påbud fra Arbejdstilsynet"}
EXCLUSION_NAME = {"personsag": "en konkret personsag", "paabud": "at efterkomme et påbud fra Arbejdstilsynet"}
NO_THEME_ADVICE = (
    "Tal med jeres tillidsrepræsentant, jeres arbejdsmiljørepræsentant eller jeres fagforening, "
    "eller tag det op i MED-systemet. De kan hjælpe jer videre."
)


# A question about the writer's own situation (bot.domain.scope.personal_question): where to go, and what the
# offers are for.
PERSONAL_MATTER = (
    "Det lyder som et spørgsmål om din egen situation, og det kan jeg ikke svare på. Tal med din "
    "tillidsrepræsentant, din arbejdsmiljørepræsentant eller din fagforening: de kan hjælpe dig.\n\n"
    "Jeg hjælper arbejdspladser, hvor ledelse og medarbejdere sammen vil arbejde med det psykiske arbejdsmiljø, "
    "fx konflikter, mobning eller stress. Er det det, I vil, så skriv, hvor I arbejder, og hvad I gerne vil have "
    "hjælp til."
)
# A message that tells of a public workplace, but that the model of bot/nlu/own_workplace.py doubts is about the
# writer's own (actions/first_message.py, `doubted`): no application starts, and the writer can say so.
NOT_SURE_OWN_WORKPLACE = (
    "Jeg er ikke sikker på, at du skriver om det psykiske arbejdsmiljø på din egen arbejdsplads, så jeg starter "
    "ikke en ansøgning. Jeg hjælper offentlige arbejdspladser i kommuner, regioner og staten, der sammen vil "
    "arbejde med fx stress, konflikter, forandringer eller vold og trusler.\n\n"
    "Er det det, du mener, så skriv kort, hvor du arbejder, og hvad I gerne vil have hjælp til."
)
OUTSIDE_THE_OFFER = (
    "Det, du skriver om, ligger uden for det, den gratis støtte dækker: den handler om det psykiske "
    f"arbejdsmiljø. {NO_THEME_ADVICE}\n\n"
    "Har I også udfordringer med det psykiske arbejdsmiljø, fx travlhed, samarbejde eller forandringer, "
    "så skriv gerne om dem."
)


def exclusion_note(exclusions: tuple[str, ...], offer: str = "spark") -> str:
    """A personsag or a påbud: SPARK's rule (the 2018 agreement draft), said as SPARK's only. The form
    then asks for the preventive work (preventive_question)."""
    if offer == "spark":
        sentences = " ".join(EXCLUSION_TEXT[e] for e in exclusions)
        return f"{sentences} Men SPARK kan støtte jeres forebyggende arbejde omkring det."
    what = " og ".join(EXCLUSION_WORDS[e] for e in exclusions)
    return (
        f"Kilderne siger kun om SPARK, at det ikke hjælper med {what}. Om ekspertrådgivningen siger de "
        "ikke noget om det, men den handler om at styrke det psykiske arbejdsmiljø."
    )


def preventive_question() -> str:
    """The problem question after a personnel case or påbud was explained."""
    return (
        "Hvilket forebyggende arbejde vil I gerne have hjælp til? Beskriv det med dine egne ord, fx hvordan "
        "I vil styrke samarbejdet, tonen eller trivslen fremover. Skriv ikke navne på kolleger."
    )


def exclusion_ends(exclusions: tuple[str, ...], offer: str = "spark") -> str:
    """The description after the explanation is still only the case: nothing is filed."""
    what = " og ".join(EXCLUSION_NAME[e] for e in exclusions)
    return f"Det, du beskriver, handler stadig om {what}, så I kan ikke søge om støtte til det her. {NO_THEME_ADVICE}"


def no_theme_advice() -> str:
    return f"Så kan I ikke søge om støtte til det her: et tema, der ikke passer, vælger jeg ikke. {NO_THEME_ADVICE}"


def theme_denied(label: str) -> str:
    return (
        f"Du skrev, at det ikke handler om »{label}«, så det tema vælger jeg ikke. "
        "Vælg et andet tema, eller skriv »ingen«, hvis ingen af dem passer."
    )


def own_name_please() -> str:
    return "Skriv dit fulde navn, fx Mette Hansen."


def faelles_intro() -> str:
    steps = catalogue_module.load().commitments_for("faelles")[2:]
    return (
        "Et fællesforløb er for flere arbejdspladser, der går sammen om et fælles tema. "
        "Det er HovedMED, ForvaltningsMED, områdeMED eller lignende, der søger. "
        "Forløbet har to workshops på typisk en halv dag hver, og I skal bl.a.:\n" + _bullets(list(steps))
    )


def commitments_question(application_type: Optional[str], offer: str) -> Reply:
    commitments = catalogue_module.load().commitments_for(application_type)
    name = catalogue_module.load().offers[offer].name
    return Reply(
        f"Det er gratis at deltage. Men når I søger {name}, accepterer I at:\n"
        + _bullets(list(commitments))
        + "\n\nEr I klar til det?",
        (("Ja, det er vi klar til", "/affirm"), ("Nej", "/deny")),
    )


SOURCE_PAGE = "siden »Støtte til psykisk arbejdsmiljø« (sidst opdateret 1. oktober 2018)"


def region_route(region: str) -> str:
    """How a region's workplaces get expert advice (model 1 or 2), as the page of 1 October 2018 says."""
    r = catalogue_module.load().region(region)
    if r.model == 1:
        return (
            f"Ifølge {SOURCE_PAGE} har {r.name} valgt model 1: at sætte fokus på temaerne i en fælles, strategisk "
            f"indsats. Derfor skal jeres arbejdsplads først kontakte "
            f"{catalogue_module.load().central_unit.name[0].lower()}{catalogue_module.load().central_unit.name[1:]} "
            "for at afklare, om I kan søge om ekspertrådgivning og inspiration. "
            "Jeg samler jeres svar til en henvendelse til enheden."
        )
    providers = count_word(len(catalogue_module.load().providers))
    return (
        f"Ifølge {SOURCE_PAGE} har {r.name} valgt model 2: arbejdspladser kan henvende sig direkte til en af de "
        f"{providers} udbydere af ekspertrådgivning og inspiration. Jeg hjælper jer med at vælge en udbyder og samle "
        "jeres svar."
    )


def interest_question(offer_said: bool = False) -> Reply:
    """Asked only where this installation delivers interest registrations to the travelling team's list; after
    the state's offer only where it was not said just before."""
    return Reply(
        ("" if offer_said else state_offer() + "\n\n")
        + "Vil I registrere jeres interesse? Så sender jeg jeres kontaktoplysninger "
        "til rejseholdets interesseliste, og I kan få besked, når rejseholdet er klar.",
        (("Ja tak", "/affirm"), ("Nej tak", "/deny")),
    )


def regional_theme_mismatch(spark_theme: str) -> str:
    catalogue = catalogue_module.load()
    label = catalogue.theme("spark", spark_theme).label
    regional = [t.label.lower() for t in catalogue.themes_for("regional_ekspertraadgivning")]
    return (
        f"»{label}« er et af SPARKs temaer for kommunale arbejdspladser, men det er ikke et af de "
        f"regionale temaer. Ekspertrådgivningen til regionale arbejdspladser dækker "
        f"{', '.join(regional[:-1])} og {regional[-1]}."
    )


def provider_question(region: Optional[str]) -> Reply:
    catalogue = catalogue_module.load()
    text = (
        f"I kan selv vælge en af de {count_word(len(catalogue.providers))} udbydere, "
        "som overenskomstparterne har valgt:\n" + _bullets([p.description for p in catalogue.providers])
    )
    if region and catalogue.region(region).model_1_for_single_activity:
        text += f"\n\n{region} bruger dog model 1 (en fælles, strategisk indsats) til en enkelt aktivitet."
    return Reply(
        text + "\n\nHvilken udbyder vil I gerne have?",
        tuple((p.short, payload("inform", provider=p.code)) for p in catalogue.providers),
    )


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
SECTOR_TEXT = {
    "kommunal": "en kommunal arbejdsplads",
    "regional": "en regional arbejdsplads",
    "statslig": "en statslig arbejdsplads",
}
APPLICATION_TYPE_TEXT = {"enkelt": "Én arbejdsplads", "faelles": "Fællesforløb (flere arbejdspladser)"}


# -- the form's answers: asked again, corrected, changed ------------------------------------


def not_an_answer(slot: str, answers: Answers) -> str:
    """What to say when a message was no answer to the question for `slot`: what is expected."""
    catalogue = catalogue_module.load()
    if slot == "region":
        return f"Vælg en af de {count_word(len(catalogue.regions))} regioner."
    if slot == "provider":
        return (
            f"Vælg en af de {count_word(len(catalogue.providers))} udbydere: "
            + ", ".join(p.short for p in catalogue.providers)
            + "."
        )
    if slot == "applicant_body":
        return (
            "Vælg det udvalg, der søger: "
            + ", ".join(catalogue.applicant_bodies[answers.application_type or "enkelt"])
            + "."
        )
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
    "confirmed": "Skriv »ja«, hvis svarene er rigtige, eller vælg det, du vil rette.",
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


# -- the end of the form: what is filed, where it goes, and what the user does ------------------

# What a conversation ends in (bot/data/catalogue.yml, `document` of its recipient):
# (noun, the noun with its article, the word for filing it).
DOCUMENT_WORDS = {
    "application": ("ansøgning", "ansøgningen"),
    "enquiry": ("henvendelse", "henvendelsen"),
    "interest": ("interesseregistrering", "interesseregistreringen"),
}


def _document(recipient_code: str) -> tuple[str, str]:
    return DOCUMENT_WORDS[catalogue_module.load().recipient(recipient_code).document]


def recipient_of(answers: Answers) -> Optional[str]:
    """Who would receive this conversation's filing, from the answers so far (None: not yet known)."""
    from bot.domain.routing import provider_for_region

    catalogue = catalogue_module.load()
    if answers.sector == "kommunal":
        return "spark"
    if answers.sector == "statslig":
        return catalogue.interest_list.code
    provider = provider_for_region(answers.region, answers.provider) if answers.sector == "regional" else None
    return provider or None


def summary(answers: Answers, delivers: bool = False) -> Reply:
    """The answers before filing, and the question whose wording says what will really happen."""
    lines = [f"{FIELD_LABELS[slot]}: {display(slot, answers)}" for slot in summary_fields(answers)]
    code = recipient_of(answers)
    noun, definite = _document(code) if code else DOCUMENT_WORDS["application"]
    if code and delivers:
        name = catalogue_module.load().recipient(code).name
        heading, question = f"Her er jeres {noun} til {name}:", f"Skal jeg sende {definite} til {name}?"
    else:
        heading = "Her er jeres svar:"
        question = f"Skal jeg gemme {definite}? Jeg sender den ikke videre, men I får en tekst, I selv kan bruge."
    return Reply(heading + "\n" + "\n".join(lines) + "\n\n" + question, (("Ja", "/affirm"), ("Ret noget", "/deny")))


def correction_question(answers: Answers, only_answered: bool = False) -> Reply:
    fields = [slot for slot in summary_fields(answers) if not only_answered or getattr(answers, slot) is not None]
    return Reply("Hvad vil du rette?", tuple((FIELD_LABELS[slot], payload("correct", field=slot)) for slot in fields))


# The state's offer begins so, in the FAQ answer (domain.yml utter_faq/statsligt_tilbud) and in state_offer().
STATE_OFFER_OPENING = "En projektgruppe er ved at etablere et rejsehold"
STATE_NOT_OPEN_AFTER_THE_OFFER = "Hold øje med etf.dk. Jeg kan ikke registrere jeres interesse her."


def state_offer() -> str:
    """The state's travelling team as the page of 1 October 2018 describes it."""
    return (
        "En projektgruppe er ved at etablere et rejsehold, der skal støtte statslige arbejdspladser i at "
        "håndtere udfordringer i det psykiske arbejdsmiljø. "
        f"Ifølge {SOURCE_PAGE} er rejseholdets indsatsområder ikke fastlagt endnu, og man kan ikke søge endnu. "
        "Rejseholdet bliver annonceret i en nyhed på etf.dk."
    )


def conclusion(decision: Decision, answers: Answers) -> str:
    """What the user is told when the conversation ends without filing anything."""
    if decision.outcome == "state_not_open":
        return state_offer() + " " + STATE_NOT_OPEN_AFTER_THE_OFFER
    if decision.outcome == "employee" and answers.sector == "statslig":
        return (
            state_offer() + " Tag gerne fat i din tillidsrepræsentant eller arbejdsmiljørepræsentant, "
            "så de kan følge med for jer."
        )
    if decision.outcome == "employee":
        return (
            "Som medarbejder kan du ikke søge alene: leder og medarbejderrepræsentanter skal søge "
            "sammen. Tag fat i din tillidsrepræsentant, din arbejdsmiljørepræsentant eller din "
            "fagforenings afdeling. De kan undersøge, hvordan jeres arbejdsplads kan få glæde "
            "af tilbuddet. Du er velkommen til at spørge mig om tilbuddet imens."
        )
    if decision.outcome == "no_consensus":
        return (
            "Så gemmer jeg ikke noget. Ledere og medarbejderrepræsentanter skal være enige "
            "om at søge, fordi forløbet planlægges i samarbejde mellem jer. "
            "Tag det op i jeres TRIO eller MED-udvalg. Når I er enige, er I velkomne tilbage. "
            "Skriv »start forfra«, så hjælper jeg jer."
        )
    if decision.outcome == "no_commitment":
        return (
            "Så gemmer jeg ikke noget. Forløbet er gratis, men det kræver, at I afsætter tid og "
            "ressourcer og deltager i evalueringen. Tal om det i jeres TRIO eller MED-udvalg, "
            "og kom gerne tilbage, når I er klar."
        )
    if decision.outcome == "no_theme":
        return "Jeg har ikke gemt noget. Skriv »start forfra«, hvis du vil beskrive problemet på en anden måde."
    if decision.outcome == "no_interest":
        return "Helt i orden. Rejseholdet bliver annonceret i en nyhed på etf.dk, når det er klar."
    return "Jeg har ikke gemt noget."


AFTER_FILING_BUTTONS: tuple[Button, ...] = (("Status", "/application_status"), ("Ny ansøgning", "/start_application"))


def filed(record: dict, plan_delivers: bool, by_email: bool = False, receipt_by_email: bool = False) -> Reply:
    """What the user is told when the record is stored: registered with its reference; sent to the
    recipient only when this installation delivers there (and then only "is being sent": the
    worker sends it, and »status« tells when it arrived); otherwise the real route to take."""
    recipient = catalogue_module.load().recipient(record["recipient"])
    noun, definite = DOCUMENT_WORDS[recipient.document]
    text = f"Tak! Jeg har registreret jeres {noun} med referencen {record['reference']}."
    if plan_delivers:
        if recipient.document == "interest":
            text += " Jeg sender den til rejseholdets interesseliste nu, så I kan få besked, når rejseholdet er klar."
        else:
            text += f" Jeg sender {definite} til {recipient.name} nu."
        text += " Skriv »status«, hvis I vil se, om den er kommet frem."
    else:
        text += (
            f" Men jeg sender den ikke videre: det er ikke sat op i denne udgave af Arbejdsmiljøguiden. "
            f"{recipient.route}"
        )
        if recipient.document != "interest":
            text += " Nedenfor står alle jeres svar samlet, så I kan kopiere dem."
    if receipt_by_email:
        text += "\n\nI får også en kvittering på e-mail med referencen."
    return Reply(text, AFTER_FILING_BUTTONS)


def already_filed(reference: str, recipient_code: Optional[str]) -> Reply:
    noun = _document(recipient_code)[0] if recipient_code else "ansøgning"
    return Reply(
        f"Jeres {noun} er allerede registreret med referencen {reference}, så jeg gemmer den ikke igen. "
        "Skriv »ny ansøgning«, hvis I vil søge for en anden arbejdsplads.",
        AFTER_FILING_BUTTONS,
    )


def nothing_to_stop(reference: str) -> str:
    return f"Jeres ansøgning er allerede registreret med referencen {reference}. Der er ikke noget at stoppe."


STOPPED = (
    "Jeg har stoppet ansøgningen. Intet er gemt eller sendt, og jeg har glemt de svar, du har givet. "
    "Skriv bare, hvis du vil starte igen."
)


def filing_failed(answers: Answers) -> str:
    """The record could not be stored: nothing is lost (the answers stay in the conversation)."""
    code = recipient_of(answers)
    route = f" Eller tag den vej, der altid findes: {catalogue_module.load().recipient(code).route}" if code else ""
    return (
        "Beklager, der skete en teknisk fejl, så jeres svar er ikke gemt endnu. Jeg har stadig alle "
        "jeres svar. Skriv »prøv igen« om lidt, så prøver jeg igen." + route
    )


def record_lines(record: dict, full: bool = True) -> list[str]:
    """A filing as lines of text. `full`: everything the workplace answered, for pasting into the
    recipient's own form (the copy text); else a short summary without phone numbers or the problem
    description (the receipt of a delivered filing)."""
    catalogue = catalogue_module.load()
    recipient = catalogue.recipient(record["recipient"]) if record.get("recipient") else None
    lines = []
    if full:
        lines.append(f"Reference (Arbejdsmiljøguiden): {record['reference']}")
        if recipient:
            lines.append(f"Til: {recipient.name}")
    lines.append(f"Arbejdsplads: {record['workplace']}")
    if record.get("municipality"):
        lines.append(f"Kommune: {record['municipality']['name']}")
    if record.get("region"):
        lines.append(f"Region: {record['region']['name']}")
    if record.get("application_type"):
        lines.append(f"Ansøgningstype: {APPLICATION_TYPE_TEXT[record['application_type']]}")
    if record.get("applicant_body"):
        lines.append(f"Ansøger: {record['applicant_body']}")
    if record.get("theme"):
        lines.append(f"Tema: {catalogue.theme(record['offer'], record['theme']).label}")
    if full and record.get("problem_description"):
        lines.append(f"Beskrivelse: {record['problem_description']}")
    if full and record["status"] != "interest_registered":
        lines.append("Leder og medarbejderrepræsentanter er enige om at søge: Ja")
        if record.get("commitments_accepted"):
            lines.append("Vi accepterer at bruge tid og ressourcer på forløbet og at deltage i evalueringen: Ja")
    for role, label in (("leader", "Leder"), ("employee_representative", "Medarbejderrepræsentant")):
        contact = record["contacts"].get(role)
        if contact:
            role_text = REPRESENTATIVE_ROLE_TEXT.get(contact.get("role") or "", "")
            name = contact["name"] + (f" ({role_text})" if role_text else "")
            phone = f", {contact['phone']}" if contact.get("phone") else ""
            lines.append(f"{label}: {name}, {contact['email']}{phone}" if full else f"{label}: {name}")
    return lines


def copy_text(record: dict) -> str:
    """Everything the workplace answered, laid out for pasting into the recipient's own form
    (SPARK's application form on sparkweb.dk, an e-mail to a provider): the record, as text."""
    return "\n".join(record_lines(record, full=True))


REPRESENTATIVE_ROLE_TEXT = {
    "TR": "tillidsrepræsentant",
    "AMR": "arbejdsmiljørepræsentant",
    "FTR": "fællestillidsrepræsentant",
    "other": "anden repræsentant",
}


# -- e-mails: the receipt to the contacts, the intake e-mail to the recipient ---------------------


def receipt_subject(record: dict) -> str:
    noun = _document(record["recipient"])[0] if record.get("recipient") else "ansøgning"
    return f"Kvittering: jeres {noun} er registreret ({record['reference']})"


def receipt_body(record: dict, plan_delivers: bool) -> str:
    """The receipt: registered; sent on (with a short summary), or not (then the route and every
    answer, so the workplace can apply itself)."""
    recipient = catalogue_module.load().recipient(record["recipient"]) if record.get("recipient") else None
    noun = DOCUMENT_WORDS[recipient.document][0] if recipient else "ansøgning"
    if recipient and plan_delivers:
        what = f"Arbejdsmiljøguiden sender den til {recipient.name}."
        answers = ["Kort fortalt:", *(f"- {line}" for line in record_lines(record, full=False))]
    else:
        what = f"Arbejdsmiljøguiden sender den ikke videre. {recipient.route}" if recipient else ""
        answers = ["Alle jeres svar, så I kan kopiere dem:", copy_text(record)]
    return "\n".join(
        [
            "Hej",
            "",
            f"Jeres {noun} er registreret i Arbejdsmiljøguiden med referencen {record['reference']}. {what}".strip(),
            "",
            *answers,
            "",
            "Venlig hilsen",
            "Arbejdsmiljøguiden",
            "",
            "Du får denne e-mail, fordi du er kontaktperson. Svar ikke på den: den sendes automatisk.",
        ]
    )


def intake_subject(record: dict) -> str:
    noun = _document(record["recipient"])[0].capitalize()
    return f"{noun} fra Arbejdsmiljøguiden ({record['reference']})"


def intake_body(record: dict) -> str:
    recipient = catalogue_module.load().recipient(record["recipient"])
    noun = DOCUMENT_WORDS[recipient.document][0]
    return "\n".join(
        [
            f"En {noun} til {recipient.name}, registreret i Arbejdsmiljøguiden {record['created_at']}.",
            "",
            copy_text(record),
            "",
            "Hele registreringen ligger vedhæftet som JSON (application-record.schema.json).",
        ]
    )


# -- status by reference ---------------------------------------------------------------------------

STATUS_NOTHING_FILED = "Der er ikke registreret nogen ansøgning i denne samtale endnu."


def status_unknown(reference: str) -> str:
    # The same answer for a reference of another conversation: it is never disclosed.
    return f"Jeg kan ikke finde en ansøgning med referencen {reference} i denne samtale."


def application_status(
    record: dict, plan_delivers: bool, deliveries: dict[str, Optional[str]], receipt: Optional[str], receipts_on: bool
) -> str:
    """What happened to one record, from its outbox: `deliveries` maps 'e-mail'/'webhook' (those
    planned) to when it was sent (None: not yet); `receipt` is when the receipt was sent."""
    recipient = catalogue_module.load().recipient(record["recipient"]) if record.get("recipient") else None
    noun = DOCUMENT_WORDS[recipient.document][0] if recipient else "ansøgning"
    lines = [f"Jeres {noun} med referencen {record['reference']} er registreret {_when(record['created_at'])}."]
    if recipient and plan_delivers:
        sent = [when for when in deliveries.values() if when]
        if sent and len(sent) == len(deliveries):
            lines.append(f"Den er sendt til {recipient.name} {_when(max(sent))}.")
        else:
            lines.append(f"Den er ikke kommet frem til {recipient.name} endnu. Jeg prøver igen af mig selv.")
    elif recipient:
        lines.append(f"Den sendes ikke videre herfra. {recipient.route}")
    if receipts_on:
        lines.append(
            f"Kvitteringen er sendt på e-mail {_when(receipt)}."
            if receipt
            else "Kvitteringen på e-mail er ikke sendt endnu."
        )
    return " ".join(lines)


def _when(stamp: str) -> str:
    """'2026-03-01T09:30:00Z' -> 'den 01.03.2026 kl. 09.30 (UTC)'."""
    date, _, time = stamp.partition("T")
    year, month, day = date.split("-")
    return f"den {day}.{month}.{year} kl. {time[:5].replace(':', '.')} (UTC)"


# -- privacy ---------------------------------------------------------------------------------
# Where the Rasa server shows the privacy notice (bot/channels/privacy_page.py); the greeting links to it.
PRIVACY_PAGE = "/privatliv"
PRIVACY_NOTICE_FILE = Path(__file__).resolve().parents[1] / "data" / "privacy_notice.md"


FORGOTTEN_MEMORY = "Jeg har slettet vores samtale og alle de svar, du har givet mig."
# True of the bot's memory; in Slack the messages themselves stay (slack_forgotten below says so instead).
FORGOTTEN_NOTHING_KEPT = "Intet af det, du har skrevet her, er gemt i samtalen længere."


def forgotten(references: list[str]) -> str:
    """The confirmation after "glem mig"; `references`: what this conversation registered, if anything."""
    done = f"{FORGOTTEN_MEMORY} {FORGOTTEN_NOTHING_KEPT}"
    if not references:
        return done + " Der var ikke registreret nogen ansøgning. Skriv bare, hvis du vil starte forfra."
    which = " og ".join(references)
    one = len(references) == 1
    return (
        done + f"\n\n{'Den registrering' if one else 'De registreringer'}, I allerede har lavet ({which}), "
        f"er ikke slettet: {'den' if one else 'de'} gemmes, så {'den' if one else 'de'} kan blive behandlet. "
        f"Vil I have {'den' if one else 'dem'} slettet, så skriv til dem, der driver Arbejdsmiljøguiden "
        f"(de står på {PRIVACY_PAGE}), og oplys referencen."
    )


def privacy_notice(retention_days: int, controller: Optional[str]) -> str:
    """The full privacy notice (markdown), with the retention period and the data controller."""
    controller_text = (
        f"Dataansvarlig er {controller}."
        if controller
        else "Dataansvarlig er den organisation, der driver denne udgave af Arbejdsmiljøguiden."
    )
    return PRIVACY_NOTICE_FILE.read_text(encoding="utf-8").format(
        retention_days=retention_days, controller=controller_text
    )


def privacy_summary(retention_days: int) -> str:
    """The short version the bot says in the chat (same facts as the notice)."""
    return (
        "Sådan passer jeg på dine oplysninger:\n"
        "- Jeg gemmer det, du skriver i samtalen, så jeg kan hjælpe dig med jeres ansøgning. "
        "Det kan være navne, e-mailadresser og telefonnumre på jeres kontaktpersoner og jeres "
        "beskrivelse af problemet.\n"
        f"- Samtalen slettes automatisk, når der er gået {retention_days} dage uden nye beskeder.\n"
        "- En registreret ansøgning gemmes, så den kan blive behandlet.\n"
        "- Skriv »glem mig« eller »slet mine oplysninger«, så sletter jeg samtalen med det samme.\n"
        "- Skriv ikke helbredsoplysninger eller navne på kolleger i beskrivelsen af problemet.\n\n"
        f"Læs hele teksten på {PRIVACY_PAGE}"
    )


# -- sources ---------------------------------------------------------------------------------
SOURCES_FILE = Path(__file__).resolve().parents[1] / "data" / "sources.yml"


@lru_cache(maxsize=1)
def sources() -> dict:
    with open(SOURCES_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def page_citation(key: str) -> str:
    """»Bestil en SPARK-konsulent« (SPARK) / »Støtte til …« (sidst opdateret 1. oktober 2018)."""
    page = sources()["pages"][key]
    details = ", ".join(part for part in (page.get("by"), page.get("date")) if part)
    return f"»{page['title']}«" + (f" ({details})" if details else "")


# The FAQ topic that tells a sector its own offer ("Kan vi bruge SPARK?" from a hospital: the regions' offer).
OFFER_TOPIC_BY_SECTOR = {
    "statslig": "faq/statsligt_tilbud",
    "regional": "faq/regionalt_tilbud",
    "kommunal": "faq/daekning",
}


def source_line(faq_topic: str) -> Optional[str]:
    """The source line after an FAQ answer, or None for a topic without one (a test forbids that)."""
    pages = sources()["faq"].get(faq_topic)
    if not pages:
        return None
    return ("Kilde: " if len(pages) == 1 else "Kilder: ") + "; ".join(page_citation(key) for key in pages)


# -- Slack (bot/channels/slack.py) ----------------------------------------------------------
# Posted in the channel's thread when the answer goes on in a direct message instead.
SLACK_CONTINUES_IN_PRIVATE = (
    "Jeg skriver videre til dig i en privat besked, så navne og kontaktoplysninger "
    "ikke kommer til at stå her i kanalen."
)
# ... when the user's own message in the channel held an e-mail address or a phone number.
SLACK_CONTACT_DETAILS_IN_CHANNEL = (
    "Jeg svarer dig i en privat besked. Din besked her har kontaktoplysninger, "
    "som alle i kanalen kan se, så slet den gerne."
)
# ... when Slack would not open the direct message: the answer is not posted in the channel either.
SLACK_NO_PRIVATE_MESSAGE = (
    "Jeg kunne ikke åbne en privat besked til dig, og resten skal ikke stå her i kanalen. "
    "Skriv til mig i en direkte besked (find mig under Apps i Slack), så fortsætter vi dér."
)
# The slash command's answer, seen only by the user who typed it.
SLACK_COMMAND_ANSWERED = "Jeg skriver til dig i en privat besked."
# After "glem mig" in Slack: the bot's memory is gone, the messages in Slack are not.
SLACK_MEMORY_DELETED = "Jeg har slettet min hukommelse af vores samtale og alle de svar, du har givet mig."
SLACK_MESSAGES_STAY = (
    "Beskederne her i Slack bliver dog stående i Slack, både dine og mine. Dine beskeder kan "
    "jeg ikke slette, men det kan du selv: hold musen over en besked, klik på de tre prikker "
    "og vælg »Slet besked«."
)


def slack_forgotten(texts: list[str]) -> list[str]:
    """The bot's messages after "glem mig", as Slack must say them: its memory is deleted, the
    messages in Slack stay there (the confirmation's sentences replaced, or a message added)."""
    said = f"{FORGOTTEN_MEMORY} {FORGOTTEN_NOTHING_KEPT}"
    honest = [text.replace(said, f"{SLACK_MEMORY_DELETED} {SLACK_MESSAGES_STAY}") for text in texts]
    return honest if honest != texts else [*texts, SLACK_MESSAGES_STAY]


# -- reliability: a part of the bot restarting, a client sending too much ------------------------
# The channels' guard (bot/channels/guard.py) says this when the action server could not be reached:
# the turn was not stored, so the same message sent again goes on from where the conversation was.
ACTION_SERVER_DOWN = (
    "Beklager, jeg kan ikke svare lige nu. Prøv igen om et øjeblik: send din besked igen, "
    "så fortsætter vi, hvor vi slap."
)
# "glem mig" while the action server could not be reached (bot/server/action_server_down.py): the
# conversation is deleted all the same, but whether an application was filed could not be looked up.
FORGOTTEN_REFERENCE_UNKNOWN = (
    f"{FORGOTTEN_MEMORY} {FORGOTTEN_NOTHING_KEPT}\n\nJeg kan ikke se lige nu, om I allerede havde registreret "
    "en ansøgning. En registreret ansøgning er ikke slettet. Skriv »glem mig« igen om et øjeblik, så får du "
    "dens reference."
)
# The rate limit (bot/channels/rate_limit.py): in the web chat, as a bot message; on REST and the
# pages, as the reason of a 429 answer.
RATE_LIMITED_MESSAGE = (
    "Du har sendt mange beskeder på kort tid. Vent et øjeblik, og send så din besked igen. "
    "Den seneste er ikke modtaget."
)
RATE_LIMITED_REQUEST = "For mange forespørgsler på kort tid. Vent et øjeblik, og prøv så igen."
