"""Filed records: storing each application once, its delivery plan and outboxes, listing them.

SQLite by default (`var/applications.db`), PostgreSQL or another SQLAlchemy URL from
APPLICATIONS_DB_URL. Every record is validated against the schema before it is stored.

The record key is (conversation, application): one conversation can file several applications
(a TR who helps two workplaces), and each application (its `application_id`, made when its
form starts) is filed once, whatever repeats ("ja" twice, a double click, a retried request).
Each row also holds its delivery plan, decided at filing (bot/records/recipients.py): to which
recipient, by intake e-mail and/or signed webhook, or not at all. Three outboxes track what is
still to do: the webhook, the intake e-mail and the receipt to the contacts (bot/records/delivery.py).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

import jsonschema
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.domain import catalogue as catalogue_module
from bot.domain.record import DeliveryPlan, timestamp

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "application-record.schema.json"
DEFAULT_DB = PROJECT_ROOT / "var" / "applications.db"

metadata = sa.MetaData()
applications = sa.Table(
    "applications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(40), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    # The record key: '<conversation id>#<application id>'; older rows: their conversation id.
    sa.Column("application_key", sa.String(400), nullable=True),
    # The delivery plan, decided at filing: the recipient, and whether this installation delivers
    # to it by webhook and/or intake e-mail (neither: the workplace takes the route itself).
    sa.Column("recipient", sa.String(60), nullable=True),
    sa.Column("deliver_by_webhook", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Column("deliver_by_email", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    # Three outboxes (bot/records/delivery.py): the webhook (the `delivery_*` columns, named so
    # since the first version), the intake e-mail and the receipt to the contacts.
    # `*_claim` is a worker's lease token; `next_attempt_at` (epoch seconds) is both the backoff
    # time and, while a claim is held, the lease's end. Added to older files by _migrate().
    sa.Column("delivery_attempts", sa.Integer, nullable=False, default=0, server_default=sa.text("0")),
    sa.Column("next_attempt_at", sa.Float, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("delivery_claim", sa.String(64), nullable=True),
    sa.Column("delivered_at", sa.String(40), nullable=True),
    sa.Column("receipt_attempts", sa.Integer, nullable=False, default=0, server_default=sa.text("0")),
    sa.Column("receipt_next_attempt_at", sa.Float, nullable=True),
    sa.Column("receipt_last_error", sa.Text, nullable=True),
    sa.Column("receipt_claim", sa.String(64), nullable=True),
    sa.Column("receipt_sent_at", sa.String(40), nullable=True),
    sa.Column("email_attempts", sa.Integer, nullable=False, default=0, server_default=sa.text("0")),
    sa.Column("email_next_attempt_at", sa.Float, nullable=True),
    sa.Column("email_last_error", sa.Text, nullable=True),
    sa.Column("email_claim", sa.String(64), nullable=True),
    sa.Column("email_sent_at", sa.String(40), nullable=True),
)
APPLICATION_KEY_INDEX = sa.Index("ix_applications_application_key", applications.c.application_key, unique=True)
sa.Index("ix_applications_conversation_id", applications.c.conversation_id)
reference_counters = sa.Table(
    "reference_counters",
    metadata,
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
                _migrate(self._engine)
        return self._engine

    def check_writable(self) -> None:
        """Raise unless records can be stored here (the tables made, a write that is rolled back)."""
        with self.engine.connect() as conn:
            transaction = conn.begin()
            conn.execute(reference_counters.insert().values(series="write-check", value=0))
            transaction.rollback()

    def file(self, record: dict, plan: Optional[DeliveryPlan] = None) -> tuple[dict, bool]:
        """Store a record once per application; return (stored record, newly created).

        `plan` (default: deliver nowhere) is stored with it; a record already filed keeps its own.
        """
        plan = plan or DeliveryPlan(record.get("recipient") or "")
        key = application_key(record)
        prefix = catalogue_module.load().offers[record["offer"]].reference_prefix
        series = f"{prefix}-{record['created_at'][:4]}"
        for _ in range(5):
            try:
                with self.engine.begin() as conn:
                    existing = self._by_key(conn, key)
                    if existing is not None:
                        return existing, False
                    number = _next_number(conn, series)
                    stored = {"reference": f"{series}-{number:06d}", **record}
                    validate(stored)
                    conn.execute(
                        applications.insert().values(
                            reference=stored["reference"],
                            conversation_id=stored["conversation_id"],
                            application_key=key,
                            created_at=stored["created_at"],
                            status=stored["status"],
                            record=json.dumps(stored, ensure_ascii=False),
                            delivery_attempts=0,
                            recipient=plan.recipient or None,
                            deliver_by_webhook=plan.by_webhook,
                            deliver_by_email=plan.by_email,
                        )
                    )
                    return stored, True
            except IntegrityError:
                continue  # another writer took the number or filed this application: look again
        raise RuntimeError("could not file the record after 5 attempts")

    @staticmethod
    def _by_key(conn: sa.engine.Connection, key: str) -> Optional[dict]:
        row = conn.execute(sa.select(applications.c.record).where(applications.c.application_key == key)).first()
        return json.loads(row.record) if row else None

    def of_conversation(self, conversation_id: str) -> list[dict]:
        """Every record this conversation filed, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(applications.c.record)
                .where(applications.c.conversation_id == conversation_id)
                .order_by(applications.c.id)
            ).all()
        return [json.loads(row.record) for row in rows]

    def plan_of(self, reference: str) -> Optional[DeliveryPlan]:
        """The delivery plan stored with a record at filing."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(
                    applications.c.recipient, applications.c.deliver_by_email, applications.c.deliver_by_webhook
                ).where(applications.c.reference == reference)
            ).first()
        if row is None:
            return None
        return DeliveryPlan(row.recipient or "", bool(row.deliver_by_email), bool(row.deliver_by_webhook))

    def get(self, reference: str) -> Optional[dict]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(applications.c.record).where(applications.c.reference == reference)).first()
        return json.loads(row.record) if row else None

    def export(self) -> Iterator[dict]:
        """Every record, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(applications.c.record).order_by(applications.c.id)).all()
        for row in rows:
            yield json.loads(row.record)

    def set_status(self, reference: str, status: str) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(applications.c.record).where(applications.c.reference == reference)).first()
            if row is None:
                raise KeyError(reference)
            record = {**json.loads(row.record), "status": status}
            validate(record)
            conn.execute(
                applications.update()
                .where(applications.c.reference == reference)
                .values(status=status, record=json.dumps(record, ensure_ascii=False))
            )

    def delete(self, reference: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(applications.delete().where(applications.c.reference == reference))
        return result.rowcount > 0

    # --- Outboxes: delivery to the intake endpoint and the e-mail receipt ----------------
    # A worker claims due rows with one compare-and-set UPDATE (the WHERE re-checks that the
    # row is still due), so two workers never hold the same row; it then reports the outcome
    # with its claim token, and a worker whose lease ran out cannot overwrite the new owner.

    def claim_due(
        self,
        outbox: "Outbox",
        now: float,
        lease_seconds: float,
        limit: int,
        created_after: Optional[str] = None,
        reference: Optional[str] = None,
    ) -> list["Claim"]:
        """Claim up to `limit` rows that are due in this outbox (or just `reference`), for `lease_seconds`."""
        token = uuid.uuid4().hex
        due = outbox.due(now, created_after)
        if reference is not None:
            due = sa.and_(due, applications.c.reference == reference)
        candidates = (
            sa.select(applications.c.id)
            .where(due)
            .order_by(applications.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )  # FOR UPDATE: PostgreSQL only
        with self.engine.begin() as conn:
            conn.execute(
                applications.update()
                .where(applications.c.id.in_(candidates.scalar_subquery()))
                .where(due)
                .values({outbox.claim: token, outbox.next_attempt_at: now + lease_seconds})
            )
            rows = conn.execute(
                sa.select(
                    applications.c.reference,
                    applications.c.record,
                    outbox.attempts,
                    applications.c.recipient,
                    applications.c.deliver_by_email,
                    applications.c.deliver_by_webhook,
                )
                .where(outbox.claim == token)
                .order_by(applications.c.id)
            ).all()
        return [
            Claim(
                row.reference,
                token,
                json.loads(row.record),
                row[2],
                DeliveryPlan(row.recipient or "", bool(row.deliver_by_email), bool(row.deliver_by_webhook)),
            )
            for row in rows
        ]

    def mark_done(self, outbox: "Outbox", claim: "Claim", when: Optional[datetime] = None) -> bool:
        """The side effect happened. The last of a record's planned deliveries (webhook, intake
        e-mail) also moves `submitted` to `delivered`.

        False when the claim was lost (its lease ran out and another worker took the row).
        """
        stamp = timestamp(when)
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(applications)
                .where(applications.c.reference == claim.reference)
                .where(outbox.claim == claim.token)
            ).first()
            if row is None:
                return False
            values: dict = {
                outbox.done: stamp,
                outbox.claim: None,
                outbox.next_attempt_at: None,
                outbox.last_error: None,
                outbox.attempts: outbox.attempts + 1,
            }
            others_done = all(
                row._mapping[other.done] is not None
                for other in INTAKE_OUTBOXES
                if other is not outbox and row._mapping[other.planned]
            )
            if outbox in INTAKE_OUTBOXES and others_done and row.status == "submitted":
                record = {**json.loads(row.record), "status": "delivered"}
                validate(record)
                values.update(
                    {applications.c.status: "delivered", applications.c.record: json.dumps(record, ensure_ascii=False)}
                )
            result = conn.execute(
                applications.update()
                .where(applications.c.reference == claim.reference)
                .where(outbox.claim == claim.token)
                .values(values)
            )
        return result.rowcount == 1

    def mark_failed(self, outbox: "Outbox", claim: "Claim", error: str, retry_at: float) -> bool:
        """The attempt failed: count it, keep the error (no personal data), retry at `retry_at`."""
        with self.engine.begin() as conn:
            result = conn.execute(
                applications.update()
                .where(applications.c.reference == claim.reference)
                .where(outbox.claim == claim.token)
                .values(
                    {
                        outbox.claim: None,
                        outbox.next_attempt_at: retry_at,
                        outbox.last_error: error[:500],
                        outbox.attempts: outbox.attempts + 1,
                    }
                )
            )
        return result.rowcount == 1

    def next_due_at(self, outbox: "Outbox", created_after: Optional[str] = None) -> Optional[float]:
        """When the earliest pending row becomes due (None: nothing pending, or due now)."""
        pending = outbox.pending()
        if created_after is not None:
            pending = sa.and_(pending, applications.c.created_at >= created_after)
        with self.engine.connect() as conn:
            now_due = conn.execute(
                sa.select(sa.func.count()).where(pending).where(outbox.next_attempt_at.is_(None))
            ).scalar_one()
            if now_due:
                return None
            return conn.execute(sa.select(sa.func.min(outbox.next_attempt_at)).where(pending)).scalar()

    def retry_waiting_now(self, outbox: "Outbox") -> int:
        """Make every pending, unclaimed row due now (a worker starting picks everything up)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                applications.update()
                .where(outbox.pending())
                .where(outbox.claim.is_(None))
                .where(outbox.next_attempt_at.is_not(None))
                .values({outbox.next_attempt_at: None})
            )
        return result.rowcount

    def pending_count(self, outbox: "Outbox", created_after: Optional[str] = None) -> int:
        pending = outbox.pending()
        if created_after is not None:
            pending = sa.and_(pending, applications.c.created_at >= created_after)
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).where(pending)).scalar_one()

    def request_redelivery(self, reference: str) -> bool:
        """Deliver this record again by each planned means (same reference, so the same
        Idempotency-Key and Message-ID), as soon as possible.

        A claim in progress is left alone: its outcome is then overwritten by this request.
        """
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(applications.c.record, applications.c.status).where(applications.c.reference == reference)
            ).first()
            if row is None:
                return False
            values: dict = {}
            for outbox in INTAKE_OUTBOXES:
                values.update(
                    {outbox.done: None, outbox.next_attempt_at: None, outbox.last_error: None, outbox.claim: None}
                )
            if row.status == "delivered":
                record = {**json.loads(row.record), "status": "submitted"}
                values.update(
                    {applications.c.status: "submitted", applications.c.record: json.dumps(record, ensure_ascii=False)}
                )
            conn.execute(applications.update().where(applications.c.reference == reference).values(values))
        return True

    def outbox_state(self, reference: str) -> Optional[dict[str, "OutboxState"]]:
        """Delivery and receipt state of one record, by outbox name."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(applications).where(applications.c.reference == reference)).first()
        if row is None:
            return None
        mapping = row._mapping
        return {
            o.name: OutboxState(
                done_at=mapping[o.done],
                attempts=mapping[o.attempts],
                next_attempt_at=mapping[o.next_attempt_at],
                last_error=mapping[o.last_error],
                claimed=mapping[o.claim] is not None,
            )
            for o in (*INTAKE_OUTBOXES, RECEIPT)
        }


@dataclass(frozen=True, eq=False)  # eq would compare columns as SQL
class Outbox:
    """One side effect a record gets exactly once (if `planned` says so), and the columns that track it."""

    name: str
    done: sa.Column
    attempts: sa.Column
    next_attempt_at: sa.Column
    last_error: sa.Column
    claim: sa.Column
    planned: Optional[sa.Column] = None  # None: every record (the receipt)

    def pending(self) -> sa.sql.ColumnElement:
        condition = self.done.is_(None)
        return condition if self.planned is None else sa.and_(condition, self.planned.is_(True))

    def due(self, now: float, created_after: Optional[str] = None) -> sa.sql.ColumnElement:
        condition = sa.and_(self.pending(), sa.or_(self.next_attempt_at.is_(None), self.next_attempt_at <= now))
        if created_after is not None:
            condition = sa.and_(condition, applications.c.created_at >= created_after)
        return condition


_c = applications.c
WEBHOOK = Outbox(
    "webhook",
    _c.delivered_at,
    _c.delivery_attempts,
    _c.next_attempt_at,
    _c.last_error,
    _c.delivery_claim,
    _c.deliver_by_webhook,
)
EMAIL = Outbox(
    "email",
    _c.email_sent_at,
    _c.email_attempts,
    _c.email_next_attempt_at,
    _c.email_last_error,
    _c.email_claim,
    _c.deliver_by_email,
)
RECEIPT = Outbox(
    "receipt",
    _c.receipt_sent_at,
    _c.receipt_attempts,
    _c.receipt_next_attempt_at,
    _c.receipt_last_error,
    _c.receipt_claim,
)
# The deliveries to the recipient (the receipt goes to the workplace's own contacts).
INTAKE_OUTBOXES = (WEBHOOK, EMAIL)


@dataclass(frozen=True)
class Claim:
    """A row a worker holds for one attempt; `attempts` counts the attempts before this one."""

    reference: str
    token: str
    record: dict
    attempts: int
    plan: DeliveryPlan = DeliveryPlan("")


@dataclass(frozen=True)
class OutboxState:
    done_at: Optional[str]
    attempts: int
    next_attempt_at: Optional[float]
    last_error: Optional[str]
    claimed: bool


def _migrate(engine: sa.engine.Engine) -> None:
    """Bring a table made by an older version up to date (create_all makes missing tables only):
    add the columns it lacks, let a conversation file more than one application (older tables
    allowed one: conversation_id was UNIQUE), give old rows their key, and index the keys."""
    _add_missing_columns(engine)
    _drop_one_record_per_conversation(engine)
    with engine.begin() as conn:
        conn.execute(
            applications.update()
            .where(applications.c.application_key.is_(None))
            .values(application_key=applications.c.conversation_id)
        )
    for index in applications.indexes:
        try:
            index.create(engine, checkfirst=True)
        except sa.exc.DBAPIError:
            pass  # another process created it first


def _add_missing_columns(engine: sa.engine.Engine) -> None:
    for _ in range(3):
        present = {c["name"] for c in sa.inspect(engine).get_columns("applications")}
        missing = [c for c in applications.columns if c.name not in present]
        if not missing:
            return
        try:
            with engine.begin() as conn:
                for column in missing:
                    ddl = sa.schema.CreateColumn(column).compile(dialect=engine.dialect)
                    conn.exec_driver_sql(f"ALTER TABLE applications ADD COLUMN {ddl}")
        except sa.exc.DBAPIError:
            continue  # another process added them first: look again
    raise RuntimeError("could not add the new columns to the applications table")


def _drop_one_record_per_conversation(engine: sa.engine.Engine) -> None:
    """Drop the UNIQUE constraint on conversation_id that tables made before December 2026 have.

    PostgreSQL drops the constraint by name; SQLite cannot, so the table is rebuilt in one
    transaction (rename, create, copy, drop), as SQLite's documentation describes.
    """
    if engine.dialect.name == "sqlite":
        if not _sqlite_unique_on_conversation(engine):
            return
    else:
        unique = [
            c
            for c in sa.inspect(engine).get_unique_constraints("applications")
            if c["column_names"] == ["conversation_id"]
        ]
        if unique:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'ALTER TABLE applications DROP CONSTRAINT "{unique[0]["name"]}"')
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE applications RENAME TO applications_before_2026_12")
        applications.create(conn)
        columns = ", ".join(column.name for column in applications.columns)
        conn.exec_driver_sql(f"INSERT INTO applications ({columns}) SELECT {columns} FROM applications_before_2026_12")
        conn.exec_driver_sql("DROP TABLE applications_before_2026_12")


