"""The domain lookup tables (data/nlu/lookup_domain.yml) flag what they are meant to, and only that.

Each table is one RegexFeaturizer flag for the intent classifier: work-environment problems and
the workplace (answers: inform), the offer's own words (faq) and everyday life outside the offer
(out_of_scope). As in test_nlu_cues.py, the patterns are built by Rasa's own
`pattern_utils.extract_patterns`, as the RegexFeaturizer builds them when it trains, and matched
case-insensitively, as `case_sensitive: false` in config.yml makes the featurizer do.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, lookup_flags, lookup_tables

NLU = ROOT / "data" / "nlu"
DOMAIN_CUES = NLU / "lookup_domain.yml"

# Table -> how many entries it should have (the brief's range: generous, but each a strong cue).
SIZES = {
    "dom_problem": range(150, 301),
    "dom_work": range(100, 251),
    "dom_offer": range(60, 151),
    "dom_everyday": range(150, 301),
}


@pytest.fixture(scope="module")
def tables():
    return lookup_tables(DOMAIN_CUES)


@pytest.fixture(scope="module")
def flags():
    """The domain flags a message sets."""
    return lookup_flags(DOMAIN_CUES)


def test_the_four_tables_are_there_each_generous_lower_case_and_without_repeats(tables):
    assert set(tables) == set(SIZES)
    for name, entries in tables.items():
        assert len(entries) in SIZES[name], (name, len(entries))
        assert len(entries) == len(set(entries)), name
        assert [e for e in entries if e != " ".join(e.split()).lower() or not e] == [], name


def test_no_entry_is_in_two_tables_nor_a_command_cue(tables):
    seen = {e: "cue" for entries in lookup_tables(NLU / "lookup_cues.yml").values() for e in entries}
    twice = []
    for name, entries in tables.items():
        for entry in entries:
            if entry in seen:
                twice.append((entry, seen[entry], name))
            seen[entry] = name
    assert twice == []


@pytest.mark.parametrize("other", ["lookup_places.yml", "lookup_names.yml", "regex_chatter.yml"])
def test_no_entry_is_a_place_a_person_name_or_a_chat_noise(tables, other):
    # Those tables are flags of their own: a word in both would say two things at once.
    entries = {e for found in tables.values() for e in found}
    names = {e.lower() for found in lookup_tables(NLU / other).values() for e in found}
    assert entries & names == set()


def test_words_with_ae_oe_aa_are_also_there_spelled_without(tables):
    # People write "udbraendt" and "paedagog" as often as "udbrændt" and "pædagog".
    def folded(word: str) -> str:
        return word.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")

    for name, entries in tables.items():
        assert [e for e in entries if folded(e) not in entries] == [], name


def test_no_everyday_word_is_a_theme_keyword(tables):
    # An everyday word that is also a work-environment problem would tell the classifier that a
    # problem description is small talk.
    from bot.domain import catalogue, themes

    loaded = catalogue.load()
    keywords = {
        f"{offer}/{theme.code}": theme.keywords for offer in loaded.offers for theme in loaded.themes_for(offer)
    }
    found = {
        entry: hits
        for entry in tables["dom_everyday"]
        if (hits := {k: v for k, v in themes.find_keywords(entry, keywords).items() if v})
    }
    assert found == {}


@pytest.mark.parametrize(
    "text, table",
    [
        # Words no training example uses: the flag is what carries them to the intent.
        ("Flere af os er tæt på udbrændthed", "dom_problem"),
        ("en kollega blev chikaneret af sin leder", "dom_problem"),
        ("der har været fyringsrunder hele året", "dom_problem"),
        ("Det er ydmygende, som vi bliver talt til", "dom_problem"),
        ("der er sket et tillidsbrud", "dom_problem"),
        ("alle er udmattede efter vinteren", "dom_problem"),
        ("forskelsbehandling af de nye", "dom_problem"),
        ("vi er sosu-hjælpere i aftenholdet", "dom_work"),
        ("Afdelingslederen er aldrig til stede", "dom_work"),
        ("portører og rengøring", "dom_work"),
        ("hvad skal trioerne gøre", "dom_offer"),
        ("Skal tillidsrepræsentanten skrive under?", "dom_offer"),
        ("hvem i hovedmedudvalget skal spørges", "dom_offer"),
        ("hvad med fortroligheden", "dom_offer"),
        ("er det efter arbejdstilsynets besøg", "dom_offer"),
        ("hvor høje er giraffer", "dom_everyday"),
        ("der ligger en tilbudsavis i postkassen", "dom_everyday"),
        ("hvad koster et rejsekort", "dom_everyday"),
        ("hvornår levede dinosaurer", "dom_everyday"),
        ("hvem byggede pyramiderne", "dom_everyday"),
        # Without æ/ø/å, as people type on a foreign keyboard.
        ("vi er helt udbraendte", "dom_problem"),
        ("paedagogerne er pressede", "dom_work"),
        ("hvad er et faellesforloeb", "dom_offer"),
    ],
)
def test_an_unseen_domain_word_sets_its_own_tables_flag(flags, text, table):
    assert table in flags(text)


@pytest.mark.parametrize(
    "text, table",
    [
        # Whole words only: an entry inside a longer word is no cue.
        ("han blev sparket af en beboer", "dom_offer"),
        ("arbejdsmiljøforskning er spændende", "dom_offer"),
        ("vi har hundeluft i gangene", "dom_everyday"),
        ("kattelemmen er gået i stykker", "dom_everyday"),
        ("stressfri hverdag", "dom_problem"),
        ("skolebussen kom for sent", "dom_work"),
    ],
)
def test_an_entry_inside_a_longer_word_sets_no_flag(flags, text, table):
    assert table not in flags(text)


@pytest.mark.parametrize(
    "text",
    [
        # Ordinary answers and commands: no everyday flag to pull them out of scope.
        "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne",
        "vi er en skole og lærerne er pressede af nye opgaver",
        "ja tak",
        "stop",
        "start forfra",
        "Hvad koster SPARK?",
    ],
)
def test_a_work_answer_or_a_command_sets_no_everyday_flag(flags, text):
    assert "dom_everyday" not in flags(text)
