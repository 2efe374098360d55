"""validate_application_form: checks and normalises every answer; bot.domain.routing picks the next question."""

from __future__ import annotations

import inspect
import re
from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import (CONTROL_INTENTS, answers, latest_intent, latest_text, send,
                            value_before_this_turn)
from bot.domain import catalogue as catalogue_module
from bot.domain import contacts, geography, messages, routing, themes
from bot.domain.corrections import parse_field
from bot.domain.text import clean_free_text, fold, looks_like_question, words, yes_or_no

Slots = Dict[Text, Any]

PROBLEM_MAX = 4000
YES_NO_SLOTS = ("consensus", "commitments_accepted", "interest")
CONTACT_TEXT_SLOTS = (*routing.CONTACT_FIELDS, *routing.STATE_CONTACT_FIELDS)
WORKPLACE_MAX = 200
# Whole words (on folded text), so that 'alle' in 'kaldte alle' counts but not in 'tallet'.
_FAELLES = re.compile(r"\b(flere|sammen|alle|faelles\w*|hele kommunen)\b")
_ENKELT = re.compile(r"\b((e|ee)n|1|egen|vores|kun vores) (egen )?(arbejdsplads|afdeling|institution)\b|"
                     r"\b(kun|bare) (os|vores)\b|\bos selv\b|\benkelt\w*")
# Questions whose answer is one of a few things; an off-topic message is taken only if it is one.
CHOICE_SLOTS = ("municipality", "region", "role", "application_type", "applicant_body", "provider",
                "rep_role", "theme", "confirmed")
# A sentence answering "what do you need help with" that NLU took for one of these is still an answer.
PROBLEM_NOT_CONTROL = ("affirm", "deny", "greet", "goodbye", "thanks", "correct", "start_application")
# Messages with these intents are never read as a yes or a no ("nej, jeg vil tale med et menneske").
NEVER_AN_ANSWER = ("out_of_scope", "human_handoff", "stop", "restart", "forget_me", "privacy_notice")


def _phone_or_skip(text: str) -> contacts.Checked:
    if contacts.is_skip(text):
        return contacts.Checked(contacts.PHONE_SKIPPED)
    checked = contacts.check_phone(text)
    return checked if checked.value else contacts.Checked(None, f"{checked.problem} Eller skriv »spring over«.")


def _contact_validator(slot: str, check: Callable[[str], contacts.Checked]) -> Callable[..., Slots]:
    """A validate_<slot> method: normalise the answer, or explain the problem and ask again."""

    def validate(self: FormValidationAction, value: Any, dispatcher: CollectingDispatcher,
                 tracker: Tracker, domain: DomainDict) -> Slots:
        checked = check(str(value or ""))
        if checked.problem:
            dispatcher.utter_message(text=checked.problem)
        return {slot: checked.value}

    return validate


class ValidateApplicationForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_application_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return routing.questions(answers(tracker))

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        correction = {**self._correction(dispatcher, tracker), **self._region_moves_town(tracker)}
        tracker.slots.update(correction)  # routing must see the forgotten answer before asking next
        events = await super().run(dispatcher, tracker, domain)
        events = [SlotSet(slot, value) for slot, value in correction.items()] + events
        self._announce_changes(dispatcher, tracker, events)
        # Once a regional workplace's region is known, say how that region's offer works.
        region = tracker.get_slot("region")
        if (tracker.get_slot("sector") == "regional" and region
                and tracker.get_slot("route_explained") != region):
            dispatcher.utter_message(text=messages.region_route(region))
            events.append(SlotSet("route_explained", region))
        return events

    @staticmethod
    def _correction(dispatcher: CollectingDispatcher, tracker: Tracker) -> Slots:
        """'lederens e-mail er forkert' / 'skift tema' in the middle of the form: forget that answer.

        The form then asks it again (it is earlier in the order than the current question).
        At the summary, validate_confirmed handles corrections instead.
        """
        requested = tracker.get_slot("requested_slot")
        if latest_intent(tracker) != "correct" or requested == "confirmed":
            return {}
        a = answers(tracker)
        answered = [slot for slot in messages.summary_fields(a) if getattr(a, slot) is not None]
        entity = next((e.get("value") for e in tracker.latest_message.get("entities", [])
                       if e.get("entity") == "field"), None)
        text = latest_text(tracker)
        if requested and parse_field(text, [requested]) == requested:
            # "skift tema" while the theme is being asked: ask it afresh.
            return {"awaiting_correction": False, **_forget(requested, text)}
        field = entity if entity in answered else parse_field(text, answered)
        if field is None:
            send(dispatcher, messages.correction_question(a, only_answered=True))
            return {"awaiting_correction": True}
        dispatcher.utter_message(text=f"Okay, så retter vi »{messages.FIELD_LABELS[field].lower()}«.")
        return {"awaiting_correction": False, **_forget(field, latest_text(tracker))}

    @staticmethod
    def _region_moves_town(tracker: Tracker) -> Slots:
        """'nej, vi hører under Region Sjælland': a new region the known town is not in replaces the town.

        (validate_region does this only while the region is being asked; a municipal path never asks it.)
        """
        region, municipality = tracker.get_slot("region"), tracker.get_slot("municipality")
        if not region or not municipality or value_before_this_turn(tracker, "region") in (None, region):
            return {}
        geo = geography.load()
        if geo.canonical_region(region) and geo.region_of(municipality) != geo.canonical_region(region):
            return {"municipality": None}
        return {}

    @staticmethod
    def _announce_changes(dispatcher: CollectingDispatcher, tracker: Tracker,
                          events: List[EventType]) -> None:
        """Say so when a message changed an earlier answer it was not asked for.

        The new value is the validated one, or else the one NLU extracted this turn (a region
        on the municipal path is never validated, as it is never asked).
        """
        requested = value_before_this_turn(tracker, "requested_slot")
        validated = {event.get("name"): event.get("value") for event in events if event.get("event") == "slot"}
        for slot in ("municipality", "region", "role"):
            value = validated.get(slot, tracker.get_slot(slot))
            if slot == requested or value is None:
                continue
            before = value_before_this_turn(tracker, slot)
            if before is not None and before != value:
                label = {"municipality": "kommunen", "region": "regionen", "role": "din rolle"}[slot]
                dispatcher.utter_message(text=f"Jeg har rettet {label} til {value}.")

    # -- facts taken from any message (several facts in one sentence) -------------
    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        if latest_text(tracker).startswith("/"):
            return []
        answer = self._answer_despite_intent(tracker, domain)
        if answer:
            return [SlotSet(slot, value) for slot, value in answer.items()]
        if latest_intent(tracker) in CONTROL_INTENTS:
            return []
        events: List[EventType] = []
        for extract in (self._extract_workplace, self._extract_role, self._extract_problem):
            found = extract(tracker)
            tracker.slots.update(found)
            events += [SlotSet(slot, value) for slot, value in found.items()]
        return events

    def _answer_despite_intent(self, tracker: Tracker, domain: DomainDict) -> Slots:
        """Answers that NLU took for a question or off-topic talk, but aren't questions.

        A problem description often sounds like a FAQ topic ('påbud', 'travlt'), a name or an
        e-mail can look off-topic to the classifier, and a one-word answer to a choice ('TRIO',
        'Thisted') can look like a question about it or like nothing at all. Free text goes to
        the slot's validation, which explains what is wrong; an answer to a choice is taken
        only if its validator accepts it, so off-topic talk never fills a choice.
        """
        requested = tracker.get_slot("requested_slot")
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        if looks_like_question(text) or not text.strip():
            return {}
        if requested in YES_NO_SLOTS and intent not in ("affirm", "deny", *NEVER_AN_ANSWER):
            answer = yes_or_no(text)
            return {} if answer is None else {requested: answer}
        if requested == "problem_description" and (
                intent in ("faq", "nlu_fallback") or (intent in PROBLEM_NOT_CONTROL and len(words(text)) >= 3)):
            return {requested: text}  # 'vi taler ikke ordentligt sammen' is no 'nej'
        if requested == "problem_description" and intent == "out_of_scope":
            # Markup or odd words can make a real problem look off-topic; one that names a theme is an answer.
            assessment = themes.assess(text, answers(tracker).offer or "spark")
            if assessment.themes or assessment.exclusions:
                return {requested: text}

        if requested == "workplace" and intent in ("faq", "out_of_scope", "nlu_fallback"):
            return {requested: text}  # a workplace can be called anything, even '<b>Solgården</b>'

        if requested in CONTACT_TEXT_SLOTS and intent in ("faq", "out_of_scope", "nlu_fallback"):
            return {requested: text}
        if requested in CHOICE_SLOTS and intent in ("faq", "out_of_scope", "nlu_fallback"):
            validated = getattr(self, f"validate_{requested}")(text, CollectingDispatcher(), tracker, domain)
            return {requested: text} if _accepted(requested, validated) else {}
        return {}

    @staticmethod
    def _extract_workplace(tracker: Tracker) -> Slots:
        """Sector from workplace words or names; a named hospital also gives the region."""
        geo = geography.load()
        text = latest_text(tracker)
        found: Slots = {}
        if tracker.get_slot("sector") is None:
            sector = geo.infer_sector(text)
            if sector:
                found["sector"] = sector
        if (found.get("sector") or tracker.get_slot("sector")) != "regional" or tracker.get_slot("region"):
            return found
        # A regional workplace: the region of the named hospital, else of the town mentioned.
        institution = geo.find_institution(text)
        town = geo.find_municipality(text)
        if institution and institution.region:
            found["region"] = institution.region
        elif town:
            found["region"] = town.region
        return found

    @staticmethod
    def _extract_role(tracker: Tracker) -> Slots:
        if tracker.get_slot("role") is not None or tracker.get_slot("requested_slot") in (
                "rep_role", "rep_name", "leader_name", "contact_name", "workplace", "problem_description"):
            return {}
        role = contacts.parse_role(latest_text(tracker))
        return {"role": role} if role and role != "other" else {}

    @staticmethod
    def _extract_problem(tracker: Tracker) -> Slots:
        """A first message like '... og vi har meget vold fra borgerne' already describes the problem."""
        if tracker.get_slot("problem_description") is not None or tracker.get_slot("requested_slot"):
            return {}
        text = latest_text(tracker)
        assessment = themes.assess(text)
        return {"problem_description": text} if assessment.themes or assessment.exclusions else {}

    # -- where and who -----------------------------------------------------------
    def validate_sector(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> Slots:
        if value not in catalogue_module.SECTORS:
            dispatcher.utter_message(text="Vælg kommune, region eller staten.")
            return {"sector": None}
        previous = value_before_this_turn(tracker, "sector")
        if previous in (None, value):
            return {"sector": value}
        # A change of sector changes the offer: its themes, providers and questions.
        dispatcher.utter_message(text=f"Jeg har rettet sektoren til {messages.SECTOR_TEXT[value]}.")
        return {"sector": value, "theme": None, "theme_suggestion": None, "theme_fit": None,
                "application_type": None, "applicant_body": None, "provider": None,
                "interest": None, "confirmed": None, "route_explained": None}

    def validate_municipality(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> Slots:
        geo = geography.load()
        text = str(value or "")
        name = (geo.canonical_municipality(text) or
                (m.name if (m := geo.find_municipality(text)) else None) or
                geo.guess_municipality(text))
        if name is None:
            dispatcher.utter_message(
                text="Den kommune kender jeg ikke. Skriv kommunens navn, fx Vejle, Aarhus eller København.")
            return {"municipality": None}
        slots: Slots = {"municipality": name, "region": geo.region_of(name)}
        if tracker.get_slot("sector") == "regional":
            slots.update(self._regional_provider(geo.region_of(name), tracker))
        return slots

    @staticmethod
    def _regional_provider(region_name: str, tracker: Tracker) -> Slots:
        """Hovedstaden (model 1) goes to the central unit; a model-2 region keeps a chosen provider."""
        region = catalogue_module.load().region(region_name)
        if region.model == 1:
            return {"provider": region.route}
        if tracker.get_slot("provider") == "central_arbejdsmiljoenhed":
            return {"provider": None}
        return {}

    def validate_region(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> Slots:
        name = geography.load().canonical_region(str(value or ""))
        if name is None:
            dispatcher.utter_message(text="Vælg en af de fem regioner.")
            return {"region": None}
        slots: Slots = {"region": name}
        municipality = tracker.get_slot("municipality")
        if municipality and geography.load().region_of(municipality) != name:
            slots["municipality"] = None  # the region overrides a town in another region
        if tracker.get_slot("sector") == "regional":
            slots.update(self._regional_provider(name, tracker))
        return slots

    def validate_role(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: DomainDict) -> Slots:
        role = value if value in ("leder", "TR", "AMR", "FTR", "medarbejder") else contacts.parse_role(str(value or ""))
        if role is None or role == "other":
            dispatcher.utter_message(text="Vælg den rolle, der passer bedst på dig.")
            return {"role": None}
        return {"role": role}

    # -- the application -----------------------------------------------------------
    def validate_application_type(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> Slots:
        folded = fold(str(value or ""))
        if value in ("enkelt", "faelles"):
            kind = value
        elif _FAELLES.search(folded):
            kind = "faelles"
        elif _ENKELT.search(folded) or folded.strip(" .!") in ("en", "een", "1"):
            kind = "enkelt"
        else:
            dispatcher.utter_message(text="Vælg, om I søger for én arbejdsplads eller for flere sammen.")
            return {"application_type": None}
        if kind == "faelles" and value_before_this_turn(tracker, "application_type") != "faelles":
            dispatcher.utter_message(text=messages.faelles_intro())
        return {"application_type": kind}

    def validate_applicant_body(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Slots:
        kind = tracker.get_slot("application_type") or "enkelt"
        allowed = catalogue_module.load().applicant_bodies[kind]
        folded = fold(str(value or "")).replace(" ", "").replace("-", "")
        for body in allowed:
            if fold(body).replace(" ", "").replace("-", "") in folded:
                return {"applicant_body": body}
        if kind == "faelles" and "hoved" in folded:
            return {"applicant_body": "HovedMED"}
        named = [w for w in words(str(value or "")) if (w.endswith("med") and w != "med") or "udvalg" in w]
        if kind == "faelles" and (named or folded in ("med", "voresmed")) and len(folded) <= 60:
            return {"applicant_body": clean_free_text(str(value), 60)}
        dispatcher.utter_message(text="Vælg det udvalg, der søger: " + ", ".join(allowed) + ".")
        return {"applicant_body": None}

    def validate_problem_description(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> Slots:
        text = clean_free_text(str(value or ""), PROBLEM_MAX)
        if len(text) < 3:
            dispatcher.utter_message(text="Skriv gerne et par sætninger om, hvad der fylder hos jer.")
            return {"problem_description": None}
        offer = answers(tracker).offer or "spark"
        assessment = themes.assess(text, offer)
        if assessment.exclusions:
            dispatcher.utter_message(text=messages.exclusion_note(assessment.exclusions))
        if not assessment.themes and offer != "spark" and (spark_theme := themes.assess(text).best):
            dispatcher.utter_message(text=messages.regional_theme_mismatch(spark_theme))
        elif not assessment.themes and assessment.out_of_theme:
            dispatcher.utter_message(text=messages.outside_themes_hint(offer))
        return {"problem_description": text, "theme_suggestion": assessment.best,
                "theme": None, "theme_fit": None}

    def validate_theme(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Slots:
        offer = answers(tracker).offer or "spark"
        codes = [t.code for t in catalogue_module.load().themes_for(offer)]
        suggestion = tracker.get_slot("theme_suggestion")
        if value == "suggested" and suggestion in codes:
            return {"theme": suggestion, "theme_fit": True}
        if value == "rejected" and suggestion:
            return {"theme": None, "theme_suggestion": None}
        if value in ("ingen", "rejected"):
            return {"theme": None, "theme_fit": False}
        if value in codes:
            return {"theme": value, "theme_fit": True, "theme_suggestion": None}
        text = str(value or "")
        chosen = themes.parse_choice(text, offer) or themes.assess(text, offer).best
        if chosen == themes.NONE:
            return {"theme": None, "theme_fit": False}
        if chosen:
            return {"theme": chosen, "theme_fit": True, "theme_suggestion": None}
        dispatcher.utter_message(text=messages.theme_not_understood(offer))
        return {"theme": None, "theme_suggestion": None}

    def validate_consensus(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Slots:
        return {"consensus": value if isinstance(value, bool) else None}

    def validate_commitments_accepted(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> Slots:
        return {"commitments_accepted": value if isinstance(value, bool) else None}

    def validate_interest(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Slots:
        return {"interest": value if isinstance(value, bool) else None}

    def validate_provider(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Slots:
        catalogue = catalogue_module.load()
        folded = fold(str(value or ""))
        for provider in catalogue.providers:
            if folded == provider.code or any(fold(alias) in folded for alias in provider.aliases):
                return {"provider": provider.code}
        dispatcher.utter_message(text="Vælg en af de fire udbydere: "
                                 + ", ".join(p.short for p in catalogue.providers) + ".")
        return {"provider": None}

    # -- contact details -------------------------------------------------------------
    def validate_workplace(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Slots:
        raw = clean_free_text(str(value or ""), 10_000)
        if not any(ch.isalnum() for ch in raw):
            dispatcher.utter_message(text="Skriv arbejdspladsens navn, fx »Plejecenter Solgården«.")
            return {"workplace": None}
        if len(raw) > WORKPLACE_MAX:
            dispatcher.utter_message(text=f"Navnet er for langt. Skriv det med højst {WORKPLACE_MAX} tegn.")
            return {"workplace": None}
        return {"workplace": raw}

    validate_leader_name = _contact_validator("leader_name", contacts.check_name)
    validate_rep_name = _contact_validator("rep_name", contacts.check_name)
    validate_contact_name = _contact_validator("contact_name", contacts.check_name)
    validate_leader_email = _contact_validator("leader_email", contacts.check_email)
    validate_rep_email = _contact_validator("rep_email", contacts.check_email)
    validate_contact_email = _contact_validator("contact_email", contacts.check_email)
    validate_leader_phone = _contact_validator("leader_phone", _phone_or_skip)
    validate_rep_phone = _contact_validator("rep_phone", _phone_or_skip)
    validate_contact_phone = _contact_validator("contact_phone", _phone_or_skip)

    def validate_rep_role(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Slots:
        role = value if value in ("TR", "AMR", "FTR", "other") else contacts.parse_role(str(value or ""))
        if role in ("TR", "AMR", "FTR", "other"):
            return {"rep_role": role}
        dispatcher.utter_message(text="Medarbejderrepræsentanten er typisk TR, AMR eller FTR. Vælg en af dem, eller »Andet«.")
        return {"rep_role": None}

    # -- the summary -------------------------------------------------------------------
    def validate_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Slots:
        if value is True:
            return {"confirmed": True, "awaiting_correction": False}
        if value is False:
            return {"confirmed": None, "awaiting_correction": True}
        fields = messages.summary_fields(answers(tracker))
        text = str(value or "")
        field = text if text in fields else parse_field(text, fields)
        if field is None:
            dispatcher.utter_message(text="Skriv »ja« for at sende ansøgningen, eller vælg det, du vil rette.")
            return {"confirmed": None, "awaiting_correction": True}
        return {"confirmed": None, "awaiting_correction": False, **_forget(field, text)}


async def takes_as_answer(tracker: Tracker, domain: DomainDict) -> bool:
    """Will the form take the latest message as the answer to its pending question?

    For a message that NLU found off-topic or did not understand: a name, a workplace or an
    e-mail often looks like that. The candidate is the one the form would see (a from_text
    mapping or `_answer_despite_intent`), and the slot's own validator decides, on a
    throwaway dispatcher, so the user hears nothing twice.
    """
    requested = tracker.get_slot("requested_slot")
    text = latest_text(tracker)
    if not tracker.active_loop.get("name") or not requested or text.startswith("/"):
        return False
    form = ValidateApplicationForm()
    candidate = form._answer_despite_intent(tracker, domain).get(requested, tracker.get_slot(requested))
    if candidate is None or value_before_this_turn(tracker, requested) == candidate:
        return False
    validate = getattr(form, f"validate_{requested}", None)
    if validate is None:
        return True
    result = validate(candidate, CollectingDispatcher(), tracker, domain)
    if inspect.isawaitable(result):
        result = await result
    return _accepted(requested, result)


def _accepted(slot: str, validated: Slots) -> bool:
    """Did the validator take the answer? At the summary, naming a field to correct counts too."""
    return validated.get(slot) is not None or (slot == "confirmed" and validated.get("awaiting_correction") is False)


def _forget(field: str, text: str) -> Slots:
    """Forget one answer so that the form asks it again; a new e-mail or phone in the same message is kept."""
    if field.endswith("_email") and contacts.check_email(text).value:
        return {field: contacts.check_email(text).value}
    if field.endswith("_phone") and contacts.check_phone(text).value:
        return {field: contacts.check_phone(text).value}
    if field == "theme":
        return {"theme": None, "theme_suggestion": None, "theme_fit": None}
    if field == "application_type":
        return {"application_type": None, "applicant_body": None}
    if field == "region":
        return {"region": None, "provider": None}
    return {field: None}

