"""The scale-out profile on real PostgreSQL and Redis: two Rasa instances, one action server, one delivery worker.

Fifty conversations at once whose messages alternate between the instances; then one
instance is SIGKILLed mid-run and its conversations go on at the other; and a production
Rasa server without its database refuses to start. Conversations are state-workplace
interest registrations: seven messages, and the last one files a record.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Optional

import aiohttp
import pytest
import sqlalchemy as sa

from bot.channels.guard import conversation_id
from bot.records.store import ApplicationStore
from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STATE_REGISTRATION = [
    "Jeg er TR i Skattestyrelsen",
    "ja tak",
    "Skattestyrelsen, Ringkøbing",
    "Eva Holm",
    "eva.holm@sktst.dk",
    "spring over",
    "ja",
]
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=180)


@dataclass
class Client:
    """Sends each message of a conversation to a chosen instance; fails over when an instance is gone.

    After a failed request the client first looks in the tracker store whether the dead
    instance stored the message before it died (the messages of one conversation are sent one
    after another, so message `seq` is stored when the conversation holds more than `seq`
    user messages), so a message is never sent twice.
    """

    session: aiohttp.ClientSession
    urls: list[str]
    tracker_engine: sa.engine.Engine
    alive: list[bool] = field(default_factory=lambda: [True, True])
    answered: int = 0
    failovers: int = 0

    async def say(self, sender: str, seq: int, text: str, preferred: int) -> list[dict]:
        for index in (preferred, 1 - preferred):
            if not self.alive[index]:
                continue
            try:
                async with self.session.post(
                    f"{self.urls[index]}/webhooks/rest/webhook",
                    timeout=REQUEST_TIMEOUT,
                    json={"sender": sender, "message": text},
                ) as response:
                    assert response.status == 200, await response.text()
                    replies = await response.json()
                self.answered += 1
                return replies
            except asyncio.TimeoutError:
                raise AssertionError(
                    f"{self.urls[index]} did not answer message {seq} of {sender} in {REQUEST_TIMEOUT.total:g} s"
                ) from None
            except aiohttp.ClientConnectionError:
                self.alive[index] = False
                self.failovers += 1
                await asyncio.sleep(1.0)  # a commit the instance sent just before it died lands first
                stored = await asyncio.to_thread(stored_reply, self.tracker_engine, sender, seq)
                if stored is not None:
                    self.answered += 1
                    return stored
        raise AssertionError(f"no instance answered message {seq} of {sender}")

    async def conversation(self, sender: str, first_instance: int) -> list[list[dict]]:
        return [
            await self.say(sender, seq, text, (first_instance + seq) % 2) for seq, text in enumerate(STATE_REGISTRATION)
        ]


def stored_events(engine: sa.engine.Engine, sender: str) -> list[tuple[str, dict]]:
    """The REST conversation's rows in Rasa's `events` table, in the order they were stored."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": conversation_id("rest", sender)},
        ).all()
    return [(row.type_name, json.loads(row.data)) for row in rows]


def stored_reply(engine: sa.engine.Engine, sender: str, seq: int) -> Optional[list[dict]]:
    """The bot's stored answer to message `seq`, or None when that message was never stored."""
    events = stored_events(engine, sender)
    users = [i for i, (kind, _) in enumerate(events) if kind == "user"]
    if len(users) <= seq:
        return None
    reply = []
    for later_kind, later in events[users[seq] + 1 :]:
        if later_kind == "user":
            break
        if later_kind == "bot":
            reply.append({"text": later.get("text")})
    return reply


def assert_stored_exactly_once_in_order(engine: sa.engine.Engine, sender: str) -> None:
    events = stored_events(engine, sender)
    users = [data["text"] for kind, data in events if kind == "user"]
    assert users == STATE_REGISTRATION, sender
    # Every stored message is followed by at least one stored bot answer.
    kinds = [kind for kind, _ in events]
    user_positions = [i for i, kind in enumerate(kinds) if kind == "user"] + [len(kinds)]
    for start, end in zip(user_positions, user_positions[1:]):
        assert "bot" in kinds[start:end], f"{sender}: message without a stored answer"


def assert_answered(sender: str, replies: list[list[dict]]) -> None:
    assert len(replies) == len(STATE_REGISTRATION)
    assert all(any((r.get("text") or "").strip() for r in reply) for reply in replies), sender
    assert "rejsehold" in replies[0][0]["text"], sender
    assert "referencen STAT-" in "\n".join(r.get("text") or "" for r in replies[-1]), sender


