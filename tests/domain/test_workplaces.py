"""Which sector a workplace belongs to, from what people write (bot.domain.workplaces)."""

import pytest

from bot.domain import messages, workplaces


@pytest.mark.parametrize(
    "text, sector",
    [
        # the sector said outright, also against weaker words
        ("Vi er en statslig arbejdsplads", "statslig"),
        ("jeg er ansat i regionen", "regional"),
        ("Vi hører under Region Nordjylland", "regional"),
        ("Vi er ikke kommunale, men en regional arbejdsplads", "regional"),
        ("Jeg arbejder i en kommune", "kommunal"),
        # a named workplace
        ("Aalborg Universitetshospital", "regional"),
        ("Jeg er TR i Beskæftigelsesministeriet", "statslig"),
        ("jeg arbejder i Udbetaling Danmark", "statslig"),
        ("Vejen Kommune", "kommunal"),
        ("Vejle Kommune og Region Syddanmark", "kommunal"),
        # who runs the workplace, said in a relative clause; a new clause after a comma says nothing of it
        ("vi er et bosted, som drives af regionen", "regional"),
        ("vi er et bosted, der hører under Region Midtjylland", "regional"),
        ("vi er et bosted, der er mange konflikter", None),
        # a kind of workplace, with or without a place
        ("Jeg er TR på et plejecenter i Vejle", "kommunal"),
        ("jeg arbejder på en skole", "kommunal"),
        ("SFO'en", "kommunal"),
        ("jobcentret i Randers", "kommunal"),
        ("hospital i Vejle", "regional"),
        ("jeg arbejder i en styrelse", "statslig"),
        ("jeg er betjent ved Nordjyllands Politi", "statslig"),
        ("Vi er en byret", "statslig"),
        ("jeg er lærer på et gymnasium", "statslig"),
        ("Jeg er konstabel i Hæren", "statslig"),
        # hospitals by their short names; and not for other workplaces in the same town
        ("Jeg er sygeplejerske på Gentofte", "regional"),
        ("vi er et sengeafsnit på Skejby", "regional"),
        ("Jeg er TR på Herlev Bibliotek", "kommunal"),
        # someone else's workplace, a workplace nearby, a denied one
        ("Vi er en vuggestue lige ved siden af Herlev Hospital", "kommunal"),
        ("jeg er pædagog i en børnehave, mange af forældrene arbejder på Hvidovre Hospital", "kommunal"),
        ("vi ringede til politiet fra plejecentret", "kommunal"),
        # nothing said about the sector
        ("Jeg arbejder i Vejle", None),
        ("jeg sidder i skolebestyrelsen", None),
        ("jeg arbejder på et privathospital", None),
        ("jeg arbejder på lageret i Vejle", None),  # a warehouse, though it folds like læger
        ("Jeg er leder på et privat plejehjem i Gladsaxe", None),  # a private one of a public kind
        ("vi er en privatejet børnehave i Aarhus", None),
        ("vi er læger på Herlev", "regional"),
        # abbreviations staff use
        ("tr i en bh i faaborg", "kommunal"),
        ("hjpl i skive, vi er pressede", "kommunal"),
        ("jeg sidder i skat i Ikast", "statslig"),
        ("vi er bh-pædagoger og har et BH-problem", "kommunal"),
    ],
)
def test_sector_from_what_people_write(text, sector):
    assert workplaces.infer_sector(text) == sector


@pytest.mark.parametrize(
    "text, region",
    [
        ("Jeg er sygeplejerske på Gentofte", "Region Hovedstaden"),
        ("jeg er portør i Glostrup", "Region Hovedstaden"),
        ("Vi er et sengeafsnit på Skejby", "Region Midtjylland"),
        ("hospitalet i Randers", "Region Midtjylland"),
        ("jeg arbejder i Region Sjælland", "Region Sjælland"),
        ("psykiatrien i Risskov", "Region Midtjylland"),
        ("jeg er AMR på Psykiatrisk Center Sankt Hans", "Region Hovedstaden"),
        ("aalborg uh, hjertemedicinsk afsnit", "Region Nordjylland"),
        # the region named in the genitive owns the workplace
        ("Jeg er TR på et af Region Midtjyllands botilbud", "Region Midtjylland"),
        ("Region Syddanmarks sociale tilbud, et bosted for unge", "Region Syddanmark"),
        ("1813 her. vi bliver skældt ud i telefonen", "Region Hovedstaden"),  # Region Hovedstaden's helpline
        ("Administrationen i Region Nordjylland skal flytte i åbne kontorer", "Region Nordjylland"),  # a unit of it
    ],
)
def test_a_regional_workplace_gets_its_region(text, region):
    reading = workplaces.read(text)
    assert (reading.sector, reading.region) == ("regional", region)


