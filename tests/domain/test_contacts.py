"""E-mails, Danish phone numbers, names and roles as people type them."""

import pytest

from bot.domain import contacts


@pytest.mark.parametrize("typed", ["12345678", "12 34 56 78", "+45 12 34 56 78", "+4512345678",
                                   "0045 12345678", "(+45) 1234-5678", "45 12 34 56 78", "12.34.56.78",
                                   "tlf 12 34 56 78", "mobil: +45 1234 5678"])
def test_danish_phone_numbers_are_normalised(typed):
    assert contacts.check_phone(typed).value == "+45 12345678"


@pytest.mark.parametrize("typed", ["1234567", "123456789", "+46 701234567", "hej", "", "12 34 56"])
def test_invalid_phone_numbers_get_a_danish_explanation(typed):
    checked = contacts.check_phone(typed)
    assert checked.value is None
    assert "+45" in checked.problem or "8 cifre" in checked.problem


def test_email_is_found_in_a_sentence_and_domain_lowercased():
    assert contacts.check_email("min mail er Mette.H@VEJLE.DK").value == "Mette.H@vejle.dk"


@pytest.mark.parametrize("typed", ["mette@vejle", "mette", "@vejle.dk", "a@b.dk og c@d.dk", "<script>@x.dk"])
def test_invalid_emails_are_explained(typed):
    checked = contacts.check_email(typed)
    assert checked.value is None and "mail" in checked.problem


def test_names():
    assert contacts.check_name("han hedder Lars Nielsen").value == "Lars Nielsen"
    assert contacts.check_name("Anne-Marie O'Brien").value == "Anne-Marie O'Brien"
    assert contacts.check_name("<b>Lars</b>").value is None
    assert contacts.check_name("x" * 121).value is None


@pytest.mark.parametrize("text, role", [
    ("Jeg er TR", "TR"), ("jeg er tillidsrepraesentant", "TR"), ("fællestillidsrepræsentant", "FTR"),
    ("jeg er arbejdsmiljørepræsentant", "AMR"), ("jeg er afdelingsleder", "leder"),
    ("jeg er bare almindelig medarbejder", "medarbejder"), ("hej", None),
])
def test_roles(text, role):
    assert contacts.parse_role(text) == role


def test_skip_words():
    assert contacts.is_skip("spring over") and contacts.is_skip("Ingen.")
    assert not contacts.is_skip("12345678")


@pytest.mark.parametrize("text, role", [
    ("Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne", "TR"),
    ("jeg er social- og sundhedshjælper, ikke TR", None),  # a job title is no role of the TRIO
    ("Jeg er pædagog, og min leder mobber mig", None),  # someone else's role
    ("Vi har en ny leder, der ikke lytter", None),
    ("Lederen og jeg vil gerne søge", None),
    ("TR her fra Vejle", "TR"),
    ("Jeg sidder som AMR på rådhuset", "AMR"),
    ("Som leder vil jeg gerne søge", "leder"),
    ("Jeg er pædagog og TR", "TR"),
    ("Jeg er ikke længere TR, men almindelig medarbejder", "medarbejder"),
    ("Vores TR har sagt, at jeg skulle skrive", None),
    ("jeg er ansat i Aarhus Kommune", None),
])
def test_the_users_role_comes_from_what_they_say_about_themselves(text, role):
    assert contacts.stated_role(text) == role


@pytest.mark.parametrize("typed", ["det er mig", "Det er mig selv.", "mig", "lederen", "ved ikke", "det mig jeg"])
def test_what_is_no_name_is_refused(typed):
    assert contacts.check_name(typed).value is None


def test_a_name_given_in_a_sentence():
    assert contacts.named("nej, han hedder Søren Jensen") == "Søren Jensen"
    assert contacts.named("lederens navn er forkert, hun hedder Mette Holm.") == "Mette Holm"
    assert contacts.named("han hedder ikke noget") is None


def test_a_representatives_role_beside_the_name():
    assert contacts.representative_role_in("Lars Nielsen, AMR") == "AMR"
    assert contacts.without_role_words("Søren Jensen (vores TR)") == "Søren Jensen"
    assert contacts.means_self("det er mig") and not contacts.means_self("Mette")


@pytest.mark.parametrize("text", ["mette.hansen@vejle.dk", "skriv til lars@vejle.dk tak", "tlf 20 30 40 50",
                                  "+45 22 33 44 55", "ring på 20304050", "(+45) 1234-5678"])
def test_contact_details_are_noticed_in_any_sentence(text):
    assert contacts.mentions_contact_details(text)


@pytest.mark.parametrize("text", ["hvad er SPARK?", "vi er 12 34 ansatte", "temaet 3", "i 2018",
                                  "Jeg er TR på et plejecenter i Vejle", ""])
def test_ordinary_sentences_hold_no_contact_details(text):
    assert not contacts.mentions_contact_details(text)