def assert_delivered_exactly_once(intake, records: list[dict]) -> None:
    """The delivery worker (PostgreSQL outbox) posted each record once, signed, to the intake."""
    references = [record["reference"] for record in records]
    intake.wait_for(lambda fake: all(fake.accepted(reference) for reference in references), timeout=120)
    for record in records:
        [arrival] = intake.accepted(record["reference"])
        assert arrival.signature_ok and arrival.record["conversation_id"] == record["conversation_id"]


def tracker_via_api(url: str, sender: str, token: Optional[str]) -> dict:
    query = f"?token={token}" if token else ""
    path = urllib.parse.quote(conversation_id("rest", sender), safe=":")
    with urllib.request.urlopen(f"{url}/conversations/{path}/tracker{query}", timeout=30) as response:
        return json.load(response)


def records_of(env: dict[str, str], senders: list[str]) -> dict[str, list[dict]]:
    wanted = {conversation_id("rest", sender): sender for sender in senders}
    found: dict[str, list[dict]] = {sender: [] for sender in senders}
    for record in ApplicationStore(env["APPLICATIONS_DB_URL"]).export():
        if record["conversation_id"] in wanted:
            found[wanted[record["conversation_id"]]].append(record)
    return found


def test_fifty_concurrent_conversations_alternating_between_two_instances(
    scaled_stack, tracker_engine, fresh_databases, scaled_intake
):
    senders = [f"scale-{os.urandom(3).hex()}-{i:02d}" for i in range(50)]

    async def run() -> tuple[list[list[list[dict]]], Client]:
        async with aiohttp.ClientSession() as session:
            client = Client(session, scaled_stack.rasa_urls, tracker_engine)
            conversations = [client.conversation(sender, i % 2) for i, sender in enumerate(senders)]
            return await asyncio.wait_for(asyncio.gather(*conversations), timeout=900), client

    started = time.monotonic()
    results, client = asyncio.run(run())
    elapsed = time.monotonic() - started
    print(f"\n50 conversations, {client.answered} messages in {elapsed:.1f} s")

    assert client.failovers == 0 and client.answered == 50 * len(STATE_REGISTRATION)
    for sender, replies in zip(senders, results):
        assert_answered(sender, replies)
        assert_stored_exactly_once_in_order(tracker_engine, sender)
    # Through Rasa's HTTP API, each instance shows the same conversation; never without the token.
    for url in scaled_stack.rasa_urls:
        tracker = tracker_via_api(url, senders[0], scaled_stack.api_token)
        assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == STATE_REGISTRATION
        with pytest.raises(urllib.error.HTTPError) as refused:
            tracker_via_api(url, senders[0], None)
        assert refused.value.code == 401
    filed = records_of(fresh_databases, senders)
    assert all(len(records) == 1 for records in filed.values()), {s: len(r) for s, r in filed.items()}
    references = [records[0]["reference"] for records in filed.values()]
    assert len(set(references)) == 50
    assert {records[0]["status"] for records in filed.values()} == {"interest_registered"}
    assert_delivered_exactly_once(scaled_intake, [records[0] for records in filed.values()])


