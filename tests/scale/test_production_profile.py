"""The production profile's parts without a Rasa server: settings, endpoints file, tracker store, filing on
PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.server.production import ProductionSettings, ProfileError
from bot.server.stack import free_port
from tests.conftest import ROOT
from tests.scale.conftest import terminate_connections

GOOD_ENV = {
    "DB_HOST": "127.0.0.1",
    "DB_PORT": "5432",
    "DB_USER": "u",
    "DB_PASSWORD": "p",
    "DB_DATABASE": "rasa",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_PASSWORD": "r",
    "APPLICATIONS_DB_URL": "postgresql://u:p@127.0.0.1:5432/applications",
    "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook",
}


def test_settings_name_every_missing_variable():
    with pytest.raises(ProfileError) as error:
        ProductionSettings.from_env({"DB_HOST": "db"})
    for name in (
        "DB_PORT",
        "DB_USER",
        "DB_PASSWORD",
        "DB_DATABASE",
        "REDIS_HOST",
        "REDIS_PORT",
        "REDIS_PASSWORD",
        "APPLICATIONS_DB_URL",
    ):
        assert name in str(error.value)
    assert "DB_HOST" not in str(error.value)


def test_applications_must_be_in_the_shared_postgresql_database():
    with pytest.raises(ProfileError, match="APPLICATIONS_DB_URL"):
        ProductionSettings.from_env({**GOOD_ENV, "APPLICATIONS_DB_URL": "sqlite:///var/applications.db"})


def test_redis_password_may_be_empty_but_must_be_set():
    assert ProductionSettings.from_env({**GOOD_ENV, "REDIS_PASSWORD": ""}).redis.password == ""
    without = {k: v for k, v in GOOD_ENV.items() if k != "REDIS_PASSWORD"}
    with pytest.raises(ProfileError, match="REDIS_PASSWORD"):
        ProductionSettings.from_env(without)


def test_settings_never_show_passwords():
    settings = ProductionSettings.from_env(GOOD_ENV)
    assert "p@" not in settings.tracker_db_url.render_as_string(hide_password=True)
    assert ":r@" not in str(settings.redis) and "r" != str(settings.redis)


def test_endpoints_file_takes_every_value_from_the_environment_and_allows_several_workers(monkeypatch):
    from rasa.core.utils import AvailableEndpoints, number_of_sanic_workers

    for name, value in {**GOOD_ENV, "DB_PORT": "6543", "SANIC_WORKERS": "3"}.items():
        monkeypatch.setenv(name, value)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.production.yml"))
    assert endpoints.tracker_store.type == "bot.server.tracker_store.ProductionTrackerStore"
    assert (
        endpoints.tracker_store.url,
        endpoints.tracker_store.kwargs["port"],
        endpoints.tracker_store.kwargs["password"],
    ) == ("127.0.0.1", "6543", "p")
    assert (endpoints.lock_store.type, endpoints.lock_store.url, endpoints.lock_store.kwargs["port"]) == (
        "bot.server.lock_store.ProductionLockStore",
        "127.0.0.1",
        "6379",
    )
    assert endpoints.action.url == "http://127.0.0.1:5055/webhook"
    # Rasa runs more than one Sanic worker only with a lock store shared between them.
    assert number_of_sanic_workers(endpoints.lock_store) == 3


def test_endpoints_file_with_an_unset_variable_is_refused(monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    for name, value in GOOD_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DB_PASSWORD")
    with pytest.raises(Exception, match="DB_PASSWORD"):
        AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.production.yml"))


def _endpoint(type: str = "bot.server.tracker_store.ProductionTrackerStore", **overrides):
    from rasa.utils.endpoints import EndpointConfig

    settings = {
        "dialect": "postgresql",
        "port": str(free_port()),
        "db": "rasa",
        "username": "u",
        "password": "secret-password",
        **overrides,
    }
    return EndpointConfig(url="127.0.0.1", type=type, **settings)


def test_tracker_store_without_its_database_stops_the_start_instead_of_keeping_conversations_in_memory(monkeypatch):
    from rasa.core.tracker_store import TrackerStore

    from bot.server.tracker_store import TrackerStoreUnavailable

    monkeypatch.setenv("SERVICES_STARTUP_TIMEOUT", "2")
    started = time.monotonic()
    # Rasa's own factory, as `rasa run` uses it: a closed port.
    with pytest.raises(TrackerStoreUnavailable) as error:
        TrackerStore.create(_endpoint())
    assert time.monotonic() - started < 15
    message = str(error.value)
    assert "Rasa-serveren starter ikke" in message and "Connection refused" in message
    assert "secret-password" not in message


def test_a_missing_database_driver_is_an_error_not_an_in_memory_store(monkeypatch):
    """Rasa swaps a custom store that raises ImportError for an InMemoryTrackerStore; ours never does."""
    from rasa.core.tracker_store import TrackerStore

    from bot.server.tracker_store import TrackerStoreUnavailable

    monkeypatch.setenv("SERVICES_STARTUP_TIMEOUT", "1")
    with pytest.raises(TrackerStoreUnavailable, match="ModuleNotFoundError"):
        TrackerStore.create(_endpoint(dialect="mysql"))  # no MySQL driver is installed


# --- On the real PostgreSQL (scripts/services.sh) ------------------------------------------


@pytest.mark.slow
async def test_tracker_store_on_postgresql_keeps_a_conversation(fresh_databases):
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered

    env = fresh_databases
    store = TrackerStore.create(
        _endpoint(port=env["DB_PORT"], username=env["DB_USER"], password=env["DB_PASSWORD"], db=env["DB_DATABASE"]),
        domain=Domain.load(str(ROOT / "domain.yml")),
    )
    tracker = await store.get_or_create_tracker("profile-test")
    tracker.update(UserUttered("hej", {"name": "greet", "confidence": 1.0}))
    await store.save(tracker)
    again = await store.retrieve("profile-test")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hej"]


def _file_from_one_process(url: str, own: str) -> list[tuple[str, str, bool]]:
    """One 'instance': four threads filing 30 shared and 10 own conversations at once."""
    from bot.records.store import ApplicationStore
    from tests.conftest import record_for

    store = ApplicationStore(url)
    conversations = [f"shared-{i}" for i in range(30)] + [f"{own}-{i}" for i in range(10)]

    def file(conversation_id: str) -> tuple[str, str, bool]:
        stored, created = store.file(record_for(conversation_id))
        return conversation_id, stored["reference"], created

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(file, conversations))


@pytest.mark.slow
def test_two_processes_filing_at_once_on_postgresql_get_unique_references_one_record_each(fresh_databases):
    from bot.records.store import ApplicationStore

    url = fresh_databases["APPLICATIONS_DB_URL"]
    ApplicationStore(url).engine  # create the tables once, before the race
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        first, second = pool.starmap(_file_from_one_process, [(url, "a"), (url, "b")])
    results = first + second
    created = Counter(conversation for conversation, _, was_created in results if was_created)
    assert set(created.values()) == {1} and len(created) == 50
    reference_of = {}
    for conversation, reference, _ in results:  # both processes see the same record of a shared conversation
        assert reference_of.setdefault(conversation, reference) == reference
    stored = [r for r in ApplicationStore(url).export()]
    assert len(stored) == 50 and len({r["reference"] for r in stored}) == 50
    assert len({r["conversation_id"] for r in stored}) == 50
    assert os.environ.get("APPLICATIONS_DB_URL") != url  # the shared stack's store was never touched


async def _save_restart_retrieve(store_type: str, env: dict[str, str], sender: str) -> list[str]:
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered

    store = TrackerStore.create(
        _endpoint(
            type=store_type,
            port=env["DB_PORT"],
            username=env["DB_USER"],
            password=env["DB_PASSWORD"],
            db=env["DB_DATABASE"],
        ),
        domain=Domain.load(str(ROOT / "domain.yml")),
    )
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered("hej", {"name": "greet", "confidence": 1.0}))
    await store.save(tracker)
    assert terminate_connections(env) >= 1
    again = await store.retrieve(sender)
    return [e.text for e in again.events if isinstance(e, UserUttered)]


@pytest.mark.slow
async def test_rasa_sql_tracker_store_fails_the_first_read_after_a_database_restart(fresh_databases):
    """Why the production store checks connections: Rasa's fail-safe would answer this message from memory."""
    import sqlalchemy as sa

    with pytest.raises(sa.exc.OperationalError):
        await _save_restart_retrieve("sql", fresh_databases, "restart-rasa")


@pytest.mark.slow
async def test_production_tracker_store_reads_the_conversation_after_a_database_restart(fresh_databases):
    assert await _save_restart_retrieve(
        "bot.server.tracker_store.ProductionTrackerStore", fresh_databases, "restart-ours"
    ) == ["hej"]