def test_a_kind_in_several_sectors_is_asked_likely_sector_first():
    bosted = workplaces.read("Jeg arbejder på et bosted i Aarhus")
    assert bosted.sector is None and bosted.ask.sectors == ("kommunal", "regional")
    nurse = workplaces.read("jeg er sygeplejerske i Herning")
    assert nurse.sector is None and nurse.ask.sectors[0] == "regional"
    # a municipal job beside the ambiguous kind makes 'kommunal' the likely answer
    assert workplaces.read("Jeg er pædagog på et bosted").ask.sectors[0] == "kommunal"
    # a region said beside it makes 'regional' the likely answer; it is still asked
    in_region = workplaces.read("vi er et bosted i Region Midtjylland")
    assert in_region.sector is None and in_region.ask.sectors[0] == "regional"


def test_a_region_in_the_genitive_is_no_statement_about_its_area_or_the_police():
    assert workplaces.read("kommunerne i Region Hovedstadens område har travlt").sector != "regional"
    assert workplaces.infer_sector("jeg er betjent ved Nordjyllands Politi") == "statslig"


def test_the_sector_question_offers_the_likely_sector_first():
    question = messages.sector_question(workplaces.read("Jeg arbejder på et bosted").hint)
    assert [title for title, _ in question.buttons] == ["Kommune", "Region", "Staten"]
    assert "kommunen eller regionen" in question.text
    nurse = messages.sector_question(workplaces.read("jeg er sygeplejerske i Herning").hint)
    assert [title for title, _ in nurse.buttons][0] == "Region"
    assert messages.sector_question(None).text == messages.SECTOR_QUESTION


def test_every_pattern_compiles_and_every_ambiguity_names_known_sectors():
    data = workplaces.load()
    assert all(rule.pattern.parts for rule in data.rules)
    assert all(set(a.sectors) <= set(workplaces.SECTORS) and a.say for a in data.ambiguities.values())


@pytest.mark.parametrize(
    "text, sector",
    [
        ("jeg er pedagog i en vugestue i Kolding", "kommunal"),
        ("vi er i psykatrien i Aalborg", "regional"),
        ("jeg er ansat i skattestyrelsn", "statslig"),
        ("jeg er TR i hjemmeplejn", "kommunal"),
    ],
)
def test_a_typing_slip_in_a_workplace_word_is_forgiven(text, sector):
    assert workplaces.infer_sector(text) == sector


def test_a_part_of_the_country_gives_the_region_but_not_the_sector():
    assert workplaces.read("sygehuset i Vendsyssel").region == "Region Nordjylland"
    assert workplaces.infer_sector("Jeg arbejder på Fyn") is None  # not the region's own name
    assert workplaces.infer_sector("jeg arbejder i Nordjylland") == "regional"


