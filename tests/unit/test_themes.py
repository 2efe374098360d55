"""Problems in the user's own words, mapped to the offer's themes (or not forced into one)."""

import pytest

from bot import catalogue, themes


@pytest.mark.parametrize("text, theme", [
    ("vi har meget vold fra borgerne", "vold_og_trusler"),
    ("beboerne truer personalet", "vold_og_trusler"),
    ("Der er for travlt og vi når ikke vores opgaver", "arbejdets_indhold"),
    ("en kollega bliver mobbet", "chikane"),
    ("vi er blevet lagt sammen med en anden afdeling", "forandringer"),
    ("vores leder og medarbejderne snakker ikke sammen", "samarbejde"),
    ("jeg arbejder alene om natten", "alenearbejde"),
    ("vi står midt i en stor omstrukturering af hele forvaltningen", "forandringer"),
])
def test_problem_maps_to_spark_theme(text, theme):
    assert themes.assess(text, "spark").best == theme


def test_pay_and_ergonomics_fit_no_theme():
    for text in ("vi vil gerne have højere løn", "tunge løft og dårligt indeklima"):
        assessment = themes.assess(text, "spark")
        assert assessment.best is None and assessment.out_of_theme


def test_personsag_and_paabud_are_recognised():
    assert themes.assess("en bestemt kollega skal have en advarsel").exclusions == ("personsag",)
    assert "paabud" in themes.assess("Arbejdstilsynet har givet os et påbud").exclusions


def test_short_keywords_match_whole_words_only():
    assert themes.assess("vi har lyst til at lære mere").best is None


def test_theme_choice_by_name_code_or_number():
    assert themes.parse_choice("vold og trusler") == "vold_og_trusler"
    assert themes.parse_choice("Chikane") == "chikane"
    assert themes.parse_choice("3") == catalogue.load().themes_for("spark")[2].code


def test_regional_offer_has_its_own_three_themes():
    codes = [t.code for t in catalogue.load().themes_for("regional_ekspertraadgivning")]
    assert codes == ["organisatoriske_forandringer", "faglige_forandringer", "vold_og_trusler"]
    assert themes.assess("vi får et nyt it-system og nye arbejdsgange", "regional_ekspertraadgivning").best \
        == "faglige_forandringer"


@pytest.mark.parametrize("answer", ["1", "nr. 1", "tema 1", "Forandringer"])
def test_theme_can_be_picked_by_number_or_name(answer):
    assert themes.parse_choice(answer) == "forandringer"


@pytest.mark.parametrize("answer", ["ingen", "Ingen af dem", "ingen af dem passer."])
def test_none_of_the_themes_is_understood(answer):
    assert themes.parse_choice(answer) == themes.NONE


@pytest.mark.parametrize("answer", ["ja", "7", "0", "det ved jeg ikke"])
def test_answers_that_pick_no_theme(answer):
    assert themes.parse_choice(answer) is None
