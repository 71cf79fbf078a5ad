"""Input shapes for tickets and their zh-CN validation: content, mobile, GB 11643 ID numbers."""

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.core import clock
from app.ticket.models import Rating, TicketChannel

CONTENT_MIN = 10
CONTENT_MAX = 2000
NAME_MAX = 50
REASON_MAX = 2000

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Things in free text that may give an anonymous person away (§6 warning).
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9Xx])")
_LANDLINE_IN_TEXT = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")

EXPOSURE_WARNING = (
    "内容中含有电话号码或身份证号，这可能暴露您的身份。如确认无误，请勾选“仍然提交”。"
)


def normalise_mobile(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw).removeprefix("+86")


def mobile_problem(raw: str) -> str | None:
    if not MOBILE_PATTERN.match(normalise_mobile(raw)):
        return "请填写 11 位手机号码"
    return None


def id_number_problem(raw: str) -> str | None:
    """Why an 18-character resident ID number (GB 11643-1999) is invalid, or None."""
    value = raw.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return "身份证号应为 18 位，最后一位可以是 X"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期不正确"
    if born.year < 1900 or born > clock.today_local():
        return "身份证号中的出生日期不正确"
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return "身份证号校验位不正确，请核对"
    return None


def exposure_warning(text: str) -> str | None:
    """A warning when text an anonymous citizen wrote carries a phone or ID number."""
    if _MOBILE_IN_TEXT.search(text) or _ID_IN_TEXT.search(text) or _LANDLINE_IN_TEXT.search(text):
        return EXPOSURE_WARNING
    return None


def content_problem(text: str, *, minimum: int = CONTENT_MIN) -> str | None:
    length = len(text.strip())
    if length < minimum:
        return f"请至少写 {minimum} 个字，说明事情经过"
    if length > CONTENT_MAX:
        return f"内容不能超过 {CONTENT_MAX} 字（现有 {length} 字）"
    return None


class Identity(BaseModel):
    """What a real-name complainant tells us about themselves; stored only encrypted."""

    model_config = ConfigDict(frozen=True)

    name: str
    mobile: str
    id_number: str = ""


class ComplaintSubmission(BaseModel):
    """A complaint as filed on the public form, by staff on a citizen's behalf, or by the API.

    Types only; `problems()` gives the zh-CN messages per field (the service adds the checks
    that need the database: unit, category, item).
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    # No length constraints here: a form must get zh-CN messages from problems(), not a
    # pydantic error; the web layer bounds the request body.
    unit_code: str = ""
    category_code: str = ""
    item_key: str | None = None
    cadre_key: str | None = None
    negative_key: str | None = None
    content: str = ""
    is_anonymous: bool = True
    name: str = ""
    mobile: str = ""
    id_number: str = ""
    # The citizen saw the exposure warning and submits anyway.
    confirm_exposure: bool = False

    def problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.unit_code or len(self.unit_code) > 20:
            errors["unit_code"] = "请选择被反映的单位"
        if not self.category_code or len(self.category_code) > 40:
            errors["category_code"] = "请选择问题类别"
        for field in ("item_key", "cadre_key", "negative_key"):
            if len(getattr(self, field) or "") > 16:
                errors[field] = "所选事项不存在"
        problem = content_problem(self.content)
        if problem:
            errors["content"] = problem
        if self.is_anonymous:
            if self.name or self.mobile or self.id_number:
                errors["is_anonymous"] = "匿名提交时请不要填写姓名、手机号和身份证号"
            elif not self.confirm_exposure and "content" not in errors:
                warning = exposure_warning(self.content)
                if warning:
                    errors["confirm_exposure"] = warning
        else:
            if not self.name or len(self.name) > NAME_MAX:
                errors["name"] = "实名反映请填写姓名（不超过 50 字）"
            problem = mobile_problem(self.mobile)
            if problem:
                errors["mobile"] = problem
            if self.id_number:
                problem = id_number_problem(self.id_number)
                if problem:
                    errors["id_number"] = problem
        return errors

    def identity(self) -> Identity | None:
        if self.is_anonymous:
            return None
        return Identity(
            name=self.name,
            mobile=normalise_mobile(self.mobile),
            id_number=self.id_number.upper(),
        )


class RatingInput(BaseModel):
    rating: Rating
    resolved: bool
    comment: str = Field(default="", max_length=500)


STAFF_CHANNELS = (TicketChannel.HOTLINE, TicketChannel.VISIT, TicketChannel.LETTER)
