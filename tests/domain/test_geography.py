"""Municipalities, regions and sectors from free Danish text."""

import pytest

from bot.domain import geography


@pytest.fixture(scope="module")
def geo():
    return geography.load()


def test_all_98_municipalities_load_with_regions(geo):
    assert len(geo.municipalities) == 98
    assert {m.region for m in geo.municipalities} == {
        "Region Hovedstaden",
        "Region Sjælland",
        "Region Syddanmark",
        "Region Midtjylland",
        "Region Nordjylland",
    }


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Koebenhavn", "København"),
        ("kbh", "København"),
        ("Kbh.", "København"),
        ("Københavns Kommune", "København"),
        ("Aabenraa", "Aabenraa"),
        ("Åbenrå", "Aabenraa"),
        ("aabenraa kommune", "Aabenraa"),
        ("Lyngby", "Lyngby-Taarbæk"),
        ("lyngby-taarbaek", "Lyngby-Taarbæk"),
        ("AARHUS", "Aarhus"),
        ("Århus", "Aarhus"),
        ("hoeje taastrup", "Høje-Taastrup"),
        ("Vesthimmerland", "Vesthimmerlands"),
        ("soenderborg", "Sønderborg"),
        ("Kgs. Lyngby", "Lyngby-Taarbæk"),
    ],
)
def test_tricky_spellings_name_the_right_municipality(geo, typed, expected):
    assert geo.canonical_municipality(typed) == expected
    assert geo.find_municipality(f"Jeg arbejder i {typed} på et plejecenter").name == expected


def test_every_municipality_is_found_in_any_case_and_spelling(geo):
    for m in geo.municipalities:
        for form in {m.name, m.official_name, m.name.upper()} | geography.spellings(m.name):
            assert geo.canonical_municipality(form) == m.name, form


def test_ambiguous_words_are_not_places_unless_written_as_names(geo):
    assert geo.find("Jeg så ham på vejen hjem") == []
    assert geo.find_municipality("Vi er i Vejen").name == "Vejen"
    assert geo.find_municipality("vejen kommune").name == "Vejen"


def test_some_ambiguous_names_are_places_in_lower_case_right_after_a_preposition(geo):
    assert geo.find_municipality("tr i en bh i odder, ny leder og uro").name == "Odder"
    assert geo.find_municipality("hjemmeplejen i greve er presset").name == "Greve"
    assert geo.find_municipality("odder er et dyr") is None
    # idioms stay words: 'noget i vejen', 'i ringe grad', 'på mors side'
    assert geo.find("der er noget i vejen med ledelsen") == []
    assert geo.find("vi er kun i ringe grad inddraget") == []
    assert geo.find("min moster på mors side") == []


def test_spellings_that_are_everyday_words_name_no_place_in_lower_case(geo):
    assert geo.find("vi har haft det sådan i 2 års tid") == []
    assert geo.find("vi skal koge kaffe til mødet") == []
    assert geo.find_municipality("jeg arbejder i aars").name == "Vesthimmerlands"
    assert geo.find_municipality("Vi ligger i Koge").name == "Køge"
    assert geo.find_municipality("vi er fra køge").name == "Køge"


