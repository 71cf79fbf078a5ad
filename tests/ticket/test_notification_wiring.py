"""Staff and real-name citizens hear about each step that needs them, through the outbox."""

from sqlmodel import col, select

from app.notify.models import OutboxMessage
from app.ticket import service
from app.ticket.models import Rating
from tests.ticket import factories as tf


def keys(session) -> list[str]:
    rows = session.exec(select(OutboxMessage.dedupe_key).order_by(col(OutboxMessage.id))).all()
    return [key or "" for key in rows]


def test_the_assignee_is_told_when_assigned(session, world):
    receipt = tf.accepted(session, world)
    service.assign(
        session,
        ticket=receipt.ticket,
        principal=tf.principal(session, world.lead),
        assignee=world.member,
    )
    assert f"ticket:{receipt.number}:assigned:{world.member.id}:user:{world.member.id}" in keys(
        session
    )


def test_the_team_is_told_of_a_unit_reply(session, world):
    receipt = tf.forwarded(session, world)
    service.unit_reply(
        session,
        ticket=receipt.ticket,
        principal=tf.principal(session, world.editor),
        body="已为群众补办证明，并对经办人员进行了提醒谈话。",
    )
    assert any(":unit_replied:" in key for key in keys(session))


def test_a_real_name_citizen_is_asked_for_information_and_the_team_hears_the_answer(session, world):
    receipt = tf.accepted(session, world, tf.real_name(world))
    service.request_info(
        session,
        ticket=receipt.ticket,
        principal=tf.principal(session, world.member),
        question="请补充办理证明的具体日期。",
    )
    service.supplement(
        session, ticket=receipt.ticket, code=receipt.code, text="是十一月三日去办的。"
    )
    sent = keys(session)
    assert any(":info_requested:" in key for key in sent)
    assert any(":supplemented:" in key for key in sent)


def test_the_team_is_told_when_an_unsatisfied_rating_reopens_the_ticket(session, world):
    receipt = tf.answered(session, world)
    service.rate(
        session,
        ticket=receipt.ticket,
        rating=Rating.UNSATISFIED,
        resolved=False,
        comment="问题没有解决",
        code=receipt.code,
    )
    assert any(":reopened:1:" in key for key in keys(session))
