"""One place for each fact: domain.yml agrees with bot/data/catalogue.yml."""

import re

import pytest
import yaml

from bot.domain import catalogue, geography
from tests.conftest import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def response_text(name: str) -> str:
    return "\n".join(variant.get("text", "") for variant in DOMAIN["responses"][name])


def test_theme_answer_lists_exactly_the_catalogue_themes():
    text = response_text("utter_faq/temaer")
    listed = re.findall(r"^- (.+)$", text, flags=re.M)
    c = catalogue.load()
    assert listed == [t.label for t in c.themes_for("spark")] + [
        t.label for t in c.themes_for("regional_ekspertraadgivning")
    ]


def test_provider_answer_lists_exactly_the_catalogue_providers():
    text = response_text("utter_faq/udbydere")
    listed = re.findall(r"^- (.+)$", text, flags=re.M)
    assert listed == [p.description for p in catalogue.load().providers]
    assert "fire udbydere" in text and len(catalogue.load().providers) == 4


def test_region_buttons_are_the_catalogue_regions():
    titles = [b["title"] for b in DOMAIN["responses"]["utter_ask_region"][0]["buttons"]]
    assert sorted(titles) == sorted(r.name for r in catalogue.load().regions)


def test_applicant_body_buttons_come_from_the_catalogue():
    bodies = catalogue.load().applicant_bodies
    for variant in DOMAIN["responses"]["utter_ask_applicant_body"]:
        kind = "faelles" if variant.get("condition") else "enkelt"
        payload_values = [re.search(r'"applicant_body": "([^"]+)"', b["payload"]).group(1) for b in variant["buttons"]]
        assert payload_values == list(bodies[kind])


def test_catalogue_regions_match_the_municipality_data():
    assert {m.region for m in geography.load().municipalities} == {r.name for r in catalogue.load().regions}
    for m in geography.load().municipalities:
        assert catalogue.load().region(m.region).code == m.region_code


def test_every_form_slot_has_a_question():
    responses, actions = DOMAIN["responses"], DOMAIN["actions"]
    for slot in DOMAIN["forms"]["application_form"]["required_slots"]:
        assert f"utter_ask_{slot}" in responses or f"action_ask_{slot}" in actions, slot


def test_catalogue_rejects_a_theme_for_an_unknown_offer():
    raw = yaml.safe_load(catalogue.CATALOGUE_PATH.read_text(encoding="utf-8"))
    raw["themes"].append({"code": "x", "offer": "nope", "label": "X", "keywords": ["x"]})
    with pytest.raises(catalogue.CatalogueError):
        catalogue.parse(raw)


def test_no_invented_contact_details_in_answers():
    """Answers may name sparkweb.dk and etf.dk (from the seeds) but no phone numbers or e-mails."""
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            text = variant.get("text", "")
            assert not re.search(r"\b\d{2} ?\d{2} ?\d{2} ?\d{2}\b", text), name
            assert "@" not in text, name
            for host in re.findall(r"\b[\w-]+\.(?:dk|com|org|eu)\b", text):
                assert host in ("sparkweb.dk", "etf.dk"), (name, host)
