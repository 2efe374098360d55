"""Filed application records: building them, storing them once per conversation, listing them.

SQLite by default (`var/applications.db`), PostgreSQL or another SQLAlchemy URL from
APPLICATIONS_DB_URL. Every record is validated against the schema before it is stored.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

import jsonschema
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot import catalogue as catalogue_module
from bot import contacts, geography
from bot.routing import Answers, Decision

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = Path(__file__).parent / "data" / "application-record.schema.json"
DEFAULT_DB = PROJECT_ROOT / "var" / "applications.db"

metadata = sa.MetaData()
applications = sa.Table(
    "applications", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(40), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("delivery_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
)
reference_counters = sa.Table(
    "reference_counters", metadata,
    sa.Column("series", sa.String(40), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)


class RecordInvalid(ValueError):
    """A record that does not satisfy the schema (a bug: it is never stored)."""


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate(record: dict) -> None:
    errors = sorted(_validator().iter_errors(record), key=lambda e: list(e.path))
    if errors:
        raise RecordInvalid("; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors))


def _contact(name: Optional[str], email: Optional[str], phone: Optional[str],
             role: Optional[str] = None) -> dict:
    contact = {"name": name, "email": email,
               "phone": None if phone == contacts.PHONE_SKIPPED else phone}
    if role is not None:
        contact["role"] = role if role in ("TR", "AMR", "FTR") else "other"
    return contact


def build_record(answers: Answers, decision: Decision, conversation_id: str, channel: str,
                 now: Optional[datetime] = None) -> dict:
    """The record for a conversation that ends in filing (reference added on storing)."""
    now = now or datetime.now(timezone.utc)
    geo = geography.load()
    municipality = None
    region_name = answers.region
    if answers.municipality:
        m = geo.municipality(answers.municipality)
        region_name = region_name or m.region
        if answers.sector == "kommunal":  # the employer; for others it is only the town
            municipality = {"code": m.code, "name": m.name}
    region = None
    if region_name and answers.sector != "statslig":
        r = catalogue_module.load().region(region_name)
        region = {"code": r.code, "name": r.name}
    if answers.sector == "statslig":
        contacts = {"employee_representative" if answers.role in ("TR", "AMR", "FTR")
                    else "leader": _contact(answers.contact_name, answers.contact_email,
                                            answers.contact_phone,
                                            answers.role if answers.role in ("TR", "AMR", "FTR") else None)}
    else:
        contacts = {
            "leader": _contact(answers.leader_name, answers.leader_email, answers.leader_phone),
            "employee_representative": _contact(answers.rep_name, answers.rep_email,
                                                answers.rep_phone, answers.rep_role),
        }
    return {
        "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "channel": channel,
        "conversation_id": conversation_id,
        "offer": decision.offer,
        "sector": answers.sector,
        "municipality": municipality,
        "region": region,
        "workplace": answers.workplace,
        "application_type": answers.application_type,
        "applicant_body": answers.applicant_body,
        "theme": answers.theme,
        "problem_description": answers.problem_description,
        "consensus_confirmed": bool(answers.consensus),
        "commitments_accepted": bool(answers.commitments_accepted),
        "provider": decision.provider,
        "contacts": contacts,
        "submitter_role": answers.role,
        "status": decision.status,
    }


class ApplicationStore:
    """Records in a SQL database; the engine is created on first use."""

    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url or default_url()
        self._engine: Optional[sa.engine.Engine] = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> sa.engine.Engine:
        with self._lock:
            if self._engine is None:
                self._engine = _make_engine(self.url)
                metadata.create_all(self._engine)
        return self._engine

    def file(self, record: dict) -> tuple[dict, bool]:
        """Store a record once per conversation; return (stored record, newly created)."""
        prefix = catalogue_module.load().offers[record["offer"]].reference_prefix
        series = f"{prefix}-{record['created_at'][:4]}"
        for _ in range(5):
            try:
                with self.engine.begin() as conn:
                    existing = self._by_conversation(conn, record["conversation_id"])
                    if existing is not None:
                        return existing, False
                    number = _next_number(conn, series)
                    stored = {"reference": f"{series}-{number:06d}", **record}
                    validate(stored)
                    conn.execute(applications.insert().values(
                        reference=stored["reference"], conversation_id=stored["conversation_id"],
                        created_at=stored["created_at"], status=stored["status"],
                        record=json.dumps(stored, ensure_ascii=False), delivery_attempts=0))
                    return stored, True
            except IntegrityError:
                continue  # another writer took the number or filed this conversation: look again
        raise RuntimeError("could not file the record after 5 attempts")

    @staticmethod
    def _by_conversation(conn: sa.engine.Connection, conversation_id: str) -> Optional[dict]:
        row = conn.execute(sa.select(applications.c.record)
                           .where(applications.c.conversation_id == conversation_id)).first()
        return json.loads(row.record) if row else None

    def by_conversation(self, conversation_id: str) -> Optional[dict]:
        with self.engine.connect() as conn:
            return self._by_conversation(conn, conversation_id)

    def get(self, reference: str) -> Optional[dict]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(applications.c.record)
                               .where(applications.c.reference == reference)).first()
        return json.loads(row.record) if row else None

    def export(self) -> Iterator[dict]:
        """Every record, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(applications.c.record).order_by(applications.c.id)).all()
        for row in rows:
            yield json.loads(row.record)

    def set_status(self, reference: str, status: str) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(applications.c.record)
                               .where(applications.c.reference == reference)).first()
            if row is None:
                raise KeyError(reference)
            record = {**json.loads(row.record), "status": status}
            validate(record)
            conn.execute(applications.update().where(applications.c.reference == reference)
                         .values(status=status, record=json.dumps(record, ensure_ascii=False)))

    def delete(self, reference: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(applications.delete().where(applications.c.reference == reference))
        return result.rowcount > 0


def _next_number(conn: sa.engine.Connection, series: str) -> int:
    updated = conn.execute(reference_counters.update()
                           .where(reference_counters.c.series == series)
                           .values(value=reference_counters.c.value + 1))
    if updated.rowcount == 0:
        conn.execute(reference_counters.insert().values(series=series, value=1))
    return conn.execute(sa.select(reference_counters.c.value)
                        .where(reference_counters.c.series == series)).scalar_one()


def default_url() -> str:
    url = os.environ.get("APPLICATIONS_DB_URL")
    if url:
        return url
    path = Path(os.environ.get("APPLICATIONS_DB", DEFAULT_DB))
    return f"sqlite:///{path}"


def _make_engine(url: str) -> sa.engine.Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, future=True)
    path = sa.engine.make_url(url).database
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30}, future=True)

    # SQLite: take the write lock at BEGIN, so two writers queue instead of failing.
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
