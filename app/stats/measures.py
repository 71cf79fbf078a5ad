"""What the ticket figures count (§8): the measures, each one boolean SQL clause on `ticket`,
the rates built from them, and the scope and period clauses every figure shares.

Cohort rule: a figure counts the tickets RECEIVED (created_at) within the period and the scope.
Tickets merged into another ticket (status merged) count in `received` and in the duplicate
rate only; every other measure leaves them out.

A figure is SUM(CASE WHEN measure_clause THEN 1 ELSE 0 END) over the cohort (measure_sums), and
its drill-down selects the cohort rows WHERE measure_clause, so a figure and its list of tickets
can never disagree; the tally (app.stats.tally) stores the same sums for settled tickets.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal_column, or_, true
from sqlmodel import Session, col

from app.core import clock
from app.stats.formulas import Formula
from app.stats.periods import Period
from app.stats.scope import StatsScope, subtree_clause, whole_tree
from app.ticket.models import OPEN_STATUSES, Rating, Ticket, TicketStatus


class Measure(StrEnum):
    """A set of cohort tickets; each rate is the numerator set over the denominator set."""

    RECEIVED = "received"  # every ticket received in the period (merged duplicates included)
    ACCEPTED = "accepted"  # 受理: past the acknowledge step, neither rejected nor merged
    REJECTED = "rejected"  # 不予受理
    MERGED = "merged"  # 重复件, merged into another ticket
    ANSWERED = "answered"  # answered (a reopened ticket again once re-answered)
    CLOSED = "closed"  # 已办结
    RATED = "rated"  # has a (latest) rating; optionally closed 未评价 counted as 满意
    OPEN = "open"  # the team still has to act (待受理, 已受理, 办理中, 待补充)
    OVERDUE_OPEN = "overdue_open"  # open and past its acknowledge or resolve deadline now
    RESPONSE_DUE = "response_due"  # 响应率 denominator
    RESPONDED_ON_TIME = "responded_on_time"  # 响应率 numerator
    RESOLVED = "resolved"  # 解决率 numerator (denominator RATED)
    SATISFIED = "satisfied"  # 满意率 numerator (denominator RATED)
    ANSWER_DUE = "answer_due"  # 按期办结率 denominator
    ANSWERED_ON_TIME = "answered_on_time"  # 按期办结率 numerator
    FORWARDED = "forwarded"  # 退单率 denominator: forwarded to a unit (转办)
    RETURNED = "returned"  # 退单率 numerator: returned by a unit (退单) at least once
    REOPENED = "reopened"  # 重办率 numerator (denominator RATED)


MEASURE_LABELS: dict[Measure, str] = {
    Measure.RECEIVED: "收件数",
    Measure.ACCEPTED: "受理数",
    Measure.REJECTED: "不予受理数",
    Measure.MERGED: "重复件数",
    Measure.ANSWERED: "已答复数",
    Measure.CLOSED: "已办结数",
    Measure.RATED: "已评价数",
    Measure.OPEN: "在办数",
    Measure.OVERDUE_OPEN: "超期未办数",
    Measure.RESPONSE_DUE: "应响应数",
    Measure.RESPONDED_ON_TIME: "按时响应数",
    Measure.RESOLVED: "已解决数",
    Measure.SATISFIED: "满意数",
    Measure.ANSWER_DUE: "应办结数",
    Measure.ANSWERED_ON_TIME: "按期答复数",
    Measure.FORWARDED: "转办数",
    Measure.RETURNED: "退单数",
    Measure.REOPENED: "重办数",
}


class RateName(StrEnum):
    RESPONSE = "response"
    RESOLUTION = "resolution"
    SATISFACTION = "satisfaction"
    ON_TIME = "on_time"
    RETURN = "return"
    REOPEN = "reopen"
    DUPLICATE = "duplicate"


RATE_PARTS: dict[RateName, tuple[Measure, Measure]] = {
    RateName.RESPONSE: (Measure.RESPONDED_ON_TIME, Measure.RESPONSE_DUE),
    RateName.RESOLUTION: (Measure.RESOLVED, Measure.RATED),
    RateName.SATISFACTION: (Measure.SATISFIED, Measure.RATED),
    RateName.ON_TIME: (Measure.ANSWERED_ON_TIME, Measure.ANSWER_DUE),
    RateName.RETURN: (Measure.RETURNED, Measure.FORWARDED),
    RateName.REOPEN: (Measure.REOPENED, Measure.RATED),
    RateName.DUPLICATE: (Measure.MERGED, Measure.RECEIVED),
}

RATE_LABELS: dict[RateName, str] = {
    RateName.RESPONSE: "响应率",
    RateName.RESOLUTION: "解决率",
    RateName.SATISFACTION: "满意率",
    RateName.ON_TIME: "按期办结率",
    RateName.RETURN: "退单率",
    RateName.REOPEN: "重办率",
    RateName.DUPLICATE: "重复件率",
}

NO_VALUE = "—"


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """numerator ÷ denominator, None when nothing is due (shown as "—", never as 0 %)."""
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator

    @property
    def percent(self) -> str:
        value = self.value
        return NO_VALUE if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class TicketFigures:
    counts: dict[Measure, int]  # every Measure present
    rates: dict[RateName, Rate]  # every RateName present
    median_handling_days: float | None = None  # working days, answered tickets in the cohort


def figures_from_counts(
    counts: Mapping[Measure, int], median_handling_days: float | None = None
) -> TicketFigures:
    full = {measure: int(counts.get(measure, 0) or 0) for measure in Measure}
    rates = {
        name: Rate(full[numerator], full[denominator])
        for name, (numerator, denominator) in RATE_PARTS.items()
    }
    return TicketFigures(full, rates, median_handling_days)


# --- Measures as SQL clauses --------------------------------------------------------------------

# The resolve clock runs (and can be overdue) in these statuses; 待补充 pauses it.
RESOLVE_RUNNING = (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS)


def measure_clause(measure: Measure, formula: Formula, *, now: datetime) -> ColumnElement[bool]:
    """The tickets (of any cohort) that `measure` counts, as a WHERE clause on `ticket`."""
    status = col(Ticket.status)
    not_merged = status != TicketStatus.MERGED
    rating = col(Ticket.rating)
    answered = col(Ticket.answered_at).is_not(None)
    acknowledged = col(Ticket.acknowledged_at).is_not(None)
    # Closed without a rating (the rating window expired, or the lead closed it early).
    closed_unrated = and_(status == TicketStatus.CLOSED, rating.is_(None))
    unrated_as_satisfied = closed_unrated if formula.unrated_counts_as_satisfied else false()
    satisfied_ratings = [Rating.SATISFIED]
    if formula.satisfied_includes_basically:
        satisfied_ratings.append(Rating.BASICALLY)

    def response_due() -> ColumnElement[bool]:
        due = or_(col(Ticket.ack_due_at) <= now, acknowledged)
        if formula.response_counts_rejections:
            return and_(not_merged, due)
        # Rejections are then neither a response nor due one: they leave the rate altogether.
        return and_(not_merged, status != TicketStatus.REJECTED, due)

    if measure is Measure.RECEIVED:
        return true()
    if measure is Measure.ACCEPTED:
        return status.not_in([TicketStatus.SUBMITTED, TicketStatus.REJECTED, TicketStatus.MERGED])
    if measure is Measure.REJECTED:
        return status == TicketStatus.REJECTED
    if measure is Measure.MERGED:
        return status == TicketStatus.MERGED
    if measure is Measure.ANSWERED:
        return and_(not_merged, answered)
    if measure is Measure.CLOSED:
        return status == TicketStatus.CLOSED
    if measure is Measure.RATED:
        return and_(not_merged, or_(rating.is_not(None), unrated_as_satisfied))
    if measure is Measure.OPEN:
        return status.in_(sorted(OPEN_STATUSES))
    if measure is Measure.OVERDUE_OPEN:
        return or_(
            and_(status == TicketStatus.SUBMITTED, col(Ticket.ack_due_at) < now),
            and_(status.in_(RESOLVE_RUNNING), col(Ticket.resolve_due_at) < now),
        )
    if measure is Measure.RESPONSE_DUE:
        return response_due()
    if measure is Measure.RESPONDED_ON_TIME:
        return and_(
            response_due(),
            acknowledged,
            or_(
                col(Ticket.ack_due_at).is_(None),
                col(Ticket.acknowledged_at) <= col(Ticket.ack_due_at),
            ),
        )
    if measure is Measure.RESOLVED:
        resolved = (
            rating.in_([Rating.SATISFIED, Rating.BASICALLY])
            if formula.resolved_from_rating
            else and_(rating.is_not(None), col(Ticket.resolved).is_(True))
        )
        return and_(not_merged, or_(resolved, unrated_as_satisfied))
    if measure is Measure.SATISFIED:
        return and_(not_merged, or_(rating.in_(satisfied_ratings), unrated_as_satisfied))
    if measure is Measure.ANSWER_DUE:
        return and_(
            not_merged,
            or_(
                answered,
                and_(status.in_(RESOLVE_RUNNING), col(Ticket.resolve_due_at) < now),
            ),
        )
    if measure is Measure.ANSWERED_ON_TIME:
        return and_(
            not_merged,
            answered,
            or_(
                col(Ticket.resolve_due_at).is_(None),
                col(Ticket.answered_at) <= col(Ticket.resolve_due_at),
            ),
        )
    if measure is Measure.FORWARDED:
        return and_(not_merged, col(Ticket.forwarded_at).is_not(None))
    if measure is Measure.RETURNED:
        return and_(not_merged, col(Ticket.forwarded_at).is_not(None), col(Ticket.return_count) > 0)
    if measure is Measure.REOPENED:
        return and_(not_merged, col(Ticket.reopen_count) > 0)
    raise ValueError(measure)  # pragma: no cover - every member is handled above


# --- Scope and period ---------------------------------------------------------------------------


def scope_clauses(
    session: Session, scope: StatsScope, columns: Any = Ticket
) -> list[ColumnElement[bool]]:
    """WHERE clauses for the scope (unit subtree, team, category, kind, allowed teams) on
    `columns`: the ticket table, or any with its unit_id, team_id, category_id and kind."""
    clauses: list[ColumnElement[bool]] = []
    if scope.unit_id is not None and not whole_tree(session, scope.unit_id):
        clauses.append(subtree_clause(session, scope.unit_id, columns.unit_id))
    if scope.team_id is not None:
        clauses.append(columns.team_id == scope.team_id)
    if scope.allowed_team_ids is not None:
        clauses.append(columns.team_id.in_(sorted(scope.allowed_team_ids)))
    if scope.category_id is not None:
        clauses.append(columns.category_id == scope.category_id)
    if scope.kind is not None:
        clauses.append(columns.kind == scope.kind.value)
    return clauses


def cohort_clauses(
    session: Session, scope: StatsScope, period: Period
) -> list[ColumnElement[bool]]:
    """The tickets received within the period (local dates) and the scope."""
    low, high = period.utc_bounds()
    return [
        col(Ticket.created_at) >= low,
        col(Ticket.created_at) < high,
        *scope_clauses(session, scope),
    ]


def measure_sums(formula: Formula, now: datetime, measures: Iterable[Measure]) -> list[Any]:
    """SUM(CASE WHEN measure_clause …) for each measure, labelled with the measure's value."""
    return [
        func.coalesce(func.sum(case((measure_clause(m, formula, now=now), 1), else_=0)), 0).label(
            m.value
        )
        for m in measures
    ]


def local_month(session: Session, column: Any) -> ColumnElement[Any]:
    """The local (Asia/Shanghai) month of a stored UTC time, computed by the database: 'YYYY-MM'
    on SQLite, the month's first moment on PostgreSQL (see month_key)."""
    if session.get_bind().dialect.name == "postgresql":
        # date_trunc is about twice as fast as to_char; month_key() turns it into 'YYYY-MM'.
        # Constants written inline: migration 0502's extended statistics name this expression.
        return func.date_trunc(
            literal_column("'month'"), func.timezone(literal_column(f"'{clock.LOCAL_TZ}'"), column)
        )
    # SQLite stores naive UTC; Asia/Shanghai has been UTC+8 all year since 1991.
    return func.strftime("%Y-%m", column, "+8 hours")


def month_key(value: object) -> str:
    """'YYYY-MM' from what local_month() returns on either database."""
    if isinstance(value, date | datetime):
        return f"{value.year}-{value.month:02d}"
    return str(value)
