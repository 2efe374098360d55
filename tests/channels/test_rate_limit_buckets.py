"""The token buckets of the rate limit (bot/channels/rate_limit.py), on a clock the test moves.

The limit on the real endpoints (REST, the socket, the pages) is in tests/e2e/test_rate_limit.py.
"""

from __future__ import annotations

import pytest

from bot.channels.credentials import ChannelConfigError, check_channel_settings
from bot.channels.rate_limit import Limit, RateLimiter, RateLimitSettings, TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_the_limit_then_refused_with_the_time_to_wait():
    clock = Clock()
    buckets = TokenBuckets(Limit(3, window=60), clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(20.0)  # one token comes back every 60/3 s
    clock.now += 10
    assert buckets.take("a") == pytest.approx(10.0)


def test_tokens_come_back_over_the_window_and_a_full_window_restores_the_burst():
    clock = Clock()
    buckets = TokenBuckets(Limit(3, window=60), clock)
    for _ in range(3):
        buckets.take("a")
    clock.now += 20
    assert buckets.take("a") == 0.0 and buckets.take("a") > 0
    clock.now += 60
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]


def test_each_key_has_a_bucket_of_its_own():
    buckets = TokenBuckets(Limit(1, window=60), Clock())
    assert buckets.take("a") == 0.0 and buckets.take("a") > 0
    assert buckets.take("b") == 0.0


def test_a_limit_of_zero_is_no_limit():
    buckets = TokenBuckets(Limit(0, window=60), Clock())
    assert all(buckets.take("a") == 0.0 for _ in range(1000))
    assert len(buckets) == 0


def test_memory_is_bounded_whatever_the_number_of_keys():
    buckets = TokenBuckets(Limit(5, window=60), Clock(), max_buckets=100)
    for n in range(10_000):
        buckets.take(f"sender-{n}")
    assert len(buckets) <= 100


def test_a_client_over_its_limit_is_refused_before_its_conversation_is_counted():
    limits = RateLimiter(
        RateLimitSettings(window_seconds=60, client_messages=2, conversation_messages=5, client_pages=1), Clock()
    )
    assert limits.client_message("10.0.0.1") == 0.0 and limits.client_message("10.0.0.1") == 0.0
    assert limits.client_message("10.0.0.1") > 0
    assert limits.client_message("10.0.0.2") == 0.0, "another client"
    assert limits.page("10.0.0.1") == 0.0 and limits.page("10.0.0.1") > 0, "pages have a bucket of their own"


def test_settings_come_from_the_environment_with_defaults():
    assert RateLimitSettings.from_env({}) == RateLimitSettings()
    settings = RateLimitSettings.from_env(
        {
            "RATE_LIMIT_WINDOW_SECONDS": "2.5",
            "RATE_LIMIT_CLIENT_MESSAGES": "0",
            "RATE_LIMIT_CONVERSATION_MESSAGES": "3",
            "RATE_LIMIT_CLIENT_PAGES": "",
        }
    )
    assert settings == RateLimitSettings(
        window_seconds=2.5, client_messages=0, conversation_messages=3, client_pages=RateLimitSettings().client_pages
    )


@pytest.mark.parametrize(
    "env",
    [
        {"RATE_LIMIT_WINDOW_SECONDS": "0"},
        {"RATE_LIMIT_CLIENT_MESSAGES": "-1"},
        {"RATE_LIMIT_CONVERSATION_MESSAGES": "mange"},
    ],
)
def test_a_limit_that_cannot_work_stops_the_start_with_a_clear_message(env):
    with pytest.raises(ChannelConfigError, match="grænse"):
        check_channel_settings(env)
