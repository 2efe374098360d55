"""The scale-out section of make bench: how load is spread over instances, and its report table."""

from __future__ import annotations

import asyncio
from collections import Counter

from aiohttp import web

from tools.bench import load
from tools.bench.report import scaled_lines
from tools.bench.run import level_key, summarise_rounds
from tools.bench.scaled import planned_seconds


def test_consecutive_messages_of_a_conversation_go_to_the_instances_in_turn():
    urls = ["http://127.0.0.1:1/a", "http://127.0.0.1:2/b"]
    assert [load.instance_url(urls, user=0, position=p) for p in range(4)] == [urls[0], urls[1], urls[0], urls[1]]
    assert [load.instance_url(urls, user=1, position=p) for p in range(2)] == [urls[1], urls[0]]


def test_at_every_step_the_users_are_spread_evenly_over_the_instances():
    urls = ["a", "b", "c"]
    for position in range(5):
        counts = Counter(load.instance_url(urls, user, position) for user in range(12))
        assert counts == {"a": 4, "b": 4, "c": 4}


def test_one_instance_gets_every_message():
    assert {load.instance_url(["only"], user, p) for user in range(5) for p in range(5)} == {"only"}


async def test_run_load_spreads_a_conversations_messages_over_the_urls_it_is_given():
    received: list[tuple[str, str, str]] = []

    def handler(instance: str):
        async def answer(request: web.Request) -> web.Response:
            body = await request.json()
            received.append((instance, body["sender"], body["message"]))
            return web.json_response([{"text": f"svar fra {instance}"}])

        return answer

    runners, urls = [], []
    for instance in ("a", "b"):
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", handler(instance))
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        runners.append(runner)
        urls.append(f"http://127.0.0.1:{port}/webhooks/rest/webhook")
    conversation = load.Conversation("four", ("1", "2", "3", "4"))
    try:
        result = await load.run_load(urls, [conversation], users=2, duration_s=30, max_messages=8, sender_prefix="t")
    finally:
        for runner in runners:
            await runner.cleanup()
    assert result.messages == 8 and result.errors == 0
    by_sender: dict[str, list[str]] = {}
    for instance, sender, _message in received:
        by_sender.setdefault(sender, []).append(instance)
    assert sorted(by_sender.values()) == [["a", "b", "a", "b"], ["b", "a", "b", "a"]]


def test_run_load_refuses_any_url_off_loopback():
    try:
        asyncio.run(load.run_load(["http://127.0.0.1:1/x", "http://example.org/x"], [], 1, 1, 1, "t"))
    except ValueError as error:
        assert "example.org" in str(error)
    else:
        raise AssertionError("a URL off loopback was accepted")


def test_level_keys_name_users_alone_or_users_and_instances():
    assert level_key(16) == "16"
    assert level_key(64, 2) == "64x2"


def _level(msg_s: float, p50: float, errors: int = 0) -> dict:
    return {
        "p50_ms": p50,
        "p95_ms": 2 * p50,
        "p99_ms": 3 * p50,
        "throughput_msg_s": msg_s,
        "cpu_ms_per_msg": 20.0,
        "errors": errors,
        "messages": 100,
    }


def _run(bot: str, levels: dict, instances: list[float], actions: float) -> dict:
    rss = {"rasa": sum(instances), "actions": actions, "rasa_instances": instances}
    return {
        "bot": bot,
        "round": 1,
        "startup_s": 5.0 if bot == "ours" else 40.0,
        "rss_idle_mb": rss,
        "rss_after_load_mb": rss,
        "warmup": {"errors": 0},
        "levels": levels,
    }


def _scaled_result() -> dict:
    runs = [
        _run("ours", {"16x1": _level(60, 200), "16x2": _level(90, 150)}, [300.0, 290.0], 60.0),
        _run("stock", {"16x1": _level(25, 500, errors=1), "16x2": _level(45, 300)}, [1000.0, 1000.0], 110.0),
    ]
    return {
        "settings": {"budget_min": 5, "users": [16], "seconds_per_level": 10, "slices": 2, "instances": [1, 2]},
        "runs": runs,
        "speed": summarise_rounds(runs, ["16x1", "16x2"]),
        "infrastructure_mb": {"postgres": {"rss_mb": 400.0, "pss_mb": 120.0}, "redis": {"rss_mb": 8.0}},
        "problems": [],
        "duration_s": 200.0,
    }


def _row(lines: list[str], start: str) -> list[str]:
    row = next(line for line in lines if line.startswith(start))
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_the_table_gives_throughput_ratios_and_what_the_second_instance_buys():
    lines = scaled_lines(_scaled_result())
    one = _row(lines, "| 16 | 1 |")
    assert one[2:5] == ["60", "25", "2.40×"]
    assert one[5] == "200 / 500"
    assert one[8] == "0 / 1"
    both = _row(lines, "| 16 | 2 |")
    assert both[4] == "2.00×"
    gain = _row(lines, "| 16 | **2 / 1** |")
    assert gain[2:4] == ["1.50×", "1.80×"]  # msg/s: ours 90/60, stock 45/25
    assert gain[5] == "0.75× / 0.60×"  # p50: ours 150/200, stock 300/500


def test_the_memory_table_names_each_instance_the_action_server_and_the_shared_servers():
    lines = scaled_lines(_scaled_result())
    assert _row(lines, "| Rasa instance 2, after load")[1:] == ["290 MB", "1000 MB", "0.29×"]
    assert _row(lines, "| action server, after load")[1:] == ["60 MB", "110 MB", "0.55×"]
    assert _row(lines, "| all: 2 Rasa servers and the action server, after load")[1:] == [
        "650 MB",
        "2110 MB",
        "0.31×",
    ]
    shared = next(line for line in lines if line.startswith("Shared by both bots"))
    assert "PostgreSQL 400 MB RSS" in shared and "120 MB PSS" in shared and "Redis 8 MB RSS" in shared


def test_a_skipped_section_says_why_in_one_line():
    lines = scaled_lines({"skipped": "PostgreSQL/Redis could not be installed or started (apt-get failed)"})
    assert lines[0].startswith("## Scale-out profile")
    assert "Not measured: PostgreSQL/Redis could not be installed or started (apt-get failed)." in lines


def test_a_report_from_before_the_section_has_no_section():
    assert scaled_lines({}) == []


def test_the_plan_counts_every_level_for_both_bots():
    chosen = {"users": [16, 64], "instances": [1, 2], "seconds_per_level": 10}
    assert planned_seconds(chosen) == planned_seconds({**chosen, "users": []}) + 2 * 4 * 10
