"""Numbers per local day without gaps, secret codes stored only as a keyed hash, tracking."""

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core import clock
from app.ticket import receipts, service
from tests.ticket.factories import MONDAY, submit


def test_numbers_count_per_local_day(session, world):
    with clock.frozen(MONDAY):
        first = submit(session, world)
        second = submit(session, world)
    # 23:30 UTC on Monday is already Tuesday in Ninghai: a new day starts at 0001.
    with clock.frozen(datetime(2026, 9, 28, 16, 30, tzinfo=UTC)):
        third = submit(session, world)
    assert first.number == "TS-20260928-0001"
    assert second.number == "TS-20260928-0002"
    assert third.number == "TS-20260929-0001"


def test_code_is_sixteen_secret_digits_stored_only_as_hmac(session, world):
    receipt = submit(session, world)
    assert len(receipt.code) == 16
    assert receipt.code.isdigit()
    assert receipt.formatted_code == " ".join(receipt.code[i : i + 4] for i in range(0, 16, 4))
    stored = receipt.ticket.receipt_code_hash
    assert len(stored) == 64
    assert receipt.code not in stored
    assert stored != receipts.hash_code("TS-20990101-0001", receipt.code), "bound to the number"
    assert receipts.new_code() != receipts.new_code()


def test_track_needs_the_right_code(session, world):
    receipt = submit(session, world)
    number, code = receipt.number, receipt.code
    assert service.track(session, number=number, code=code) is receipt.ticket
    # What people type: spaces, dashes, lower case.
    spaced = receipts.format_code(code).replace(" ", "-")
    assert service.track(session, number=f" {number.lower()} ", code=spaced) is receipt.ticket
    wrong = f"{(int(code[0]) + 1) % 10}{code[1:]}"
    assert service.track(session, number=number, code=wrong) is None
    assert service.track(session, number=number, code="") is None
    assert service.track(session, number="TS-20990101-0001", code=code) is None
    assert service.track(session, number="nonsense", code=code) is None


def test_allocate_number_for_a_given_day(session):
    assert receipts.allocate_number(session, day=date(2030, 1, 2)) == "TS-20300102-0001"
    assert receipts.allocate_number(session, day=date(2030, 1, 2)) == "TS-20300102-0002"
    assert receipts.format_number(date(2030, 1, 2), 12345) == "TS-20300102-12345"


@pytest.mark.postgres
def test_numbers_are_gap_free_and_unique_under_concurrency(engine: Engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite has one writer")
    day = date(2031, 5, 6)
    numbers: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(8)
    lock = threading.Lock()

    def worker(rollback: bool) -> None:
        try:
            with Session(engine) as session:
                start.wait()
                number = receipts.allocate_number(session, day=day)
                if rollback:
                    session.rollback()  # a failed submission gives its number back
                    return
                session.commit()
                with lock:
                    numbers.append(number)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i % 4 == 3,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not failures
        assert sorted(numbers) == [f"TS-20310506-{i:04d}" for i in range(1, 7)]
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM ticket_counter WHERE day = :day"), {"day": day})
