"""The cue-word lookup tables (data/nlu/lookup_cues.yml) flag what they are meant to, and only that.

Each table is one RegexFeaturizer flag for the intent classifier. The checks go through Rasa's
own code: `pattern_utils.extract_patterns` builds the patterns exactly as the RegexFeaturizer does
when it trains, and they are matched case-insensitively, as `case_sensitive: false` in config.yml
makes the featurizer do.
"""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import ROOT, lookup_flags, lookup_tables

CUES = ROOT / "data" / "nlu" / "lookup_cues.yml"

# Table -> the intent it is a cue for.
INTENT_OF = {
    "cue_affirm": "affirm",
    "cue_deny": "deny",
    "cue_stop": "stop",
    "cue_restart": "restart",
    "cue_human": "human_handoff",
    "cue_greet": "greet",
    "cue_goodbye": "goodbye",
    "cue_thanks": "thanks",
    "cue_correct": "correct",
    "cue_forget": "forget_me",
    "cue_privacy": "privacy_notice",
    "cue_apply": "start_application",
}


@pytest.fixture(scope="module")
def tables():
    return lookup_tables(CUES)


@pytest.fixture(scope="module")
def flags():
    """The cue flags a message sets."""
    return lookup_flags(CUES)


def test_there_is_one_table_per_intent_and_every_intent_is_in_the_domain(tables):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    assert set(tables) == set(INTENT_OF)
    assert set(INTENT_OF.values()) <= intents


def test_every_table_is_generous_lower_case_and_without_repeats(tables):
    for name, entries in tables.items():
        assert len(entries) >= 20, name
        assert len(entries) == len(set(entries)), name
        assert [e for e in entries if e != e.strip().lower() or not e] == [], name


def test_no_cue_is_in_two_tables(tables):
    seen: dict[str, str] = {}
    twice = []
    for name, entries in tables.items():
        for entry in entries:
            if entry in seen:
                twice.append((entry, seen[entry], name))
            seen[entry] = name
    assert twice == []


def test_no_cue_is_a_place_or_a_person_name(tables):
    # Those tables are flags for answers (inform): a word in both would say two things at once.
    cues = {e for entries in tables.values() for e in entries}
    for other in ("lookup_places.yml", "lookup_names.yml"):
        names = {e.lower() for entries in lookup_tables(ROOT / "data" / "nlu" / other).values() for e in entries}
        assert cues & names == set(), other


@pytest.mark.parametrize(
    "text, table",
    [
        # Words no training example uses: the flag is what carries them to the intent.
        ("annullér det hele", "cue_stop"),
        ("vi aflyser, ABORT", "cue_stop"),
        ("kan vi nulstille samtalen", "cue_restart"),
        ("lad os tage det forfra", "cue_restart"),
        ("kan en af jer ringe mig op", "cue_human"),
        ("Goddaw", "cue_greet"),
        ("adjø", "cue_goodbye"),
        ("tusinde tak", "cue_thanks"),
        ("jeg mente Vejle, ikke Vejen", "cue_correct"),
        ("lederens mail skal opdateres", "cue_correct"),
        ("makulere mine oplysninger", "cue_forget"),
        ("er det anonym", "cue_privacy"),
        ("hvad siger databeskyttelsesforordningen", "cue_privacy"),
        ("vi vil gerne tilmelde os", "cue_apply"),
        ("jepper", "cue_affirm"),
        ("nøh", "cue_deny"),
    ],
)
def test_a_cue_word_sets_its_own_tables_flag(flags, text, table):
    assert table in flags(text)


@pytest.mark.parametrize(
    "text",
    [
        # Whole words only: a cue inside a longer word is no cue.
        "personsager og påbud",
        "vi har stor restance og søgte sidste år",
        "hvad er et fællesforløb",
        "Vi er en skole i Holbæk, og lærerne er pressede",
    ],
)
def test_an_ordinary_question_or_problem_description_sets_no_command_flag(flags, text):
    commands = {"cue_stop", "cue_restart", "cue_human", "cue_forget", "cue_correct", "cue_apply"}
    assert flags(text) & commands == set()
