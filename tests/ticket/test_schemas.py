"""Input checks: GB 11643 ID numbers, mobiles, anonymity rules, the exposure warning."""

import pytest

from app.ticket.schemas import (
    EXPOSURE_WARNING,
    ComplaintSubmission,
    exposure_warning,
    id_number_problem,
    mobile_problem,
)


def make(**fields: object) -> ComplaintSubmission:
    data: dict[str, object] = {
        "unit_code": "T1",
        "category_code": "delay",
        "content": "办理证明时被要求多次往返，一直没有办好。",
    }
    data.update(fields)
    return ComplaintSubmission.model_validate(data)


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "11010519491231002x", "330226198001011236", "330226200002290054"],
)
def test_valid_id_numbers(number):
    assert id_number_problem(number) is None


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310021", "校验位"),  # should end in X
        ("330226198001011237", "校验位"),
        ("330226190002290054", "出生日期"),  # 1900 was no leap year
        ("11010519491231002", "18 位"),
        ("1101051949123100XX", "18 位"),
        ("110105194913310028", "出生日期"),  # month 13
        ("110105209912310025", "出生日期"),  # born in the future
    ],
)
def test_invalid_id_numbers(number, message):
    problem = id_number_problem(number)
    assert problem is not None
    assert message in problem


@pytest.mark.parametrize(
    "mobile", ["13912345678", "139 1234 5678", "+8619912345678", "159-1234-5678"]
)
def test_valid_mobiles(mobile):
    assert mobile_problem(mobile) is None


@pytest.mark.parametrize("mobile", ["", "12912345678", "1391234567", "139123456789", "0574-6556"])
def test_invalid_mobiles(mobile):
    assert mobile_problem(mobile) == "请填写 11 位手机号码"


def test_content_length_limits():
    assert "至少写 10 个字" in make(content="太慢了").problems()["content"]
    assert "不能超过 2000 字" in make(content="慢" * 2001).problems()["content"]
    assert "content" not in make(content="慢" * 2000).problems()


def test_anonymous_must_not_carry_identity():
    problems = make(is_anonymous=True, mobile="13912345678").problems()
    assert problems == {"is_anonymous": "匿名提交时请不要填写姓名、手机号和身份证号"}


def test_real_name_needs_name_and_mobile_and_a_valid_id_if_given():
    problems = make(is_anonymous=False, id_number="110105194912310021").problems()
    assert set(problems) == {"name", "mobile", "id_number"}
    ok = make(is_anonymous=False, name="李四", mobile="13912345678")
    assert ok.problems() == {}
    identity = ok.identity()
    assert identity is not None
    assert (identity.name, identity.mobile, identity.id_number) == ("李四", "13912345678", "")


def test_mobile_is_normalised_before_encryption():
    identity = make(
        is_anonymous=False, name="李四", mobile="+86 139-1234-5678", id_number="11010519491231002x"
    ).identity()
    assert identity is not None
    assert identity.mobile == "13912345678"
    assert identity.id_number == "11010519491231002X"


@pytest.mark.parametrize(
    "text",
    [
        "我的电话是13912345678，请联系我核实情况",
        "身份证号11010519491231002X，可以核实我的身份",
        "可以打座机0574-65561234找我了解情况",
    ],
)
def test_anonymous_text_with_contact_numbers_gets_a_warning(text):
    assert exposure_warning(text) == EXPOSURE_WARNING
    assert make(content=text).problems() == {"confirm_exposure": EXPOSURE_WARNING}
    assert make(content=text, confirm_exposure=True).problems() == {}


def test_ordinary_numbers_are_no_exposure():
    assert exposure_warning("2026年9月28日收取了200元，共3次") is None