def test_production_rasa_refuses_to_start_without_its_database(fresh_databases, tmp_path):
    """Not the in-memory fallback (RasaHQ/rasa#3243), not an endless wait: a clear error, soon."""
    from bot.server.stack import free_port

    closed_port, rasa_port = free_port(), free_port()
    env = {
        **os.environ,
        **fresh_databases,
        "DB_PORT": str(closed_port),
        "SERVICES_STARTUP_TIMEOUT": "3",
        "ACTION_SERVER_URL": "http://127.0.0.1:9/webhook",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.server.rasa_server",
            "run",
            "--model",
            str(ROOT / "models" / "current.tar.gz"),
            "--endpoints",
            str(ROOT / "endpoints.production.yml"),
            "--credentials",
            str(ROOT / "credentials.yml"),
            "--interface",
            "127.0.0.1",
            "--port",
            str(rasa_port),
            "--log-file",
            str(tmp_path / "rasa.log"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Samtalelageret (PostgreSQL) kan ikke nås, så Rasa-serveren starter ikke" in output
    assert f"127.0.0.1:{closed_port}" in output and fresh_databases["DB_PASSWORD"] not in output
    assert "InMemoryTrackerStore" not in output
    assert elapsed < 180, f"took {elapsed:.0f} s"


def test_run_production_refuses_to_start_without_its_database(fresh_databases):
    from bot.server.stack import free_port

    env = {**os.environ, **fresh_databases, "DB_PORT": str(free_port()), "SERVICES_STARTUP_TIMEOUT": "2"}
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--profile",
            "production",
            "--port",
            str(free_port()),
            "--action-port",
            str(free_port()),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3
    assert "Produktionsprofilen starter ikke: Databasen postgresql://" in result.stderr
    assert fresh_databases["DB_PASSWORD"] not in result.stderr + result.stdout
    assert time.monotonic() - started < 60


def test_conversations_continue_after_postgresql_drops_every_connection(scaled_stack, tracker_engine, fresh_databases):
    """As after a PostgreSQL restart or fail-over between two messages: nothing lost, nothing answered from memory."""
    from tests.scale.conftest import terminate_connections

    senders = [f"restart-{os.urandom(3).hex()}-{i}" for i in range(4)]
    applications_db = sa.engine.make_url(fresh_databases["APPLICATIONS_DB_URL"]).database

    async def run() -> tuple[list[list[list[dict]]], Client]:
        async with aiohttp.ClientSession() as session:
            client = Client(session, scaled_stack.rasa_urls, tracker_engine)

            async def first_half(i: int, sender: str) -> list[list[dict]]:
                return [await client.say(sender, seq, STATE_REGISTRATION[seq], (i + seq) % 2) for seq in range(3)]

            async def second_half(i: int, sender: str) -> list[list[dict]]:
                return [
                    await client.say(sender, seq, STATE_REGISTRATION[seq], (i + seq) % 2)
                    for seq in range(3, len(STATE_REGISTRATION))
                ]

            firsts = await asyncio.gather(*(first_half(i, s) for i, s in enumerate(senders)))
            cut = await asyncio.to_thread(terminate_connections, fresh_databases)
            cut += await asyncio.to_thread(terminate_connections, fresh_databases, applications_db)
            assert cut >= 2  # both instances held tracker connections
            seconds = await asyncio.gather(*(second_half(i, s) for i, s in enumerate(senders)))
            return [a + b for a, b in zip(firsts, seconds)], client

    results, client = asyncio.run(asyncio.wait_for(run(), timeout=300))
    assert client.failovers == 0
    for sender, replies in zip(senders, results):
        assert_answered(sender, replies)
        assert_stored_exactly_once_in_order(tracker_engine, sender)
    filed = records_of(fresh_databases, senders)
    assert all(len(records) == 1 for records in filed.values())


def test_killed_instance_conversations_continue_on_the_other(
    scaled_stack, tracker_engine, fresh_databases, scaled_intake
):
    """Runs last in this module: it leaves one instance."""
    senders = [f"kill-{os.urandom(3).hex()}-{i:02d}" for i in range(20)]
    total = len(senders) * len(STATE_REGISTRATION)
    victim = scaled_stack.rasa_ports[1]
    killed_after: list[int] = []

    async def kill_mid_run(client: Client) -> None:
        while client.answered < total * 0.4:
            await asyncio.sleep(0.05)
        killed_after.append(client.answered)
        await asyncio.to_thread(scaled_stack.kill_instance, victim)

    async def run() -> tuple[list[list[list[dict]]], Client]:
        async with aiohttp.ClientSession() as session:
            client = Client(session, scaled_stack.rasa_urls, tracker_engine)
            killer = asyncio.create_task(kill_mid_run(client))
            conversations = [client.conversation(sender, i % 2) for i, sender in enumerate(senders)]
            results = await asyncio.wait_for(asyncio.gather(*conversations), timeout=900)
            await killer
            return results, client

    started = time.monotonic()
    results, client = asyncio.run(run())
    [answered_at_kill] = killed_after
    print(
        f"\n{len(senders)} conversations, instance killed after {answered_at_kill} of {total} messages, "
        f"{client.failovers} failed over, all done in {time.monotonic() - started:.1f} s"
    )
    assert answered_at_kill < total and client.alive == [True, False] and client.failovers >= 1
    for sender, replies in zip(senders, results):
        assert_answered(sender, replies)
        assert_stored_exactly_once_in_order(tracker_engine, sender)
    filed = records_of(fresh_databases, senders)
    assert all(len(records) == 1 for records in filed.values()), {s: len(r) for s, r in filed.items()}
    assert len({records[0]["reference"] for records in filed.values()}) == len(senders)
    assert_delivered_exactly_once(scaled_intake, [records[0] for records in filed.values()])
