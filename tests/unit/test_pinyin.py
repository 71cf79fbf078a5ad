"""Pinyin keys let citizens find units by typing `wufeng` or `wf` on a phone keyboard."""

import pytest

from app.unit.pinyin import pinyin_keys


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("五丰社区", "wufengshequ", "wfsq"),
        ("跃龙街道", "yuelongjiedao", "yljd"),
        ("桥头胡街道", "qiaotouhujiedao", "qthjd"),
        ("绿水村", "lvshuicun", "lsc"),
    ],
)
def test_full_pinyin_and_initials_in_lower_case(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


def test_prefixes_of_either_key_match_the_name():
    full, initials = pinyin_keys("五丰社区")
    assert full.startswith("wufeng")
    assert initials.startswith("wf")


def test_punctuation_and_spaces_are_dropped_latin_and_digits_kept():
    full, initials = pinyin_keys("第2村（ A区 ）")
    assert full == "di2cunaqu"
    assert initials == "d2caq"


def test_empty_name_gives_empty_keys():
    assert pinyin_keys("") == ("", "")


def test_keys_fit_their_columns():
    full, initials = pinyin_keys("五" * 150)
    assert len(full) <= 400
    assert len(initials) <= 100
