"""Every answer about the offers can be traced to its source page, with the date where the page gives one."""

from __future__ import annotations

import re

import yaml

from bot.domain import messages
from tests.conftest import DOMAIN, ROOT

FAQ_TOPICS = sorted(name.split("/", 1)[1] for name in DOMAIN["responses"] if name.startswith("utter_faq/"))
SEEDS = ROOT.parent / "shared" / "seeds"


def test_every_faq_answer_has_a_source_line():
    missing = [topic for topic in FAQ_TOPICS if not messages.source_line(topic)]
    assert FAQ_TOPICS and missing == []


def test_every_source_names_a_known_page_and_no_topic_is_orphaned():
    data = messages.sources()
    assert set(data["faq"]) == set(FAQ_TOPICS)
    for topic, pages in data["faq"].items():
        assert pages and set(pages) <= set(data["pages"]), topic


def test_the_regional_offer_and_the_travelling_team_are_dated_1_october_2018():
    for topic in ("regionalt_tilbud", "statsligt_tilbud"):
        assert "1. oktober 2018" in messages.source_line(topic)
        assert "1. oktober 2018" in DOMAIN["responses"][f"utter_faq/{topic}"][0]["text"]


def test_every_page_title_is_the_title_of_a_seed():
    """No page is invented: each title stands in one of the seed documents."""
    if not SEEDS.exists():
        import pytest

        pytest.skip("shared/seeds is not beside this checkout")
    seeds = "\n".join(path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt"))
    folded = re.sub(r"\s+", " ", seeds)
    for key, page in messages.sources()["pages"].items():
        words = [w for w in re.findall(r"\w+", page["title"]) if len(w) > 3]
        assert all(w in folded for w in words), (key, page["title"])


def test_the_sources_file_is_plain_data():
    data = yaml.safe_load(messages.SOURCES_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"pages", "faq"}
