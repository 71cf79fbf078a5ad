"""Statistics periods: local (Asia/Shanghai) calendar months, quarters, years or date ranges."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.core import clock
from app.core.errors import ValidationFailed

QUARTER_NAMES = ("一", "二", "三", "四")
PERIOD_KINDS = ("month", "quarter", "year", "custom")
PERIOD_KIND_LABELS: dict[str, str] = {
    "month": "月度",
    "quarter": "季度",
    "year": "年度",
    "custom": "自定义",
}
MAX_CUSTOM_DAYS = 5 * 366
# Years a period may fall in; guards against typos like 20261.
MIN_YEAR, MAX_YEAR = 2000, 2100


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed({"period": message})


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid(f"年份应在 {MIN_YEAR} 至 {MAX_YEAR} 之间")


@dataclass(frozen=True)
class Period:
    """Inclusive local dates; `utc_bounds()` turns them into the half-open UTC range queried."""

    kind: str  # "month" | "quarter" | "year" | "custom"
    start: date
    end: date
    label: str

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        _check_year(year)
        if not 1 <= month <= 12:
            raise _invalid("月份应在 1 至 12 之间")
        return cls("month", date(year, month, 1), _month_end(year, month), f"{year}年{month}月")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        _check_year(year)
        if not 1 <= quarter <= 4:
            raise _invalid("季度应在 1 至 4 之间")
        first = 3 * (quarter - 1) + 1
        return cls(
            "quarter",
            date(year, first, 1),
            _month_end(year, first + 2),
            f"{year}年第{QUARTER_NAMES[quarter - 1]}季度",
        )

    @classmethod
    def year(cls, year: int) -> "Period":
        _check_year(year)
        return cls("year", date(year, 1, 1), date(year, 12, 31), f"{year}年")

    @classmethod
    def custom(cls, start: date, end: date) -> "Period":
        if end < start:
            raise _invalid("结束日期不能早于开始日期")
        if (end - start).days > MAX_CUSTOM_DAYS:
            raise _invalid("统计区间不能超过 5 年")
        _check_year(start.year)
        _check_year(end.year)
        first = f"{start.year}年{start.month}月{start.day}日"
        last = f"{end.month}月{end.day}日"
        if end.year != start.year:
            last = f"{end.year}年{last}"
        label = first if start == end else f"{first}至{last}"
        return cls("custom", start, end, label)

    @classmethod
    def current_year(cls, today: date | None = None) -> "Period":
        return cls.year((today or clock.today_local()).year)

    @classmethod
    def parse(
        cls,
        *,
        period: str = "",
        value: str = "",
        start: str = "",
        end: str = "",
        today: date | None = None,
    ) -> "Period":
        """Read the query parameters (period=month&value=2026-11, period=quarter&value=2026-Q4,
        period=year&value=2026, period=custom&from=…&to=…). Nothing → the current year;
        a kind without a value → the current month, quarter or year."""
        kind = period.strip().lower()
        text = value.strip()
        day = today or clock.today_local()
        if not kind:
            return cls.year(day.year)
        if kind not in PERIOD_KINDS:
            raise _invalid("统计周期应为月度、季度、年度或自定义")
        if kind == "custom":
            try:
                first = date.fromisoformat(start.strip())
                last = date.fromisoformat(end.strip())
            except ValueError:
                raise _invalid("请按 2026-01-31 的格式填写开始和结束日期") from None
            return cls.custom(first, last)
        if kind == "month":
            if not text:
                return cls.month(day.year, day.month)
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
            if match is None:
                raise _invalid("月份应写作 2026-11")
            return cls.month(int(match[1]), int(match[2]))
        if kind == "quarter":
            if not text:
                return cls.quarter(day.year, (day.month - 1) // 3 + 1)
            match = re.fullmatch(r"(\d{4})-?[Qq](\d)", text)
            if match is None:
                raise _invalid("季度应写作 2026-Q4")
            return cls.quarter(int(match[1]), int(match[2]))
        if not text:
            return cls.year(day.year)
        if not re.fullmatch(r"\d{4}", text):
            raise _invalid("年份应写作 2026")
        return cls.year(int(text))

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00 local, the day after end 00:00 local) in UTC."""
        low = datetime.combine(self.start, time(0), tzinfo=clock.LOCAL_TZ)
        high = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=clock.LOCAL_TZ)
        return low.astimezone(UTC), high.astimezone(UTC)

    @property
    def value(self) -> str:
        """The `value` query parameter ("" for custom periods, which use from/to)."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return ""

    def query(self) -> dict[str, str]:
        """The query parameters that parse() (through the route's from/to) reads back."""
        if self.kind == "custom":
            return {"period": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"period": self.kind, "value": self.value}

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period touches, in order."""
        result = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            result.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result

    def month_part(self, year: int, month: int) -> "Period":
        """The part of this period within one month: the whole month when it is covered."""
        whole = Period.month(year, month)
        if self.start <= whole.start and whole.end <= self.end:
            return whole
        return Period.custom(max(self.start, whole.start), min(self.end, whole.end))
