"""Periods: labels, local-midnight bounds, parsing query parameters and refusing junk."""

from datetime import UTC, date, datetime

import pytest

from app.core import clock
from app.core.errors import ValidationFailed
from app.stats.periods import Period


def test_month_quarter_year_and_custom_labels_and_days():
    november = Period.month(2026, 11)
    assert (november.start, november.end, november.label) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
        "2026年11月",
    )
    q4 = Period.quarter(2026, 4)
    assert (q4.start, q4.end, q4.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026年第四季度")
    assert Period.month(2028, 2).end == date(2028, 2, 29)
    assert Period.year(2026).label == "2026年"
    assert Period.custom(date(2026, 1, 1), date(2026, 3, 15)).label == "2026年1月1日至3月15日"
    assert Period.custom(date(2025, 12, 1), date(2026, 1, 5)).label == "2025年12月1日至2026年1月5日"


def test_utc_bounds_are_local_midnights():
    low, high = Period.month(2026, 11).utc_bounds()
    assert low == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert high == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "params",
    [
        {"period": "month", "value": "2026-11"},
        {"period": "quarter", "value": "2026-Q4"},
        {"period": "year", "value": "2026"},
        {"period": "custom", "from": "2026-01-01", "to": "2026-03-15"},
    ],
)
def test_query_round_trips_through_parse(params):
    period = Period.parse(
        period=params["period"],
        value=params.get("value", ""),
        start=params.get("from", ""),
        end=params.get("to", ""),
    )
    assert period.query() == params


def test_empty_means_the_current_year_and_a_bare_kind_the_current_one():
    with clock.frozen(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)):  # 1 January 2027 local
        assert Period.parse().label == "2027年"
        assert Period.parse(period="month").label == "2027年1月"
        assert Period.parse(period="quarter").label == "2027年第一季度"
    assert Period.parse(today=date(2026, 5, 5)).label == "2026年"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period": "week"},
        {"period": "month", "value": "2026-13"},
        {"period": "month", "value": "November"},
        {"period": "quarter", "value": "2026-Q5"},
        {"period": "year", "value": "20261"},
        {"period": "custom", "start": "2026-03-01", "end": "2026-02-01"},
        {"period": "custom", "start": "2020-01-01", "end": "2026-01-01"},
        {"period": "custom", "start": "yesterday", "end": "2026-01-01"},
    ],
)
def test_junk_is_refused_with_a_message(kwargs):
    with pytest.raises(ValidationFailed) as caught:
        Period.parse(**kwargs)
    assert caught.value.errors["period"]


def test_months_covered():
    period = Period.custom(date(2025, 11, 20), date(2026, 2, 3))
    assert period.months() == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]
    assert period.month_part(2026, 2).label == "2026年2月1日至2月3日"
    assert period.month_part(2025, 12) == Period.month(2025, 12)