@pytest.mark.parametrize(
    "text, sector",
    [
        ("Vi er en afdeling under Bornholms Regionskommune", "kommunal"),
        ("Lemvig Brand og Redning, vagtholdet", "kommunal"),
        ("Havnekontoret i Rudkøbing", "kommunal"),
        ("Jeg underviser på læreruddannelsen i Silkeborg", "statslig"),
        ("Vi er lærere på Viborg Katedralskole og Aalborg Statsskole", "statslig"),
        ("KEA, byggeteknisk afdeling", "statslig"),
        ("SSI, laboratoriet", "statslig"),
        # a name in the genitive, and an agency's own short name
        ("Jeg er instruktør på Beredskabsstyrelsens center i Haderslev", "statslig"),
        ("Vi sidder i Folketingets administration", "statslig"),
        ("FVST i Ringsted, kødkontrollen", "statslig"),
        # a police district's name outweighs a kind that a region has too
        ("jeg er på vagtcentralen hos Sydøstjyllands Politi", "statslig"),
        ("jeg er på vagtcentralen i Viborg", "regional"),
        # kinds as staff write them
        ("jeg sidder i byggesagsafdelingen i Hjørring", "kommunal"),
        ("vi er paa psyk. center glostrup", "regional"),
        ("jeg er i socialpsyk i Vejle", "kommunal"),
        ("Jeg er visitator i Patientbefordringen, og folk er vrede i telefonen", "regional"),
        ("AMK-vagtcentralen i Aarhus, vi tager 112-opkald", "regional"),
        ("Jeg er rådgiver i Børn og Unge-rådgivningen i Næstved", "kommunal"),
        ("rehab-centret i Ishøj: uenighed om opgaverne", "kommunal"),
        ("jeg sidder i voksenhandicap i Køge", "kommunal"),
        # the providers RUC and CBS are a workplace only as the writer's
        ("TAP på RUC: vores institut er i krise", "statslig"),
        ("Vi er på Herlev Hospital, kan vi vælge RUC som udbyder?", "regional"),
        ("Kan vi vælge CBS eller NFA?", None),
    ],
)
def test_more_kinds_and_names(text, sector):
    assert workplaces.read(text).sector == sector


def test_a_job_in_several_sectors_is_settled_by_a_workplace_named_in_a_clause_of_nobody_elses():
    corrected = "Jeg er leder – eller rettere, jeg er afdelingssygeplejerske – på Regionshospitalet Randers"
    assert workplaces.read(corrected).sector == "regional"
    # but not by a workplace something comes from, nor by someone else's
    assert workplaces.read("Jeg er sygeplejerske. Borgerne kommer fra Herlev Hospital").sector is None
    assert workplaces.read("Jeg er sygeplejerske, og min mand er på Herlev Hospital").sector is None


def test_a_writer_employed_by_a_private_firm_at_a_public_workplace():
    assert workplaces.employed_by_private_name("Jeg er rengøringsassistent hos Coor på Hvidovre Hospital")
    assert not workplaces.employed_by_private_name("Vi har Coor til rengøringen på Hvidovre Hospital")


def _plain_matches(wp, keys, blocked):
    """The plain loop over every rule and word that Workplaces._matches replaces (its reference)."""
    from bot.domain.workplaces import TYPO_MIN, _part_matches, _slipped, may_slip

    claimed, found = list(blocked), []
    for rule in wp.rules:
        parts = rule.pattern.parts
        n = len(parts)
        for i in range(len(keys) - n + 1):
            if any(claimed[i : i + n]):
                continue
            if all(_part_matches(parts[j], keys[i + j]) for j in range(n)):
                claimed[i : i + n] = [True] * n
                found.append((i, i + n, rule))
    for i, token in enumerate(keys):
        if claimed[i] or len(token) < TYPO_MIN - 1:
            continue
        rule = next((r for r in wp.rules if may_slip(r) and _slipped(r.pattern.parts[0], token)), None)
        if rule:
            claimed[i] = True
            found.append((i, i + 1, rule))
    return found


def test_the_indexed_matching_finds_what_the_plain_loop_over_every_rule_finds():
    import glob
    import random

    import yaml

    from bot.domain import geography

    texts = []
    for path in glob.glob("tools/bench/data/first_messages_*.yml"):
        texts += [item["text"] for item in yaml.safe_load(open(path, encoding="utf-8"))]
    for path in glob.glob("data/nlu/*.yml"):
        for block in yaml.safe_load(open(path, encoding="utf-8")).get("nlu") or []:
            texts += [line[2:] for line in (block.get("examples") or "").splitlines() if line.startswith("- ")]
    random.Random(7).shuffle(texts)
    wp = workplaces.load()
    for text in texts[:3000] + ["vugestue", "psykatrien", "sygeplejerkse på hospitalt", "kommunalt ansat"]:
        keys = [k for k, _, _ in geography.tokens(text)]
        for blocked in ([False] * len(keys), [random.Random(text).random() < 0.2 for _ in keys]):
            assert wp._matches(keys, blocked) == _plain_matches(wp, keys, blocked), text