def _sqlite_unique_on_conversation(engine: sa.engine.Engine) -> bool:
    """Whether SQLite holds a UNIQUE index on conversation_id alone (SQLAlchemy 1.4 does not reflect a
    column's inline UNIQUE: SQLite's own pragmas do)."""
    with engine.connect() as conn:
        for index in conn.exec_driver_sql("PRAGMA index_list(applications)").all():
            if index.unique:
                columns = [row.name for row in conn.exec_driver_sql(f'PRAGMA index_info("{index.name}")')]
                if columns == ["conversation_id"]:
                    return True
    return False


def application_key(record: dict) -> str:
    """The record key: one application of one conversation (older records: their conversation)."""
    application_id = record.get("application_id")
    return f"{record['conversation_id']}#{application_id}" if application_id else record["conversation_id"]


def _next_number(conn: sa.engine.Connection, series: str) -> int:
    updated = conn.execute(
        reference_counters.update()
        .where(reference_counters.c.series == series)
        .values(value=reference_counters.c.value + 1)
    )
    if updated.rowcount == 0:
        conn.execute(reference_counters.insert().values(series=series, value=1))
    return conn.execute(sa.select(reference_counters.c.value).where(reference_counters.c.series == series)).scalar_one()


def default_url() -> str:
    url = os.environ.get("APPLICATIONS_DB_URL")
    if url:
        return url
    path = Path(os.environ.get("APPLICATIONS_DB", DEFAULT_DB))
    return f"sqlite:///{path}"


def _make_engine(url: str) -> sa.engine.Engine:
    # hide_parameters: a database error's message (which gets logged) would otherwise carry
    # the record, names, e-mails and all (privacy, docs/security.md).
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, future=True, hide_parameters=True)
    path = sa.engine.make_url(url).database
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30}, future=True, hide_parameters=True)

    # SQLite: take the write lock at BEGIN, so two writers queue instead of failing.
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
