"""Danish as people type it: English spotted, question shapes, yes and no in own words."""

import pytest

from bot.domain.text import looks_english, looks_like_question, yes_or_no


@pytest.mark.parametrize("text", ["Hi, can you help me apply for support?", "do you speak english",
                                  "What is the weather like?", "is it free"])
def test_english_is_spotted(text):
    assert looks_english(text)


@pytest.mark.parametrize("text", ["hvad koster det", "jeg er TR på en skole i Vejle", "vi er i en kommune",
                                  "hej, kan du hjælpe mig", "ok", "Mette Hansen"])
def test_danish_is_not_english(text):
    assert not looks_english(text)


def test_a_question_word_first_is_a_question_even_without_a_question_mark():
    assert looks_like_question("hvad er en trio") and not looks_like_question("vi er en trio")


@pytest.mark.parametrize("text,answer", [("ja, vi er enige", True), ("nej, ikke endnu", False),
                                         ("lederen er ikke med på det", False), ("Plejecenter Solgården", None)])
def test_yes_and_no_in_own_words(text, answer):
    assert yes_or_no(text) is answer