@pytest.mark.parametrize(
    "text, municipality",
    [
        ("Jeg er socialrådgiver i Svendborg Kommune. Før var jeg i Faaborg-Midtfyn, og det var værre", "Svendborg"),
        ("Jeg bor i Roskilde, men arbejder i Køge", "Køge"),
        ("vi er en skole i Vejle og har mange elever fra Kolding", "Vejle"),
        ("ikke Vejle, men Kolding", "Kolding"),
        ("Vejle, nej undskyld, Kolding", "Kolding"),  # nothing tells them apart: the last, as Rasa would
        ("jeg er pædagog i Aarhus", "Aarhus"),
        ("hej", None),
    ],
)
def test_the_writers_municipality_of_several_named(text, municipality):
    assert workplaces.workplace_municipality(text) == municipality


@pytest.mark.parametrize(
    "text, sector",
    [
        # a slip inside a compound needs its first three letters: 'vikarerne' is no 'kaserne'
        ("Jeg er sygeplejerske på et psykiatrisk afsnit, og vikarerne kender ikke patienterne", "regional"),
        ("jeg er ansat i skattestyrelsn", "statslig"),
        ("Vi er trænere i gymnastikforeningen i Skørping", None),
        # a workplace the writer had, beside the one they have
        ("Jeg var først i kommunen og er nu i Skattestyrelsen i Vejle", "statslig"),
        ("vi er tidligere kommunalt ansatte", "kommunal"),
        # the sectors in the plural are others ("er det kun for kommuner og regioner?")
        ("Jeg er i Fødevarestyrelsen. Findes der noget for os, eller er det kun for kommuner og regioner?", "statslig"),
        ("Jeg arbejder i en af kommunerne på Fyn", "kommunal"),
        ("kommunerne i Region Hovedstadens område har travlt", None),
    ],
)
def test_slips_former_workplaces_and_the_sectors_in_the_plural(text, sector):
    assert workplaces.read(text).sector == sector


@pytest.mark.parametrize(
    "text, sector",
    [
        (
            "Vi er fra Nordjyllands Politi. En kollega blev kørt ned, og han ligger på Aalborg Universitetshospital.",
            "statslig",
        ),
        (
            "Min kollega er indlagt på Odense Universitetshospital efter overfaldet, vi er på plejecentret i Nyborg",
            "kommunal",
        ),
        ("afdelingen ligger på Herlev Hospital, og vi har travlt", "regional"),
    ],
)
def test_a_hospital_where_someone_lies_is_not_the_writers_workplace(text, sector):
    assert workplaces.read(text).sector == sector


@pytest.mark.parametrize(
    "text, municipality",
    [
        (
            "Vi fik ny leder på Bakkeskolen i Kolding. Min kollega på en skole i Vejle sagde, at SPARK hjalp dem.",
            "Kolding",
        ),
        (
            "Solgården, Nakskov. Vi er sosu'er, og tonen er hård. En veninde i Odense siger, at SPARK hjalp dem.",
            "Lolland",
        ),
        ("Vejle, nej undskyld, Kolding", "Kolding"),
        ("Jeg bor i Vejle, men arbejder i Kolding", "Kolding"),
    ],
)
def test_a_town_named_of_a_colleague_or_friend_is_theirs_and_an_opening_place_is_the_writers(text, municipality):
    assert workplaces.workplace_municipality(text) == municipality


def test_where_the_writer_has_lived_is_not_where_they_work():
    text = "Jeg har boet i Aarhus hele mit liv, men pendler nu til en folkeskole i Silkeborg."
    assert workplaces.workplace_municipality(text) == "Silkeborg"


@pytest.mark.parametrize(
    "text",
    [
        "Vi er et bosted for unge med autisme, som Region Midtjylland driver",
        "et botilbud drevet af Region Syddanmark i Haderslev",
        "Vi er et bosted, der drives af Region Nordjylland",
    ],
)
def test_a_bosted_said_to_be_run_by_a_region_is_regional(text):
    assert workplaces.read(text).sector == "regional"


def test_a_bosted_only_placed_in_a_region_is_still_asked_about():
    assert workplaces.read("bostedet i Region Sjælland har mange konflikter").sector is None
