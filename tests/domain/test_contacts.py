"""E-mails, Danish phone numbers, names and roles as people type them."""

import pytest

from bot.domain import contacts


@pytest.mark.parametrize(
    "typed",
    [
        "20304050",
        "20 30 40 50",
        "+45 20 30 40 50",
        "+4520304050",
        "0045 20304050",
        "(+45) 2030-4050",
        "45 20 30 40 50",
        "20.30.40.50",
        "tlf 20 30 40 50",
        "mobil: +45 2030 4050",
    ],
)
def test_danish_phone_numbers_are_normalised(typed):
    assert contacts.check_phone(typed).value == "+45 20304050"


@pytest.mark.parametrize("typed", ["1234567", "123456789", "+46 701234567", "hej", "", "12 34 56"])
def test_invalid_phone_numbers_get_a_danish_explanation(typed):
    checked = contacts.check_phone(typed)
    assert checked.value is None
    assert "+45" in checked.problem or "8 cifre" in checked.problem


@pytest.mark.parametrize("typed", ["12345678", "01234567", "10000000", "12 34 56 78"])
def test_eight_digits_that_are_no_danish_number_are_refused(typed):
    """libphonenumber knows which Danish number ranges exist; 12 34 56 78 is not in one."""
    checked = contacts.check_phone(typed)
    assert checked.value is None and "gyldigt dansk telefonnummer" in checked.problem


def test_the_example_in_the_answers_is_a_valid_danish_number():
    assert contacts.check_phone(contacts.PHONE_EXAMPLE).value == f"+45 {contacts.PHONE_EXAMPLE_DIGITS}"
    for problem in (contacts.check_phone("hej").problem, contacts.check_phone("12345678").problem):
        assert contacts.PHONE_EXAMPLE in problem and "12 34 56 78" not in problem


def test_email_is_found_in_a_sentence_and_domain_lowercased():
    assert contacts.check_email("min mail er Mette.H@VEJLE.DK").value == "Mette.H@vejle.dk"


@pytest.mark.parametrize(
    "typed",
    [
        "mette@vejle",
        "mette",
        "@vejle.dk",
        "a@b.dk og c@d.dk",
        "<script>@x.dk",
        "mette@-bad-.dk",
        "mette..hansen@vejle.dk",
        ".mette@vejle.dk",
    ],
)
def test_invalid_emails_are_explained(typed):
    checked = contacts.check_email(typed)
    assert checked.value is None and "mail" in checked.problem


@pytest.mark.parametrize(
    "typed, normalised",
    [
        ("æblé@københavn.dk", "æblé@københavn.dk"),  # an internationalised address under .dk
        ("skriv til Søren.Ø@KØBENHAVN.DK tak", "Søren.Ø@københavn.dk"),
        ("zebulon.o'vexley@vejle.dk", "zebulon.o'vexley@vejle.dk"),
        ("mette.hansen+spark@vejle.dk.", "mette.hansen+spark@vejle.dk"),
    ],
)
def test_valid_emails_are_accepted_with_the_domain_in_lower_case(typed, normalised):
    assert contacts.check_email(typed).value == normalised


def test_names():
    assert contacts.check_name("han hedder Lars Nielsen").value == "Lars Nielsen"
    assert contacts.check_name("Anne-Marie O'Brien").value == "Anne-Marie O'Brien"
    assert contacts.check_name("<b>Lars</b>").value is None
    assert contacts.check_name("x" * 121).value is None


@pytest.mark.parametrize(
    "text, role",
    [
        ("Jeg er TR", "TR"),
        ("jeg er tillidsrepraesentant", "TR"),
        ("fællestillidsrepræsentant", "FTR"),
        ("jeg er arbejdsmiljørepræsentant", "AMR"),
        ("jeg er afdelingsleder", "leder"),
        ("jeg er bare almindelig medarbejder", "medarbejder"),
        ("hej", None),
    ],
)
def test_roles(text, role):
    assert contacts.parse_role(text) == role


def test_skip_words():
    assert contacts.is_skip("spring over") and contacts.is_skip("Ingen.")
    assert not contacts.is_skip("12345678")


@pytest.mark.parametrize(
    "text, role",
    [
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
        # a role corrected, or one the writer had
        ("Jeg er leder – eller rettere, jeg er oversygeplejerske, ikke chef for hele centret", None),
        ("jeg er AMR, nej undskyld, TR", "TR"),
        ("jeg var TR indtil sidste år, nu er jeg AMR", "AMR"),
    ],
)
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


@pytest.mark.parametrize(
    "text",
    [
        "mette.hansen@vejle.dk",
        "skriv til lars@vejle.dk tak",
        "tlf 20 30 40 50",
        "æblé@københavn.dk",
        "+45 22 33 44 55",
        "ring på 20304050",
        "(+45) 1234-5678",
    ],
)
def test_contact_details_are_noticed_in_any_sentence(text):
    assert contacts.mentions_contact_details(text)


@pytest.mark.parametrize(
    "text", ["hvad er SPARK?", "vi er 12 34 ansatte", "temaet 3", "i 2018", "Jeg er TR på et plejecenter i Vejle", ""]
)
def test_ordinary_sentences_hold_no_contact_details(text):
    assert not contacts.mentions_contact_details(text)
