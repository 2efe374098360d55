"""scripts/services.sh starts PostgreSQL even when the port it picked is taken in the meantime."""

from __future__ import annotations

import os
import socket
import subprocess

from tests.scale.conftest import SERVICES, _parse_exports


def test_postgres_starts_on_the_next_port_when_its_port_is_a_connections_local_port(services, tmp_path):
    # `services` (the session's own servers) makes sure PostgreSQL and Redis are installed.
    # A connection's local port: nothing listens there, so the script's check finds it free,
    # yet PostgreSQL cannot bind it (what happened when a test's client held 55432).
    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname())
    taken = client.getsockname()[1]
    folder = tmp_path / "services"
    folder.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(folder, 0o755)
    (folder / "services.env").write_text(f"SAVED_PG_PORT={taken}\nSAVED_REDIS_PORT=\n")
    env = {**os.environ, "SERVICES_DIR": str(folder), "SERVICES_REDIS_PORT": ""}
    try:
        first = subprocess.run([*SERVICES, "start"], env=env, capture_output=True, text=True, timeout=300)
        assert first.returncode == 0, first.stderr[-2000:]
        assert int(_parse_exports(first.stdout)["DB_PORT"]) != taken
        # The cluster's password was kept: a second start logs in and checks its databases.
        again = subprocess.run([*SERVICES, "start"], env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        assert _parse_exports(again.stdout)["DB_PASSWORD"] == _parse_exports(first.stdout)["DB_PASSWORD"]
    finally:
        subprocess.run([*SERVICES, "stop"], env=env, capture_output=True, timeout=120)
        client.close()
        server.close()
