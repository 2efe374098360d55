"""Danish as people type it: English spotted, question shapes, yes and no in own words."""

import pytest

from bot.domain.text import MAX_QUESTION_PARTS, looks_english, looks_like_question, question_parts, yes_or_no


@pytest.mark.parametrize(
    "text",
    ["Hi, can you help me apply for support?", "do you speak english", "What is the weather like?", "is it free"],
)
def test_english_is_spotted(text):
    assert looks_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "hvad koster det",
        "jeg er TR på en skole i Vejle",
        "vi er i en kommune",
        "hej, kan du hjælpe mig",
        "ok",
        "Mette Hansen",
    ],
)
def test_danish_is_not_english(text):
    assert not looks_english(text)


def test_a_question_word_first_is_a_question_even_without_a_question_mark():
    assert looks_like_question("hvad er en trio") and not looks_like_question("vi er en trio")


@pytest.mark.parametrize(
    "text,answer",
    [
        ("ja, vi er enige", True),
        ("nej, ikke endnu", False),
        ("lederen er ikke med på det", False),
        ("Plejecenter Solgården", None),
    ],
)
def test_yes_and_no_in_own_words(text, answer):
    assert yes_or_no(text) is answer


@pytest.mark.parametrize(
    "text, parts",
    [
        (
            "Jeg er TR på et plejecenter i Nyborg. Kan vi søge uden at vores leder ved det?",
            ["Kan vi søge uden at vores leder ved det?"],
        ),
        ("Jeg er leder på en skole i Faxe – hvad koster det for os?", ["hvad koster det for os?"]),
        (
            "Hvad koster det? Og hvor lang tid tager det? Vi er en børnehave i Vejle.",
            ["Hvad koster det?", "Og hvor lang tid tager det?"],
        ),
        # a lead-in before a colon tells something; a colon before a list or a time does not split
        (
            "Inden jeg tager det op i vores lokalMED: Hvad forpligter vi os til, hvis vi siger ja?",
            ["Hvad forpligter vi os til, hvis vi siger ja?"],
        ),
        ("Vi har tre problemer: stress, konflikter og travlhed. Kan I hjælpe?", ["Kan I hjælpe?"]),
        # a short yes/no question that points back is read with the sentence before it
        (
            "Vi er tre små kommuner, der vil gå sammen om noget fælles. Kan man det?",
            ["Vi er tre små kommuner, der vil gå sammen om noget fælles. Kan man det?"],
        ),
        ("Vi er en skole. Kan det lade sig gøre?", ["Vi er en skole. Kan det lade sig gøre?"]),
        ("Vi er en skole i Vejle. Er det gratis?", ["Er det gratis?"]),  # it says what it asks
        (
            "Min AMR og jeg er ikke enige om at søge. Kan jeg søge alligevel?",
            ["Min AMR og jeg er ikke enige om at søge. Kan jeg søge alligevel?"],
        ),
        ("hvad koster det?", []),  # only a question: the whole message is the question
        ("Vi er en skole i Vejle. Vi har meget stress.", []),  # no question
        ("/faq/pris", []),  # a button's payload
    ],
)
def test_the_questions_of_a_message_that_also_tells_something(text, parts):
    assert question_parts(text) == parts


def test_at_most_three_question_parts_are_read_on_their_own():
    text = "Vi er en skole i Vejle. Hvad koster det? Hvem kan søge? Hvor lang tid tager det? Er der en frist?"
    assert question_parts(text) == ["Hvad koster det?", "Hvem kan søge?", "Hvor lang tid tager det?"]
    assert MAX_QUESTION_PARTS == 3


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        # several questions, with nothing told: each is read on its own
        ("Er det gratis? Og hvor lang tid tager det?", ["Er det gratis?", "Og hvor lang tid tager det?"]),
        (
            "Hvad koster det, hvor lang tid tager det og skal vi selv finde en konsulent?",
            ["Hvad koster det", "hvor lang tid tager det", "skal vi selv finde en konsulent?"],
        ),
        ("Kan vi søge, hvis vi er en skole?", []),  # one question with a condition
    ],
)
def test_several_questions_are_read_one_by_one(text, parts):
    assert question_parts(text) == parts


def test_an_english_yes_or_no_is_understood():
    from bot.domain.text import yes_or_no

    assert [yes_or_no(t) for t in ("yes", "sure", "no", "no, we do not agree")] == [True, True, False, False]


def test_an_indirect_question_inside_a_long_sentence_is_read_from_where_it_asks():
    text = "Vi har snakket om det i MED-udvalget på skolen i Faaborg, og nu vil vi gerne vide om det koster noget"
    assert question_parts(text) == ["vil vi gerne vide om det koster noget"]
    assert question_parts("En kollega spørger, om det koster noget.") == []  # the whole message asks


@pytest.mark.parametrize(
    "text, parts",
    [
        (
            "Vi er AMR og TR på genbrugspladsen i Holstebro og har længe talt om at søge, men lederen er først "
            "tilbage i marts, er der en frist vi skal nå",
            ["er der en frist vi skal nå"],
        ),
        (
            "Jeg er leder af et bibliotek i Skive og vi har haft mange konflikter i personalegruppen det sidste år, "
            "men hvem er det egentlig der kommer ud til os",
            ["hvem er det egentlig der kommer ud til os"],
        ),
        (
            "Vi er tre dagtilbud i Vejen der gerne vil arbejde med det samme tema på én gang, kan man det, og hvem "
            "skal så søge",
            ["kan man det", "og hvem skal så søge"],
        ),
    ],
)
def test_a_question_told_as_the_last_clause_of_a_long_sentence_is_read_on_its_own(text, parts):
    assert question_parts(text) == parts


@pytest.mark.parametrize(
    "text",
    [
        "Vi er sosu-assistenter på et plejecenter i Vejle og har meget travlt, der er mange konflikter",
        "Når lederen er tilbage fra ferie og vi har talt med hele personalegruppen om det, kan vi søge",
        "Vi har meget travlt, kan man sige",  # too little told before it
    ],
)
def test_a_long_sentence_that_only_tells_asks_nothing(text):
    assert question_parts(text) == []