def test_every_lower_case_place_spelling_that_is_a_danish_word_was_decided(geo):
    """spaCy's Danish word list flags the spellings that could be ordinary words; each is either
    dropped (places.yml: word_spellings) or kept, because the place is what people mean."""
    lookups = pytest.importorskip("spacy.lookups")
    words = lookups.load_lookups("da", ["lemma_lookup"]).get_table("lemma_lookup")
    kept = {
        "hovedstaden",
        "hovedstadsregionen",  # in this domain: the region
        "lejre",
        "lejres",
        "tønder",
        "tønders",
        "rønne",  # the names themselves
        "galten",
        "hammel",
        "tørring",  # towns (places.yml); as words rare ('the boar', 'drying')
        "amager",
        "hovedstadsområdet",
        "trekantområdet",  # parts of a region (places.yml): the places
        # towns (places.yml: towns) whose names are rare words: the town is what people mean
        "alken",
        "als",
        "arre",
        "benløse",
        "blokhus",
        "fur",
        "genner",
        "grejs",
        "løkken",
        "lokken",
        "mols",
        "mosede",
        "nors",
        "sejs",
        "skals",
        "strandhuse",
        "strib",
        "sunds",
        "søvind",
        "taps",
        # the regions' adjectives (places.yml): "i det midtjyske" is the region
        "fynsk",
        "fynske",
        "midtjysk",
        "midtjyske",
        "nordjysk",
        "nordjyske",
        "sønderjysk",
        "sønderjyske",
    }
    spellings = {p["pattern"] for p in geo.ruler_patterns() if isinstance(p["pattern"], str)}
    flagged = {s for s in spellings | geo.word_spellings if " " not in s and s in words}
    assert flagged - kept == set(geo.word_spellings)
    assert not geo.word_spellings & spellings


def test_regions_from_their_nicknames(geo):
    assert geo.canonical_region("region syd") == "Region Syddanmark"
    assert geo.canonical_region("Region H") == "Region Hovedstaden"
    assert geo.find_region("vi hører under region sjaelland") == "Region Sjælland"


def test_region_of_a_municipality(geo):
    assert geo.region_of("Vejle") == "Region Syddanmark"
    assert geo.region_of("Aalborg") == "Region Nordjylland"


@pytest.mark.parametrize(
    "typed, municipality",
    [
        ("Hellerup", "Gentofte"),
        ("Korsør", "Slagelse"),
        ("Skagen", "Frederikshavn"),
        ("Risskov", "Aarhus"),
        ("Nørresundby", "Aalborg"),
        ("Ribe", "Esbjerg"),
        ("Møn", "Vordingborg"),
    ],
)
def test_towns_that_are_no_municipality_name_theirs(geo, typed, municipality):
    assert geo.find_municipality(f"Jeg arbejder i {typed}").name == municipality


def test_a_region_in_the_genitive_is_the_region(geo):
    assert geo.find_region("Jeg er AMR i Region Hovedstadens administration") == "Region Hovedstaden"


def test_typos_in_short_answers_are_guessed_only_when_unambiguous(geo):
    assert geo.guess_municipality("Svenborg") == "Svendborg"
    assert geo.guess_municipality("hej") is None


def test_entity_ruler_patterns_cover_every_municipality(geo):
    ids = {p["id"] for p in geo.ruler_patterns() if p["label"] == "municipality"}
    assert ids == {m.name for m in geo.municipalities}


def test_a_misspelt_town_in_a_sentence_is_found_only_when_it_is_close_to_one_name(geo):
    assert geo.misspelt_municipality("hjemmeplejen i Silkborg").name == "Silkeborg"
    assert geo.misspelt_municipality("vi er i børnehaven") is None
    assert geo.misspelt_municipality("sygehuset i Hjöring") is None  # Hjørring or Hørning: not guessed


