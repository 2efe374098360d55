"""Slack request signatures (bot.channels.slack, slack_sdk's SignatureVerifier): Slack's documented example,
and every way a request is refused."""

from __future__ import annotations

import pytest

from bot.channels.slack import SIGNATURE_MAX_AGE_SECONDS, signature_problem, slack_signature

# The worked example in Slack's "Verifying requests from Slack" (a slash command's body).
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = "1531420618"
DOC_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
DOC_TIME = float(DOC_TIMESTAMP)


def test_slacks_documented_example_gives_the_documented_signature():
    assert slack_signature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY) == DOC_SIGNATURE


def test_slacks_documented_example_is_accepted_when_fresh():
    assert signature_problem(DOC_SECRET, DOC_TIMESTAMP, DOC_SIGNATURE, DOC_BODY, now=DOC_TIME + 60) is None


@pytest.mark.parametrize("skew", [SIGNATURE_MAX_AGE_SECONDS + 1, -(SIGNATURE_MAX_AGE_SECONDS + 1), 86_400])
def test_a_request_more_than_five_minutes_away_from_now_is_stale(skew):
    assert signature_problem(DOC_SECRET, DOC_TIMESTAMP, DOC_SIGNATURE, DOC_BODY, now=DOC_TIME + skew) == "stale"


def test_exactly_five_minutes_old_is_still_accepted():
    now = DOC_TIME + SIGNATURE_MAX_AGE_SECONDS
    assert signature_problem(DOC_SECRET, DOC_TIMESTAMP, DOC_SIGNATURE, DOC_BODY, now=now) is None


def test_a_changed_body_does_not_match():
    tampered = DOC_BODY.replace(b"user_name=roadrunner", b"user_name=coyote")
    assert signature_problem(DOC_SECRET, DOC_TIMESTAMP, DOC_SIGNATURE, tampered, now=DOC_TIME) == "mismatch"


def test_another_secret_does_not_match():
    assert signature_problem("another-secret", DOC_TIMESTAMP, DOC_SIGNATURE, DOC_BODY, now=DOC_TIME) == "mismatch"


def test_the_timestamp_is_part_of_what_is_signed():
    # A captured request replayed with a fresh timestamp header must not pass.
    later = str(int(DOC_TIMESTAMP) + 60)
    assert signature_problem(DOC_SECRET, later, DOC_SIGNATURE, DOC_BODY, now=DOC_TIME) == "mismatch"


@pytest.mark.parametrize(
    "timestamp, signature",
    [
        (None, DOC_SIGNATURE),
        (DOC_TIMESTAMP, None),
        ("", DOC_SIGNATURE),
        (DOC_TIMESTAMP, ""),
        ("yesterday", DOC_SIGNATURE),
    ],
)
def test_a_request_without_timestamp_or_signature_is_refused(timestamp, signature):
    assert signature_problem(DOC_SECRET, timestamp, signature, DOC_BODY, now=DOC_TIME) == "missing"


def test_without_a_signing_secret_nothing_is_accepted():
    assert signature_problem("", DOC_TIMESTAMP, DOC_SIGNATURE, DOC_BODY, now=DOC_TIME) == "missing"


def test_a_body_that_is_no_utf8_is_refused_not_an_error():
    # slack_sdk signs the body as text; bytes that are no UTF-8 were never signed by Slack.
    assert signature_problem(DOC_SECRET, DOC_TIMESTAMP, DOC_SIGNATURE, b"\xff\xfe", now=DOC_TIME) == "mismatch"
