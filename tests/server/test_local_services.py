"""Reading what scripts/services.sh prints (bot/server/local_services.py), without starting anything."""

from __future__ import annotations

from bot.server.local_services import database_url, parse_exports


def test_exports_are_read_and_progress_lines_ignored():
    printed = (
        "==> Starting PostgreSQL on 127.0.0.1:55432\n"
        "export DB_PORT=55432\n"
        "export DB_PASSWORD=a=b\n"
        "export APPLICATIONS_DB_URL=postgresql://u:p@127.0.0.1:55432/applications\n"
        "DB_HOST=not-exported\n"
    )
    assert parse_exports(printed) == {
        "DB_PORT": "55432",
        "DB_PASSWORD": "a=b",
        "APPLICATIONS_DB_URL": "postgresql://u:p@127.0.0.1:55432/applications",
    }


def test_database_url_names_the_database_asked_for_else_db_database():
    env = {"DB_USER": "u", "DB_PASSWORD": "p", "DB_HOST": "127.0.0.1", "DB_PORT": "55432", "DB_DATABASE": "rasa"}
    assert database_url(env).render_as_string(hide_password=False) == "postgresql://u:p@127.0.0.1:55432/rasa"
    assert database_url(env, "bench_stock").database == "bench_stock"
