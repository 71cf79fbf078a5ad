"""The ticket notification texts added for replies, information requests, reopening,
assignment and supplements: each names the ticket and nothing about the person."""

import pytest

from app.notify import messages

NUMBER = "TS-20261122-0042"


@pytest.mark.parametrize(
    "message",
    [
        messages.info_requested(NUMBER),
        messages.staff_unit_replied(NUMBER, "五丰社区"),
        messages.staff_supplemented(NUMBER),
        messages.staff_reopened(NUMBER),
        messages.staff_assigned(NUMBER),
    ],
)
def test_each_text_names_the_ticket(message):
    assert NUMBER in message.subject
    assert NUMBER in message.body


def test_the_citizen_is_sent_to_the_tracking_page():
    body = messages.info_requested(NUMBER).body

    assert body.endswith("查看需要补充的内容并提交。")
    assert "/track" in body


def test_the_unit_reply_names_the_unit():
    assert "五丰社区已回复" in messages.staff_unit_replied(NUMBER, "五丰社区").body
