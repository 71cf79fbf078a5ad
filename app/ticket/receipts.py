"""Receipts: gap-free public numbers (TS-YYYYMMDD-NNNN) and secret 16-digit codes, kept as HMACs.

Like GlobaLeaks' receipt, the code is 16 digits (it can hide in a phone's contact list) and only
a keyed hash of it is stored, so a database dump does not let anyone follow a ticket.
"""

import hashlib
import hmac
import re
import secrets
from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.config import get_settings
from app.core import clock
from app.ticket.models import TicketCounter

CODE_DIGITS = 16
NUMBER_PATTERN = re.compile(r"^TS-\d{8}-\d{4,}$")


def allocate_number(session: Session, *, day: date | None = None) -> str:
    """The next number of the local day, unique and without gaps even under concurrency.

    The UPDATE takes the counter row's lock until the caller's transaction ends (PostgreSQL;
    SQLite has one writer anyway), so a rolled-back submission gives its number back. Call it
    before anything else in the transaction: the audit chain takes its own lock afterwards,
    and always taking the two in the same order keeps concurrent submissions from deadlocking.
    """
    day = day or clock.today_local()
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(TicketCounter).values(day=day, last=0).on_conflict_do_nothing(index_elements=["day"])
    )
    last = session.execute(
        update(TicketCounter)
        .where(col(TicketCounter.day) == day)
        .values(last=col(TicketCounter.last) + 1)
        .returning(col(TicketCounter.last))
    ).scalar_one()
    return format_number(day, last)


def format_number(day: date, sequence: int) -> str:
    return f"TS-{day:%Y%m%d}-{sequence:04d}"


def normalise_number(raw: str) -> str:
    """Accept what people type: lower case, spaces, full-width dashes."""
    cleaned = re.sub(r"\s+", "", raw).upper().replace("－", "-").replace("—", "-")
    return cleaned


def new_code() -> str:
    """A fresh 16-digit code from the OS's secure random source."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def format_code(code: str) -> str:
    """Groups of four for reading aloud and copying: 1234 5678 9012 3456."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(raw: str) -> str:
    """Digits only, so "1234 5678-9012 3456" is accepted."""
    return re.sub(r"\D", "", raw)


def _key() -> bytes:
    # Derived, not the secret itself, so the HMAC key is used for nothing else.
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, b"xiaowei receipt code v1", hashlib.sha256).digest()


def hash_code(number: str, code: str) -> str:
    """HMAC-SHA256 of the code bound to its ticket number (hex)."""
    message = f"{number}:{normalise_code(code)}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def code_matches(number: str, code: str, stored_hash: str) -> bool:
    """Constant-time comparison of a typed code with the stored hash."""
    return hmac.compare_digest(hash_code(number, code), stored_hash)
