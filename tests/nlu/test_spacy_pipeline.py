"""The Danish spaCy pipeline Rasa loads (build/spacy_da): lemmas and place-name entities."""

import pytest

from bot.domain import geography
from tests.conftest import ROOT

spacy = pytest.importorskip("spacy")
PIPELINE = ROOT / "build" / "spacy_da"


@pytest.fixture(scope="module")
def nlp():
    if not PIPELINE.exists():
        pytest.fail("build/spacy_da is missing: `make setup` builds it")
    return spacy.load(PIPELINE)


def test_lookup_lemmatizer_has_danish_tables(nlp):
    assert [t.lemma_ for t in nlp("trusler fra borgerne")] == ["trussel", "fra", "borger"]


def test_every_municipality_in_every_spelling_is_an_entity(nlp):
    geo = geography.load()
    for m in geo.municipalities:
        forms = {m.name, m.official_name} | ({m.name.lower()} if m.name not in geo.ambiguous_names else set())
        # Spellings that are everyday words ("koge") are left to the form's own question.
        forms |= {f.title() for f in geography.spellings(m.name) if f not in geo.word_spellings}
        for form in forms:
            doc = nlp(f"Jeg arbejder i {form} nu")
            assert [(e.label_, geo.canonical_municipality(e.text)) for e in doc.ents] == [("municipality", m.name)], (
                form
            )


def test_regions_and_nicknames_are_entities(nlp):
    geo = geography.load()
    for text, label, canonical in [
        ("vi hører under region syd", "region", "Region Syddanmark"),
        ("Region Hovedstaden", "region", "Region Hovedstaden"),
        ("vi er fra kbh", "municipality", "København"),
        ("Åbenrå Kommune", "municipality", "Aabenraa"),
    ]:
        [ent] = nlp(text).ents
        resolved = geo.canonical_region(ent.text) if label == "region" else geo.canonical_municipality(ent.text)
        assert (ent.label_, resolved) == (label, canonical)


def test_ordinary_words_are_not_places(nlp):
    assert nlp("vi mødtes på vejen og fik en skive brød").ents == ()
    assert nlp("vi har haft det sådan i 2 års tid og skal koge kaffe".lower()).ents == ()
