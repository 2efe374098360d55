"""scripts/services.sh starts PostgreSQL and Redis even when the ports it picked are taken in the meantime."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from bot.server.local_services import SERVICES, parse_exports


def _a_connections_local_port() -> tuple[int, list[socket.socket]]:
    """A port nothing listens on (so the script's check finds it free) that still cannot be bound."""
    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname())
    return client.getsockname()[1], [client, server]


def test_services_start_on_the_next_ports_when_theirs_are_connections_local_ports(services, tmp_path):
    # `services` (the session's own servers) makes sure PostgreSQL and Redis are installed.
    # What happened when a test's client held 55432: PostgreSQL could not bind it.
    import redis

    pg_taken, pg_sockets = _a_connections_local_port()
    redis_taken, redis_sockets = _a_connections_local_port()
    folder = tmp_path / "services"
    folder.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(folder, 0o755)
    (folder / "services.env").write_text(f"SAVED_PG_PORT={pg_taken}\nSAVED_REDIS_PORT={redis_taken}\n")
    env = {**os.environ, "SERVICES_DIR": str(folder), "SERVICES_PG_PORT": "", "SERVICES_REDIS_PORT": ""}
    try:
        first = subprocess.run([*SERVICES, "start"], env=env, capture_output=True, text=True, timeout=300)
        assert first.returncode == 0, first.stderr[-2000:]
        started = parse_exports(first.stdout)
        assert int(started["DB_PORT"]) != pg_taken
        assert int(started["REDIS_PORT"]) != redis_taken
        client = redis.Redis(host="127.0.0.1", port=int(started["REDIS_PORT"]), password=started["REDIS_PASSWORD"])
        assert client.ping()
        client.close()
        # The passwords were kept: a second start logs in and checks its databases.
        again = subprocess.run([*SERVICES, "start"], env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        restarted = parse_exports(again.stdout)
        assert (restarted["DB_PASSWORD"], restarted["REDIS_PASSWORD"]) == (
            started["DB_PASSWORD"],
            started["REDIS_PASSWORD"],
        )
    finally:
        subprocess.run([*SERVICES, "stop"], env=env, capture_output=True, timeout=120)
        for sock in pg_sockets + redis_sockets:
            sock.close()


def test_pids_names_the_running_postgres_and_redis_servers(services):
    from bot.server.local_services import service_pids

    pids = service_pids()
    assert set(pids) == {"postgres", "redis"}
    # (Debian's redis-server is a link to redis-check-rdb: the process's own name says what runs)
    assert Path(f"/proc/{pids['postgres']}/comm").read_text().strip() == "postgres"
    assert Path(f"/proc/{pids['redis']}/comm").read_text().strip() == "redis-server"
