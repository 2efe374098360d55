"""Property-based fuzz of the validators and text helpers with random Unicode, control characters
and very long input: they never raise, and what they accept is always well-formed."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import contacts, text

# Any code point, surrogates excluded (they cannot reach us in valid UTF-8 JSON).
ANY_CHAR = st.characters(exclude_categories=("Cs",))
CONTROL = st.sampled_from(["\x00", "\x07", "\x1b", "\r", "\n", "\t", "\u200b", "\u202e", "\ufeff", "\x85"])
HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE applications;--",
        '" OR 1=1 --',
        "${jndi:ldap://x}",
        "{{7*7}}",
        "../../etc/passwd",
        "&lt;",
        "\\",
        "%00",
    ]
)
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.lists(st.one_of(st.text(ANY_CHAR, max_size=20), CONTROL, HOSTILE), max_size=30).map("".join),
    st.text(st.sampled_from("0123456789 +-()./@æøåÆØÅ"), max_size=60),
    st.integers(0, 20000).map(lambda n: "a" * n),  # very long
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PHONE = re.compile(r"\+45 \d{8}")


@FUZZ
@given(TEXT)
def test_check_email_never_raises_and_accepts_only_one_plain_address(value):
    checked = contacts.check_email(value)
    assert (checked.value is None) != (checked.problem is None)
    if checked.value is not None:
        local, domain = checked.value.split("@")
        assert len(checked.value) <= 254 and domain == domain.lower()
        # Letters of any script (æblé@københavn.dk), digits and . _ % + ' - only: no markup, no quotes.
        assert re.fullmatch(r"[\w.%+'-]+", local) and not re.search(r"[<>\s\"]", checked.value)


@FUZZ
@given(TEXT)
def test_check_phone_never_raises_and_accepts_only_danish_numbers(value):
    checked = contacts.check_phone(value)
    assert (checked.value is None) != (checked.problem is None)
    if checked.value is not None:
        assert PHONE.fullmatch(checked.value)


@FUZZ
@given(TEXT)
def test_check_name_never_raises_and_accepts_only_short_names_of_letters(value):
    checked = contacts.check_name(value)
    assert (checked.value is None) != (checked.problem is None)
    if checked.value is not None:
        assert len(checked.value) <= contacts.NAME_MAX and len(checked.value.split()) <= 4
        assert not re.search(r"[<>;\"\\{}$%\x00-\x1f]", checked.value)


@FUZZ
@given(TEXT)
def test_role_and_skip_words_never_raise(value):
    assert contacts.parse_role(value) in (None, "leder", "TR", "AMR", "FTR", "medarbejder", "other")
    assert contacts.is_skip(value) in (True, False)


@FUZZ
@given(TEXT, st.integers(1, 5000))
def test_clean_free_text_keeps_words_literally_without_control_characters(value, limit):
    cleaned = text.clean_free_text(value, limit)
    assert len(cleaned) <= limit and cleaned == cleaned.strip()
    assert all(ch in "\n\t" or unicodedata.category(ch)[0] != "C" for ch in cleaned)
    for payload in ("<script>alert(1)</script>", "'; DROP TABLE applications;--"):
        if payload in unicodedata.normalize("NFC", value) and len(value) < limit:
            assert payload in cleaned, "hostile text is kept literally, not rewritten"


@FUZZ
@given(TEXT)
def test_text_helpers_never_raise(value):
    folded = text.fold(value)
    assert text.fold(folded) == folded
    assert all(w == w.lower() for w in text.words(value))
    assert text.looks_like_question(value) in (True, False)
    assert text.yes_or_no(value) in (True, False, None)