def test_the_indexed_lookups_find_what_a_loop_over_every_name_finds():
    """find() and institutions_in() look the text's words up by each name's first word; the plain loops
    over every name (written out here) must give the same on thousands of texts."""
    import glob
    import random

    import yaml

    from bot.domain.geography import Mention, _says_name, key, load, tokens

    geo = load()

    def plain_find(text):
        import re

        found = [(key(m.group()), m.start(), m.end()) for m in re.finditer(r"[^\W_]+", text)]
        keys = [t[0] for t in found]
        candidates = [(k.split(), name, "region") for k, name in geo._region_keys.items()]
        candidates += [(k.split(), name, "municipality") for k, name in geo._municipality_keys.items()]
        candidates.sort(key=lambda item: -len(item[0]))
        used, mentions = [False] * len(found), []
        for words, name, kind in candidates:
            n = len(words)
            for i in range(len(found) - n + 1):
                if keys[i : i + n] != words or any(used[i : i + n]):
                    continue
                start, end = found[i][1], found[i + n - 1][2]
                if kind == "municipality" and not geo._plausible(name, text[start:end], text[end:], text[:start]):
                    continue
                used[i : i + n] = [True] * n
                mentions.append(Mention(kind, name, start, end))
        return sorted(mentions, key=lambda m: m.start)

    def plain_institutions(text):
        keys = [k for k, _, _ in tokens(text)]
        used, found = [False] * len(keys), []
        for words, institution in geo._institution_keys:
            n = len(words)
            for i in range(len(keys) - n + 1):
                if _says_name(keys[i : i + n], words) and not any(used[i : i + n]):
                    used[i : i + n] = [True] * n
                    found.append((i, i + n, institution))
        found += geo._alone_in_context(text, keys, used)  # not indexed: the same on both sides
        return sorted((geo._as_typed(text, item) for item in found), key=lambda item: item[0])

    texts = []
    for path in glob.glob("tools/bench/data/first_messages_*.yml"):
        texts += [item["text"] for item in yaml.safe_load(open(path, encoding="utf-8"))]
    random.Random(3).shuffle(texts)
    for text in texts[:1500] + ["Jeg bor i Lyngby-Taarbæk og arbejder på SUH Køge", "region hovedstaden"]:
        assert geo.find(text) == plain_find(text), text
        assert geo.institutions_in(text) == plain_institutions(text), text


@pytest.mark.parametrize(
    "text, named",
    [
        ("vi er en afdeling i arbejdstilsynet og har et dårligt arbejdsmiljø", True),
        ("Arbejdstilsynet. Vi er tilsynsførende og oplever trusler", True),
        ("jeg er ansat i politiet i Aarhus", True),
        ("vi fik et påbud fra Arbejdstilsynet", False),
        ("vi ringede til politiet, da borgeren truede os", False),
    ],
)
def test_a_name_that_counts_alone_counts_where_the_writer_works_there(text, named):
    found = [i.name for _, _, i in geography.load().institutions_in(text)]
    assert bool(found) == named, found


def test_an_acronym_is_the_one_typed_though_its_key_is_anothers():
    geo = geography.load()
    assert geo.find_institution("spl på AAUH ortopædkirurgi").region == "Region Nordjylland"
    assert geo.find_institution("sygeplejerske på AUH").region == "Region Midtjylland"


@pytest.mark.parametrize(
    "text, municipality",
    [
        ("plejecentret i Tingbjerg", "København"),
        ("skolen i Gellerup", "Aarhus"),
        ("vi er i Hasseris", "Aalborg"),
        ("hjemmeplejen i Tarm", "Ringkøbing-Skjern"),
        ("Give Skole", "Vejle"),
        ("bostedet i Hyldespjældet", "Albertslund"),
        ("jeg kan ikke give dig det", None),
        ("ondt i halsen", None),
        ("stege en bøf", None),
    ],
)
def test_towns_and_districts_name_their_municipality_and_town_names_that_are_words_need_a_capital(
    geo, text, municipality
):
    found = geo.find_municipality(text)
    assert (found.name if found else None) == municipality


def test_the_regions_adjectives_give_the_region(geo):
    assert geo.find_region("på et af sygehusene i det midtjyske") == "Region Midtjylland"
    assert geo.find_region("en skole i det nordjyske") == "Region Nordjylland"
    assert geo.find_region("de fynske kommuner") == "Region Syddanmark"


def test_an_everyday_word_one_slip_from_a_small_town_names_no_place(geo):
    """Slips are matched against the municipalities' names and hand-picked aliases, not the ~700 towns:
    'folk siger op på stribe' is one letter from Strib (Middelfart)."""
    assert geo.misspelt_municipality("der er sket meget, og folk siger op på stribe") is None
    assert geo.find_municipality("vi er på Strib Skole") is not None
