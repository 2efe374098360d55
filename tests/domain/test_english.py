"""A message in English read for what it tells (bot.domain.english, issue 24)."""

import pytest

from bot.domain import english, scope, workplaces
from bot.domain.answers import facts, tells_about_workplace
from bot.domain.routing import Answers


@pytest.mark.parametrize(
    "text, sector, region",
    [
        (
            "Hello, I am a nurse in the emergency department at Odense University Hospital",
            "regional",
            "Region Syddanmark",
        ),
        ("We are a nursing home in Holbaek municipality and the staff are stressed", "kommunal", None),
        ("I'm a researcher at the University of Copenhagen, there is a lot of bullying in our group", "statslig", None),
        ("I work for the police in Aalborg and we have many threats", "statslig", None),
        ("I'm a cleaner at a primary school in Vejle", "kommunal", None),
    ],
)
def test_an_english_message_tells_its_workplace(text, sector, region):
    reading = workplaces.read(english.readable(text))
    assert (reading.sector, reading.region if region else None) == (sector, region)
    assert tells_about_workplace(text, Answers())


def test_the_facts_of_an_english_message_fill_sector_place_and_role_but_not_the_problem():
    found = facts(
        "Hi, I'm a team leader at the job centre in Sonderborg municipality. We have a lot of threats.", Answers(), None
    )
    assert (found.get("sector"), found.get("municipality"), found.get("role")) == ("kommunal", "Sønderborg", "leder")
    # the record keeps the user's own description: the Danish gloss is never filed as the problem
    assert "trusler" not in str(found.get("problem_description") or "")


def test_danish_is_read_as_it_is():
    text = "Jeg er TR i Aalborg og vi er i gang med en stor omstrukturering"
    assert english.readable(text) == text
    assert english.question_topic("Hvad koster det?") is None


@pytest.mark.parametrize(
    "text, topic",
    [
        ("Is it free of charge? We are a kindergarten in Aarhus", "faq/pris"),
        ("How long does a course usually take?", "faq/varighed"),
        ("Who can apply for this?", "faq/hvem_kan_soege"),
        ("How do we apply? I'm a shop steward at a library", "faq/ansoegning"),
        ("Is everything we tell the consultants confidential?", "faq/fortrolighed"),
        ("Does this also apply to government agencies? I work at the Danish Tax Agency", "faq/statsligt_tilbud"),
        ("Are hospitals covered too? I'm a doctor at Herlev Hospital", "faq/regionalt_tilbud"),
        ("Do you also help with sexual harassment?", "faq/temaer"),
        ("Is this information up to date?", "faq/aktualitet"),
        ("What happens after we have applied?", "faq/efter_ansoegning"),
    ],
)
def test_an_english_question_has_its_topic(text, topic):
    assert english.question_topic(text) == topic


@pytest.mark.parametrize(
    "text", ["Can you help us?", "We need help with our work environment.", "What is the capital of France?"]
)
def test_a_request_for_help_or_another_question_is_no_faq(text):
    assert english.question_topic(text) is None


def test_a_private_employer_in_english_starts_no_application():
    assert scope.starts_no_application("I work at a private hospital in Aalborg and we are all stressed, can we apply?")
    assert not scope.starts_no_application(
        "I work at Aalborg University Hospital and we are all stressed, can we apply?"
    )
